import type { DocumentResult } from './document';

const CPF_LENGTH = 11;

/** Removes dots, hyphens, slashes and spaces, and keeps every other character for validation. */
export function normalizeCpf(input: string): string {
	return input.replace(/[.\-/ ]/g, '');
}

/**
 * Computes one CPF check digit over `digits`. Weights run down to 2 from `digits.length + 1`,
 * so the first digit uses the 9 base digits and the second uses those plus the first digit.
 */
function computeCpfCheckDigit(digits: string): number {
	let sum = 0;

	for (let i = 0; i < digits.length; i++) {
		sum += Number(digits.charAt(i)) * (digits.length + 1 - i);
	}

	const remainder = sum % 11;

	return remainder < 2 ? 0 : 11 - remainder;
}

/** Validates a CPF and returns it normalized to 11 digits. */
export function validateCpf(input: string): DocumentResult {
	const value = normalizeCpf(input);

	if (value === '') return { ok: false, reason: 'empty' };

	if (!/^\d+$/.test(value)) return { ok: false, reason: 'characters' };

	if (value.length !== CPF_LENGTH) return { ok: false, reason: 'length' };

	// Numbers such as 111.111.111-11 pass the check digits, so they are rejected separately.
	if (/^(\d)\1*$/.test(value)) return { ok: false, reason: 'repeated' };

	const first = computeCpfCheckDigit(value.slice(0, 9));
	const second = computeCpfCheckDigit(value.slice(0, 9) + String(first));

	if (value.slice(9) !== `${first}${second}`) return { ok: false, reason: 'check_digits' };

	return { ok: true, value };
}

/** Formats a CPF as 000.000.000-00, or returns input of any other length unchanged. */
export function formatCpf(value: string): string {
	if (value.length !== CPF_LENGTH) return value;

	return `${value.slice(0, 3)}.${value.slice(3, 6)}.${value.slice(6, 9)}-${value.slice(9)}`;
}
