/** Basis points in 100%. One basis point is 0.01%. */
export const BPS_PER_WHOLE = 10_000;

/** Percentages that the office agrees with the client and partner for one legal case. */
export interface FeeAgreement {
	/** Office fee as a share of awarded amounts, in basis points. */
	feeBps: number;
	/** Partner's share of the fees, in basis points. */
	partnerShareBps: number;
	/**
	 * Consultant's commission as a share of the gross payment, in basis points. It is paid out
	 * of the office's share. Null or 0 when the case has no consultant.
	 */
	consultantCommissionBps: number | null;
}

/** Office defaults for a new case: 30% fee, 50% partner share, 10% consultant commission. */
export const DEFAULT_FEE_AGREEMENT: Readonly<FeeAgreement> = Object.freeze({
	feeBps: 3000,
	partnerShareBps: 5000,
	consultantCommissionBps: 1000
});

export type FeeAgreementField = keyof FeeAgreement;

/**
 * Reason code of a rejected agreement field. `office_share_negative` means the commission
 * would make the office's share negative on some value type.
 */
export type FeeAgreementProblemReason =
	'not_integer' | 'out_of_range' | 'commission_without_consultant' | 'office_share_negative';

/** One invalid field, with an English message that names the field, its value and the limit. */
export interface FeeAgreementProblem {
	field: FeeAgreementField;
	reason: FeeAgreementProblemReason;
	message: string;
}

export interface FeeAgreementContext {
	hasConsultant: boolean;
}

/** Returns whether `value` is an integer number of basis points from 0 to 10000. */
export function isBasisPoints(value: number): boolean {
	return Number.isInteger(value) && value >= 0 && value <= BPS_PER_WHOLE;
}

/**
 * Formats basis points as a percentage without trailing zeros: 3000 as "30%", 1250 as
 * "12.5%", 1 as "0.01%". Works on the decimal digits, so no floating-point rounding can
 * show up. Throws RangeError unless `bps` is a safe integer.
 */
export function formatBps(bps: number): string {
	if (!Number.isSafeInteger(bps)) {
		throw new RangeError(`bps ${bps} is invalid. formatBps requires a safe integer.`);
	}

	const sign = bps < 0 ? '-' : '';
	const digits = String(Math.abs(bps)).padStart(3, '0');
	const whole = digits.slice(0, -2);
	const fraction = digits.slice(-2).replace(/0+$/, '');

	return fraction === '' ? `${sign}${whole}%` : `${sign}${whole}.${fraction}%`;
}

/**
 * Returns the largest commission, in basis points, that leaves the office a non-negative
 * share on every value type. On awarded amounts the office keeps
 * fee × (100% − partner share) of the gross. On monthly installments the whole gross is fees,
 * so it keeps 100% − partner share. Procedural costs carry no commission.
 */
export function maxConsultantCommissionBps(feeBps: number, partnerShareBps: number): number {
	const officeShareOfFees = BPS_PER_WHOLE - partnerShareBps;
	const awardedNumerator = feeBps * officeShareOfFees;
	const awardedLimit = (awardedNumerator - (awardedNumerator % BPS_PER_WHOLE)) / BPS_PER_WHOLE;

	// The awarded-amount limit is the tighter one whenever feeBps <= 10000, and the minimum
	// keeps the result correct without relying on that.
	return Math.min(awardedLimit, officeShareOfFees);
}

function checkBasisPoints(field: FeeAgreementField, value: number): FeeAgreementProblem | null {
	if (!Number.isInteger(value)) {
		return {
			field,
			reason: 'not_integer',
			message:
				`${field} ${value} is not an integer. ` +
				'It must be a whole number of basis points from 0 to 10000 (0% to 100%).'
		};
	}

	if (!isBasisPoints(value)) {
		return {
			field,
			reason: 'out_of_range',
			message:
				`${field} ${value} (${formatBps(value)}) is out of range. ` +
				'It must be from 0 to 10000 basis points (0% to 100%).'
		};
	}

	return null;
}

function checkCommissionLimit(agreement: FeeAgreement): FeeAgreementProblem | null {
	const commissionBps = agreement.consultantCommissionBps ?? 0;
	const limit = maxConsultantCommissionBps(agreement.feeBps, agreement.partnerShareBps);

	if (commissionBps <= limit) return null;

	const fee = formatBps(agreement.feeBps);
	const partnerShare = formatBps(agreement.partnerShareBps);

	return {
		field: 'consultantCommissionBps',
		reason: 'office_share_negative',
		message:
			`consultantCommissionBps ${commissionBps} (${formatBps(commissionBps)}) would make ` +
			`the office's share negative. With a ${fee} fee and a ${partnerShare} partner share ` +
			`the commission may be at most ${limit} (${formatBps(limit)}).`
	};
}

function checkCommission(
	commissionBps: number,
	context: FeeAgreementContext
): FeeAgreementProblem | null {
	if (context.hasConsultant || commissionBps === 0) {
		return checkBasisPoints('consultantCommissionBps', commissionBps);
	}

	return {
		field: 'consultantCommissionBps',
		reason: 'commission_without_consultant',
		message:
			`consultantCommissionBps ${commissionBps} must be null or 0 ` +
			'because the case has no consultant.'
	};
}

/**
 * Validates a fee agreement and returns its problems, at most one per field, or an empty list
 * when it is valid. Each field must be an integer from 0 to 10000 basis points. The commission
 * must be null or 0 when the case has no consultant, and must not exceed
 * maxConsultantCommissionBps. That limit is checked only once the other checks pass.
 */
export function validateFeeAgreement(
	agreement: FeeAgreement,
	context: FeeAgreementContext
): FeeAgreementProblem[] {
	const checks = [
		checkBasisPoints('feeBps', agreement.feeBps),
		checkBasisPoints('partnerShareBps', agreement.partnerShareBps),
		checkCommission(agreement.consultantCommissionBps ?? 0, context)
	];
	const problems = checks.filter((problem) => problem !== null);

	if (problems.length > 0) return problems;

	const limitProblem = checkCommissionLimit(agreement);

	return limitProblem ? [limitProblem] : [];
}
