/** Calendar days as whole days since 1970-01-01 (UTC), the unit the seed plans dates in. */
import type { Random } from './random';

const MS_PER_DAY = 86_400_000;

export function isoToDay(iso: string): number {
	return Math.round(Date.parse(`${iso}T00:00:00Z`) / MS_PER_DAY);
}

export function dayToIso(day: number): string {
	return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Returns an ISO timestamp on `day` during office hours in São Paulo (12:00 to 21:00 UTC). */
export function timestampOn(day: number, random: Random): string {
	const ms = day * MS_PER_DAY + random.int(12 * 3600, 21 * 3600) * 1000 + random.int(0, 999);
	return new Date(ms).toISOString();
}
