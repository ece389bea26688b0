import { todayIso } from '$lib/domain/dates';
import { loadOrFail, parseIdParam } from '$lib/load-helpers';
import { trpc } from '$lib/trpc/client';

import type { PageLoad } from './$types';

export const load: PageLoad = async (event) => {
	const id = parseIdParam(event.params.id);
	const legalCase = await loadOrFail(event.url, () => trpc(event).cases.get.query({ id }));
	return { legalCase, today: todayIso() };
};
