import { firstPageHref, loadOrFail, nextPageHref } from '$lib/load-helpers';
import { trpc } from '$lib/trpc/client';

import type { PageLoad } from './$types';

export const load: PageLoad = async (event) => {
	const { url } = event;
	const q = url.searchParams.get('q')?.trim() ?? '';
	const archived = url.searchParams.get('archived') === '1';
	const cursor = url.searchParams.get('cursor') || undefined;

	const result = await loadOrFail(url, () =>
		trpc(event).clients.list.query({ search: q || undefined, archived, cursor })
	);
	return {
		q,
		archived,
		clients: result.items,
		nextHref: nextPageHref(url, result.nextCursor),
		firstHref: firstPageHref(url)
	};
};
