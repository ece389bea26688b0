import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	DEFAULT_FEE_AGREEMENT,
	maxConsultantCommissionBps,
	validateFeeAgreement,
	type FeeAgreement
} from '../../src/lib/domain/fee-agreement';
import {
	ACTION_TYPES,
	MAX_GROSS_CENTS,
	VALUE_TYPES,
	acceptedValueTypes,
	splitPayment,
	type ActionType,
	type Split,
	type SplitInput,
	type ValueType
} from '../../src/lib/domain/split';

// Written out here rather than read from split.ts, so a changed rule table fails these tests.
const EXPECTED_ACCEPTED: Record<ActionType, readonly ValueType[]> = {
	civil: ['provided_amount', 'remaining_amount', 'procedural_costs'],
	labor: ['provided_amount', 'remaining_amount', 'procedural_costs'],
	administrative_social_security: ['monthly_installment'],
	social_security_back_pay: ['procedural_costs', 'monthly_installment'],
	social_security_rpv_court_order: [
		'remaining_amount',
		'rpv',
		'court_order',
		'procedural_costs',
		'monthly_installment'
	]
};

const ACCEPTED_PAIRS = ACTION_TYPES.flatMap((actionType) =>
	EXPECTED_ACCEPTED[actionType].map((valueType) => [actionType, valueType] as const)
);

const REJECTED_PAIRS = ACTION_TYPES.flatMap((actionType) =>
	VALUE_TYPES.filter((valueType) => !EXPECTED_ACCEPTED[actionType].includes(valueType)).map(
		(valueType) => [actionType, valueType] as const
	)
);

type Shares = Pick<Split, 'clientCents' | 'officeCents' | 'partnerCents' | 'consultantCents'>;

function agreement(
	feeBps: number,
	partnerShareBps: number,
	consultantCommissionBps: number | null
): FeeAgreement {
	return { feeBps, partnerShareBps, consultantCommissionBps };
}

/** Splits a payment that must be accepted, and fails the test otherwise. */
function split(
	actionType: ActionType,
	valueType: ValueType,
	grossCents: number,
	feeAgreement: FeeAgreement = DEFAULT_FEE_AGREEMENT
): Split {
	const result = splitPayment({ actionType, valueType, grossCents, agreement: feeAgreement });

	if (!result.ok) throw new Error(`expected an accepted split, got: ${result.message}`);

	return result.split;
}

function sharesOf(result: Split): Shares {
	const { clientCents, officeCents, partnerCents, consultantCents } = result;

	return { clientCents, officeCents, partnerCents, consultantCents };
}

function shares(
	clientCents: number,
	officeCents: number,
	partnerCents: number,
	consultantCents: number
): Shares {
	return { clientCents, officeCents, partnerCents, consultantCents };
}

/** Exact gross × rates / 10^(4 × rates), rounded half up: the test's own reference rounding. */
function roundedShare(grossCents: number, ...ratesBps: number[]): number {
	const numerator = ratesBps.reduce((product, bps) => product * BigInt(bps), BigInt(grossCents));
	const denominator = 10_000n ** BigInt(ratesBps.length);
	const quotient = numerator / denominator;
	const remainder = numerator % denominator;

	return Number(2n * remainder >= denominator ? quotient + 1n : quotient);
}

describe('acceptedValueTypes', () => {
	it.each(ACTION_TYPES)('lists value types of %s', (actionType) => {
		expect(acceptedValueTypes(actionType)).toEqual(EXPECTED_ACCEPTED[actionType]);
	});

	it('returns empty list for unknown action', () => {
		expect(acceptedValueTypes('criminal' as ActionType)).toEqual([]);
	});

	it('covers 14 accepted and 16 rejected pairs', () => {
		expect(ACCEPTED_PAIRS).toHaveLength(14);
		expect(REJECTED_PAIRS).toHaveLength(16);
	});
});

