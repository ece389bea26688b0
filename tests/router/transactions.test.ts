import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { maxConsultantCommissionBps } from '$lib/domain/fee-agreement';
import {
	ACTION_TYPES,
	acceptedValueTypes,
	MAX_GROSS_CENTS,
	type ActionType,
	type ValueType
} from '$lib/domain/split';
import type { SessionUser } from '$lib/server/auth/session';
import type { Db } from '$lib/server/db';
import { transactions, type Client, type Person } from '$lib/server/db/schema';

import {
	callerFor,
	createTestDb,
	expectFailure,
	expectInvalid,
	insertClient,
	insertPerson,
	insertUser,
	snapshot,
	type Caller,
	type TestDb
} from '../helpers/test-db';

// Inputs that break the declared types are cast with `as never`, because the point of those
// tests is what the server does with them at run time. Unless a test passes its own
// agreement, cases take the office defaults: a 30% fee, a 50% partner share and, with a
// consultant, a 10% commission.

const CIVIL_ACCEPTS = 'provided_amount, remaining_amount, procedural_costs';

let testDb: TestDb;
let db: Db;
let user: SessionUser;
let api: Caller;
let client: Client;
let partner: Person;
let consultant: Person;

beforeEach(() => {
	testDb = createTestDb();
	db = testDb.db;
	user = insertUser(db);
	api = callerFor(db, user);
	client = insertClient(db, { name: 'Carla Reis' });
	partner = insertPerson(db, 'partner', { name: 'Dr. Paulo' });
	consultant = insertPerson(db, 'consultant', { name: 'Rita Consultora' });
});

afterEach(() => {
	testDb.close();
});

interface CaseOptions {
	actionType?: ActionType;
	withConsultant?: boolean;
	feeBps?: number;
	partnerShareBps?: number;
	consultantCommissionBps?: number;
}

function caseInput(options: CaseOptions = {}) {
	const { actionType = 'civil', withConsultant = true, ...agreement } = options;
	return {
		clientId: client.id,
		actionType,
		title: 'Ação de cobrança',
		partnerId: partner.id,
		consultantId: withConsultant ? consultant.id : null,
		openedOn: '2025-06-02',
		...agreement
	};
}

async function createCase(options: CaseOptions = {}) {
	return api.cases.create(caseInput(options));
}

function paymentInput(caseId: number, grossCents = 100_000) {
	return {
		caseId,
		valueType: 'provided_amount' as ValueType,
		grossCents,
		receivedOn: '2026-03-10'
	};
}

function transactionRows() {
	return db.select().from(transactions).all();
}

function sharesOf(row: {
	clientCents: number;
	officeCents: number;
	partnerCents: number;
	consultantCents: number;
}) {
	return {
		clientCents: row.clientCents,
		officeCents: row.officeCents,
		partnerCents: row.partnerCents,
		consultantCents: row.consultantCents
	};
}

describe('transactions signed out', () => {
	function paymentPreview(caseId: number) {
		return { caseId, valueType: 'provided_amount' as const, grossCents: 100 };
	}

	const calls: [string, (signedOut: Caller, caseId: number) => Promise<unknown>][] = [
		['preview', (signedOut, caseId) => signedOut.transactions.preview(paymentPreview(caseId))],
		['create', (signedOut, caseId) => signedOut.transactions.create(paymentInput(caseId))],
		[
			'createInstallments',
			(signedOut, caseId) =>
				signedOut.transactions.createInstallments({
					caseId,
					firstReceivedOn: '2026-01-31',
					count: 2,
					amountCents: 500
				})
		],
		['void', (signedOut) => signedOut.transactions.void({ id: 1, reason: 'Duplicate' })]
	];

	it.each(calls)('rejects %s as unauthorized', async (_name, call) => {
		const legalCase = await createCase();
		await api.transactions.create(paymentInput(legalCase.id));
		const signedOut = callerFor(db, null);

		const error = await expectFailure(db, () => call(signedOut, legalCase.id), 'UNAUTHORIZED');

		expect(error.message).toBe('Sign in to continue.');
	});
});

