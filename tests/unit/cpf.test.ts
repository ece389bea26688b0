import { describe, expect, it } from 'vitest';

import { formatCpf, normalizeCpf, validateCpf } from '../../src/lib/domain/cpf';

describe('normalizeCpf', () => {
	it.each([
		['529.982.247-25', '52998224725'],
		['529 982 247 25', '52998224725'],
		['529/982/247-25', '52998224725'],
		['52998224725', '52998224725'],
		['529.982.247-2a', '5299822472a'],
		['\t529982247 25', '\t52998224725'],
		['', '']
	])('normalizes %j', (input, expected) => {
		expect(normalizeCpf(input)).toBe(expected);
	});
});

describe('validateCpf', () => {
	// 529.982.247-25 by hand: first digit sum 295, 295 mod 11 = 9, 11 - 9 = 2.
	// Second digit sum 347, 347 mod 11 = 6, 11 - 6 = 5.
	it.each([
		['529.982.247-25', '52998224725'],
		['52998224725', '52998224725'],
		['123.456.789-09', '12345678909'],
		['000.000.001-91', '00000000191'],
		['987.654.321-00', '98765432100'],
		['111.444.777-35', '11144477735'],
		['390.533.447-05', '39053344705'],
		// Remainders 1 and 1, so both digits are 0: sums 144 and 166.
		['123.456.100-00', '12345610000'],
		['123.456.010-00', '12345601000'],
		['123.456.001-10', '12345600110'],
		[' 390 533 447 05 ', '39053344705']
	])('accepts valid %j', (input, value) => {
		expect(validateCpf(input)).toEqual({ ok: true, value });
	});

	it.each([
		['', 'empty'],
		['   ', 'empty'],
		['..-/', 'empty'],
		['5299822472', 'length'],
		['529982247250', 'length'],
		['1', 'length'],
		['529.982.247-2X', 'characters'],
		['529,982,247-25', 'characters'],
		['\t52998224725', 'characters'],
		['５２９９８２２４７２５', 'characters'],
		['000.000.000-00', 'repeated'],
		['111.111.111-11', 'repeated'],
		['99999999999', 'repeated'],
		['529.982.247-26', 'check_digits'],
		['529.982.247-15', 'check_digits'],
		['529.982.248-25', 'check_digits'],
		['123.456.789-00', 'check_digits']
	])('rejects %j as %s', (input, reason) => {
		expect(validateCpf(input)).toEqual({ ok: false, reason });
	});

	it('rejects every single-digit change', () => {
		const valid = '52998224725';

		for (let i = 0; i < valid.length; i++) {
			const digit = Number(valid.charAt(i));
			const changed = valid.slice(0, i) + String((digit + 1) % 10) + valid.slice(i + 1);

			expect(validateCpf(changed), changed).toEqual({ ok: false, reason: 'check_digits' });
		}
	});
});

describe('formatCpf', () => {
	it('formats 11 digits', () => {
		expect(formatCpf('52998224725')).toBe('529.982.247-25');
	});

	it('keeps leading zeros', () => {
		expect(formatCpf('00000000191')).toBe('000.000.001-91');
	});

	it.each(['', '5299822472', '529982247250'])('returns %j unchanged', (value) => {
		expect(formatCpf(value)).toBe(value);
	});
});
