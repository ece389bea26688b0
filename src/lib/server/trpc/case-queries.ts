import { desc, eq, type SQL, and } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';

import { formatCnj } from '$lib/domain/cnj';
import { formatDocument } from '$lib/domain/document';
import type { Db } from '$lib/server/db';
import { cases, clients, people } from '$lib/server/db/schema';

const partner = alias(people, 'partner');
const consultant = alias(people, 'consultant');

const caseColumns = {
	case: cases,
	clientName: clients.name,
	clientDocument: clients.document,
	partnerName: partner.name,
	consultantName: consultant.name
};

type CaseRow = {
	case: typeof cases.$inferSelect;
	clientName: string;
	clientDocument: string;
	partnerName: string;
	consultantName: string | null;
};

/** Selects cases with their client's, partner's and consultant's names, newest id first. */
export function selectCases(db: Db, where: SQL | undefined, limit?: number): CaseRow[] {
	const query = db
		.select(caseColumns)
		.from(cases)
		.innerJoin(clients, eq(clients.id, cases.clientId))
		.innerJoin(partner, eq(partner.id, cases.partnerId))
		.leftJoin(consultant, eq(consultant.id, cases.consultantId))
		.where(where)
		.orderBy(desc(cases.id));
	return limit === undefined ? query.all() : query.limit(limit).all();
}

/** Returns one case with names, or undefined. */
export function selectCase(db: Db, id: number): CaseRow | undefined {
	return selectCases(db, and(eq(cases.id, id)), 1)[0];
}

export function listCasesOfClient(db: Db, clientId: number) {
	return selectCases(db, eq(cases.clientId, clientId)).map(toCaseOutput);
}

export type CaseOutput = ReturnType<typeof toCaseOutput>;

export function toCaseOutput(row: CaseRow) {
	const c = row.case;
	return {
		id: c.id,
		clientId: c.clientId,
		clientName: row.clientName,
		clientDocumentFormatted: formatDocument(row.clientDocument),
		cnjNumber: c.cnjNumber,
		cnjNumberFormatted: c.cnjNumber ? formatCnj(c.cnjNumber) : null,
		actionType: c.actionType,
		title: c.title,
		court: c.court,
		partnerId: c.partnerId,
		partnerName: row.partnerName,
		consultantId: c.consultantId,
		consultantName: row.consultantName,
		status: c.status,
		openedOn: c.openedOn,
		closedOn: c.closedOn,
		feeBps: c.feeBps,
		partnerShareBps: c.partnerShareBps,
		consultantCommissionBps: c.consultantCommissionBps,
		createdAt: c.createdAt,
		updatedAt: c.updatedAt
	};
}