describe('splitPayment of R$ 1.000,00 with defaults', () => {
	// Defaults: 30% fee, 50% partner share of the fees, 10% consultant commission of the gross.
	const awardedWithCommission = shares(70000, 5000, 15000, 10000);
	const awardedWithoutCommission = shares(70000, 15000, 15000, 0);
	const proceduralCosts = shares(0, 50000, 50000, 0);
	const monthlyInstallment = shares(0, 40000, 50000, 10000);

	const table: [ActionType, ValueType, Shares, number, number][] = [
		// [action type, value type, shares, applied fee bps, applied commission bps]
		['civil', 'provided_amount', awardedWithCommission, 3000, 1000],
		['civil', 'remaining_amount', awardedWithoutCommission, 3000, 0],
		['civil', 'procedural_costs', proceduralCosts, 10000, 0],
		['labor', 'provided_amount', awardedWithCommission, 3000, 1000],
		['labor', 'remaining_amount', awardedWithoutCommission, 3000, 0],
		['labor', 'procedural_costs', proceduralCosts, 10000, 0],
		['administrative_social_security', 'monthly_installment', monthlyInstallment, 10000, 1000],
		['social_security_back_pay', 'procedural_costs', proceduralCosts, 10000, 0],
		['social_security_back_pay', 'monthly_installment', monthlyInstallment, 10000, 1000],
		['social_security_rpv_court_order', 'remaining_amount', awardedWithoutCommission, 3000, 0],
		['social_security_rpv_court_order', 'rpv', awardedWithCommission, 3000, 1000],
		['social_security_rpv_court_order', 'court_order', awardedWithCommission, 3000, 1000],
		['social_security_rpv_court_order', 'procedural_costs', proceduralCosts, 10000, 0],
		['social_security_rpv_court_order', 'monthly_installment', monthlyInstallment, 10000, 1000]
	];

	it('table covers every accepted pair', () => {
		expect(table.map(([actionType, valueType]) => [actionType, valueType])).toEqual(ACCEPTED_PAIRS);
	});

	it.each(table)('%s %s', (actionType, valueType, expected, feeBps, commissionBps) => {
		const result = split(actionType, valueType, 100000);

		expect(sharesOf(result)).toEqual(expected);
		expect(result.feeBps).toBe(feeBps);
		expect(result.partnerShareBps).toBe(5000);
		expect(result.consultantCommissionBps).toBe(commissionBps);
	});
});

describe('splitPayment with a custom agreement', () => {
	// R$ 1.234,57 at a 20% fee, 40% partner share and 5% commission.
	// fees = 24691.4 → 24691, partner = 9876.56 → 9877, consultant = 6172.85 → 6173.
	// For costs and installments the partner gets 40% of the gross: 49382.8 → 49383.
	const custom = agreement(2000, 4000, 500);

	it.each([
		['civil', 'provided_amount', shares(98766, 8641, 9877, 6173)],
		['labor', 'remaining_amount', shares(98766, 14814, 9877, 0)],
		['social_security_rpv_court_order', 'rpv', shares(98766, 8641, 9877, 6173)],
		['social_security_rpv_court_order', 'court_order', shares(98766, 8641, 9877, 6173)],
		['civil', 'procedural_costs', shares(0, 74074, 49383, 0)],
		['social_security_back_pay', 'monthly_installment', shares(0, 67901, 49383, 6173)]
	] as const)('%s %s', (actionType, valueType, expected) => {
		expect(sharesOf(split(actionType, valueType, 123457, custom))).toEqual(expected);
	});

	it('reports applied rates', () => {
		expect(split('civil', 'provided_amount', 123457, custom)).toMatchObject({
			feeBps: 2000,
			partnerShareBps: 4000,
			consultantCommissionBps: 500
		});
		expect(split('civil', 'procedural_costs', 123457, custom)).toMatchObject({
			feeBps: 10000,
			partnerShareBps: 4000,
			consultantCommissionBps: 0
		});
	});

	it('treats null commission as none', () => {
		const result = split('civil', 'provided_amount', 100000, agreement(3000, 5000, null));

		expect(sharesOf(result)).toEqual(shares(70000, 15000, 15000, 0));
		expect(result.consultantCommissionBps).toBe(0);
	});
});

