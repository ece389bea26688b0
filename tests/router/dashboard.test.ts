import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { acceptedValueTypes, MAX_GROSS_CENTS, type ValueType } from '$lib/domain/split';
import type { Db } from '$lib/server/db';
import type { Client } from '$lib/server/db/schema';

import {
	callerFor,
	createTestDb,
	expectFailure,
	expectInvalid,
	insertClient,
	insertPerson,
	insertUser,
	type Caller,
	type TestDb
} from '../helpers/test-db';

let testDb: TestDb;
let db: Db;
let api: Caller;
let client: Client;

beforeEach(() => {
	testDb = createTestDb();
	db = testDb.db;
	api = callerFor(db, insertUser(db));
	client = insertClient(db);
});

afterEach(() => {
	testDb.close();
});

interface CaseOptions {
	partnerId: number;
	consultantId?: number | null;
	actionType?: 'civil' | 'labor' | 'social_security_rpv_court_order';
	consultantCommissionBps?: number;
}

async function createCase(options: CaseOptions) {
	return api.cases.create({
		clientId: client.id,
		actionType: options.actionType ?? 'civil',
		title: 'Ação de cobrança',
		partnerId: options.partnerId,
		consultantId: options.consultantId ?? null,
		openedOn: '2025-06-02',
		consultantCommissionBps: options.consultantCommissionBps
	});
}

async function pay(caseId: number, receivedOn: string, grossCents: number, valueType?: ValueType) {
	return api.transactions.create({
		caseId,
		valueType: valueType ?? 'provided_amount',
		grossCents,
		receivedOn
	});
}

/** Returns today's date in São Paulo as YYYY-MM-DD; en-CA formats dates in that order. */
function todayInSaoPaulo(): string {
	return new Intl.DateTimeFormat('en-CA', {
		timeZone: 'America/Sao_Paulo',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit'
	}).format(new Date());
}

/** Returns YYYY-MM-DD for a UTC date built from possibly out-of-range month and day. */
function utcDate(year: number, monthIndex: number, day: number): string {
	return new Date(Date.UTC(year, monthIndex, day)).toISOString().slice(0, 10);
}

const ZERO_TOTALS = {
	count: 0,
	grossCents: 0,
	clientCents: 0,
	officeCents: 0,
	partnerCents: 0,
	consultantCents: 0
};

