import { formatIsoDate } from '$lib/domain/dates';
import { formatCents } from '$lib/domain/money';
import { getLocale } from '$lib/paraglide/runtime';

/** Formats a YYYY-MM-DD date for the current language (dd/mm/aaaa). */
export function formatDate(iso: string | null): string {
	return iso ? formatIsoDate(iso.slice(0, 10), getLocale()) : '';
}

/** Formats a timestamp as its date in São Paulo time, for the current language. */
export function formatTimestampDate(iso: string): string {
	const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Sao_Paulo' }).format(
		new Date(iso)
	);
	return formatIsoDate(day, getLocale());
}

/** Formats integer cents as BRL for the current language (R$ 1.234,56). */
export function formatMoney(cents: number): string {
	return formatCents(cents, getLocale());
}