describe('splitPayment rejected value types', () => {
	it.each(REJECTED_PAIRS)('rejects %s %s', (actionType, valueType) => {
		const result = splitPayment({
			actionType,
			valueType,
			grossCents: 100000,
			agreement: DEFAULT_FEE_AGREEMENT
		});

		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.reason).toBe('value_type');
		expect(result.accepted).toEqual(EXPECTED_ACCEPTED[actionType]);
		expect(result.message).toContain(`Value type ${valueType} is not accepted`);
		expect(result.message).toContain(`action type ${actionType}`);
	});

	it('message lists accepted value types', () => {
		const result = splitPayment({
			actionType: 'administrative_social_security',
			valueType: 'procedural_costs',
			grossCents: 100000,
			agreement: DEFAULT_FEE_AGREEMENT
		});

		expect(result).toEqual({
			ok: false,
			reason: 'value_type',
			message:
				'Value type procedural_costs is not accepted for action type ' +
				'administrative_social_security. Accepted value types: monthly_installment.',
			accepted: ['monthly_installment']
		});
	});

	it('rejects unknown action type', () => {
		const result = splitPayment({
			actionType: 'criminal' as ActionType,
			valueType: 'provided_amount',
			grossCents: 100000,
			agreement: DEFAULT_FEE_AGREEMENT
		});

		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.reason).toBe('value_type');
		expect(result.accepted).toEqual([]);
		expect(result.message).toBe(
			'Action type criminal is unknown. Known action types: civil, labor, ' +
				'administrative_social_security, social_security_back_pay, social_security_rpv_court_order.'
		);
	});

	it('rejects unknown value type', () => {
		const result = splitPayment({
			actionType: 'civil',
			valueType: 'bonus' as ValueType,
			grossCents: 100000,
			agreement: DEFAULT_FEE_AGREEMENT
		});

		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.reason).toBe('value_type');
		expect(result.accepted).toEqual(EXPECTED_ACCEPTED.civil);
	});

	it('checks value type before gross', () => {
		const result = splitPayment({
			actionType: 'labor',
			valueType: 'rpv',
			grossCents: 0,
			agreement: DEFAULT_FEE_AGREEMENT
		});

		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.reason).toBe('value_type');
	});
});

describe('splitPayment gross checks', () => {
	function splitGross(grossCents: number) {
		return splitPayment({
			actionType: 'civil',
			valueType: 'provided_amount',
			grossCents,
			agreement: DEFAULT_FEE_AGREEMENT
		});
	}

	it.each([
		[0, 'grossCents 0 is out of range. It must be from 1 to 10000000000000 cents.'],
		[-100, 'grossCents -100 is out of range. It must be from 1 to 10000000000000 cents.'],
		[
			MAX_GROSS_CENTS + 1,
			'grossCents 10000000000001 is out of range. It must be from 1 to 10000000000000 cents.'
		],
		[12.5, 'grossCents 12.5 is not an integer. Amounts are whole cents.'],
		[Number.NaN, 'grossCents NaN is not an integer. Amounts are whole cents.'],
		[Number.POSITIVE_INFINITY, 'grossCents Infinity is not an integer. Amounts are whole cents.']
	])('rejects %s', (grossCents, message) => {
		expect(splitGross(grossCents)).toEqual({ ok: false, reason: 'gross', message });
	});

	it('accepts 1 cent and the maximum', () => {
		expect(splitGross(1).ok).toBe(true);
		expect(splitGross(MAX_GROSS_CENTS).ok).toBe(true);
	});
});

