/**
 * Splits a date range into the whole calendar months it covers and the days left over at
 * each end, so that whole months can be read from monthly sums.
 */

/** A range of days, YYYY-MM-DD, both inclusive. */
export interface DayRange {
	from: string;
	to: string;
}

export interface MonthSpan {
	/** First and last whole month (YYYY-MM), both inclusive, or null when none is whole. */
	months: { first: string; last: string } | null;
	/** The days outside the whole months: none, one or two ranges, in date order. */
	days: DayRange[];
}

const MS_PER_DAY = 86_400_000;
const MONTH = /^\d{4}-\d{2}$/;

function shiftDay(iso: string, days: number): string {
	return new Date(Date.parse(`${iso}T00:00:00Z`) + days * MS_PER_DAY).toISOString().slice(0, 10);
}

function shiftMonth(month: string, months: number): string {
	const [year, number] = month.split('-').map(Number) as [number, number];
	// setUTCFullYear, because Date.UTC reads years 0 to 99 as 1900 to 1999.
	const date = new Date(0);
	date.setUTCFullYear(year, number - 1 + months, 1);
	return date.toISOString().slice(0, 7);
}

/** Returns the last day (YYYY-MM-DD) of `month` (YYYY-MM). */
export function lastDayOfMonth(month: string): string {
	return shiftDay(`${shiftMonth(month, 1)}-01`, -1);
}

/**
 * Splits `from`..`to` (valid YYYY-MM-DD dates, `from` <= `to`) into whole months and leftover
 * days. For 2026-01-15..2026-04-30 that is the months 2026-02 to 2026-04 and the days
 * 2026-01-15..2026-01-31.
 */
export function splitIntoMonths(from: string, to: string): MonthSpan {
	const first = from.endsWith('-01') ? from.slice(0, 7) : shiftMonth(from.slice(0, 7), 1);
	const last =
		to === lastDayOfMonth(to.slice(0, 7)) ? to.slice(0, 7) : shiftMonth(to.slice(0, 7), -1);
	// Past December 9999 or before January 0000 a month has no YYYY-MM form, so none is whole.
	const inRange = MONTH.test(first) && MONTH.test(last);
	if (!inRange || first > last) return { months: null, days: [{ from, to }] };

	const days: DayRange[] = [];
	const firstDay = `${first}-01`;
	if (from < firstDay) days.push({ from, to: shiftDay(firstDay, -1) });
	const lastDay = lastDayOfMonth(last);
	if (to > lastDay) days.push({ from: shiftDay(lastDay, 1), to });
	return { months: { first, last }, days };
}
