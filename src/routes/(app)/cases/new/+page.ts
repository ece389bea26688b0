import { TRPCClientError } from '@trpc/client';

import type { ClientSummary } from '$lib/api-types';
import { todayIso } from '$lib/domain/dates';
import { loadOrFail, parseIdQuery } from '$lib/load-helpers';
import { trpc } from '$lib/trpc/client';

import type { PageLoad } from './$types';

export const load: PageLoad = async (event) => {
	const api = trpc(event);
	const clientId = parseIdQuery(event.url, 'clientId');

	const [partners, consultants, client, settings] = await loadOrFail(event.url, () =>
		Promise.all([
			api.people.list.query({ role: 'partner' }),
			api.people.list.query({ role: 'consultant' }),
			clientId ? findClient(api, clientId) : null,
			api.settings.get.query()
		])
	);
	return { partners, consultants, client, settings, today: todayIso() };
};

/**
 * Returns the client to preselect, or null when the link names a client that no longer
 * exists or is archived, so that the form starts with an empty client field instead.
 */
async function findClient(api: ReturnType<typeof trpc>, id: number): Promise<ClientSummary | null> {
	try {
		const client = await api.clients.get.query({ id });
		if (client.archivedAt) return null;

		return { id: client.id, name: client.name, documentFormatted: client.documentFormatted };
	} catch (cause) {
		if (cause instanceof TRPCClientError && cause.data?.code === 'NOT_FOUND') return null;
		throw cause;
	}
}