describe('splitPayment small and odd amounts', () => {
	it.each([
		// 30% of 1 cent is 0.3 → 0, so the client keeps the cent.
		['civil', 'provided_amount', 1, shares(1, 0, 0, 0)],
		['civil', 'remaining_amount', 1, shares(1, 0, 0, 0)],
		// 50% of 1 cent is exactly 0.5 → 1 for the partner.
		['labor', 'procedural_costs', 1, shares(0, 0, 1, 0)],
		// Partner 0.5 → 1, consultant 0.1 → 0.
		['administrative_social_security', 'monthly_installment', 1, shares(0, 0, 1, 0)],
		// fees 99.9 → 100, partner 49.95 → 50, consultant 33.3 → 33.
		['civil', 'provided_amount', 333, shares(233, 17, 50, 33)],
		['civil', 'remaining_amount', 333, shares(233, 50, 50, 0)],
		// Partner 166.5 → 167, consultant 33.3 → 33.
		['social_security_back_pay', 'monthly_installment', 333, shares(0, 133, 167, 33)],
		// fees 300.3 → 300, partner 150.15 → 150, consultant 100.1 → 100.
		['labor', 'provided_amount', 1001, shares(701, 50, 150, 100)],
		['social_security_rpv_court_order', 'court_order', 1001, shares(701, 50, 150, 100)],
		// Partner 500.5 → 501.
		['civil', 'procedural_costs', 1001, shares(0, 500, 501, 0)]
	] as const)('%s %s %i cents', (actionType, valueType, grossCents, expected) => {
		expect(sharesOf(split(actionType, valueType, grossCents))).toEqual(expected);
	});
});

describe('splitPayment of R$ 0,03', () => {
	it('gives one cent to each of three', () => {
		// Partner 33.33% and commission 33.33% of 3 cents are 0.9999 each, so both round up to
		// 1 cent, and the office keeps the third cent.
		const feeAgreement = agreement(10000, 3333, 3333);

		expect(validateFeeAgreement(feeAgreement, { hasConsultant: true })).toEqual([]);
		expect(
			sharesOf(split('social_security_back_pay', 'monthly_installment', 3, feeAgreement))
		).toEqual(shares(0, 1, 1, 1));
	});

	it.each([
		// fees 0.9 → 1 cent for the office, partner 0.45 → 0, consultant 0.3 → 0, client 2.
		['civil', 'provided_amount', shares(2, 1, 0, 0)],
		// Partner 1.5 → 2 cents, office 1 cent.
		['civil', 'procedural_costs', shares(0, 1, 2, 0)],
		// Partner 1.5 → 2 cents, consultant 0.3 → 0, office 1 cent.
		['social_security_rpv_court_order', 'monthly_installment', shares(0, 1, 2, 0)]
	] as const)('defaults on %s %s', (actionType, valueType, expected) => {
		expect(sharesOf(split(actionType, valueType, 3))).toEqual(expected);
	});
});

describe('splitPayment at the maximum gross', () => {
	it.each([
		['civil', 'provided_amount', shares(7e12, 5e11, 1.5e12, 1e12)],
		['civil', 'remaining_amount', shares(7e12, 1.5e12, 1.5e12, 0)],
		['labor', 'procedural_costs', shares(0, 5e12, 5e12, 0)],
		['administrative_social_security', 'monthly_installment', shares(0, 4e12, 5e12, 1e12)]
	] as const)('%s %s', (actionType, valueType, expected) => {
		expect(sharesOf(split(actionType, valueType, MAX_GROSS_CENTS))).toEqual(expected);
	});

	it('keeps precision beyond 2^53', () => {
		// gross × 2500 × 6667 = 166674999999949997500, past 2^53. The exact partner share is
		// 1666749999999.499975 cents, which rounds down. Double arithmetic yields 1666750000000.
		const result = split('civil', 'remaining_amount', 9_999_999_999_997, agreement(2500, 6667, 0));

		expect(sharesOf(result)).toEqual(shares(7499999999998, 833250000000, 1666749999999, 0));
	});
});

describe('splitPayment half-up rounding', () => {
	it.each([
		// 10% fee of 5 cents is exactly 0.5 → 1, and the 50% partner share of it, 0.25 → 0.
		['fees at .5', 'remaining_amount', 5, agreement(1000, 5000, 0), shares(4, 1, 0, 0)],
		// 9.99% fee of 5 cents is 0.4995 → 0.
		['fees below .5', 'remaining_amount', 5, agreement(999, 5000, 0), shares(5, 0, 0, 0)],
		// 100% fee and 50% partner share of 1 cent: partner 0.5 → 1.
		['partner at .5', 'remaining_amount', 1, agreement(10000, 5000, 0), shares(0, 0, 1, 0)],
		// 10% commission of 5 cents is exactly 0.5 → 1.
		['consultant at .5', 'provided_amount', 5, agreement(10000, 0, 1000), shares(0, 4, 0, 1)],
		// 9.99% commission of 5 cents is 0.4995 → 0.
		['consultant below .5', 'provided_amount', 5, agreement(10000, 0, 999), shares(0, 5, 0, 0)]
	] as const)('%s', (_name, valueType, grossCents, feeAgreement, expected) => {
		expect(sharesOf(split('civil', valueType, grossCents, feeAgreement))).toEqual(expected);
	});
});

