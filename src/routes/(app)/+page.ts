import { TRPCClientError } from '@trpc/client';

import { isIsoDate } from '$lib/domain/dates';
import { loadOrFail } from '$lib/load-helpers';
import { trpc } from '$lib/trpc/client';

import type { PageLoad } from './$types';

/** How many open cases the dashboard lists, newest first. */
const RECENT_CASES = 10;

interface PeriodQuery {
	from?: string;
	to?: string;
}

export const load: PageLoad = async (event) => {
	const api = trpc(event);
	const params = event.url.searchParams;
	const typed = { from: params.get('from') ?? '', to: params.get('to') ?? '' };
	// A date that is not a real YYYY-MM-DD counts as absent, so the server's default applies.
	const period: PeriodQuery = {
		from: isIsoDate(typed.from) ? typed.from : undefined,
		to: isIsoDate(typed.to) ? typed.to : undefined
	};

	const [recent, periodTotals] = await loadOrFail(event.url, () =>
		Promise.all([
			api.cases.list.query({ status: 'open', limit: RECENT_CASES }),
			loadSummary(api, period)
		])
	);
	return { recentCases: recent.items, ...periodTotals, typed };
};

/**
 * Loads the totals of the chosen period. The server rejects an end date before the start
 * date. The page then shows this month's totals and a message under the end date.
 */
async function loadSummary(api: ReturnType<typeof trpc>, period: PeriodQuery) {
	try {
		return { summary: await api.dashboard.summary.query(period), rangeRejected: false };
	} catch (cause) {
		const rejected = cause instanceof TRPCClientError && cause.data?.code === 'BAD_REQUEST';
		if (!rejected || (!period.from && !period.to)) throw cause;

		return { summary: await api.dashboard.summary.query({}), rangeRejected: true };
	}
}