describe('dashboard.summary', () => {
	it('starts a lone end date at its month', async () => {
		const summary = await api.dashboard.summary({ to: '2026-11-30' });

		expect(summary.from).toBe('2026-11-01');
		expect(summary.to).toBe('2026-11-30');
	});

	it('rejects signed-out user', async () => {
		const error = await expectFailure(
			db,
			() => callerFor(db, null).dashboard.summary({}),
			'UNAUTHORIZED'
		);

		expect(error.message).toBe('Sign in to continue.');
	});

	it('defaults to current month', async () => {
		const today = todayInSaoPaulo();
		const year = Number(today.slice(0, 4));
		const monthIndex = Number(today.slice(5, 7)) - 1;
		const firstDay = utcDate(year, monthIndex, 1);
		const lastDay = utcDate(year, monthIndex + 1, 0);
		const partner = insertPerson(db, 'partner');
		const legalCase = await createCase({ partnerId: partner.id });
		await pay(legalCase.id, firstDay, 100);
		await pay(legalCase.id, lastDay, 1000);
		await pay(legalCase.id, utcDate(year, monthIndex, 0), 10_000);
		await pay(legalCase.id, utcDate(year, monthIndex + 1, 1), 100_000);

		const summary = await api.dashboard.summary();

		expect(summary.from).toBe(firstDay);
		expect(summary.to).toBe(lastDay);
		expect(summary.totals).toMatchObject({ count: 2, grossCents: 1100 });
		expect(summary.recent.map((row) => row.receivedOn)).toEqual([lastDay, firstDay]);
	});

	it('fills end from current month', async () => {
		const today = todayInSaoPaulo();
		const lastDay = utcDate(Number(today.slice(0, 4)), Number(today.slice(5, 7)), 0);

		const summary = await api.dashboard.summary({ from: '2000-01-01' });

		expect(summary.from).toBe('2000-01-01');
		expect(summary.to).toBe(lastDay);
	});

	it('returns zeros without payments', async () => {
		const summary = await api.dashboard.summary({ from: '2026-02-01', to: '2026-02-28' });

		expect(summary).toEqual({
			from: '2026-02-01',
			to: '2026-02-28',
			totals: ZERO_TOTALS,
			byPartner: [],
			byConsultant: [],
			recent: []
		});
	});

	it('totals range per share and person', async () => {
		const ana = insertPerson(db, 'partner', { name: 'Ana' });
		const bruno = insertPerson(db, 'partner', { name: 'Bruno' });
		const xavier = insertPerson(db, 'consultant', { name: 'Xavier' });
		const yara = insertPerson(db, 'consultant', { name: 'Yara' });
		const withXavier = await createCase({ partnerId: ana.id, consultantId: xavier.id });
		const withYara = await createCase({
			partnerId: bruno.id,
			consultantId: yara.id,
			actionType: 'labor',
			consultantCommissionBps: 500
		});
		const alone = await createCase({ partnerId: ana.id });
		// Expected [client, office, partner, consultant] shares of the four counted payments:
		// [70000, 5000, 15000, 10000], [140000, 20000, 30000, 10000] at Yara's 5% commission,
		// [35000, 7500, 7500, 0] and, as procedural costs are all fees, [0, 500, 500, 0].
		const first = await pay(withXavier.id, '2026-02-01', 100_000);
		const last = await pay(withYara.id, '2026-02-28', 200_000);
		const remaining = await pay(alone.id, '2026-02-15', 50_000, 'remaining_amount');
		const costs = await pay(withXavier.id, '2026-02-10', 1000, 'procedural_costs');
		const voided = await pay(withYara.id, '2026-02-20', 900_000);
		await api.transactions.void({ id: voided.id, reason: 'Duplicate' });
		await pay(withXavier.id, '2026-01-31', 100_000);
		await pay(withYara.id, '2026-03-01', 100_000);

		const summary = await api.dashboard.summary({ from: '2026-02-01', to: '2026-02-28' });

		expect(summary.totals).toEqual({
			count: 4,
			grossCents: 351_000,
			clientCents: 245_000,
			officeCents: 33_000,
			partnerCents: 53_000,
			consultantCents: 20_000
		});
		expect(summary.byPartner).toEqual([
			{ personId: bruno.id, name: 'Bruno', count: 1, shareCents: 30_000, grossCents: 200_000 },
			{ personId: ana.id, name: 'Ana', count: 3, shareCents: 23_000, grossCents: 151_000 }
		]);
		// Equal shares sort by name. Procedural costs carry no commission but still count for
		// the case's consultant.
		expect(summary.byConsultant).toEqual([
			{ personId: xavier.id, name: 'Xavier', count: 2, shareCents: 10_000, grossCents: 101_000 },
			{ personId: yara.id, name: 'Yara', count: 1, shareCents: 10_000, grossCents: 200_000 }
		]);
		expect(summary.recent.map((row) => [row.id, row.voided])).toEqual([
			[last.id, false],
			[voided.id, true],
			[remaining.id, false],
			[costs.id, false],
			[first.id, false]
		]);
	});

	it('includes both range ends', async () => {
		const partner = insertPerson(db, 'partner');
		const legalCase = await createCase({ partnerId: partner.id });
		await pay(legalCase.id, '2026-05-09', 1);
		await pay(legalCase.id, '2026-05-10', 10);
		await pay(legalCase.id, '2026-05-11', 100);

		const oneDay = await api.dashboard.summary({ from: '2026-05-10', to: '2026-05-10' });
		const threeDays = await api.dashboard.summary({ from: '2026-05-09', to: '2026-05-11' });

		expect(oneDay.totals.grossCents).toBe(10);
		expect(threeDays.totals.grossCents).toBe(111);
	});

	it('rejects from after to', async () => {
		const issues = await expectInvalid(db, () =>
			api.dashboard.summary({ from: '2026-03-01', to: '2026-02-28' })
		);

		expect(issues).toEqual([
			{
				field: 'to',
				code: 'before_from',
				message: 'The end date 2026-02-28 is before the start date 2026-03-01.'
			}
		]);
	});

	it.each([
		['from', '2026-02-30'],
		['to', '2026-2-01'],
		['from', 'yesterday']
	])('rejects %s date %j', async (field, value) => {
		const issues = await expectInvalid(db, () =>
			api.dashboard.summary({ from: '2026-01-01', to: '2026-12-31', [field]: value })
		);

		expect(issues).toMatchObject([{ field, code: 'date' }]);
	});

	it('rejects extra key', async () => {
		const issues = await expectInvalid(db, () => api.dashboard.summary({ partnerId: 1 } as never));

		expect(issues).toMatchObject([{ field: 'partnerId', code: 'unrecognized_keys' }]);
	});

	it('lists ten newest payments', async () => {
		const partner = insertPerson(db, 'partner');
		const legalCase = await createCase({ partnerId: partner.id });
		const days = ['03', '01', '12', '07', '07', '20', '15', '07', '28', '02', '19', '10'];
		const created = [];
		for (const day of days) {
			created.push(await pay(legalCase.id, `2026-04-${day}`, 100));
		}

		const summary = await api.dashboard.summary({ from: '2026-04-01', to: '2026-04-30' });

		// Payments on the same day list the later recorded one first.
		const expected = created
			.map((row) => ({ id: row.id, receivedOn: row.receivedOn }))
			.sort((a, b) => b.receivedOn.localeCompare(a.receivedOn) || b.id - a.id)
			.slice(0, 10);
		expect(summary.recent.map((row) => row.receivedOn)).toEqual([
			'2026-04-28',
			'2026-04-20',
			'2026-04-19',
			'2026-04-15',
			'2026-04-12',
			'2026-04-10',
			'2026-04-07',
			'2026-04-07',
			'2026-04-07',
			'2026-04-03'
		]);
		expect(summary.recent.map((row) => row.id)).toEqual(expected.map((row) => row.id));
		expect(summary.totals.count).toBe(12);
	});
});

