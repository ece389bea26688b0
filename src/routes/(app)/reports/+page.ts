import { TRPCClientError } from '@trpc/client';

import { isIsoDate, todayIso } from '$lib/domain/dates';
import { loadOrFail } from '$lib/load-helpers';
import { trpc } from '$lib/trpc/client';

import type { PageLoad } from './$types';

/** A field of the range that the server rejected, with its reason code. */
interface RangeIssue {
	field: string;
	code: string;
}

export const load: PageLoad = async (event) => {
	const params = event.url.searchParams;
	const today = todayIso();
	const from = params.get('from') ?? `${today.slice(0, 8)}01`;
	const to = params.get('to') ?? monthEnd(today);

	const dateIssues = [
		...(isIsoDate(from) ? [] : [{ field: 'from', code: 'date' }]),
		...(isIsoDate(to) ? [] : [{ field: 'to', code: 'date' }])
	];
	if (dateIssues.length > 0) return { from, to, report: null, issues: dateIssues };

	// NOTE: the page lists every payment of the range without paging, so a range of several
	// busy years renders thousands of rows. The downloads are the way to read such ranges.
	const api = trpc(event);
	return loadOrFail(event.url, async () => {
		try {
			return { from, to, report: await api.reports.period.query({ from, to }), issues: [] };
		} catch (cause) {
			const issues = rangeIssues(cause);
			if (!issues) throw cause;

			return { from, to, report: null, issues };
		}
	});
};

/** Returns the issues of a rejected range (end before start, longer than 10 years), or null. */
function rangeIssues(cause: unknown): RangeIssue[] | null {
	if (!(cause instanceof TRPCClientError) || cause.data?.code !== 'BAD_REQUEST') return null;

	const issues = (cause.data as { issues?: RangeIssue[] | null }).issues;
	return issues?.length ? issues : null;
}

/** Returns the last day of the month of a YYYY-MM-DD date. */
function monthEnd(isoDay: string): string {
	const year = Number(isoDay.slice(0, 4));
	const month = Number(isoDay.slice(5, 7));
	const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
	return `${isoDay.slice(0, 8)}${String(lastDay).padStart(2, '0')}`;
}
