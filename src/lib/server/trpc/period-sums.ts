import { and, between, inArray, isNull, sql } from 'drizzle-orm';

import type { Db } from '$lib/server/db';
import { splitIntoMonths } from '$lib/domain/month-span';
import { paymentMonthTotals, people, transactions } from '$lib/server/db/schema';

import { receivedBetween, type ShareTotals } from './ledger-queries';

/** A person's payments in a period: how many, their share of them and their gross, in cents. */
export interface PersonTotals {
	personId: number;
	name: string;
	count: number;
	shareCents: number;
	grossCents: number;
}

export interface PeriodSums {
	totals: ShareTotals;
	/** Partners with payments, largest share first, then by name. */
	byPartner: PersonTotals[];
	/** Consultants with payments, in the same order. */
	byConsultant: PersonTotals[];
}

/**
 * Builds the query for the sums of the non-voided payments received from `from` to `to`, per
 * partner and consultant pair, read from the payments themselves. The pairs are few (at most
 * partners × (consultants + 1)), so every total of the dashboard follows from them.
 */
export function buildPairSumsQuery(db: Db, from: string, to: string) {
	return db
		.select({
			partnerId: transactions.partnerId,
			consultantId: sql<number>`coalesce(${transactions.consultantId}, 0)`,
			count: sql<number>`count(*)`,
			grossCents: sql<number>`sum(${transactions.grossCents})`,
			clientCents: sql<number>`sum(${transactions.clientCents})`,
			officeCents: sql<number>`sum(${transactions.officeCents})`,
			partnerCents: sql<number>`sum(${transactions.partnerCents})`,
			consultantCents: sql<number>`sum(${transactions.consultantCents})`
		})
		.from(transactions)
		.where(and(isNull(transactions.voidedAt), receivedBetween(from, to)))
		.groupBy(transactions.partnerId, transactions.consultantId);
}

/** Builds the query for the same sums over whole months (YYYY-MM, inclusive), from the monthly sums. */
export function buildMonthPairSumsQuery(db: Db, firstMonth: string, lastMonth: string) {
	return db
		.select({
			partnerId: paymentMonthTotals.partnerId,
			consultantId: paymentMonthTotals.consultantId,
			count: sql<number>`sum(${paymentMonthTotals.count})`,
			grossCents: sql<number>`sum(${paymentMonthTotals.grossCents})`,
			clientCents: sql<number>`sum(${paymentMonthTotals.clientCents})`,
			officeCents: sql<number>`sum(${paymentMonthTotals.officeCents})`,
			partnerCents: sql<number>`sum(${paymentMonthTotals.partnerCents})`,
			consultantCents: sql<number>`sum(${paymentMonthTotals.consultantCents})`
		})
		.from(paymentMonthTotals)
		.where(between(paymentMonthTotals.month, firstMonth, lastMonth))
		.groupBy(paymentMonthTotals.partnerId, paymentMonthTotals.consultantId);
}

/** Sums of one partner and consultant pair; consultantId 0 means no consultant. */
type PairSums = Awaited<ReturnType<ReturnType<typeof buildPairSumsQuery>['all']>>[number];

/**
 * Returns the totals of the non-voided payments received from `from` to `to` (inclusive),
 * overall and per partner and consultant. Whole months come from payment_month_totals and
 * only the days before and after them from the payments, all in one read transaction.
 * SQLite sums each pair exactly, and adding the pair sums in JavaScript stays exact while a
 * total is below 2^53 cents (about R$ 90 trillion).
 */
export function sumPeriod(db: Db, from: string, to: string): PeriodSums {
	const span = splitIntoMonths(from, to);
	const pairs = db.transaction(
		(tx) => {
			const reader = tx as unknown as Db;
			const months = span.months
				? buildMonthPairSumsQuery(reader, span.months.first, span.months.last).all()
				: [];
			const days = span.days.flatMap((range) =>
				buildPairSumsQuery(reader, range.from, range.to).all()
			);
			return mergePairs([...months, ...days]);
		},
		{ behavior: 'deferred' }
	);

	const totals: ShareTotals = {
		count: 0,
		grossCents: 0,
		clientCents: 0,
		officeCents: 0,
		partnerCents: 0,
		consultantCents: 0
	};
	for (const pair of pairs) {
		totals.count += pair.count;
		totals.grossCents += pair.grossCents;
		totals.clientCents += pair.clientCents;
		totals.officeCents += pair.officeCents;
		totals.partnerCents += pair.partnerCents;
		totals.consultantCents += pair.consultantCents;
	}

	const names = readNames(db, pairs);
	return {
		totals,
		byPartner: totalsByPerson(pairs, names, 'partner'),
		byConsultant: totalsByPerson(pairs, names, 'consultant')
	};
}

/**
 * Adds up the sums of the same pair and drops pairs left with no payment, which a month whose
 * payments were all voided has.
 */
function mergePairs(pairs: readonly PairSums[]): PairSums[] {
	const merged = new Map<string, PairSums>();
	for (const pair of pairs) {
		const key = `${pair.partnerId}:${pair.consultantId}`;
		const entry = merged.get(key);
		if (!entry) {
			merged.set(key, { ...pair });
			continue;
		}
		entry.count += pair.count;
		entry.grossCents += pair.grossCents;
		entry.clientCents += pair.clientCents;
		entry.officeCents += pair.officeCents;
		entry.partnerCents += pair.partnerCents;
		entry.consultantCents += pair.consultantCents;
	}
	return [...merged.values()].filter((pair) => pair.count > 0);
}

function readNames(db: Db, pairs: readonly PairSums[]): Map<number, string> {
	const ids = new Set<number>();
	for (const pair of pairs) {
		ids.add(pair.partnerId);
		if (pair.consultantId !== 0) ids.add(pair.consultantId);
	}
	if (ids.size === 0) return new Map();

	const rows = db
		.select({ id: people.id, name: people.name })
		.from(people)
		.where(inArray(people.id, [...ids]))
		.all();
	return new Map(rows.map((row) => [row.id, row.name]));
}

function totalsByPerson(
	pairs: readonly PairSums[],
	names: ReadonlyMap<number, string>,
	role: 'partner' | 'consultant'
): PersonTotals[] {
	const byId = new Map<number, PersonTotals>();
	for (const pair of pairs) {
		const personId = role === 'partner' ? pair.partnerId : pair.consultantId;
		if (personId === 0) continue;

		const entry = byId.get(personId) ?? {
			personId,
			name: names.get(personId) ?? '',
			count: 0,
			shareCents: 0,
			grossCents: 0
		};
		entry.count += pair.count;
		entry.shareCents += role === 'partner' ? pair.partnerCents : pair.consultantCents;
		entry.grossCents += pair.grossCents;
		byId.set(personId, entry);
	}
	// Equal shares order by name in code units, as SQLite's default BINARY collation does,
	// rather than with localeCompare.
	return [...byId.values()].sort(compareByShareThenName);
}

function compareByShareThenName(a: PersonTotals, b: PersonTotals): number {
	if (a.shareCents !== b.shareCents) return b.shareCents - a.shareCents;
	if (a.name === b.name) return 0;
	return a.name < b.name ? -1 : 1;
}
