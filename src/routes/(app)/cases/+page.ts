import { isActionType, isCaseStatus } from '$lib/labels';
import { firstPageHref, loadOrFail, nextPageHref, parseIdQuery } from '$lib/load-helpers';
import { trpc } from '$lib/trpc/client';

import type { PageLoad } from './$types';

export const load: PageLoad = async (event) => {
	const { url } = event;
	const params = url.searchParams;
	const status = params.get('status');
	const actionType = params.get('actionType');
	// Values that are not in the lists are dropped, so a stale link still shows all cases.
	const filters = {
		q: params.get('q')?.trim() ?? '',
		status: isCaseStatus(status) ? status : undefined,
		actionType: isActionType(actionType) ? actionType : undefined,
		partnerId: parseIdQuery(url, 'partnerId'),
		clientId: parseIdQuery(url, 'clientId')
	};
	const cursor = params.get('cursor') || undefined;

	const api = trpc(event);
	const [result, partners, client] = await loadOrFail(url, () =>
		Promise.all([
			api.cases.list.query({
				search: filters.q || undefined,
				status: filters.status,
				actionType: filters.actionType,
				partnerId: filters.partnerId,
				clientId: filters.clientId,
				cursor
			}),
			api.people.list.query({ role: 'partner', includeInactive: true }),
			filters.clientId ? api.clients.get.query({ id: filters.clientId }) : null
		])
	);
	const otherFilters = new URLSearchParams(params);
	otherFilters.delete('clientId');
	otherFilters.delete('cursor');

	return {
		filters,
		cases: result.items,
		partners,
		client: client && { id: client.id, name: client.name },
		allClientsHref: otherFilters.size > 0 ? `/cases?${otherFilters}` : '/cases',
		nextHref: nextPageHref(url, result.nextCursor),
		firstHref: firstPageHref(url)
	};
};
