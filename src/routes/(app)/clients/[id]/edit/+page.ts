import { loadOrFail, parseIdParam } from '$lib/load-helpers';
import { trpc } from '$lib/trpc/client';

import type { PageLoad } from './$types';

export const load: PageLoad = async (event) => {
	const id = parseIdParam(event.params.id);
	const client = await loadOrFail(event.url, () => trpc(event).clients.get.query({ id }));
	return { client };
};
