import { TRPCClientError } from '@trpc/client';

import { maxConsultantCommissionBps } from '$lib/domain/fee-agreement';
import { MAX_CENTS, parseMoneyToCents, type MoneyParseError } from '$lib/domain/money';
import { formatPercent, parsePercentToBps, type PercentParseError } from '$lib/domain/percent';
import { formatMoney } from '$lib/format';
import { toFormErrors, type FormErrors } from '$lib/form-errors';
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';

/** Max monthly installments per request, as MAX_INSTALLMENTS in the transactions router. */
export const MAX_INSTALLMENTS = 120;

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** Parses a typed amount in the current language into cents from 1 to MAX_CENTS. */
export function checkMoney(text: string): Checked<number> {
	const result = parseMoneyToCents(text, getLocale());
	if (!result.ok) return { ok: false, message: moneyMessage(result.reason) };

	if (result.cents < 1) return { ok: false, message: m.issue_money_positive() };

	return { ok: true, value: result.cents };
}

function moneyMessage(reason: MoneyParseError): string {
	switch (reason) {
		case 'empty':
			return m.issue_required();
		case 'format':
			return m.issue_money_format();
		case 'precision':
			return m.issue_decimals();
		case 'negative':
			return m.issue_money_positive();
		case 'too_large':
			return m.issue_money_too_large({ max: formatMoney(MAX_CENTS) });
	}
}

/** Parses a typed percentage (0 to 100, two decimals at most) into basis points. */
export function checkPercent(text: string): Checked<number> {
	const result = parsePercentToBps(text);
	if (result.ok) return { ok: true, value: result.bps };

	return { ok: false, message: percentMessage(result.reason) };
}

function percentMessage(reason: PercentParseError): string {
	switch (reason) {
		case 'empty':
			return m.issue_required();
		case 'format':
			return m.issue_percent_format();
		case 'precision':
			return m.issue_decimals();
		case 'out_of_range':
			return m.issue_percent_range();
	}
}

interface LedgerIssue {
	field: string;
	code: string;
}

/** The fee and partner share that were sent, to name the commission limit they allow. */
export interface SentAgreement {
	feeBps?: number;
	partnerShareBps?: number;
}

/**
 * Turns a failed ledger call into translated form messages. The ledger routers reject with
 * reason codes that the shared translation does not know (`office_share_negative`,
 * `value_type`, `before_from`, ...) and with English messages, so those are mapped here.
 */
export function toLedgerFormErrors(error: unknown, sent?: SentAgreement): FormErrors {
	const errors = toFormErrors(error);
	if (!(error instanceof TRPCClientError)) return errors;

	const issues = (error.data as { issues?: LedgerIssue[] | null } | undefined)?.issues ?? [];
	for (const issue of issues) {
		const message = ledgerIssueMessage(issue, sent);
		if (message) errors.fields[issue.field] = message;
	}
	return errors;
}

function ledgerIssueMessage(issue: LedgerIssue, sent: SentAgreement | undefined): string | null {
	const { field, code } = issue;
	const outOfBounds = ['too_small', 'too_big', 'out_of_range', 'not_integer'].includes(code);

	if (code === 'office_share_negative') return commissionTooHigh(sent);
	if (code === 'commission_without_consultant') return m.issue_commission_without_consultant();
	if (code === 'value_type') return m.issue_value_type_not_accepted();
	if (code === 'before_from') return m.issue_to_before_from();
	if (code === 'range_too_long') return m.issue_range_too_long();
	if (field.endsWith('Bps') && outOfBounds) return m.issue_percent_range();
	if (field === 'count' && code === 'out_of_range') return m.issue_installments_after_9999();
	if (field === 'count' && outOfBounds) {
		return m.issue_count_range({ min: '1', max: String(MAX_INSTALLMENTS) });
	}
	if (field.endsWith('Cents') && code === 'too_big') {
		return m.issue_money_too_large({ max: formatMoney(MAX_CENTS) });
	}
	if (field.endsWith('Cents') && code === 'too_small') return m.issue_money_positive();

	return null;
}

function commissionTooHigh(sent: SentAgreement | undefined): string {
	if (sent?.feeBps === undefined || sent.partnerShareBps === undefined) {
		return m.issue_commission_too_high();
	}

	const max = maxConsultantCommissionBps(sent.feeBps, sent.partnerShareBps);
	return m.issue_commission_too_high_max({ max: formatPercent(max, getLocale()) });
}