describe('ledger totals', () => {
	// A seeded sample of payments. Small amounts exercise rounding and large ones the sums: 200
	// payments of at most 10^13 cents stay below 2^53, so the expected sums in JS are exact.
	const paymentArbitrary = fc.record({
		caseIndex: fc.integer({ min: 0, max: 2 }),
		valueTypeIndex: fc.nat(),
		grossCents: fc.oneof(
			fc.integer({ min: 1, max: 999 }),
			fc.integer({ min: 1000, max: 10_000_000 }),
			fc.integer({ min: 1, max: MAX_GROSS_CENTS })
		),
		receivedOn: fc
			.integer({ min: 0, max: 364 })
			.map((dayOfYear) => utcDate(2026, 0, 1 + dayOfYear)),
		// About one payment in ten is voided.
		voided: fc.integer({ min: 0, max: 9 }).map((draw) => draw === 0)
	});
	const payments = fc.sample(paymentArbitrary, { seed: 4_242, numRuns: 200 });

	it('match sums over rows', async () => {
		const ana = insertPerson(db, 'partner', { name: 'Ana' });
		const bruno = insertPerson(db, 'partner', { name: 'Bruno' });
		const xavier = insertPerson(db, 'consultant', { name: 'Xavier' });
		const cases = [
			await createCase({ partnerId: ana.id, consultantId: xavier.id }),
			await createCase({ partnerId: bruno.id, actionType: 'labor' }),
			await createCase({
				partnerId: ana.id,
				consultantId: xavier.id,
				actionType: 'social_security_rpv_court_order',
				consultantCommissionBps: 1250
			})
		];
		const kept = [];
		for (const payment of payments) {
			const legalCase = cases[payment.caseIndex]!;
			const accepted = acceptedValueTypes(legalCase.actionType);
			const valueType = accepted[payment.valueTypeIndex % accepted.length]!;
			const row = await pay(legalCase.id, payment.receivedOn, payment.grossCents, valueType);
			if (payment.voided) {
				await api.transactions.void({ id: row.id, reason: 'Sample void' });
			} else {
				kept.push(row);
			}
		}

		const summary = await api.dashboard.summary({ from: '2026-01-01', to: '2026-12-31' });
		const firstHalf = await api.dashboard.summary({ from: '2026-01-01', to: '2026-06-30' });

		expect(kept.length).toBeGreaterThan(150);
		expect(kept.length).toBeLessThan(200);
		expect(summary.totals).toEqual(sumRows(kept));
		expect(firstHalf.totals).toEqual(sumRows(kept.filter((row) => row.receivedOn <= '2026-06-30')));
		for (const legalCase of cases) {
			const fetched = await api.cases.get({ id: legalCase.id });
			expect(fetched.totals).toEqual(sumRows(kept.filter((row) => row.caseId === legalCase.id)));
		}
		const anaRows = kept.filter((row) => row.partnerId === ana.id);
		expect(summary.byPartner.find((row) => row.personId === ana.id)).toMatchObject({
			count: anaRows.length,
			shareCents: sumRows(anaRows).partnerCents,
			grossCents: sumRows(anaRows).grossCents
		});
		expect(summary.byConsultant).toEqual([
			expect.objectContaining({
				personId: xavier.id,
				shareCents: sumRows(kept.filter((row) => row.consultantId === xavier.id)).consultantCents
			})
		]);
	});
});

function sumRows(
	rows: {
		grossCents: number;
		clientCents: number;
		officeCents: number;
		partnerCents: number;
		consultantCents: number;
	}[]
) {
	const totals = { ...ZERO_TOTALS };
	for (const row of rows) {
		totals.count += 1;
		totals.grossCents += row.grossCents;
		totals.clientCents += row.clientCents;
		totals.officeCents += row.officeCents;
		totals.partnerCents += row.partnerCents;
		totals.consultantCents += row.consultantCents;
	}
	return totals;
}
