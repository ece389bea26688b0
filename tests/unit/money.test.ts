import { describe, expect, it } from 'vitest';

import {
	formatCents,
	isValidCents,
	MAX_CENTS,
	parseMoneyToCents,
	type MoneyLocale,
	type MoneyParseError
} from '../../src/lib/domain/money';

describe('MAX_CENTS', () => {
	it('is R$ 100 billion', () => {
		expect(MAX_CENTS).toBe(100_000_000_000 * 100);
	});

	it('is a safe integer', () => {
		expect(Number.isSafeInteger(MAX_CENTS)).toBe(true);
	});
});

describe('formatCents', () => {
	it.each([
		[0, 'R$ 0,00', 'R$ 0.00'],
		[1, 'R$ 0,01', 'R$ 0.01'],
		[5, 'R$ 0,05', 'R$ 0.05'],
		[10, 'R$ 0,10', 'R$ 0.10'],
		[99, 'R$ 0,99', 'R$ 0.99'],
		[100, 'R$ 1,00', 'R$ 1.00'],
		[12_345, 'R$ 123,45', 'R$ 123.45'],
		[99_999, 'R$ 999,99', 'R$ 999.99'],
		[100_000, 'R$ 1.000,00', 'R$ 1,000.00'],
		[123_456, 'R$ 1.234,56', 'R$ 1,234.56'],
		[100_000_001, 'R$ 1.000.000,01', 'R$ 1,000,000.01'],
		[MAX_CENTS, 'R$ 100.000.000.000,00', 'R$ 100,000,000,000.00'],
		[Number.MAX_SAFE_INTEGER, 'R$ 90.071.992.547.409,91', 'R$ 90,071,992,547,409.91'],
		[-5, '-R$ 0,05', '-R$ 0.05'],
		[-123_456, '-R$ 1.234,56', '-R$ 1,234.56'],
		[-0, 'R$ 0,00', 'R$ 0.00']
	])('formats %d', (cents, ptBr, en) => {
		expect(formatCents(cents, 'pt-BR')).toBe(ptBr);
		expect(formatCents(cents, 'en')).toBe(en);
	});

	it('uses a plain space', () => {
		expect(formatCents(100, 'pt-BR').charAt(2)).toBe('\u0020');
	});

	it('matches Intl apart from space', () => {
		const intl = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' });

		for (const cents of [1, 99, 123_456, 100_000_001]) {
			const expected = intl.format(cents / 100).replace(/\s/g, ' ');

			expect(formatCents(cents, 'pt-BR'), String(cents)).toBe(expected);
		}
	});

	it.each([0.5, 1.25, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])(
		'throws for %d',
		(cents) => {
			expect(() => formatCents(cents, 'pt-BR')).toThrow(RangeError);
		}
	);
});

