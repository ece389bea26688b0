import { describe, expect, it } from 'vitest';

import { formatCnpj, normalizeCnpj, validateCnpj } from '../../src/lib/domain/cnpj';

describe('normalizeCnpj', () => {
	it.each([
		['11.222.333/0001-81', '11222333000181'],
		['11 222 333 0001 81', '11222333000181'],
		['12.abc.345/01de-35', '12ABC34501DE35'],
		['12.ABC.345/01DE-35', '12ABC34501DE35'],
		['12_ABC', '12_ABC'],
		['', '']
	])('normalizes %j', (input, expected) => {
		expect(normalizeCnpj(input)).toBe(expected);
	});

	it('upper-cases ASCII letters only', () => {
		expect(normalizeCnpj('ßa')).toBe('ßA');
	});
});

describe('validateCnpj', () => {
	// 11.222.333/0001-81 by hand: first digit sum 102, 102 mod 11 = 3, 11 - 3 = 8.
	// Second digit sum 120, 120 mod 11 = 10, 11 - 10 = 1.
	// 12.ABC.345/01DE-35 by hand, with A = 17 ... E = 21: first digit sum 459,
	// 459 mod 11 = 8, 11 - 8 = 3. Second digit sum 424, 424 mod 11 = 6, 11 - 6 = 5.
	it.each([
		['11.222.333/0001-81', '11222333000181'],
		['11222333000181', '11222333000181'],
		['12.345.678/0001-95', '12345678000195'],
		['00.000.000/0001-91', '00000000000191'],
		['19.100.000/0001-91', '19100000000191'],
		// Remainders 1 and 1, then 0 and 0, then 10 and 0: digits 00, 00 and 10.
		['11.222.333/0028-00', '11222333002800'],
		['11.222.333/0019-00', '11222333001900'],
		['11.222.333/0027-10', '11222333002710'],
		['12.ABC.345/01DE-35', '12ABC34501DE35'],
		['12.abc.345/01de-35', '12ABC34501DE35'],
		['AB.CDE.FGH/IJKL-80', 'ABCDEFGHIJKL80'],
		['00.000.000/00A0-41', '0000000000A041'],
		['11.222.333/000A-96', '11222333000A96']
	])('accepts valid %j', (input, value) => {
		expect(validateCnpj(input)).toEqual({ ok: true, value });
	});

	it.each([
		['', 'empty'],
		['  ', 'empty'],
		['./-', 'empty'],
		['1122233300018', 'length'],
		['112223330001810', 'length'],
		['12ABC', 'length'],
		['11.222.333/0001-8_', 'characters'],
		['11.222.333\\0001-81', 'characters'],
		['12.ÁBC.345/01DE-35', 'characters'],
		['12.ßC.345/01DE-35', 'characters'],
		['12.ABC.345/01DE-3A', 'characters'],
		['12.ABC.345/01DE-AB', 'characters'],
		['00.000.000/0000-00', 'repeated'],
		['11111111111111', 'repeated'],
		['11.222.333/0001-82', 'check_digits'],
		['11.222.333/0001-18', 'check_digits'],
		['12.ABC.345/01DE-53', 'check_digits'],
		['12.ABD.345/01DE-35', 'check_digits'],
		['12.ABC.345/01DF-35', 'check_digits']
	])('rejects %j as %s', (input, reason) => {
		expect(validateCnpj(input)).toEqual({ ok: false, reason });
	});

	it('rejects every neighbor substitution', () => {
		const valid = '12ABC34501DE35';

		for (let i = 0; i < valid.length; i++) {
			const code = valid.charCodeAt(i);
			const neighbor = valid.charAt(i) === '9' || valid.charAt(i) === 'Z' ? code - 1 : code + 1;
			const changed = valid.slice(0, i) + String.fromCharCode(neighbor) + valid.slice(i + 1);

			expect(validateCnpj(changed), changed).toEqual({ ok: false, reason: 'check_digits' });
		}
	});

	// 'B' is worth 18 and '7' is worth 7, so the swap changes each weighted sum by a multiple
	// of 11 and leaves both check digits as they were. The algorithm cannot detect it.
	it('misses substitutions differing by 11', () => {
		expect(validateCnpj('12A7C34501DE35')).toEqual({ ok: true, value: '12A7C34501DE35' });
	});
});

describe('formatCnpj', () => {
	it('formats numeric CNPJ', () => {
		expect(formatCnpj('11222333000181')).toBe('11.222.333/0001-81');
	});

	it('keeps letters in place', () => {
		expect(formatCnpj('12ABC34501DE35')).toBe('12.ABC.345/01DE-35');
	});

	it.each(['', '1122233300018', '112223330001810'])('returns %j unchanged', (value) => {
		expect(formatCnpj(value)).toBe(value);
	});
});
