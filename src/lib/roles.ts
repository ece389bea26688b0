import type { UserRole } from '$lib/server/db/schema';

// Shared by the tRPC middleware and the pages. The import above is type-only, so the browser
// can load this module.

/** Roles that may create, change and delete records. A `viewer` reads and changes nothing. */
export const WRITE_ROLES: readonly UserRole[] = ['admin', 'staff'];

/**
 * Returns whether a user with `role` may change records. Pages use it only to hide controls,
 * because the server checks every mutation against the same list.
 */
export function canWriteRecords(role: string | null | undefined): boolean {
	return (WRITE_ROLES as readonly (string | null | undefined)[]).includes(role);
}
