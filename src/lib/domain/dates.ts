/** Calendar dates are YYYY-MM-DD strings in the proleptic Gregorian calendar, years 0000-9999. */

export type DateLocale = 'pt-BR' | 'en';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isLeapYear(year: number): boolean {
	return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Returns the number of days in `month` (1-12) of `year`. */
function daysInMonth(year: number, month: number): number {
	if (month === 2) return isLeapYear(year) ? 29 : 28;

	return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Splits a valid ISO date into numbers, or returns null for a malformed or impossible date. */
function parseIsoDate(iso: string): { year: number; month: number; day: number } | null {
	const match = ISO_DATE.exec(iso);

	if (match === null) return null;

	const year = Number(match[1]);
	const month = Number(match[2]);
	const day = Number(match[3]);

	if (month < 1 || month > 12) return null;

	if (day < 1 || day > daysInMonth(year, month)) return null;

	return { year, month, day };
}

function toIsoDate(year: number, month: number, day: number): string {
	const yyyy = String(year).padStart(4, '0');
	const mm = String(month).padStart(2, '0');
	const dd = String(day).padStart(2, '0');

	return `${yyyy}-${mm}-${dd}`;
}

/** Checks that `s` is a YYYY-MM-DD string naming a real calendar date. */
export function isIsoDate(s: string): boolean {
	return parseIsoDate(s) !== null;
}

/**
 * Formats an ISO date as dd/mm/yyyy, or returns the input unchanged if it is not a valid date.
 * Both locales put the day first because the office and its clients are in Brazil, so
 * `locale` does not change the output yet.
 */
export function formatIsoDate(iso: string, locale: DateLocale): string {
	if (!isIsoDate(iso)) return iso;

	return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

/** Returns the calendar date of `now` in `timeZone` as YYYY-MM-DD, using Intl time zone data. */
export function todayIso(timeZone = 'America/Sao_Paulo', now: Date = new Date()): string {
	const formatter = new Intl.DateTimeFormat('en-US', {
		timeZone,
		calendar: 'gregory',
		numberingSystem: 'latn',
		year: 'numeric',
		month: 'numeric',
		day: 'numeric'
	});

	const parts = formatter.formatToParts(now);
	const partValue = (type: Intl.DateTimeFormatPartTypes): number =>
		Number(parts.find((part) => part.type === type)?.value);

	return toIsoDate(partValue('year'), partValue('month'), partValue('day'));
}

/**
 * Adds `months` (negative to subtract) to an ISO date, keeping the day of the month and
 * clamping it to the last day of a shorter month: 2025-01-31 + 1 gives 2025-02-28.
 * Throws RangeError for an invalid date, a fractional count or a result outside 0000-9999.
 */
export function addMonthsClamped(iso: string, months: number): string {
	const date = parseIsoDate(iso);

	if (date === null) throw new RangeError(`Invalid ISO date ${JSON.stringify(iso)}`);

	if (!Number.isSafeInteger(months)) {
		throw new RangeError(`Invalid month count ${months}: expected an integer`);
	}

	const monthIndex = date.year * 12 + (date.month - 1) + months;
	const year = Math.floor(monthIndex / 12);
	const month = monthIndex - year * 12 + 1;

	if (year < 0 || year > 9999) {
		throw new RangeError(`Date ${iso} plus ${months} months falls outside years 0000-9999`);
	}

	return toIsoDate(year, month, Math.min(date.day, daysInMonth(year, month)));
}
