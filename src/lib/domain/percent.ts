import { BPS_PER_WHOLE, formatBps } from './fee-agreement';

export type PercentLocale = 'pt-BR' | 'en';

export type PercentParseError = 'empty' | 'format' | 'precision' | 'out_of_range';

export type PercentParseResult =
	{ ok: true; bps: number } | { ok: false; reason: PercentParseError };

const DECIMAL_SEPARATORS: Record<PercentLocale, string> = { 'pt-BR': ',', en: '.' };

/**
 * Parses a typed percentage from 0 to 100 with at most two decimals into basis points:
 * "30" is 3000, "12,5" and "12.5" are 1250, "0,01%" is 1. Either decimal separator is
 * accepted in both languages, because a number from 0 to 100 has no thousands group that
 * could be confused with it. Works on the digits as text, so no floating-point rounding.
 */
export function parsePercentToBps(input: string): PercentParseResult {
	const trimmed = input.trim().replace(/\s*%$/, '');

	if (trimmed === '') return { ok: false, reason: 'empty' };

	const match = /^(\d+)(?:[.,](\d+))?$/.exec(trimmed);

	if (match === null) return { ok: false, reason: 'format' };

	const whole = (match[1] ?? '').replace(/^0+(?=\d)/, '');
	const fraction = match[2] ?? '';

	if (fraction.length > 2) return { ok: false, reason: 'precision' };

	// More than three whole digits exceeds 100% with any fraction.
	if (whole.length > 3) return { ok: false, reason: 'out_of_range' };

	const bps = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));

	if (bps > BPS_PER_WHOLE) return { ok: false, reason: 'out_of_range' };

	return { ok: true, bps };
}

/**
 * Formats basis points as a percentage with the language's decimal separator and without
 * trailing zeros: 1250 is "12,5%" in pt-BR and "12.5%" in en.
 */
export function formatPercent(bps: number, locale: PercentLocale): string {
	return formatBps(bps).replace('.', DECIMAL_SEPARATORS[locale]);
}

/** Formats basis points as the text of a percentage input, without the % sign: 1250 as "12,5". */
export function formatPercentInput(bps: number, locale: PercentLocale): string {
	return formatPercent(bps, locale).slice(0, -1);
}
