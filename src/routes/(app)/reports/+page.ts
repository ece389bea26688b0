import { TRPCClientError } from '@trpc/client';

import { isIsoDate, todayIso } from '$lib/domain/dates';
import { firstPageHref, loadOrFail } from '$lib/load-helpers';
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
	if (dateIssues.length > 0) {
		return { from, to, report: null, issues: dateIssues, firstHref: null };
	}

	const cursor = params.get('cursor') || undefined;
	const api = trpc(event);
	return loadOrFail(event.url, async () => {
		try {
			const report = await api.reports.period.query({ from, to, cursor });
			return { from, to, report, issues: [], firstHref: firstPageHref(event.url) };
		} catch (cause) {
			const issues = rangeIssues(cause);
			if (!issues) throw cause;

			return { from, to, report: null, issues, firstHref: null };
		}
	});
};

/** Returns the issues of a rejected range (end before start, longer than 10 years), or null. */
function rangeIssues(cause: unknown): RangeIssue[] | null {
	if (!(cause instanceof TRPCClientError) || cause.data?.code !== 'BAD_REQUEST') return null;

	const issues = (cause.data as { issues?: RangeIssue[] | null }).issues ?? [];
	// A broken cursor is not a field the form can show, so it keeps loadOrFail's 400 page.
	if (issues.length === 0 || issues.some((issue) => issue.field === 'cursor')) return null;
	return issues;
}

/** Returns the last day of the month of a YYYY-MM-DD date. */
function monthEnd(isoDay: string): string {
	const year = Number(isoDay.slice(0, 4));
	const month = Number(isoDay.slice(5, 7));
	const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
	return `${isoDay.slice(0, 8)}${String(lastDay).padStart(2, '0')}`;
}
