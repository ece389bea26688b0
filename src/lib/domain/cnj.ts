/**
 * CNJ unified case number (Resolução CNJ 65/2008): NNNNNNN-DD.AAAA.J.TR.OOOO, 20 digits.
 * NNNNNNN is the sequence, DD the check digits, AAAA the filing year, J the judicial branch,
 * TR the court and OOOO the origin unit. DD follows ISO 7064 MOD 97-10.
 */

export type CnjError = 'empty' | 'length' | 'characters' | 'check_digits' | 'branch';

export type CnjResult = { ok: true; value: string } | { ok: false; reason: CnjError };

const CNJ_LENGTH = 20;

/** Width of each part except DD, in the order they enter the check digit computation. */
const PART_WIDTHS = { sequence: 7, year: 4, branch: 1, court: 2, origin: 4 } as const;

/** Removes dots, hyphens and spaces, and keeps every other character for validation. */
export function normalizeCnj(input: string): string {
	return input.replace(/[.\- ]/g, '');
}

/**
 * Computes `digits` mod 97 one digit at a time. The running value stays below 970, so the
 * arithmetic is exact on any length, where Number would lose precision past 2^53.
 */
function mod97(digits: string): number {
	let remainder = 0;

	for (const digit of digits) {
		remainder = (remainder * 10 + Number(digit)) % 97;
	}

	return remainder;
}

/** Pads one part of the number to its width, or throws RangeError if it is not a digit string. */
function padPart(name: keyof typeof PART_WIDTHS, part: string | number): string {
	const width = PART_WIDTHS[name];
	const text = String(part);

	if (!/^\d+$/.test(text) || text.length > width) {
		throw new RangeError(
			`Invalid CNJ ${name} ${JSON.stringify(part)}: expected up to ${width} digits`
		);
	}

	return text.padStart(width, '0');
}

/**
 * Computes the two check digits DD as 98 minus (NNNNNNN AAAA J TR OOOO 00 mod 97).
 * Parts may be numbers or digit strings and are left-padded with zeros to their width.
 * Throws RangeError for a negative, fractional or too-wide part.
 */
export function computeCnjCheckDigits(
	sequence: string | number,
	year: string | number,
	branch: string | number,
	court: string | number,
	origin: string | number
): string {
	const body = [
		padPart('sequence', sequence),
		padPart('year', year),
		padPart('branch', branch),
		padPart('court', court),
		padPart('origin', origin)
	].join('');

	const checkDigits = 98 - mod97(`${body}00`);

	return String(checkDigits).padStart(2, '0');
}

/**
 * Validates a CNJ case number and returns it normalized to 20 digits. The check digits must
 * equal the ones computeCnjCheckDigits gives. This is stricter than testing that
 * NNNNNNN AAAA J TR OOOO DD mod 97 equals 1, which also accepts DD 01 in place of 98 and
 * DD 99 in place of 02, numbers that the courts never issue.
 */
export function validateCnj(input: string): CnjResult {
	const value = normalizeCnj(input);

	if (value === '') return { ok: false, reason: 'empty' };

	if (!/^\d+$/.test(value)) return { ok: false, reason: 'characters' };

	if (value.length !== CNJ_LENGTH) return { ok: false, reason: 'length' };

	if (value.charAt(13) === '0') return { ok: false, reason: 'branch' };

	const expected = String(98 - mod97(`${value.slice(0, 7)}${value.slice(9)}00`)).padStart(2, '0');

	if (value.slice(7, 9) !== expected) return { ok: false, reason: 'check_digits' };

	return { ok: true, value };
}

/** Formats 20 digits as NNNNNNN-DD.AAAA.J.TR.OOOO, or returns any other input unchanged. */
export function formatCnj(value: string): string {
	if (value.length !== CNJ_LENGTH) return value;

	const sequence = `${value.slice(0, 7)}-${value.slice(7, 9)}`;
	const rest = [value.slice(9, 13), value.charAt(13), value.slice(14, 16), value.slice(16)];

	return [sequence, ...rest].join('.');
}

const CNJ_MESSAGES: Record<CnjError, string> = {
	empty: 'CNJ case number is required',
	length: 'CNJ case number must have 20 digits, as in NNNNNNN-DD.AAAA.J.TR.OOOO',
	characters: 'CNJ case number may contain only digits, with optional dots and hyphens',
	check_digits: 'CNJ case number check digits do not match',
	branch: 'CNJ case number judicial branch, the digit after the year, must be from 1 to 9'
};

/** Describes a CNJ case number validation error in English. */
export function describeCnjError(reason: CnjError): string {
	return CNJ_MESSAGES[reason];
}
