import { BPS_PER_WHOLE, isBasisPoints, type FeeAgreement } from './fee-agreement';

export const ACTION_TYPES = [
	'civil',
	'labor',
	'administrative_social_security',
	'social_security_back_pay',
	'social_security_rpv_court_order'
] as const;

export type ActionType = (typeof ACTION_TYPES)[number];

export const VALUE_TYPES = [
	'provided_amount',
	'remaining_amount',
	'rpv',
	'court_order',
	'procedural_costs',
	'monthly_installment'
] as const;

export type ValueType = (typeof VALUE_TYPES)[number];

/** Largest gross payment in cents, R$ 100.000.000.000,00. */
export const MAX_GROSS_CENTS = 10_000_000_000_000;

// Listed in VALUE_TYPES order, so rejection messages always show the same order.
const ACCEPTED_VALUE_TYPES: Record<ActionType, readonly ValueType[]> = {
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

/** Returns the value types that payments on `actionType` may have, or [] for an unknown type. */
export function acceptedValueTypes(actionType: ActionType): readonly ValueType[] {
	if (!Object.hasOwn(ACCEPTED_VALUE_TYPES, actionType)) return [];

	return ACCEPTED_VALUE_TYPES[actionType];
}

export interface SplitInput {
	actionType: ActionType;
	valueType: ValueType;
	/** Payment received in cents, an integer from 1 to MAX_GROSS_CENTS. */
	grossCents: number;
	/** Agreement that passed validateFeeAgreement. */
	agreement: FeeAgreement;
}

/**
 * Shares of one payment in cents, which add up to the gross exactly, and the basis points
 * applied. On procedural costs and monthly installments the whole gross counts as fees, so
 * feeBps is 10000 there. consultantCommissionBps is 0 wherever no commission applies.
 */
export interface Split {
	clientCents: number;
	officeCents: number;
	partnerCents: number;
	consultantCents: number;
	feeBps: number;
	partnerShareBps: number;
	consultantCommissionBps: number;
}

export type SplitResult =
	| { ok: true; split: Split }
	| {
			ok: false;
			reason: 'value_type' | 'gross';
			message: string;
			/** Value types that the action type accepts, set when reason is 'value_type'. */
			accepted?: readonly ValueType[];
	  };

type AppliedRates = Pick<Split, 'feeBps' | 'partnerShareBps' | 'consultantCommissionBps'>;

/**
 * Returns the rates that apply to one value type. Awarded amounts pay the agreed fee, and
 * remaining amounts carry no commission. Procedural costs and monthly installments go to
 * office and partner in full, so their fee is 100%. Procedural costs carry no commission.
 */
function selectRates(valueType: ValueType, agreement: FeeAgreement): AppliedRates {
	const partnerShareBps = agreement.partnerShareBps;
	const commissionBps = agreement.consultantCommissionBps ?? 0;

	switch (valueType) {
		case 'provided_amount':
		case 'rpv':
		case 'court_order':
			return { feeBps: agreement.feeBps, partnerShareBps, consultantCommissionBps: commissionBps };
		case 'remaining_amount':
			return { feeBps: agreement.feeBps, partnerShareBps, consultantCommissionBps: 0 };
		case 'procedural_costs':
			return { feeBps: BPS_PER_WHOLE, partnerShareBps, consultantCommissionBps: 0 };
		case 'monthly_installment':
			return { feeBps: BPS_PER_WHOLE, partnerShareBps, consultantCommissionBps: commissionBps };
	}
}

/**
 * Returns gross × rate₁ × rate₂ × … (rates in basis points) rounded half up to the cent. The
 * product runs in BigInt because gross × bps × bps reaches 10^21, past 2^53. The result is
 * at most the gross, so it converts back to a safe integer.
 */
function computeShareCents(grossCents: number, ratesBps: readonly number[]): number {
	let numerator = BigInt(grossCents);
	let denominator = 1n;

	for (const bps of ratesBps) {
		numerator *= BigInt(bps);
		denominator *= BigInt(BPS_PER_WHOLE);
	}

	return Number((numerator + denominator / 2n) / denominator);
}

function rejectValueType(actionType: ActionType, valueType: ValueType): SplitResult {
	const accepted = acceptedValueTypes(actionType);

	if (accepted.length === 0) {
		return {
			ok: false,
			reason: 'value_type',
			message:
				`Action type ${actionType} is unknown. ` +
				`Known action types: ${ACTION_TYPES.join(', ')}.`,
			accepted
		};
	}

	return {
		ok: false,
		reason: 'value_type',
		message:
			`Value type ${valueType} is not accepted for action type ${actionType}. ` +
			`Accepted value types: ${accepted.join(', ')}.`,
		accepted
	};
}

function checkGross(grossCents: number): SplitResult | null {
	if (!Number.isInteger(grossCents)) {
		return {
			ok: false,
			reason: 'gross',
			message: `grossCents ${grossCents} is not an integer. Amounts are whole cents.`
		};
	}

	if (grossCents < 1 || grossCents > MAX_GROSS_CENTS) {
		return {
			ok: false,
			reason: 'gross',
			message:
				`grossCents ${grossCents} is out of range. ` +
				`It must be from 1 to ${MAX_GROSS_CENTS} cents.`
		};
	}

	return null;
}

// Rates outside 0 to 10000 bps give negative shares, for example a 120% fee leaves the client
// -20% of the gross. validateFeeAgreement rejects such rates, so one here is a caller bug.
function assertRatesInRange(agreement: FeeAgreement): void {
	const fields = {
		feeBps: agreement.feeBps,
		partnerShareBps: agreement.partnerShareBps,
		consultantCommissionBps: agreement.consultantCommissionBps ?? 0
	};

	for (const [field, value] of Object.entries(fields)) {
		if (isBasisPoints(value)) continue;

		throw new RangeError(
			`${field} ${value} is invalid. Rates must be integers from 0 to 10000 basis points, ` +
				'so check the agreement with validateFeeAgreement before splitting payments.'
		);
	}
}

/**
 * Splits one payment among client, office, partner and consultant. Rejects a value type that
 * the action type does not accept, then a gross that is not an integer from 1 to
 * MAX_GROSS_CENTS. Throws RangeError when an agreement rate is outside 0 to 10000 bps.
 *
 * Each share is rounded half up from its exact fraction of the gross: fees = gross × fee,
 * partner = gross × fee × partner share, consultant = gross × commission. The client gets
 * gross − fees, and the office gets the rest, so the shares always add up to the gross.
 */
export function splitPayment(input: SplitInput): SplitResult {
	const { actionType, valueType, grossCents, agreement } = input;

	if (!acceptedValueTypes(actionType).includes(valueType)) {
		return rejectValueType(actionType, valueType);
	}

	const grossProblem = checkGross(grossCents);

	if (grossProblem) return grossProblem;

	assertRatesInRange(agreement);

	const rates = selectRates(valueType, agreement);
	const feesCents = computeShareCents(grossCents, [rates.feeBps]);
	const partnerCents = computeShareCents(grossCents, [rates.feeBps, rates.partnerShareBps]);
	const uncappedConsultantCents = computeShareCents(grossCents, [rates.consultantCommissionBps]);

	// The commission is paid out of the office's share, so the consultant gets at most what the
	// partner leaves of the fees. That is never negative, because partner ≤ fees before rounding
	// and rounding half up keeps the order. A valid agreement leaves the office a non-negative
	// share in exact arithmetic, but three shares rounded separately can overshoot by one cent.
	// For example, 4 cents at a 30% fee, 50% partner share and 15% commission round to fees 1,
	// partner 1 and consultant 1. The cap takes that cent from the consultant, and it also
	// limits a commission above maxConsultantCommissionBps.
	const consultantCents = Math.min(uncappedConsultantCents, feesCents - partnerCents);

	return {
		ok: true,
		split: {
			clientCents: grossCents - feesCents,
			officeCents: feesCents - partnerCents - consultantCents,
			partnerCents,
			consultantCents,
			...rates
		}
	};
}
