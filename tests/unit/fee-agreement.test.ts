import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	DEFAULT_FEE_AGREEMENT,
	formatBps,
	maxConsultantCommissionBps,
	validateFeeAgreement,
	type FeeAgreement
} from '../../src/lib/domain/fee-agreement';

const WITH_CONSULTANT = { hasConsultant: true };
const WITHOUT_CONSULTANT = { hasConsultant: false };

function agreement(
	feeBps: number,
	partnerShareBps: number,
	consultantCommissionBps: number | null
): FeeAgreement {
	return { feeBps, partnerShareBps, consultantCommissionBps };
}

describe('DEFAULT_FEE_AGREEMENT', () => {
	it('contains the office defaults', () => {
		expect(DEFAULT_FEE_AGREEMENT).toEqual({
			feeBps: 3000,
			partnerShareBps: 5000,
			consultantCommissionBps: 1000
		});
	});

	it('is valid with a consultant', () => {
		expect(validateFeeAgreement(DEFAULT_FEE_AGREEMENT, WITH_CONSULTANT)).toEqual([]);
	});

	it('is frozen', () => {
		expect(Object.isFrozen(DEFAULT_FEE_AGREEMENT)).toBe(true);
	});
});

describe('formatBps', () => {
	it.each([
		[3000, '30%'],
		[1250, '12.5%'],
		[1, '0.01%'],
		[0, '0%'],
		[5, '0.05%'],
		[10, '0.1%'],
		[99, '0.99%'],
		[100, '1%'],
		[1234, '12.34%'],
		[10000, '100%'],
		[12000, '120%'],
		[-5, '-0.05%'],
		[-1500, '-15%']
	])('formats %i as %s', (bps, expected) => {
		expect(formatBps(bps)).toBe(expected);
	});

	it.each([12.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])(
		'rejects non-integer %s',
		(bps) => {
			expect(() => formatBps(bps)).toThrow(RangeError);
		}
	);
});

describe('maxConsultantCommissionBps', () => {
	it.each([
		// [feeBps, partnerShareBps, expected limit]
		[3000, 5000, 1500],
		[3000, 0, 3000],
		[3000, 10000, 0],
		[10000, 5000, 5000],
		[10000, 0, 10000],
		[0, 5000, 0],
		// 3333 × 5000 / 10000 = 1666.5, and the limit rounds down so the office stays >= 0.
		[3333, 5000, 1666],
		[1, 1, 0],
		[2000, 4000, 1200]
	])('fee %i and partner share %i allow %i', (feeBps, partnerShareBps, expected) => {
		expect(maxConsultantCommissionBps(feeBps, partnerShareBps)).toBe(expected);
	});
});

describe('validateFeeAgreement range checks', () => {
	it.each([
		['feeBps', agreement(-1, 5000, 1000), 'out_of_range'],
		['feeBps', agreement(10001, 5000, 1000), 'out_of_range'],
		['feeBps', agreement(12.5, 5000, 1000), 'not_integer'],
		['feeBps', agreement(Number.NaN, 5000, 1000), 'not_integer'],
		['partnerShareBps', agreement(3000, -1, 0), 'out_of_range'],
		['partnerShareBps', agreement(3000, 10001, 0), 'out_of_range'],
		['partnerShareBps', agreement(3000, 0.5, 0), 'not_integer'],
		['consultantCommissionBps', agreement(3000, 5000, -1), 'out_of_range'],
		['consultantCommissionBps', agreement(3000, 5000, 10001), 'out_of_range'],
		['consultantCommissionBps', agreement(3000, 5000, 100.5), 'not_integer']
	] as const)('rejects %s in %o', (field, input, reason) => {
		const problems = validateFeeAgreement(input, WITH_CONSULTANT);

		expect(problems).toHaveLength(1);
		expect(problems[0]?.field).toBe(field);
		expect(problems[0]?.reason).toBe(reason);
	});

	it.each([
		agreement(0, 0, 0),
		agreement(10000, 10000, 0),
		agreement(10000, 0, 10000),
		agreement(0, 10000, null)
	])('accepts bounds %o', (input) => {
		expect(validateFeeAgreement(input, WITH_CONSULTANT)).toEqual([]);
	});

	it('out-of-range message names value and range', () => {
		const [problem] = validateFeeAgreement(agreement(12000, 5000, 1000), WITH_CONSULTANT);

		expect(problem?.message).toBe(
			'feeBps 12000 (120%) is out of range. It must be from 0 to 10000 basis points (0% to 100%).'
		);
	});

	it('non-integer message names value and range', () => {
		const [problem] = validateFeeAgreement(agreement(3000, 12.5, 1000), WITH_CONSULTANT);

		expect(problem?.message).toBe(
			'partnerShareBps 12.5 is not an integer. ' +
				'It must be a whole number of basis points from 0 to 10000 (0% to 100%).'
		);
	});

	it('reports every invalid field in order', () => {
		const problems = validateFeeAgreement(agreement(12000, -1, 1000), WITHOUT_CONSULTANT);

		expect(problems.map((problem) => problem.field)).toEqual([
			'feeBps',
			'partnerShareBps',
			'consultantCommissionBps'
		]);
		expect(problems.map((problem) => problem.reason)).toEqual([
			'out_of_range',
			'out_of_range',
			'commission_without_consultant'
		]);
	});
});

