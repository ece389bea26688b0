// Relative imports only: the admin CLI runs this module under tsx, which does not resolve $lib.
import type { Db } from './db';
import { auditLog, type AuditSource } from './db/schema';

/** The kinds of record the audit trail describes, named after their tables in the singular. */
export const AUDIT_ENTITIES = [
	'user',
	'session',
	'client',
	'person',
	'case',
	'transaction',
	'settings'
] as const;
export type AuditEntity = (typeof AUDIT_ENTITIES)[number];

/** Field name to [before, after]. `before` is null for a created record. */
export type FieldChanges = Record<string, [unknown, unknown]>;

export interface AuditEntry {
	/** The signed-in user who acted; null for CLI actions and failed sign-ins. */
	actorId: number | null;
	source: AuditSource;
	action: string;
	entity: AuditEntity;
	entityId?: number | string | null;
	changes?: FieldChanges | null;
	/** Context that is not a field change. Never a password, hash, token or TOTP key. */
	details?: Record<string, unknown> | null;
}

/**
 * Inserts one audit row. Call it with the transaction handle of the change it describes, so
 * that the change and its audit row are committed or rolled back together.
 */
export function recordAudit(db: Db, entry: AuditEntry): void {
	db.insert(auditLog)
		.values({
			actorId: entry.actorId,
			source: entry.source,
			action: entry.action,
			entity: entry.entity,
			entityId: entry.entityId == null ? null : String(entry.entityId),
			changes:
				entry.changes && Object.keys(entry.changes).length > 0 ? toJson(entry.changes) : null,
			details: entry.details ? toJson(entry.details) : null
		})
		.run();
}

/**
 * Returns the listed fields whose value differs between `before` and `after`, as
 * {field: [before, after]}. Fields missing from `after` are treated as unchanged.
 */
export function changedFields<T extends object>(
	before: T,
	after: Partial<T>,
	fields: readonly (keyof T & string)[]
): FieldChanges {
	const changes: FieldChanges = {};
	for (const field of fields) {
		if (!(field in after)) continue;
		const old = before[field] ?? null;
		const next = after[field] ?? null;
		if (!sameValue(old, next)) changes[field] = [old, next];
	}
	return changes;
}

/** Returns the listed fields of a new record as {field: [null, value]}, skipping null values. */
export function createdFields<T extends object>(
	record: T,
	fields: readonly (keyof T & string)[]
): FieldChanges {
	const changes: FieldChanges = {};
	for (const field of fields) {
		const value = record[field] ?? null;
		if (value !== null) changes[field] = [null, value];
	}
	return changes;
}

function sameValue(a: unknown, b: unknown): boolean {
	if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
	return a === b;
}

// Buffers (keys, hashes) must never reach the audit trail; they are replaced by a marker so
// that a mistaken field list shows up in review instead of leaking a secret. The replacer reads
// the raw value from its holder because JSON.stringify applies Buffer's toJSON before calling it.
function toJson(value: unknown): string {
	return JSON.stringify(value, function (this: Record<string, unknown>, key, item: unknown) {
		return this[key] instanceof Uint8Array ? '[binary]' : item;
	});
}
