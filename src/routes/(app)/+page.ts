import { loadOrFail } from '$lib/load-helpers';
import { trpc } from '$lib/trpc/client';

import type { PageLoad } from './$types';

/** How many open cases the dashboard lists, newest first. */
const RECENT_CASES = 10;

export const load: PageLoad = async (event) => {
	const recent = await loadOrFail(event.url, () =>
		trpc(event).cases.list.query({ status: 'open', limit: RECENT_CASES })
	);
	return { recentCases: recent.items };
};
