import { and, desc, eq, gte, isNull, lte, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';

import type { Db } from '$lib/server/db';
import {
	cases,
	clients,
	people,
	transactions,
	users,
	type Transaction
} from '$lib/server/db/schema';

/** Sums of the non-voided payments matched by a query, in integer cents. */
export interface ShareTotals {
	count: number;
	grossCents: number;
	clientCents: number;
	officeCents: number;
	partnerCents: number;
	consultantCents: number;
}

// SQLite sums integer columns exactly (as 64-bit integers), so totals never pass through
// floating point; COALESCE turns the NULL of an empty sum into 0.
const totalsColumns = {
	count: sql<number>`count(*)`,
	grossCents: sql<number>`coalesce(sum(${transactions.grossCents}), 0)`,
	clientCents: sql<number>`coalesce(sum(${transactions.clientCents}), 0)`,
	officeCents: sql<number>`coalesce(sum(${transactions.officeCents}), 0)`,
	partnerCents: sql<number>`coalesce(sum(${transactions.partnerCents}), 0)`,
	consultantCents: sql<number>`coalesce(sum(${transactions.consultantCents}), 0)`
};

/** Totals of the non-voided payments that match `where` (joined with their case). */
export function sumShares(db: Db, where: SQL | undefined): ShareTotals {
	return db
		.select(totalsColumns)
		.from(transactions)
		.innerJoin(cases, eq(cases.id, transactions.caseId))
		.where(and(isNull(transactions.voidedAt), where))
		.get()!;
}

/** Condition for payments received from `from` to `to`, both inclusive (YYYY-MM-DD). */
export function receivedBetween(from: string, to: string): SQL {
	return and(gte(transactions.receivedOn, from), lte(transactions.receivedOn, to))!;
}

const recorder = alias(users, 'recorder');
const voider = alias(users, 'voider');
const partner = alias(people, 'tx_partner');
const consultant = alias(people, 'tx_consultant');

interface TransactionRow {
	tx: Transaction;
	recordedByName: string;
	voidedByName: string | null;
	partnerName: string;
	consultantName: string | null;
	caseTitle: string;
	clientId: number;
	clientName: string;
}

/** Payments matched by `where` with names, newest received first; voided ones included. */
export function selectTransactions(db: Db, where: SQL | undefined, limit?: number) {
	const query = db
		.select({
			tx: transactions,
			recordedByName: recorder.name,
			voidedByName: voider.name,
			partnerName: partner.name,
			consultantName: consultant.name,
			caseTitle: cases.title,
			clientId: clients.id,
			clientName: clients.name
		})
		.from(transactions)
		.innerJoin(cases, eq(cases.id, transactions.caseId))
		.innerJoin(clients, eq(clients.id, cases.clientId))
		.innerJoin(recorder, eq(recorder.id, transactions.createdBy))
		.leftJoin(voider, eq(voider.id, transactions.voidedBy))
		.innerJoin(partner, eq(partner.id, transactions.partnerId))
		.leftJoin(consultant, eq(consultant.id, transactions.consultantId))
		.where(where)
		.orderBy(desc(transactions.receivedOn), desc(transactions.id));
	const rows = limit === undefined ? query.all() : query.limit(limit).all();
	return rows.map(toTransactionOutput);
}

export type TransactionOutput = ReturnType<typeof toTransactionOutput>;

export function toTransactionOutput(row: TransactionRow) {
	const tx = row.tx;
	return {
		id: tx.id,
		caseId: tx.caseId,
		caseTitle: row.caseTitle,
		clientId: row.clientId,
		clientName: row.clientName,
		receivedOn: tx.receivedOn,
		valueType: tx.valueType,
		grossCents: tx.grossCents,
		clientCents: tx.clientCents,
		officeCents: tx.officeCents,
		partnerCents: tx.partnerCents,
		consultantCents: tx.consultantCents,
		feeBps: tx.feeBps,
		partnerShareBps: tx.partnerShareBps,
		consultantCommissionBps: tx.consultantCommissionBps,
		partnerId: tx.partnerId,
		partnerName: row.partnerName,
		consultantId: tx.consultantId,
		consultantName: row.consultantName,
		notes: tx.notes,
		installmentNumber: tx.installmentNumber,
		installmentCount: tx.installmentCount,
		recordedBy: { id: tx.createdBy, name: row.recordedByName },
		recordedAt: tx.createdAt,
		voided: tx.voidedAt !== null,
		voidedAt: tx.voidedAt,
		voidedBy: tx.voidedBy === null ? null : { id: tx.voidedBy, name: row.voidedByName ?? '' },
		voidReason: tx.voidReason
	};
}

/** Returns one payment with names, or undefined. */
export function selectTransaction(db: Db, id: number): TransactionOutput | undefined {
	return selectTransactions(db, eq(transactions.id, id), 1)[0];
}
