import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
	formatPercent,
	formatPercentInput,
	parsePercentToBps,
	type PercentParseError
} from '../../src/lib/domain/percent';

describe('parsePercentToBps', () => {
	it.each([
		['30', 3000],
		['12,5', 1250],
		['12.5', 1250],
		['12,50', 1250],
		['0,01', 1],
		['0', 0],
		['00', 0],
		['007', 700],
		['100', 10_000],
		['100,00', 10_000],
		[' 10 ', 1000],
		['10%', 1000],
		['33,33 %', 3333]
	])('parses %j as %i', (input, bps) => {
		expect(parsePercentToBps(input)).toEqual({ ok: true, bps });
	});

	it.each<[string, PercentParseError]>([
		['', 'empty'],
		['   ', 'empty'],
		['%', 'empty'],
		['abc', 'format'],
		['-5', 'format'],
		['1e2', 'format'],
		['12,', 'format'],
		[',5', 'format'],
		['1.000,5', 'format'],
		['12,555', 'precision'],
		['0,001', 'precision'],
		['100,01', 'out_of_range'],
		['101', 'out_of_range'],
		['1000', 'out_of_range'],
		['99999999999999999999', 'out_of_range']
	])('rejects %j as %s', (input, reason) => {
		expect(parsePercentToBps(input)).toEqual({ ok: false, reason });
	});

	it('round-trips every basis point', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 10_000 }), fc.boolean(), (bps, portuguese) => {
				const text = formatPercentInput(bps, portuguese ? 'pt-BR' : 'en');
				expect(parsePercentToBps(text)).toEqual({ ok: true, bps });
			})
		);
	});
});

describe('formatPercent', () => {
	it.each([
		[3000, '30%', '30%'],
		[1250, '12,5%', '12.5%'],
		[1, '0,01%', '0.01%'],
		[0, '0%', '0%'],
		[10_000, '100%', '100%']
	])('formats %i', (bps, ptBr, en) => {
		expect(formatPercent(bps, 'pt-BR')).toBe(ptBr);
		expect(formatPercent(bps, 'en')).toBe(en);
	});
});

describe('formatPercentInput', () => {
	it.each([
		[3000, '30'],
		[1250, '12,5'],
		[1234, '12,34'],
		[0, '0']
	])('formats %i without the sign', (bps, text) => {
		expect(formatPercentInput(bps, 'pt-BR')).toBe(text);
	});
});