describe('parseMoneyToCents', () => {
	it.each<[string, MoneyLocale, number]>([
		['1234,56', 'pt-BR', 123_456],
		['1.234,56', 'pt-BR', 123_456],
		['R$ 1.234,56', 'pt-BR', 123_456],
		['R$1.234,56', 'pt-BR', 123_456],
		['R$\u00a01.234,56', 'pt-BR', 123_456],
		['  R$ 1.234,56  ', 'pt-BR', 123_456],
		['1234', 'pt-BR', 123_400],
		['1.234', 'pt-BR', 123_400],
		['1.234.567,89', 'pt-BR', 123_456_789],
		['0,01', 'pt-BR', 1],
		['0,5', 'pt-BR', 50],
		['0,07', 'pt-BR', 7],
		['12,3', 'pt-BR', 1230],
		['0', 'pt-BR', 0],
		['0,00', 'pt-BR', 0],
		['007', 'pt-BR', 700],
		['100.000.000.000,00', 'pt-BR', MAX_CENTS],
		['100000000000', 'pt-BR', MAX_CENTS],
		['1,234.56', 'en', 123_456],
		['1234.56', 'en', 123_456],
		['R$ 1,234.56', 'en', 123_456],
		['1,234', 'en', 123_400],
		['0.01', 'en', 1],
		['0.99', 'en', 99],
		['100,000,000,000.00', 'en', MAX_CENTS]
	])('parses %j in %s', (input, locale, cents) => {
		expect(parseMoneyToCents(input, locale)).toEqual({ ok: true, cents });
	});

	it.each<[string, MoneyLocale, MoneyParseError]>([
		['', 'pt-BR', 'empty'],
		['   ', 'pt-BR', 'empty'],
		['\u00a0', 'en', 'empty'],
		['R$', 'pt-BR', 'format'],
		['abc', 'pt-BR', 'format'],
		['1.5', 'pt-BR', 'format'],
		['1234.56', 'pt-BR', 'format'],
		['1.23.456', 'pt-BR', 'format'],
		['1.2345', 'pt-BR', 'format'],
		['12.34,56', 'pt-BR', 'format'],
		['1.234,56,7', 'pt-BR', 'format'],
		['1 234,56', 'pt-BR', 'format'],
		[',50', 'pt-BR', 'format'],
		['1234,', 'pt-BR', 'format'],
		['1,234.56', 'pt-BR', 'format'],
		['1e3', 'pt-BR', 'format'],
		['+5', 'pt-BR', 'format'],
		['5 R$', 'pt-BR', 'format'],
		['US$ 5', 'pt-BR', 'format'],
		['r$ 5', 'pt-BR', 'format'],
		['--5', 'pt-BR', 'format'],
		['-R$ -5', 'pt-BR', 'format'],
		['１２', 'pt-BR', 'format'],
		['1,5', 'en', 'format'],
		['1234,56', 'en', 'format'],
		['1.234,56', 'en', 'format'],
		['1,23,456', 'en', 'format'],
		['1234,567', 'pt-BR', 'precision'],
		['1.234,567', 'pt-BR', 'precision'],
		['0,001', 'pt-BR', 'precision'],
		['1,230', 'pt-BR', 'precision'],
		['1234.567', 'en', 'precision'],
		['-5', 'pt-BR', 'negative'],
		['-0,05', 'pt-BR', 'negative'],
		['-R$ 1.234,56', 'pt-BR', 'negative'],
		['R$ -1.234,56', 'pt-BR', 'negative'],
		['- R$ 5', 'pt-BR', 'negative'],
		['-1,234.56', 'en', 'negative'],
		['100.000.000.000,01', 'pt-BR', 'too_large'],
		['100000000001', 'pt-BR', 'too_large'],
		['999999999999999999999', 'pt-BR', 'too_large'],
		['100,000,000,000.01', 'en', 'too_large']
	])('rejects %j in %s as %s', (input, locale, reason) => {
		expect(parseMoneyToCents(input, locale)).toEqual({ ok: false, reason });
	});

	it('round-trips formatted amounts', () => {
		for (const cents of [1, 7, 99, 100, 123_456, 987_654_321, MAX_CENTS]) {
			for (const locale of ['pt-BR', 'en'] as const) {
				const formatted = formatCents(cents, locale);

				expect(parseMoneyToCents(formatted, locale), formatted).toEqual({ ok: true, cents });
			}
		}
	});
});

describe('isValidCents', () => {
	it.each([1, 2, 99, 123_456, MAX_CENTS - 1, MAX_CENTS])('accepts %d', (cents) => {
		expect(isValidCents(cents)).toBe(true);
	});

	it.each([
		0,
		-0,
		-1,
		0.5,
		1.5,
		MAX_CENTS + 1,
		Number.MAX_SAFE_INTEGER,
		Number.NaN,
		Number.POSITIVE_INFINITY
	])('rejects %d', (cents) => {
		expect(isValidCents(cents)).toBe(false);
	});
});
