import { and, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';

import { todayIso } from '$lib/domain/dates';
import type { AuditEntity, FieldChanges } from '$lib/server/audit';
import type { Db } from '$lib/server/db';
import { auditLog, transactions, users } from '$lib/server/db/schema';

import { encodeCursor } from './pagination';

/** The time zone whose calendar days the `from` and `to` filters name. */
export const AUDIT_TIME_ZONE = 'America/Sao_Paulo';

export interface AuditFilters {
	actorId?: number;
	entity?: AuditEntity;
	entityId?: string;
	/** First São Paulo day to include, YYYY-MM-DD. */
	from?: string;
	/** Last São Paulo day to include, YYYY-MM-DD. */
	to?: string;
}

/** The sort key `[at, id]` of the last row of the previous page. */
export interface AuditCursor {
	text: string;
	id: number;
}

/**
 * Builds the query for one page of audit rows, plus one row that shows whether another page
 * follows. Filtering by actor uses audit_log_actor_idx, by entity audit_log_entity_idx, and no
 * filter audit_log_at_idx.
 * NOTE: with an entity but no entity id, SQLite reads that entity's rows through the index and
 * sorts them before taking the page, so the cost grows with the entity's row count.
 */
export function buildAuditPageQuery(
	db: Db,
	filters: AuditFilters,
	cursor: AuditCursor | undefined,
	limit: number
) {
	return db
		.select({ log: auditLog, actorName: users.name, actorEmail: users.email })
		.from(auditLog)
		.leftJoin(users, eq(users.id, auditLog.actorId))
		.where(and(...auditConditions(filters, cursor)))
		.orderBy(desc(auditLog.at), desc(auditLog.id))
		.limit(limit + 1);
}

/**
 * Returns one page of audit rows matching `filters`, newest first, with the actor's name and
 * email, and the cursor of the next page or null.
 */
export function selectAuditPage(
	db: Db,
	filters: AuditFilters,
	cursor: AuditCursor | undefined,
	limit: number
) {
	const rows = buildAuditPageQuery(db, filters, cursor, limit).all();

	const page = rows.slice(0, limit);
	const last = page.at(-1);
	const nextCursor = rows.length > limit && last ? encodeCursor([last.log.at, last.log.id]) : null;
	const caseIds = caseIdsOfTransactions(
		db,
		page.map((row) => row.log)
	);

	const items = page.map(({ log, actorName, actorEmail }) => ({
		id: log.id,
		at: log.at,
		source: log.source,
		action: log.action,
		entity: log.entity,
		entityId: log.entityId,
		actor:
			log.actorId === null
				? null
				: { id: log.actorId, name: actorName ?? '', email: actorEmail ?? '' },
		changes: parseJsonObject(log.changes) as FieldChanges | null,
		details: parseJsonObject(log.details),
		// The case a payment row belongs to, so that the page can link to it.
		caseId: log.entity === 'transaction' ? (caseIds.get(log.entityId ?? '') ?? null) : null
	}));
	return { items, nextCursor };
}

export type AuditRowOutput = ReturnType<typeof selectAuditPage>['items'][number];

function auditConditions(filters: AuditFilters, cursor: AuditCursor | undefined): SQL[] {
	const conditions: SQL[] = [];
	if (filters.actorId !== undefined) conditions.push(eq(auditLog.actorId, filters.actorId));
	if (filters.entity !== undefined) conditions.push(eq(auditLog.entity, filters.entity));
	if (filters.entityId !== undefined) conditions.push(eq(auditLog.entityId, filters.entityId));
	if (filters.from !== undefined) {
		conditions.push(gte(auditLog.at, startOfDayUtc(filters.from, AUDIT_TIME_ZONE)));
	}
	if (filters.to !== undefined) {
		const dayAfter = nextIsoDay(filters.to);
		// No timestamp can fall after 9999-12-31, so that day needs no upper bound.
		if (dayAfter !== null)
			conditions.push(lt(auditLog.at, startOfDayUtc(dayAfter, AUDIT_TIME_ZONE)));
	}
	if (cursor) {
		// A row value comparison, which SQLite matches against the (…, at, id) index columns.
		conditions.push(sql`(${auditLog.at}, ${auditLog.id}) < (${cursor.text}, ${cursor.id})`);
	}
	return conditions;
}

/**
 * Returns the first instant of `day` in `timeZone` as an ISO 8601 UTC string, the format of
 * audit_log.at. São Paulo has been at UTC−03:00 since 2019 and was at UTC−02:00 under earlier
 * daylight saving time, when a day could start at 01:00 local time after the clocks jumped.
 * The day starts at 02:00Z when that instant already falls on `day` there, else at 03:00Z.
 * NOTE: that holds only for zones whose offsets are −02:00 or −03:00, as São Paulo's are.
 */
export function startOfDayUtc(day: string, timeZone: string): string {
	const early = new Date(`${day}T02:00:00.000Z`);
	if (todayIso(timeZone, early) === day) return early.toISOString();
	return `${day}T03:00:00.000Z`;
}

/** Returns the YYYY-MM-DD day after `day`, or null after 9999-12-31. */
export function nextIsoDay(day: string): string | null {
	const next = new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString();
	return next.startsWith('+') ? null : next.slice(0, 10);
}

/** Maps the id (as text) of each payment among `rows` to its case id. */
function caseIdsOfTransactions(
	db: Db,
	rows: { entity: string; entityId: string | null }[]
): Map<string, number> {
	const ids = rows
		.filter((row) => row.entity === 'transaction' && row.entityId !== null)
		.map((row) => Number(row.entityId))
		.filter(Number.isSafeInteger);
	if (ids.length === 0) return new Map();

	const found = db
		.select({ id: transactions.id, caseId: transactions.caseId })
		.from(transactions)
		.where(inArray(transactions.id, ids))
		.all();
	return new Map(found.map((row) => [String(row.id), row.caseId]));
}

// The columns hold JSON objects written by recordAudit. A row written by hand with other
// JSON, or none, shows without changes instead of failing the whole page.
function parseJsonObject(text: string | null): Record<string, unknown> | null {
	if (text === null) return null;
	try {
		const value: unknown = JSON.parse(text);
		return value !== null && typeof value === 'object' && !Array.isArray(value)
			? (value as Record<string, unknown>)
			: null;
	} catch {
		return null;
	}
}
