import { loadOrFail } from '$lib/load-helpers';
import { trpc } from '$lib/trpc/client';

import type { PageLoad } from './$types';

export const load: PageLoad = async (event) => {
	const status = await loadOrFail(event.url, () => trpc(event).twoFactor.status.query());
	return { status };
};
