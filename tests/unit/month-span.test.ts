import { describe, expect, it } from 'vitest';

import { lastDayOfMonth, splitIntoMonths } from '$lib/domain/month-span';

describe('splitIntoMonths', () => {
	it.each([
		['2026-11-01', '2026-11-30', { first: '2026-11', last: '2026-11' }, []],
		['2025-12-01', '2026-11-30', { first: '2025-12', last: '2026-11' }, []],
		[
			'2026-01-15',
			'2026-04-30',
			{ first: '2026-02', last: '2026-04' },
			[{ from: '2026-01-15', to: '2026-01-31' }]
		],
		[
			'2026-01-01',
			'2026-03-10',
			{ first: '2026-01', last: '2026-02' },
			[{ from: '2026-03-01', to: '2026-03-10' }]
		],
		[
			'2023-12-31',
			'2024-03-01',
			{ first: '2024-01', last: '2024-02' },
			[
				{ from: '2023-12-31', to: '2023-12-31' },
				{ from: '2024-03-01', to: '2024-03-01' }
			]
		],
		['2024-02-01', '2024-02-29', { first: '2024-02', last: '2024-02' }, []]
	])('splits %s to %s', (from, to, months, days) => {
		expect(splitIntoMonths(from, to)).toEqual({ months, days });
	});

	it.each([
		['2026-11-02', '2026-11-30'],
		['2026-11-01', '2026-11-29'],
		['2026-11-05', '2026-12-20'],
		['2026-11-10', '2026-11-10']
	])('keeps %s to %s as days', (from, to) => {
		expect(splitIntoMonths(from, to)).toEqual({ months: null, days: [{ from, to }] });
	});

	it('judges February by leap year', () => {
		expect(splitIntoMonths('2023-02-01', '2023-02-28').months).toEqual({
			first: '2023-02',
			last: '2023-02'
		});
		expect(splitIntoMonths('2024-02-01', '2024-02-28').months).toBeNull();
	});
});

describe('lastDayOfMonth', () => {
	it.each([
		['2024-02', '2024-02-29'],
		['2023-02', '2023-02-28'],
		['2026-12', '2026-12-31'],
		['2026-04', '2026-04-30']
	])('returns %s end', (month, expected) => {
		expect(lastDayOfMonth(month)).toBe(expected);
	});
});

describe('splitIntoMonths years', () => {
	it('handles two-digit years', () => {
		expect(splitIntoMonths('0050-01-15', '0050-03-31')).toEqual({
			months: { first: '0050-02', last: '0050-03' },
			days: [{ from: '0050-01-15', to: '0050-01-31' }]
		});
	});
});

describe('splitIntoMonths limits', () => {
	it('keeps December 9999 partial', () => {
		expect(splitIntoMonths('9999-12-05', '9999-12-31')).toEqual({
			months: null,
			days: [{ from: '9999-12-05', to: '9999-12-31' }]
		});
	});

	it('spans all four-digit years', () => {
		expect(splitIntoMonths('0001-01-01', '9999-12-31')).toEqual({
			months: { first: '0001-01', last: '9999-12' },
			days: []
		});
	});
});
