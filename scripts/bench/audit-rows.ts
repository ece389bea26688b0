/**
 * Audit rows for the seed, written through prepared or multi-row INSERTs. A row has the same
 * columns and JSON as one that recordAuditBy in src/lib/server/audit.ts writes, but building a
 * Drizzle query per row, as recordAuditBy does, would take most of the seed's time budget.
 * NOTE: a change to recordAudit's row format must be copied here.
 */
// Relative imports only: this runs under tsx, which does not resolve SvelteKit's $lib alias.
import type { AuditActor, AuditEvent } from '../../src/lib/server/audit';
import { sql } from 'drizzle-orm';

import type { Db } from '../../src/lib/server/db';
import { auditLog } from '../../src/lib/server/db/schema';

type AuditValues = typeof auditLog.$inferInsert;

/** Returns the audit_log row that recordAuditBy(db, actor, event) inserts, dated `at`. */
export function auditValues(actor: AuditActor, event: AuditEvent, at: string): AuditValues {
	const changes = event.changes && Object.keys(event.changes).length > 0 ? event.changes : null;
	return {
		at,
		actorId: actor.actorId,
		source: actor.source,
		action: event.action,
		entity: event.entity,
		entityId: event.entityId == null ? null : String(event.entityId),
		changes: changes ? JSON.stringify(changes) : null,
		details: JSON.stringify({ ...actor.details, ...event.details })
	};
}

/** Rows per INSERT: 8 columns each stay well under SQLite's 32,766 variables. */
const AUDIT_BATCH_ROWS = 1000;

/** Inserts the rows in `tx`, the transaction of the changes they describe. */
export function insertAuditRows(tx: Db, rows: readonly AuditValues[]): void {
	for (let start = 0; start < rows.length; start += AUDIT_BATCH_ROWS) {
		tx.insert(auditLog)
			.values(rows.slice(start, start + AUDIT_BATCH_ROWS))
			.run();
	}
}

const AUDIT_COLUMNS = [
	'at',
	'actorId',
	'source',
	'action',
	'entity',
	'entityId',
	'changes',
	'details'
] as const;

/**
 * Prepares a one-row audit INSERT on `db` and returns a function that runs it. Call it inside
 * the write transaction of the change the row describes.
 */
export function prepareAuditInsert(db: Db): (row: AuditValues) => void {
	const placeholders = Object.fromEntries(
		AUDIT_COLUMNS.map((column) => [column, sql.placeholder(column)])
	);
	const statement = db
		.insert(auditLog)
		.values(placeholders as unknown as AuditValues)
		.prepare();
	return (row) => {
		statement.run(row);
	};
}
