import os from 'node:os';

// Relative imports only: the admin CLI runs this module under tsx, which does not resolve $lib.
import type { Db } from './db';
import {
	auditLog,
	type AuditSource,
	type Case,
	type Client,
	type Person,
	type Transaction,
	type User
} from './db/schema';

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

// The user-visible fields each entity records in `changes`. Derived columns (search keys,
// updatedAt) and secrets (password hash, TOTP key) are left out on purpose.
export const CLIENT_AUDIT_FIELDS = [
	'kind',
	'name',
	'document',
	'email',
	'phone',
	'notes',
	'archivedAt'
] as const satisfies readonly (keyof Client)[];

export const PERSON_AUDIT_FIELDS = [
	'role',
	'name',
	'document',
	'email',
	'active'
] as const satisfies readonly (keyof Person)[];

export const CASE_AUDIT_FIELDS = [
	'clientId',
	'cnjNumber',
	'actionType',
	'title',
	'court',
	'partnerId',
	'consultantId',
	'status',
	'openedOn',
	'closedOn',
	'feeBps',
	'partnerShareBps',
	'consultantCommissionBps'
] as const satisfies readonly (keyof Case)[];

export const TRANSACTION_AUDIT_FIELDS = [
	'caseId',
	'receivedOn',
	'valueType',
	'grossCents',
	'clientCents',
	'officeCents',
	'partnerCents',
	'consultantCents',
	'feeBps',
	'partnerShareBps',
	'consultantCommissionBps',
	'partnerId',
	'consultantId',
	'notes',
	'installmentGroup',
	'installmentNumber',
	'installmentCount'
] as const satisfies readonly (keyof Transaction)[];

export const TRANSACTION_VOID_FIELDS = [
	'voidedAt',
	'voidedBy',
	'voidReason'
] as const satisfies readonly (keyof Transaction)[];

export const USER_AUDIT_FIELDS = [
	'email',
	'name',
	'role',
	'disabledAt'
] as const satisfies readonly (keyof User)[];

/** The user or admin CLI process behind a change, copied into every audit row it writes. */
export interface AuditActor {
	actorId: number | null;
	source: AuditSource;
	/** Context merged into each row's details, such as the request id or the OS user name. */
	details: Record<string, unknown>;
}

/** One change to record, without the actor. */
export type AuditEvent = Omit<AuditEntry, 'actorId' | 'source'>;

/** Returns the actor of a change made in the app by the signed-in user `userId`. */
export function appActor(userId: number, requestId: string): AuditActor {
	return { actorId: userId, source: 'app', details: { requestId } };
}

/**
 * Returns the actor of a change made with the admin CLI. No app user is signed in there, so the row
 * names the operating-system account that ran the command, when the system reports one.
 */
export function cliActor(): AuditActor {
	return { actorId: null, source: 'cli', details: { osUser: readOsUserName() } };
}

/** Inserts one audit row for `event` made by `actor`, in the transaction `db` (see recordAudit). */
export function recordAuditBy(db: Db, actor: AuditActor, event: AuditEvent): void {
	recordAudit(db, {
		...event,
		actorId: actor.actorId,
		source: actor.source,
		details: { ...actor.details, ...event.details }
	});
}

/**
 * Records `event` with the listed fields that differ between `before` and `after`. A call that
 * changed none of them writes no row and returns false, so that saving an unchanged form
 * leaves no noise in the trail.
 */
export function recordChanges<T extends object>(
	db: Db,
	actor: AuditActor,
	event: Omit<AuditEvent, 'changes'>,
	before: T,
	after: Partial<T>,
	fields: readonly (keyof T & string)[]
): boolean {
	const changes = changedFields(before, after, fields);
	if (Object.keys(changes).length === 0) return false;

	recordAuditBy(db, actor, { ...event, changes });
	return true;
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
	return pairNonNullFields(record, fields, (value) => [null, value]);
}

/** Returns the listed fields of a deleted record as {field: [value, null]}, skipping nulls. */
export function deletedFields<T extends object>(
	record: T,
	fields: readonly (keyof T & string)[]
): FieldChanges {
	return pairNonNullFields(record, fields, (value) => [value, null]);
}

function pairNonNullFields<T extends object>(
	record: T,
	fields: readonly (keyof T & string)[],
	toPair: (value: unknown) => [unknown, unknown]
): FieldChanges {
	const changes: FieldChanges = {};
	for (const field of fields) {
		const value = record[field] ?? null;
		if (value !== null) changes[field] = toPair(value);
	}
	return changes;
}

// os.userInfo() throws when the process's uid has no entry in the system's user database,
// as in some containers.
function readOsUserName(): string | null {
	try {
		return os.userInfo().username;
	} catch {
		return null;
	}
}

function sameValue(a: unknown, b: unknown): boolean {
	if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
	return a === b;
}

// Buffers (keys, hashes) must never reach the audit trail. A marker replaces them, so a
// mistaken field list shows up in review instead of leaking a secret. The replacer reads the raw
// value from its holder, because JSON.stringify applies Buffer's toJSON before calling it.
function toJson(value: unknown): string {
	return JSON.stringify(value, function (this: Record<string, unknown>, key, item: unknown) {
		return this[key] instanceof Uint8Array ? '[binary]' : item;
	});
}