describe('splitPayment consultant cap', () => {
	/** Office share when every share is rounded on its own and nothing is capped. */
	function uncappedOfficeCents(grossCents: number, feeAgreement: FeeAgreement): number {
		const { feeBps, partnerShareBps } = feeAgreement;
		const commissionBps = feeAgreement.consultantCommissionBps ?? 0;

		return (
			roundedShare(grossCents, feeBps) -
			roundedShare(grossCents, feeBps, partnerShareBps) -
			roundedShare(grossCents, commissionBps)
		);
	}

	it('caps the smallest case, 1 cent', () => {
		// 100% fee, 50% partner share and 50% commission is valid with an exact office share of
		// 0, but 1 cent rounds to fees 1, partner 0.5 → 1 and consultant 0.5 → 1.
		const feeAgreement = agreement(10000, 5000, 5000);

		expect(validateFeeAgreement(feeAgreement, { hasConsultant: true })).toEqual([]);
		expect(uncappedOfficeCents(1, feeAgreement)).toBe(-1);
		expect(sharesOf(split('civil', 'provided_amount', 1, feeAgreement))).toEqual(
			shares(0, 0, 1, 0)
		);
		expect(
			sharesOf(split('social_security_back_pay', 'monthly_installment', 1, feeAgreement))
		).toEqual(shares(0, 0, 1, 0));
	});

	it('finds 4 cents at 30/50/15', () => {
		const feeAgreement = agreement(3000, 5000, 1500);
		const grosses = Array.from({ length: 1000 }, (_, index) => index + 1);
		const firstNegative = grosses.find((gross) => uncappedOfficeCents(gross, feeAgreement) < 0);

		expect(validateFeeAgreement(feeAgreement, { hasConsultant: true })).toEqual([]);
		expect(firstNegative).toBe(4);
		// fees 1.2 → 1, partner 0.6 → 1, consultant 0.6 → 1, capped to 0.
		expect(sharesOf(split('civil', 'provided_amount', 4, feeAgreement))).toEqual(
			shares(3, 0, 1, 0)
		);
	});

	it('never triggers with the defaults', () => {
		// With a 10% commission the exact office share is 5% of the gross. Rounding three shares
		// loses less than 1.5 cents, which 5% covers from 30 cents up, so 1 to 1000 suffices.
		const grosses = Array.from({ length: 1000 }, (_, index) => index + 1);

		expect(
			grosses.filter((gross) => uncappedOfficeCents(gross, DEFAULT_FEE_AGREEMENT) < 0)
		).toEqual([]);
	});

	it('caps a commission over the limit', () => {
		// 50% commission of R$ 1.000,00 would be 50000, but only 15000 of the fees remain.
		const result = split('civil', 'provided_amount', 100000, agreement(3000, 5000, 5000));

		expect(sharesOf(result)).toEqual(shares(70000, 0, 15000, 15000));
	});
});

describe('splitPayment agreement rates', () => {
	it.each([
		['feeBps', agreement(12000, 5000, 1000)],
		['feeBps', agreement(-1, 5000, 1000)],
		['partnerShareBps', agreement(3000, 10001, 1000)],
		['partnerShareBps', agreement(3000, 50.5, 1000)],
		['consultantCommissionBps', agreement(3000, 5000, -10)]
	] as const)('throws on invalid %s', (field, feeAgreement) => {
		const input: SplitInput = {
			actionType: 'civil',
			valueType: 'provided_amount',
			grossCents: 100000,
			agreement: feeAgreement
		};

		expect(() => splitPayment(input)).toThrow(RangeError);
		expect(() => splitPayment(input)).toThrow(new RegExp(`^${field} `));
	});
});

