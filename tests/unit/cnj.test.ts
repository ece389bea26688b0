import { describe, expect, it } from 'vitest';

import {
	computeCnjCheckDigits,
	describeCnjError,
	formatCnj,
	normalizeCnj,
	validateCnj,
	type CnjError
} from '../../src/lib/domain/cnj';

type CnjParts = Parameters<typeof computeCnjCheckDigits>;

/** Computes DD with BigInt, a different method from the module's digit-by-digit modulo. */
function checkDigitsByBigInt(body: string): string {
	const remainder = BigInt(`${body}00`) % BigInt(97);

	return String(BigInt(98) - remainder).padStart(2, '0');
}

describe('normalizeCnj', () => {
	it.each([
		['0000001-39.2024.8.26.0100', '00000013920248260100'],
		['0000001 39 2024 8 26 0100', '00000013920248260100'],
		['0000001/39.2024.8.26.0100', '0000001/3920248260100'],
		['', '']
	])('normalizes %j', (input, expected) => {
		expect(normalizeCnj(input)).toBe(expected);
	});
});

describe('computeCnjCheckDigits', () => {
	// 0000001-DD.2024.8.26.0100: 00000012024826010000 mod 97 = 59, and 98 - 59 = 39.
	it.each<[CnjParts, string]>([
		[['0000001', '2024', '8', '26', '0100'], '39'],
		[['1234567', '2019', '4', '03', '0001'], '67'],
		[['0001234', '2023', '5', '02', '0461'], '10'],
		[['9999999', '2025', '1', '00', '0000'], '76'],
		[['0000010', '2024', '8', '26', '0100'], '98'],
		[['0000094', '2024', '8', '26', '0100'], '02']
	])('computes %j as %s', (parts, expected) => {
		expect(computeCnjCheckDigits(...parts)).toBe(expected);
	});

	it('pads numeric parts', () => {
		expect(computeCnjCheckDigits(1, 2024, 8, 26, 100)).toBe('39');
	});

	it('matches BigInt for many sequences', () => {
		for (let sequence = 0; sequence < 2000; sequence += 7) {
			const padded = String(sequence).padStart(7, '0');
			const expected = checkDigitsByBigInt(`${padded}20248260100`);

			expect(computeCnjCheckDigits(padded, '2024', '8', '26', '0100'), padded).toBe(expected);
		}
	});

	it.each<[CnjParts]>([
		[['12345678', '2024', '8', '26', '0100']],
		[['1', '20245', '8', '26', '0100']],
		[['1', '2024', '10', '26', '0100']],
		[['1', '2024', '8', '260', '0100']],
		[['1', '2024', '8', '26', '01000']],
		[['-1', '2024', '8', '26', '0100']],
		[['1', '2024', '8', '26', '01a0']],
		[[1.5, 2024, 8, 26, 100]],
		[[-1, 2024, 8, 26, 100]]
	])('throws for %j', (parts) => {
		expect(() => computeCnjCheckDigits(...parts)).toThrow(RangeError);
	});
});

describe('validateCnj', () => {
	it.each([
		['0000001-39.2024.8.26.0100', '00000013920248260100'],
		['00000013920248260100', '00000013920248260100'],
		['1234567-67.2019.4.03.0001', '12345676720194030001'],
		['0001234-10.2023.5.02.0461', '00012341020235020461'],
		['9999999-76.2025.1.00.0000', '99999997620251000000'],
		['0000010-98.2024.8.26.0100', '00000109820248260100'],
		['0000094-02.2024.8.26.0100', '00000940220248260100'],
		[' 0000001 39 2024 8 26 0100 ', '00000013920248260100']
	])('accepts valid %j', (input, value) => {
		expect(validateCnj(input)).toEqual({ ok: true, value });
	});

	// These pass the bare mod 97 = 1 test (01 in place of 98, 99 in place of 02) but are not
	// the check digits a court computes, so validation rejects them.
	it.each([['0000010-01.2024.8.26.0100'], ['0000094-99.2024.8.26.0100']])(
		'rejects congruent DD %j',
		(input) => {
			expect(validateCnj(input)).toEqual({ ok: false, reason: 'check_digits' });
		}
	);

	it.each([
		['', 'empty'],
		['  ', 'empty'],
		['.-.', 'empty'],
		['0000001-39.2024.8.26.010', 'length'],
		['0000001-39.2024.8.26.01000', 'length'],
		['0000001-39.2024.8.26.010A', 'characters'],
		['0000001/39.2024.8.26.0100', 'characters'],
		['0000001_39.2024.8.26.0100', 'characters'],
		['0000001-39.2024.0.26.0100', 'branch'],
		['0000001-38.2024.8.26.0100', 'check_digits'],
		['0000001-93.2024.8.26.0100', 'check_digits'],
		['0000002-39.2024.8.26.0100', 'check_digits'],
		['0000001-39.2025.8.26.0100', 'check_digits'],
		['0000001-39.2024.5.26.0100', 'check_digits'],
		['0000001-39.2024.8.25.0100', 'check_digits'],
		['0000001-39.2024.8.26.0101', 'check_digits'],
		['0000010-00.2024.8.26.0100', 'check_digits']
	])('rejects %j as %s', (input, reason) => {
		expect(validateCnj(input)).toEqual({ ok: false, reason });
	});

	it('rejects every single-digit change', () => {
		const valid = '00000013920248260100';

		for (let i = 0; i < valid.length; i++) {
			if (i === 13) continue;

			const digit = Number(valid.charAt(i));
			const changed = valid.slice(0, i) + String((digit + 1) % 10) + valid.slice(i + 1);

			expect(validateCnj(changed), changed).toEqual({ ok: false, reason: 'check_digits' });
		}
	});

	it('accepts each branch from 1 to 9', () => {
		for (let branch = 1; branch <= 9; branch++) {
			const dd = computeCnjCheckDigits('0000001', '2024', branch, '26', '0100');
			const value = `0000001${dd}2024${branch}260100`;

			expect(validateCnj(value), value).toEqual({ ok: true, value });
		}
	});
});

describe('formatCnj', () => {
	it('formats 20 digits', () => {
		expect(formatCnj('00000013920248260100')).toBe('0000001-39.2024.8.26.0100');
	});

	it.each(['', '0000001392024826010', '000000139202482601000'])('returns %j unchanged', (value) => {
		expect(formatCnj(value)).toBe(value);
	});
});

describe('describeCnjError', () => {
	it.each<[CnjError, string]>([
		['empty', 'CNJ case number is required'],
		['length', 'CNJ case number must have 20 digits, as in NNNNNNN-DD.AAAA.J.TR.OOOO'],
		['characters', 'CNJ case number may contain only digits, with optional dots and hyphens'],
		['check_digits', 'CNJ case number check digits do not match'],
		['branch', 'CNJ case number judicial branch, the digit after the year, must be from 1 to 9']
	])('describes %s', (reason, message) => {
		expect(describeCnjError(reason)).toBe(message);
	});
});
