import { and, eq, gte, isNull, lte, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { paymentMonthTotals, transactions } from '$lib/server/db/schema';
import { sumPeriod } from '$lib/server/trpc/period-sums';

import {
	createTestDb,
	insertCase,
	insertClient,
	insertPerson,
	insertTransaction,
	insertUser,
	type TestDb
} from '../helpers/test-db';

let testDb: TestDb;

beforeEach(() => {
	testDb = createTestDb();
});

afterEach(() => testDb.close());

/** Inserts 60 payments over 2025-11 to 2026-03 for two partners, with and without a consultant. */
function insertPayments() {
	const db = testDb.db;
	const user = insertUser(db, 'admin');
	const client = insertClient(db);
	const ana = insertPerson(db, 'partner', { name: 'Ana' });
	const bia = insertPerson(db, 'partner', { name: 'Bia' });
	const caio = insertPerson(db, 'consultant', { name: 'Caio' });
	const cases = [ana, bia].map((partner) =>
		insertCase(db, { clientId: client.id, partnerId: partner.id })
	);

	const ids: number[] = [];
	for (let n = 0; n < 60; n++) {
		const legalCase = cases[n % 2]!;
		const month = ['2025-11', '2025-12', '2026-01', '2026-02', '2026-03'][n % 5]!;
		const withConsultant = n % 3 === 0;
		const gross = 1000 + n * 7;
		ids.push(
			insertTransaction(db, {
				caseId: legalCase.id,
				partnerId: legalCase.partnerId,
				consultantId: withConsultant ? caio.id : null,
				createdBy: user.id,
				receivedOn: `${month}-${String(1 + ((n * 3) % 28)).padStart(2, '0')}`,
				grossCents: gross,
				clientCents: gross - 300,
				officeCents: withConsultant ? 100 : 150,
				partnerCents: 150,
				consultantCents: withConsultant ? 50 : 0
			}).id
		);
	}
	return { user, ids, people: { ana, bia, caio } };
}

function voidPayment(id: number, userId: number) {
	testDb.db
		.update(transactions)
		.set({ voidedAt: '2026-04-01T00:00:00.000Z', voidedBy: userId, voidReason: 'Duplicate.' })
		.where(eq(transactions.id, id))
		.run();
}

/** Sums the non-voided payments of the range straight from the transactions table. */
function directTotals(from: string, to: string) {
	return testDb.db
		.select({
			count: sql<number>`count(*)`,
			grossCents: sql<number>`coalesce(sum(${transactions.grossCents}), 0)`,
			clientCents: sql<number>`coalesce(sum(${transactions.clientCents}), 0)`,
			officeCents: sql<number>`coalesce(sum(${transactions.officeCents}), 0)`,
			partnerCents: sql<number>`coalesce(sum(${transactions.partnerCents}), 0)`,
			consultantCents: sql<number>`coalesce(sum(${transactions.consultantCents}), 0)`
		})
		.from(transactions)
		.where(
			and(
				isNull(transactions.voidedAt),
				gte(transactions.receivedOn, from),
				lte(transactions.receivedOn, to)
			)
		)
		.get()!;
}

const RANGES = [
	['2025-11-01', '2026-03-31'],
	['2025-12-01', '2025-12-31'],
	['2025-11-15', '2026-02-10'],
	['2025-12-05', '2025-12-20'],
	['2026-01-31', '2026-02-01'],
	['2024-01-01', '2033-12-31'],
	['2026-04-01', '2026-04-30']
] as const;

describe('sumPeriod', () => {
	it.each(RANGES)('matches payments %s to %s', (from, to) => {
		insertPayments();

		expect(sumPeriod(testDb.db, from, to).totals).toEqual(directTotals(from, to));
	});

	it.each(RANGES)('subtracts voids %s to %s', (from, to) => {
		const { user, ids } = insertPayments();
		for (const id of ids.filter((_, index) => index % 4 === 1)) voidPayment(id, user.id);

		expect(sumPeriod(testDb.db, from, to).totals).toEqual(directTotals(from, to));
	});

	it('splits by partner and consultant', () => {
		const { people } = insertPayments();

		const sums = sumPeriod(testDb.db, '2025-11-01', '2026-03-31');

		expect(sums.byPartner.map((row) => row.name).sort()).toEqual(['Ana', 'Bia']);
		expect(sums.byPartner.reduce((total, row) => total + row.count, 0)).toBe(60);
		expect(sums.byConsultant).toEqual([
			{ personId: people.caio.id, name: 'Caio', count: 20, shareCents: 1000, grossCents: 23_990 }
		]);
	});

	it('drops fully voided pair', () => {
		const { user, ids } = insertPayments();
		const consultantPayments = ids.filter((_, index) => index % 3 === 0);
		for (const id of consultantPayments) voidPayment(id, user.id);

		const sums = sumPeriod(testDb.db, '2025-11-01', '2026-03-31');

		expect(sums.byConsultant).toEqual([]);
		expect(sums.totals.consultantCents).toBe(0);
	});

	it('keeps monthly sums equal to rows', () => {
		const { user, ids } = insertPayments();
		voidPayment(ids[7]!, user.id);

		const months = testDb.db.select().from(paymentMonthTotals).all();
		const count = months.reduce((total, row) => total + row.count, 0);

		expect(count).toBe(59);
		expect(months.reduce((total, row) => total + row.grossCents, 0)).toBe(
			directTotals('0001-01-01', '9999-12-31').grossCents
		);
	});
});