describe('splitPayment properties', () => {
	const bps = fc.integer({ min: 0, max: 10000 });
	const validAgreement = fc
		.tuple(bps, bps)
		.chain(([feeBps, partnerShareBps]) =>
			fc
				.oneof(
					fc.constant(null),
					fc.integer({ min: 0, max: maxConsultantCommissionBps(feeBps, partnerShareBps) })
				)
				.map((commissionBps) => agreement(feeBps, partnerShareBps, commissionBps))
		);
	const anyInRangeAgreement = fc
		.tuple(bps, bps, fc.oneof(fc.constant(null), bps))
		.map(([feeBps, partnerShareBps, commissionBps]) =>
			agreement(feeBps, partnerShareBps, commissionBps)
		);
	// Small grosses are where rounding matters most, so half the draws stay below R$ 10,00.
	const gross = fc.oneof(
		fc.integer({ min: 1, max: 1000 }),
		fc.integer({ min: 1, max: MAX_GROSS_CENTS })
	);
	const pair = fc.constantFrom(...ACCEPTED_PAIRS);

	function expectWholeSplit(result: Split, grossCents: number): void {
		const parts = Object.values(sharesOf(result));

		for (const cents of parts) {
			expect(Number.isSafeInteger(cents)).toBe(true);
			expect(cents).toBeGreaterThanOrEqual(0);
		}
		expect(parts.reduce((sum, cents) => sum + cents, 0)).toBe(grossCents);
	}

	it('valid agreement shares add up', () => {
		fc.assert(
			fc.property(pair, gross, validAgreement, ([actionType, valueType], grossCents, terms) => {
				expectWholeSplit(split(actionType, valueType, grossCents, terms), grossCents);
			}),
			{ numRuns: 3000 }
		);
	});

	it('over-limit commission shares add up', () => {
		fc.assert(
			fc.property(
				pair,
				gross,
				anyInRangeAgreement,
				([actionType, valueType], grossCents, terms) => {
					expectWholeSplit(split(actionType, valueType, grossCents, terms), grossCents);
				}
			),
			{ numRuns: 3000 }
		);
	});

	it('client zero on costs and installments', () => {
		const pairs = ACCEPTED_PAIRS.filter(
			([, valueType]) => valueType === 'procedural_costs' || valueType === 'monthly_installment'
		);

		fc.assert(
			fc.property(
				fc.constantFrom(...pairs),
				gross,
				validAgreement,
				([actionType, valueType], grossCents, terms) => {
					expect(split(actionType, valueType, grossCents, terms).clientCents).toBe(0);
				}
			),
			{ numRuns: 1000 }
		);
	});

	it('no commission on remaining or costs', () => {
		const pairs = ACCEPTED_PAIRS.filter(
			([, valueType]) => valueType === 'remaining_amount' || valueType === 'procedural_costs'
		);

		fc.assert(
			fc.property(
				fc.constantFrom(...pairs),
				gross,
				anyInRangeAgreement,
				([actionType, valueType], grossCents, terms) => {
					const result = split(actionType, valueType, grossCents, terms);

					expect(result.consultantCents).toBe(0);
					expect(result.consultantCommissionBps).toBe(0);
				}
			),
			{ numRuns: 1000 }
		);
	});

	it('shares match exact half-up rounding', () => {
		fc.assert(
			fc.property(pair, gross, validAgreement, ([actionType, valueType], grossCents, terms) => {
				const result = split(actionType, valueType, grossCents, terms);
				const feesCents = roundedShare(grossCents, result.feeBps);
				const consultantCents = roundedShare(grossCents, result.consultantCommissionBps);

				expect(result.clientCents).toBe(grossCents - feesCents);
				expect(result.partnerCents).toBe(
					roundedShare(grossCents, result.feeBps, result.partnerShareBps)
				);
				// The cap takes at most the one cent of rounding from a valid agreement.
				expect(result.consultantCents).toBeLessThanOrEqual(consultantCents);
				expect(result.consultantCents).toBeGreaterThanOrEqual(consultantCents - 1);
			}),
			{ numRuns: 3000 }
		);
	});
});
