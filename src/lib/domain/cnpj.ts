import type { DocumentResult } from './document';

const CNPJ_LENGTH = 14;

const FIRST_CHECK_WEIGHTS = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
const SECOND_CHECK_WEIGHTS = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];

/**
 * Removes dots, slashes, hyphens and spaces, and upper-cases ASCII letters only. Full
 * `toUpperCase` would turn 'ß' into 'SS' and let a non-ASCII character pass as letters.
 */
export function normalizeCnpj(input: string): string {
	return input.replace(/[.\-/ ]/g, '').replace(/[a-z]/g, (letter) => letter.toUpperCase());
}

/**
 * Computes one CNPJ check digit. Each character is worth its ASCII code minus 48, so '0'..'9'
 * are 0..9 and 'A'..'Z' are 17..42, which covers both the numeric and the alphanumeric CNPJ.
 */
function computeCnpjCheckDigit(characters: string, weights: readonly number[]): number {
	let sum = 0;

	weights.forEach((weight, i) => {
		sum += (characters.charCodeAt(i) - 48) * weight;
	});

	const remainder = sum % 11;

	return remainder < 2 ? 0 : 11 - remainder;
}

/**
 * Validates a CNPJ and returns it normalized: 12 letters or digits, then 2 check digits.
 * Letters are accepted in the base for the alphanumeric CNPJ issued from July 2026.
 */
export function validateCnpj(input: string): DocumentResult {
	const value = normalizeCnpj(input);

	if (value === '') return { ok: false, reason: 'empty' };

	if (!/^[0-9A-Z]+$/.test(value)) return { ok: false, reason: 'characters' };

	if (value.length !== CNPJ_LENGTH) return { ok: false, reason: 'length' };

	if (!/^\d\d$/.test(value.slice(12))) return { ok: false, reason: 'characters' };

	// One repeated character, as in 00.000.000/0000-00, can pass the check digits.
	if (/^(.)\1*$/.test(value)) return { ok: false, reason: 'repeated' };

	const first = computeCnpjCheckDigit(value.slice(0, 12), FIRST_CHECK_WEIGHTS);
	const second = computeCnpjCheckDigit(value.slice(0, 12) + String(first), SECOND_CHECK_WEIGHTS);

	if (value.slice(12) !== `${first}${second}`) return { ok: false, reason: 'check_digits' };

	return { ok: true, value };
}

/** Formats a CNPJ as 00.000.000/0000-00, or returns input of any other length unchanged. */
export function formatCnpj(value: string): string {
	if (value.length !== CNPJ_LENGTH) return value;

	const root = `${value.slice(0, 2)}.${value.slice(2, 5)}.${value.slice(5, 8)}`;

	return `${root}/${value.slice(8, 12)}-${value.slice(12)}`;
}