describe('transactions.preview', () => {
	it('splits provided amount with consultant', async () => {
		const legalCase = await createCase();

		const preview = await api.transactions.preview({
			caseId: legalCase.id,
			valueType: 'provided_amount',
			grossCents: 100_000
		});

		expect(preview.split).toEqual({
			clientCents: 70_000,
			officeCents: 5000,
			partnerCents: 15_000,
			consultantCents: 10_000,
			feeBps: 3000,
			partnerShareBps: 5000,
			consultantCommissionBps: 1000
		});
		expect(preview.acceptedValueTypes).toEqual(CIVIL_ACCEPTS.split(', '));
	});

	it('gives remaining amount no commission', async () => {
		const legalCase = await createCase();

		const preview = await api.transactions.preview({
			caseId: legalCase.id,
			valueType: 'remaining_amount',
			grossCents: 100_000
		});

		expect(preview.split).toEqual({
			clientCents: 70_000,
			officeCents: 15_000,
			partnerCents: 15_000,
			consultantCents: 0,
			feeBps: 3000,
			partnerShareBps: 5000,
			consultantCommissionBps: 0
		});
	});

	it('gives no commission without consultant', async () => {
		const legalCase = await createCase({ withConsultant: false });

		const preview = await api.transactions.preview({
			caseId: legalCase.id,
			valueType: 'provided_amount',
			grossCents: 100_000
		});

		expect(preview.split).toMatchObject({
			clientCents: 70_000,
			officeCents: 15_000,
			partnerCents: 15_000,
			consultantCents: 0,
			consultantCommissionBps: 0
		});
	});

	// A social security RPV case accepts every value type except provided_amount.
	it.each([
		['remaining_amount', [70_000, 15_000, 15_000, 0], [3000, 5000, 0]],
		['rpv', [70_000, 5000, 15_000, 10_000], [3000, 5000, 1000]],
		['court_order', [70_000, 5000, 15_000, 10_000], [3000, 5000, 1000]],
		['procedural_costs', [0, 50_000, 50_000, 0], [10_000, 5000, 0]],
		['monthly_installment', [0, 40_000, 50_000, 10_000], [10_000, 5000, 1000]]
	] as const)('splits R$ 1.000,00 of %s', async (valueType, shares, rates) => {
		const legalCase = await createCase({ actionType: 'social_security_rpv_court_order' });

		const { split } = await api.transactions.preview({
			caseId: legalCase.id,
			valueType,
			grossCents: 100_000
		});

		expect(sharesOf(split)).toEqual({
			clientCents: shares[0],
			officeCents: shares[1],
			partnerCents: shares[2],
			consultantCents: shares[3]
		});
		expect(split.feeBps).toBe(rates[0]);
		expect(split.partnerShareBps).toBe(rates[1]);
		expect(split.consultantCommissionBps).toBe(rates[2]);
	});

	it('rejects value type not accepted', async () => {
		const legalCase = await createCase();

		const issues = await expectInvalid(db, () =>
			api.transactions.preview({ caseId: legalCase.id, valueType: 'rpv', grossCents: 100_000 })
		);

		expect(issues).toEqual([
			{
				field: 'valueType',
				code: 'value_type',
				message:
					'Value type rpv is not accepted for action type civil. ' +
					`Accepted value types: ${CIVIL_ACCEPTS}.`
			}
		]);
	});

	it('rejects unknown value type', async () => {
		const legalCase = await createCase();

		const issues = await expectInvalid(db, () =>
			api.transactions.preview({
				caseId: legalCase.id,
				valueType: 'salary' as never,
				grossCents: 100
			})
		);

		expect(issues).toMatchObject([{ field: 'valueType', code: 'invalid_value' }]);
	});

	it('rejects unknown case', async () => {
		const error = await expectFailure(
			db,
			() =>
				api.transactions.preview({ caseId: 999, valueType: 'provided_amount', grossCents: 100 }),
			'NOT_FOUND'
		);

		expect(error.message).toBe('Case 999 does not exist.');
	});

	it('writes nothing', async () => {
		const legalCase = await createCase();
		const before = snapshot(db);

		await api.transactions.preview({
			caseId: legalCase.id,
			valueType: 'provided_amount',
			grossCents: 100_000
		});

		expect(snapshot(db)).toEqual(before);
	});

	it('keeps shares adding up to gross', async () => {
		const legalCase = await createCase();
		const agreementArbitrary = fc
			.record({
				feeBps: fc.integer({ min: 0, max: 10_000 }),
				partnerShareBps: fc.integer({ min: 0, max: 10_000 }),
				commissionFraction: fc.double({ min: 0, max: 1, noNaN: true })
			})
			.map(({ feeBps, partnerShareBps, commissionFraction }) => {
				const limit = maxConsultantCommissionBps(feeBps, partnerShareBps);
				return {
					feeBps,
					partnerShareBps,
					consultantCommissionBps: Math.floor(limit * commissionFraction)
				};
			});
		const typesArbitrary = fc
			.constantFrom(...ACTION_TYPES)
			.chain((actionType) =>
				fc.tuple(fc.constant(actionType), fc.constantFrom(...acceptedValueTypes(actionType)))
			);
		const grossArbitrary = fc.oneof(
			fc.integer({ min: 1, max: 1000 }),
			fc.integer({ min: 1, max: MAX_GROSS_CENTS })
		);

		await fc.assert(
			fc.asyncProperty(
				agreementArbitrary,
				typesArbitrary,
				grossArbitrary,
				async (agreement, [actionType, valueType], grossCents) => {
					await api.cases.update({ id: legalCase.id, ...caseInput({ actionType, ...agreement }) });

					const { split } = await api.transactions.preview({
						caseId: legalCase.id,
						valueType,
						grossCents
					});

					const shares = Object.values(sharesOf(split));
					expect(shares.reduce((sum, share) => sum + share, 0)).toBe(grossCents);
					expect(shares.every((share) => Number.isSafeInteger(share) && share >= 0)).toBe(true);
				}
			),
			{ seed: 20_260_131, numRuns: 150 }
		);
	});
});