describe('validateFeeAgreement consultant presence', () => {
	it.each([null, 0])('accepts commission %s without consultant', (commissionBps) => {
		expect(validateFeeAgreement(agreement(3000, 5000, commissionBps), WITHOUT_CONSULTANT)).toEqual(
			[]
		);
	});

	it.each([null, 0])('accepts commission %s with consultant', (commissionBps) => {
		expect(validateFeeAgreement(agreement(3000, 5000, commissionBps), WITH_CONSULTANT)).toEqual([]);
	});

	it('rejects commission without consultant', () => {
		const problems = validateFeeAgreement(DEFAULT_FEE_AGREEMENT, WITHOUT_CONSULTANT);

		expect(problems).toEqual([
			{
				field: 'consultantCommissionBps',
				reason: 'commission_without_consultant',
				message:
					'consultantCommissionBps 1000 must be null or 0 because the case has no consultant.'
			}
		]);
	});

	it('reports one problem per commission', () => {
		const problems = validateFeeAgreement(agreement(3000, 5000, 20000), WITHOUT_CONSULTANT);

		expect(problems).toHaveLength(1);
		expect(problems[0]?.reason).toBe('commission_without_consultant');
	});
});

describe('validateFeeAgreement commission limit', () => {
	it('accepts commission at the limit', () => {
		expect(validateFeeAgreement(agreement(3000, 5000, 1500), WITH_CONSULTANT)).toEqual([]);
	});

	it('rejects commission one bps over', () => {
		const problems = validateFeeAgreement(agreement(3000, 5000, 1501), WITH_CONSULTANT);

		expect(problems).toHaveLength(1);
		expect(problems[0]?.field).toBe('consultantCommissionBps');
		expect(problems[0]?.reason).toBe('office_share_negative');
	});

	it('limit message explains the bound', () => {
		const [problem] = validateFeeAgreement(agreement(3000, 5000, 2000), WITH_CONSULTANT);

		expect(problem?.message).toBe(
			"consultantCommissionBps 2000 (20%) would make the office's share negative. " +
				'With a 30% fee and a 50% partner share the commission may be at most 1500 (15%).'
		);
	});

	it('limit rounds down to whole bps', () => {
		expect(validateFeeAgreement(agreement(3333, 5000, 1666), WITH_CONSULTANT)).toEqual([]);
		expect(validateFeeAgreement(agreement(3333, 5000, 1667), WITH_CONSULTANT)[0]?.message).toBe(
			"consultantCommissionBps 1667 (16.67%) would make the office's share negative. " +
				'With a 33.33% fee and a 50% partner share the commission may be at most 1666 (16.66%).'
		);
	});

	it('zero fee allows no commission', () => {
		const problems = validateFeeAgreement(agreement(0, 5000, 1), WITH_CONSULTANT);

		expect(problems.map((problem) => problem.reason)).toEqual(['office_share_negative']);
	});

	it('skips limit when a field is invalid', () => {
		const problems = validateFeeAgreement(agreement(10001, 5000, 9000), WITH_CONSULTANT);

		expect(problems.map((problem) => problem.reason)).toEqual(['out_of_range']);
	});
});

describe('validateFeeAgreement properties', () => {
	const bps = fc.integer({ min: 0, max: 10000 });
	// Uniform commissions are mostly far over the limit, so half the draws stay near it.
	const commission = fc.oneof(bps, fc.integer({ min: 0, max: 1600 }));

	it('valid exactly when office shares are non-negative', () => {
		fc.assert(
			fc.property(bps, bps, commission, (feeBps, partnerShareBps, commissionBps) => {
				const problems = validateFeeAgreement(
					agreement(feeBps, partnerShareBps, commissionBps),
					WITH_CONSULTANT
				);
				// Office share of the gross in exact arithmetic, scaled by 10^8 and by 10^4.
				const awardedOffice = feeBps * (10000 - partnerShareBps) - commissionBps * 10000;
				const installmentOffice = 10000 - partnerShareBps - commissionBps;
				const officeNeverNegative = awardedOffice >= 0 && installmentOffice >= 0;

				expect(problems.length === 0).toBe(officeNeverNegative);
			}),
			{ numRuns: 2000 }
		);
	});

	it('limit valid, one above invalid', () => {
		fc.assert(
			fc.property(bps, bps, (feeBps, partnerShareBps) => {
				const limit = maxConsultantCommissionBps(feeBps, partnerShareBps);
				const atLimit = agreement(feeBps, partnerShareBps, limit);
				const overLimit = agreement(feeBps, partnerShareBps, limit + 1);

				expect(validateFeeAgreement(atLimit, WITH_CONSULTANT)).toEqual([]);
				expect(validateFeeAgreement(overLimit, WITH_CONSULTANT)).toHaveLength(1);
			}),
			{ numRuns: 2000 }
		);
	});
});
