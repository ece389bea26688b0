/**
 * An integer count of centavos (R$ 0,01). Plain numbers are exact here because MAX_CENTS,
 * 10^13, is far below Number.MAX_SAFE_INTEGER (2^53 - 1, about 9 * 10^15).
 */
export type Cents = number;

/** Maximum amount in cents: R$ 100.000.000.000,00. */
export const MAX_CENTS: Cents = 10_000_000_000_000;

export type MoneyLocale = 'pt-BR' | 'en';

export type MoneyParseError = 'empty' | 'format' | 'precision' | 'negative' | 'too_large';

export type MoneyParseResult = { ok: true; cents: Cents } | { ok: false; reason: MoneyParseError };

const SEPARATORS: Record<MoneyLocale, { group: string; decimal: string }> = {
	'pt-BR': { group: '.', decimal: ',' },
	en: { group: ',', decimal: '.' }
};

/**
 * Formats cents as R$ 1.234,56 (pt-BR) or R$ 1,234.56 (en), with a leading minus for
 * negatives. The space after R$ is U+0020, where Intl.NumberFormat puts a no-break space.
 * Uses string arithmetic only. Throws RangeError unless `cents` is a safe integer.
 */
export function formatCents(cents: Cents, locale: MoneyLocale): string {
	if (!Number.isSafeInteger(cents)) {
		throw new RangeError(`Invalid amount ${cents}: cents must be a safe integer`);
	}

	const { group, decimal } = SEPARATORS[locale];
	const digits = String(Math.abs(cents)).padStart(3, '0');
	const units = digits.slice(0, -2);
	const fraction = digits.slice(-2);

	const grouped = units.replace(/\B(?=(\d{3})+$)/g, group);
	const sign = cents < 0 ? '-' : '';

	return `${sign}R$ ${grouped}${decimal}${fraction}`;
}

/** Parses an unsigned amount without the currency prefix into its units and fraction digits. */
function splitAmount(
	amount: string,
	locale: MoneyLocale
): { units: string; fraction: string } | null {
	const { group, decimal } = SEPARATORS[locale];
	const groupPattern = `\\${group}`;
	const decimalPattern = `\\${decimal}`;

	// Units are plain digits or groups of three after a 1-3 digit lead. The decimal part needs
	// at least one digit, and its length is checked by the caller so it can report precision.
	const unitsPattern = `(\\d+|\\d{1,3}(?:${groupPattern}\\d{3})+)`;
	const fractionPattern = `(?:${decimalPattern}(\\d+))?`;
	const pattern = new RegExp(`^${unitsPattern}${fractionPattern}$`);
	const match = pattern.exec(amount);

	if (match === null) return null;

	return { units: (match[1] ?? '').split(group).join(''), fraction: match[2] ?? '' };
}

/**
 * Parses a typed amount into cents. pt-BR accepts 1234,56, 1.234,56, R$ 1.234,56 and 1234.
 * en accepts 1,234.56 and 1234.56, with or without R$. Any other shape, such as 1.5 in pt-BR,
 * is rejected as `format` instead of guessed. A minus sign before or after R$ gives `negative`.
 * Zero is accepted, so callers that need a positive amount also check isValidCents.
 */
export function parseMoneyToCents(input: string, locale: MoneyLocale): MoneyParseResult {
	const trimmed = input.trim();

	if (trimmed === '') return { ok: false, reason: 'empty' };

	// \s also matches the no-break space that Intl puts after R$ in copied amounts.
	const match = /^(-?)\s*(?:R\$\s*)?(-?)(.*)$/.exec(trimmed);
	const leadingSign = match?.[1] ?? '';
	const innerSign = match?.[2] ?? '';
	const amount = match?.[3] ?? '';

	if (leadingSign !== '' && innerSign !== '') return { ok: false, reason: 'format' };

	const parts = splitAmount(amount, locale);

	if (parts === null) return { ok: false, reason: 'format' };

	if (parts.fraction.length > 2) return { ok: false, reason: 'precision' };

	if (leadingSign !== '' || innerSign !== '') return { ok: false, reason: 'negative' };

	const digits = (parts.units + parts.fraction.padEnd(2, '0')).replace(/^0+(?=\d)/, '');

	// Compare lengths first so Number() only ever receives at most 14 digits, which is exact.
	if (digits.length > String(MAX_CENTS).length) return { ok: false, reason: 'too_large' };

	const cents = Number(digits);

	if (cents > MAX_CENTS) return { ok: false, reason: 'too_large' };

	return { ok: true, cents };
}

/** Checks that `n` is a storable amount: a safe integer from 1 to MAX_CENTS. */
export function isValidCents(n: number): boolean {
	return Number.isSafeInteger(n) && n >= 1 && n <= MAX_CENTS;
}
