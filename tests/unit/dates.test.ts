import { describe, expect, it } from 'vitest';

import { addMonthsClamped, formatIsoDate, isIsoDate, todayIso } from '../../src/lib/domain/dates';

describe('isIsoDate', () => {
	it.each([
		'2024-02-29',
		'2000-02-29',
		'2025-02-28',
		'2025-01-31',
		'2025-04-30',
		'2025-12-31',
		'1999-01-01',
		'0001-01-01',
		'9999-12-31'
	])('accepts %j', (value) => {
		expect(isIsoDate(value)).toBe(true);
	});

	it.each([
		'2025-02-29',
		'1900-02-29',
		'2100-02-29',
		'2025-04-31',
		'2025-06-31',
		'2025-09-31',
		'2025-11-31',
		'2025-01-32',
		'2025-00-10',
		'2025-13-01',
		'2025-01-00',
		'2025-1-01',
		'2025-01-1',
		'25-01-01',
		'2025/01/01',
		'01/01/2025',
		'2025-01-01T00:00:00Z',
		' 2025-01-01',
		'2025-01-01 ',
		'２０２５-01-01',
		''
	])('rejects %j', (value) => {
		expect(isIsoDate(value)).toBe(false);
	});
});

describe('formatIsoDate', () => {
	it.each([
		['2025-03-07', 'pt-BR', '07/03/2025'],
		['2025-03-07', 'en', '07/03/2025'],
		['2024-12-31', 'pt-BR', '31/12/2024'],
		['2024-02-29', 'en', '29/02/2024']
	] as const)('formats %j in %s', (iso, locale, expected) => {
		expect(formatIsoDate(iso, locale)).toBe(expected);
	});

	it.each(['2025-02-30', 'not a date', ''])('returns %j unchanged', (value) => {
		expect(formatIsoDate(value, 'pt-BR')).toBe(value);
	});
});

describe('todayIso', () => {
	it.each([
		['2025-01-01T02:59:59Z', 'America/Sao_Paulo', '2024-12-31'],
		['2025-01-01T03:00:00Z', 'America/Sao_Paulo', '2025-01-01'],
		['2025-06-15T12:00:00Z', 'America/Sao_Paulo', '2025-06-15'],
		['2025-01-01T02:00:00Z', 'UTC', '2025-01-01'],
		['2024-12-31T15:00:00Z', 'Asia/Tokyo', '2025-01-01'],
		['2024-02-29T23:30:00Z', 'America/Manaus', '2024-02-29'],
		['2024-03-01T03:30:00Z', 'America/Manaus', '2024-02-29']
	])('gives date at %s in %s', (instant, timeZone, expected) => {
		expect(todayIso(timeZone, new Date(instant))).toBe(expected);
	});

	it('defaults to Sao Paulo', () => {
		expect(todayIso(undefined, new Date('2025-01-01T02:00:00Z'))).toBe('2024-12-31');
	});

	it('returns an ISO date now', () => {
		expect(isIsoDate(todayIso())).toBe(true);
	});

	it('throws for unknown zone', () => {
		expect(() => todayIso('Mars/Olympus_Mons')).toThrow(RangeError);
	});
});

describe('addMonthsClamped', () => {
	it.each([
		['2025-01-15', 1, '2025-02-15'],
		['2025-01-31', 1, '2025-02-28'],
		['2024-01-31', 1, '2024-02-29'],
		['2025-01-31', 2, '2025-03-31'],
		['2025-01-31', 3, '2025-04-30'],
		['2025-01-31', 13, '2026-02-28'],
		['2025-03-31', -1, '2025-02-28'],
		['2024-03-31', -1, '2024-02-29'],
		['2025-05-31', 1, '2025-06-30'],
		['2025-12-15', 1, '2026-01-15'],
		['2025-01-15', -1, '2024-12-15'],
		['2025-01-15', -13, '2023-12-15'],
		['2024-02-29', 12, '2025-02-28'],
		['2024-02-29', 48, '2028-02-29'],
		['2025-08-31', 6, '2026-02-28'],
		['2025-06-10', 0, '2025-06-10'],
		['2025-01-31', 120, '2035-01-31'],
		['0001-01-01', -1, '0000-12-01'],
		['9999-11-30', 1, '9999-12-30']
	])('adds to %s %d months', (iso, months, expected) => {
		expect(addMonthsClamped(iso, months)).toBe(expected);
	});

	it('anchors to original day', () => {
		const base = '2025-01-31';
		const dates = [1, 2, 3, 4].map((months) => addMonthsClamped(base, months));

		expect(dates).toEqual(['2025-02-28', '2025-03-31', '2025-04-30', '2025-05-31']);
	});

	it.each([
		['2025-02-30', 1],
		['not a date', 1],
		['2025-01-15', 1.5],
		['2025-01-15', Number.NaN],
		['9999-12-01', 1],
		['0000-01-01', -1]
	])('throws for %j plus %d', (iso, months) => {
		expect(() => addMonthsClamped(iso, months)).toThrow(RangeError);
	});
});
