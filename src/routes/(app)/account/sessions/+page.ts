import { loadOrFail } from '$lib/load-helpers';
import { trpc } from '$lib/trpc/client';

import type { PageLoad } from './$types';

export const load: PageLoad = async (event) => {
	const sessions = await loadOrFail(event.url, () => trpc(event).sessions.list.query());
	return { sessions };
};