describe('transactions.create', () => {
	it('returns saved transaction', async () => {
		const legalCase = await createCase();

		const created = await api.transactions.create({
			...paymentInput(legalCase.id),
			notes: '  Alvará 123  '
		});

		expect(created).toMatchObject({
			caseId: legalCase.id,
			caseTitle: 'Ação de cobrança',
			clientId: client.id,
			clientName: 'Carla Reis',
			receivedOn: '2026-03-10',
			valueType: 'provided_amount',
			grossCents: 100_000,
			clientCents: 70_000,
			officeCents: 5000,
			partnerCents: 15_000,
			consultantCents: 10_000,
			feeBps: 3000,
			partnerShareBps: 5000,
			consultantCommissionBps: 1000,
			partnerId: partner.id,
			partnerName: 'Dr. Paulo',
			consultantId: consultant.id,
			consultantName: 'Rita Consultora',
			notes: 'Alvará 123',
			installmentNumber: null,
			installmentCount: null,
			recordedBy: { id: user.id, name: user.name },
			voided: false,
			voidedAt: null,
			voidedBy: null,
			voidReason: null
		});
		expect(created.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
	});

	it('stores row with split', async () => {
		const legalCase = await createCase();

		const created = await api.transactions.create(paymentInput(legalCase.id));

		expect(transactionRows()).toEqual([
			expect.objectContaining({
				id: created.id,
				caseId: legalCase.id,
				grossCents: 100_000,
				clientCents: 70_000,
				officeCents: 5000,
				partnerCents: 15_000,
				consultantCents: 10_000,
				partnerId: partner.id,
				consultantId: consultant.id,
				createdBy: user.id,
				notes: null,
				installmentGroup: null
			})
		]);
	});

	// Expected shares at the 30% fee, 50% partner share and 10% commission, rounded half up,
	// with the office taking what remains: [client, office, partner, consultant].
	it.each([
		[1, [1, 0, 0, 0]],
		[5, [3, 0, 1, 1]],
		[15, [10, 1, 2, 2]],
		[333, [233, 17, 50, 33]],
		[1001, [701, 50, 150, 100]],
		[MAX_GROSS_CENTS, [7_000_000_000_000, 500_000_000_000, 1_500_000_000_000, 1_000_000_000_000]]
	])('splits %i cents', async (grossCents, shares) => {
		const legalCase = await createCase();

		const created = await api.transactions.create(paymentInput(legalCase.id, grossCents));

		expect(sharesOf(created)).toEqual({
			clientCents: shares[0],
			officeCents: shares[1],
			partnerCents: shares[2],
			consultantCents: shares[3]
		});
		expect(shares.reduce((sum, share) => sum + share, 0)).toBe(grossCents);
	});

	it('caps consultant at office fees', async () => {
		// 4 cents at a 30% fee, 50% partner share and 15% commission round to fees 1, partner 1
		// and consultant 1, which would leave the office -1 cent.
		const legalCase = await createCase({ consultantCommissionBps: 1500 });

		const created = await api.transactions.create(paymentInput(legalCase.id, 4));

		expect(sharesOf(created)).toEqual({
			clientCents: 3,
			officeCents: 0,
			partnerCents: 1,
			consultantCents: 0
		});
	});

	it.each([
		[MAX_GROSS_CENTS + 1, 'too_big'],
		[0, 'too_small'],
		[-100, 'too_small'],
		[12.5, 'invalid_type'],
		[Number.NaN, 'invalid_type'],
		[Number.POSITIVE_INFINITY, 'invalid_type'],
		['100', 'invalid_type']
	])('rejects gross %s', async (grossCents, code) => {
		const legalCase = await createCase();

		const issues = await expectInvalid(db, () =>
			api.transactions.create({ ...paymentInput(legalCase.id), grossCents: grossCents as never })
		);

		expect(issues).toMatchObject([{ field: 'grossCents', code }]);
	});

	it('reports gross limits', async () => {
		const legalCase = await createCase();

		const tooBig = await expectInvalid(db, () =>
			api.transactions.create(paymentInput(legalCase.id, MAX_GROSS_CENTS + 1))
		);
		const tooSmall = await expectInvalid(db, () =>
			api.transactions.create(paymentInput(legalCase.id, 0))
		);

		expect(tooBig).toEqual([
			{
				field: 'grossCents',
				code: 'too_big',
				message: 'Must be at most R$ 100.000.000.000,00.',
				limit: MAX_GROSS_CENTS,
				origin: 'number'
			}
		]);
		expect(tooSmall).toEqual([
			{
				field: 'grossCents',
				code: 'too_small',
				message: 'Must be at least 1 cent.',
				limit: 1,
				origin: 'number'
			}
		]);
	});

	it.each(['2025-02-29', '2026-13-01', '2026-04-31', '26-03-10', '2026-3-10', ''])(
		'rejects received date %j',
		async (receivedOn) => {
			const legalCase = await createCase();

			const issues = await expectInvalid(db, () =>
				api.transactions.create({ ...paymentInput(legalCase.id), receivedOn })
			);

			expect(issues).toMatchObject([
				{ field: 'receivedOn', message: 'Expected a real calendar date as YYYY-MM-DD.' }
			]);
		}
	);

	it('accepts leap day 2024-02-29', async () => {
		const legalCase = await createCase();

		const created = await api.transactions.create({
			...paymentInput(legalCase.id),
			receivedOn: '2024-02-29'
		});

		expect(created.receivedOn).toBe('2024-02-29');
	});

	it('rejects value type not accepted', async () => {
		const legalCase = await createCase();

		const issues = await expectInvalid(db, () =>
			api.transactions.create({ ...paymentInput(legalCase.id), valueType: 'monthly_installment' })
		);

		expect(issues).toMatchObject([{ field: 'valueType', code: 'value_type' }]);
		expect(issues[0]?.message).toContain(`Accepted value types: ${CIVIL_ACCEPTS}.`);
	});

	it('rejects unknown case', async () => {
		const error = await expectFailure(
			db,
			() => api.transactions.create(paymentInput(999)),
			'NOT_FOUND'
		);

		expect(error.message).toBe('Case 999 does not exist.');
	});

	it.each(['clientCents', 'feeBps', 'createdBy', 'voidedAt'])(
		'rejects extra key %s',
		async (key) => {
			const legalCase = await createCase();

			const issues = await expectInvalid(db, () =>
				api.transactions.create({ ...paymentInput(legalCase.id), [key]: 1 } as never)
			);

			expect(issues).toEqual([
				{ field: key, code: 'unrecognized_keys', message: `Unknown field "${key}": remove it.` }
			]);
		}
	);

	it('rejects notes over 2000 characters', async () => {
		const legalCase = await createCase();

		const issues = await expectInvalid(db, () =>
			api.transactions.create({ ...paymentInput(legalCase.id), notes: 'x'.repeat(2001) })
		);

		expect(issues).toMatchObject([{ field: 'notes', code: 'too_big', limit: 2000 }]);
	});
});

describe('case agreement', () => {
	it('applies edit to later payments', async () => {
		const legalCase = await createCase();
		const before = await api.transactions.create(paymentInput(legalCase.id));

		await api.cases.update({ id: legalCase.id, ...caseInput({ feeBps: 4000 }) });
		const after = await api.transactions.create(paymentInput(legalCase.id));

		const { transactions: listed } = await api.cases.get({ id: legalCase.id });
		const earlier = listed.find((row) => row.id === before.id);
		const later = listed.find((row) => row.id === after.id);
		expect(earlier).toMatchObject({
			clientCents: 70_000,
			officeCents: 5000,
			partnerCents: 15_000,
			consultantCents: 10_000,
			feeBps: 3000,
			partnerShareBps: 5000,
			consultantCommissionBps: 1000
		});
		expect(later).toMatchObject({
			clientCents: 60_000,
			officeCents: 10_000,
			partnerCents: 20_000,
			consultantCents: 10_000,
			feeBps: 4000,
			partnerShareBps: 5000,
			consultantCommissionBps: 1000
		});
	});

	it('keeps people recorded on earlier payments', async () => {
		const legalCase = await createCase();
		const before = await api.transactions.create(paymentInput(legalCase.id));
		const otherPartner = insertPerson(db, 'partner', { name: 'Dra. Marta' });

		await api.cases.update({
			id: legalCase.id,
			...caseInput({ withConsultant: false }),
			partnerId: otherPartner.id
		});
		const after = await api.transactions.create(paymentInput(legalCase.id));

		const { transactions: listed } = await api.cases.get({ id: legalCase.id });
		expect(listed.find((row) => row.id === before.id)).toMatchObject({
			partnerId: partner.id,
			consultantId: consultant.id,
			consultantCents: 10_000
		});
		expect(listed.find((row) => row.id === after.id)).toMatchObject({
			partnerId: otherPartner.id,
			consultantId: null,
			consultantCents: 0,
			consultantCommissionBps: 0,
			officeCents: 15_000
		});
	});

	it.each([
		['create', 1501],
		['update', 1501],
		['update', 10_000]
	] as const)('%s rejects commission %i over office share', async (procedure, commission) => {
		const existing = await createCase();
		const input = caseInput({ consultantCommissionBps: commission });

		const issues = await expectInvalid(db, () =>
			procedure === 'create'
				? api.cases.create(input)
				: api.cases.update({ id: existing.id, ...input })
		);

		expect(issues).toMatchObject([
			{ field: 'consultantCommissionBps', code: 'office_share_negative' }
		]);
		expect(issues[0]?.message).toContain('may be at most 1500 (15%)');
	});

	it('accepts commission at limit', async () => {
		const legalCase = await createCase({ consultantCommissionBps: 1500 });

		const created = await api.transactions.create(paymentInput(legalCase.id));

		expect(sharesOf(created)).toEqual({
			clientCents: 70_000,
			officeCents: 0,
			partnerCents: 15_000,
			consultantCents: 15_000
		});
	});

	it('rejects fee cut below commission', async () => {
		const legalCase = await createCase();

		const issues = await expectInvalid(db, () =>
			api.cases.update({ id: legalCase.id, ...caseInput({ feeBps: 1000 }) })
		);

		expect(issues).toMatchObject([
			{ field: 'consultantCommissionBps', code: 'office_share_negative' }
		]);
	});

	it.each(['create', 'update'] as const)(
		'%s rejects commission without consultant',
		async (procedure) => {
			const existing = await createCase({ withConsultant: false });
			const input = caseInput({ withConsultant: false, consultantCommissionBps: 500 });

			const issues = await expectInvalid(db, () =>
				procedure === 'create'
					? api.cases.create(input)
					: api.cases.update({ id: existing.id, ...input })
			);

			expect(issues).toMatchObject([
				{ field: 'consultantCommissionBps', code: 'commission_without_consultant' }
			]);
		}
	);

	it('gives new cases office defaults', async () => {
		const withConsultant = await createCase();
		const withoutConsultant = await createCase({ withConsultant: false });

		expect(withConsultant).toMatchObject({
			feeBps: 3000,
			partnerShareBps: 5000,
			consultantCommissionBps: 1000
		});
		expect(withoutConsultant).toMatchObject({
			feeBps: 3000,
			partnerShareBps: 5000,
			consultantCommissionBps: 0
		});
	});
});

describe('transactions.createInstallments', () => {
	async function installmentCase(withConsultant = true) {
		return createCase({ actionType: 'administrative_social_security', withConsultant });
	}

	it('clamps dates to month end', async () => {
		const legalCase = await installmentCase();

		const created = await api.transactions.createInstallments({
			caseId: legalCase.id,
			firstReceivedOn: '2026-01-31',
			count: 12,
			amountCents: 150_000
		});

		expect(created.map((row) => row.receivedOn)).toEqual([
			'2026-01-31',
			'2026-02-28',
			'2026-03-31',
			'2026-04-30',
			'2026-05-31',
			'2026-06-30',
			'2026-07-31',
			'2026-08-31',
			'2026-09-30',
			'2026-10-31',
			'2026-11-30',
			'2026-12-31'
		]);
		expect(created.map((row) => row.installmentNumber)).toEqual([
			1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
		]);
		expect(created.every((row) => row.installmentCount === 12)).toBe(true);
	});

	it('lands on leap day', async () => {
		const legalCase = await installmentCase();

		const created = await api.transactions.createInstallments({
			caseId: legalCase.id,
			firstReceivedOn: '2024-01-31',
			count: 3,
			amountCents: 1000
		});

		expect(created.map((row) => row.receivedOn)).toEqual([
			'2024-01-31',
			'2024-02-29',
			'2024-03-31'
		]);
	});

	it('crosses year end', async () => {
		const legalCase = await installmentCase();

		const created = await api.transactions.createInstallments({
			caseId: legalCase.id,
			firstReceivedOn: '2025-11-30',
			count: 4,
			amountCents: 1000
		});

		expect(created.map((row) => row.receivedOn)).toEqual([
			'2025-11-30',
			'2025-12-30',
			'2026-01-30',
			'2026-02-28'
		]);
	});

	it('splits each installment', async () => {
		const legalCase = await installmentCase();

		const created = await api.transactions.createInstallments({
			caseId: legalCase.id,
			firstReceivedOn: '2026-01-05',
			count: 3,
			amountCents: 150_000,
			notes: 'Acordo INSS'
		});

		for (const row of created) {
			expect(row).toMatchObject({
				valueType: 'monthly_installment',
				grossCents: 150_000,
				clientCents: 0,
				officeCents: 60_000,
				partnerCents: 75_000,
				consultantCents: 15_000,
				feeBps: 10_000,
				partnerShareBps: 5000,
				consultantCommissionBps: 1000,
				notes: 'Acordo INSS',
				recordedBy: { id: user.id, name: user.name }
			});
		}
	});

	it('groups rows of one call', async () => {
		const legalCase = await installmentCase(false);

		const first = await api.transactions.createInstallments({
			caseId: legalCase.id,
			firstReceivedOn: '2026-01-05',
			count: 3,
			amountCents: 1000
		});
		const second = await api.transactions.createInstallments({
			caseId: legalCase.id,
			firstReceivedOn: '2026-01-05',
			count: 2,
			amountCents: 1000
		});

		const groupOf = (id: number) =>
			db.select().from(transactions).where(eq(transactions.id, id)).get()?.installmentGroup;
		const firstGroups = new Set(first.map((row) => groupOf(row.id)));
		const secondGroups = new Set(second.map((row) => groupOf(row.id)));
		expect(firstGroups.size).toBe(1);
		expect(secondGroups.size).toBe(1);
		expect([...firstGroups][0]).not.toBe([...secondGroups][0]);
		expect([...firstGroups][0]).toMatch(/^[0-9a-f-]{36}$/);
	});

	it('accepts 120 installments', async () => {
		const legalCase = await installmentCase();

		const created = await api.transactions.createInstallments({
			caseId: legalCase.id,
			firstReceivedOn: '2026-01-31',
			count: 120,
			amountCents: 100
		});

		expect(created).toHaveLength(120);
		expect(created.at(-1)?.receivedOn).toBe('2035-12-31');
		expect(created.at(-1)?.installmentNumber).toBe(120);
		expect(transactionRows()).toHaveLength(120);
	});

	it.each([
		[0, 'too_small', 1],
		[121, 'too_big', 120]
	])('rejects count %i', async (count, code, limit) => {
		const legalCase = await installmentCase();

		const issues = await expectInvalid(db, () =>
			api.transactions.createInstallments({
				caseId: legalCase.id,
				firstReceivedOn: '2026-01-31',
				count,
				amountCents: 1000
			})
		);

		expect(issues).toMatchObject([{ field: 'count', code, limit }]);
		expect(transactionRows()).toEqual([]);
	});

	it('rejects fractional count', async () => {
		const legalCase = await installmentCase();

		const issues = await expectInvalid(db, () =>
			api.transactions.createInstallments({
				caseId: legalCase.id,
				firstReceivedOn: '2026-01-31',
				count: 2.5,
				amountCents: 1000
			})
		);

		expect(issues).toMatchObject([{ field: 'count' }]);
	});

	it('rejects dates past year 9999', async () => {
		const legalCase = await installmentCase();

		const issues = await expectInvalid(db, () =>
			api.transactions.createInstallments({
				caseId: legalCase.id,
				firstReceivedOn: '9999-06-30',
				count: 12,
				amountCents: 1000
			})
		);

		expect(issues).toEqual([
			{
				field: 'count',
				code: 'out_of_range',
				message:
					'Installment 8 would fall after 9999-12-31. ' +
					'Use fewer installments or an earlier first date.'
			}
		]);
		expect(transactionRows()).toEqual([]);
	});

	it('accepts last month of 9999', async () => {
		const legalCase = await installmentCase();

		const created = await api.transactions.createInstallments({
			caseId: legalCase.id,
			firstReceivedOn: '9999-11-30',
			count: 2,
			amountCents: 1000
		});

		expect(created.map((row) => row.receivedOn)).toEqual(['9999-11-30', '9999-12-30']);
	});

	it('rejects case without installments', async () => {
		const legalCase = await createCase({ actionType: 'civil' });

		const issues = await expectInvalid(db, () =>
			api.transactions.createInstallments({
				caseId: legalCase.id,
				firstReceivedOn: '2026-01-31',
				count: 12,
				amountCents: 1000
			})
		);

		expect(issues).toEqual([
			{
				field: 'caseId',
				code: 'value_type',
				message:
					'Value type monthly_installment is not accepted for action type civil. ' +
					`Accepted value types: ${CIVIL_ACCEPTS}.`
			}
		]);
		expect(transactionRows()).toEqual([]);
	});

	it('rejects unknown case', async () => {
		await expectFailure(
			db,
			() =>
				api.transactions.createInstallments({
					caseId: 999,
					firstReceivedOn: '2026-01-31',
					count: 2,
					amountCents: 1000
				}),
			'NOT_FOUND'
		);
	});

	it('writes nothing when one insert fails', async () => {
		const legalCase = await installmentCase();
		db.$client.exec(
			'CREATE TRIGGER fail_seventh_installment BEFORE INSERT ON transactions ' +
				"WHEN NEW.installment_number = 7 BEGIN SELECT RAISE(ABORT, 'boom'); END"
		);

		const error = await expectFailure(
			db,
			() =>
				api.transactions.createInstallments({
					caseId: legalCase.id,
					firstReceivedOn: '2026-01-31',
					count: 12,
					amountCents: 1000
				}),
			'INTERNAL_SERVER_ERROR'
		);

		expect(error.message).toBe('boom');
		expect(transactionRows()).toEqual([]);
	});
});

describe('transactions.void', () => {
	async function recordPayment() {
		const legalCase = await createCase();
		const payment = await api.transactions.create(paymentInput(legalCase.id));
		return { legalCase, payment };
	}

	it('marks payment voided', async () => {
		const { payment } = await recordPayment();
		const voider = insertUser(db);
		const started = new Date().toISOString();

		const voided = await callerFor(db, voider).transactions.void({
			id: payment.id,
			reason: '  Lançamento em duplicidade  '
		});

		expect(voided).toMatchObject({
			id: payment.id,
			grossCents: 100_000,
			voided: true,
			voidedBy: { id: voider.id, name: voider.name },
			voidReason: 'Lançamento em duplicidade',
			recordedBy: { id: user.id, name: user.name }
		});
		expect(voided.voidedAt! >= started).toBe(true);
		expect(voided.voidedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
	});

	it('keeps row in case', async () => {
		const { legalCase, payment } = await recordPayment();
		const kept = await api.transactions.create(paymentInput(legalCase.id, 1001));

		await api.transactions.void({ id: payment.id, reason: 'Duplicate' });

		const fetched = await api.cases.get({ id: legalCase.id });
		expect(fetched.transactions.map((row) => [row.id, row.voided])).toEqual([
			[kept.id, false],
			[payment.id, true]
		]);
		expect(fetched.totals).toEqual({
			count: 1,
			grossCents: 1001,
			clientCents: 701,
			officeCents: 50,
			partnerCents: 150,
			consultantCents: 100
		});
	});

	it('excludes voided from client totals', async () => {
		const { payment } = await recordPayment();
		await api.transactions.void({ id: payment.id, reason: 'Duplicate' });

		const fetched: Record<string, unknown> = await api.clients.get({ id: client.id });

		// Client totals are optional in the clients router, so this only checks them when present.
		if (!('totals' in fetched)) return;
		expect(fetched.totals).toEqual({
			count: 0,
			grossCents: 0,
			clientCents: 0,
			officeCents: 0,
			partnerCents: 0,
			consultantCents: 0
		});
	});

	it('excludes voided from dashboard', async () => {
		const { legalCase, payment } = await recordPayment();
		await api.transactions.create(paymentInput(legalCase.id, 333));
		await api.transactions.void({ id: payment.id, reason: 'Duplicate' });

		const summary = await api.dashboard.summary({ from: '2026-03-01', to: '2026-03-31' });

		expect(summary.totals).toEqual({
			count: 1,
			grossCents: 333,
			clientCents: 233,
			officeCents: 17,
			partnerCents: 50,
			consultantCents: 33
		});
		expect(summary.byPartner).toMatchObject([{ personId: partner.id, shareCents: 50 }]);
		expect(summary.byConsultant).toMatchObject([{ personId: consultant.id, shareCents: 33 }]);
	});

	it('rejects second void', async () => {
		const { payment } = await recordPayment();
		const voided = await api.transactions.void({ id: payment.id, reason: 'Duplicate' });

		const error = await expectFailure(
			db,
			() => api.transactions.void({ id: payment.id, reason: 'Again' }),
			'CONFLICT'
		);

		expect(error.message).toBe(
			`Transaction ${payment.id} was already voided at ${voided.voidedAt}.`
		);
	});

	it.each(['', '   ', '\n\t'])('rejects blank reason %j', async (reason) => {
		const { payment } = await recordPayment();

		const issues = await expectInvalid(db, () => api.transactions.void({ id: payment.id, reason }));

		expect(issues).toEqual([
			{
				field: 'reason',
				code: 'too_small',
				message: 'Required: say why the payment is voided.',
				limit: 1,
				origin: 'string'
			}
		]);
	});

	it('rejects reason over 500 characters', async () => {
		const { payment } = await recordPayment();

		const issues = await expectInvalid(db, () =>
			api.transactions.void({ id: payment.id, reason: 'x'.repeat(501) })
		);

		expect(issues).toMatchObject([{ field: 'reason', code: 'too_big', limit: 500 }]);
	});

	it('rejects unknown id', async () => {
		const error = await expectFailure(
			db,
			() => api.transactions.void({ id: 999, reason: 'Duplicate' }),
			'NOT_FOUND'
		);

		expect(error.message).toBe('Transaction 999 does not exist.');
	});
});

describe('void reason text', () => {
	it.each([
		['zero-width space', '\u200b', 'required'],
		['direction marks', '\u200e\u200f', 'required'],
		['NUL', 'a\u0000b', 'control_characters'],
		['escape sequence', '\u001b[31mred', 'control_characters']
	])('rejects %s', async (_label, reason, code) => {
		const legalCase = await createCase();
		const payment = await api.transactions.create(paymentInput(legalCase.id));

		const issues = await expectInvalid(db, () => api.transactions.void({ id: payment.id, reason }));

		expect(issues).toMatchObject([{ field: 'reason', code }]);
	});
});

describe('ledger capacity', () => {
	it('rejects a payment past 2^53 cents in total', async () => {
		const legalCase = await createCase();
		const maxGross = 10_000_000_000_000;
		// 900 payments of the maximum make 9 × 10^15 cents, just under 2^53 − 1.
		db.$client
			.prepare(
				`INSERT INTO transactions (case_id, received_on, value_type, gross_cents, client_cents,
				   office_cents, partner_cents, consultant_cents, fee_bps, partner_share_bps,
				   consultant_commission_bps, partner_id, created_by)
				 SELECT ?, '2026-01-01', 'provided_amount', ?, ?, 0, 0, 0, 0, 0, 0, ?, ?
				 FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 900)
				       SELECT i FROM n)`
			)
			.run(legalCase.id, maxGross, maxGross, partner.id, user.id);

		const issues = await expectInvalid(db, () =>
			api.transactions.create(paymentInput(legalCase.id, maxGross))
		);

		expect(issues).toMatchObject([{ field: 'grossCents', code: 'ledger_capacity' }]);
	});

	it('accepts a payment that still fits', async () => {
		const legalCase = await createCase();

		const payment = await api.transactions.create(paymentInput(legalCase.id, 10_000_000_000_000));

		expect(payment.grossCents).toBe(10_000_000_000_000);
	});
});
