import { loadOrFail } from '$lib/load-helpers';
import { trpc } from '$lib/trpc/client';

import type { PageLoad } from './$types';

export const load: PageLoad = async (event) => {
	const includeInactive = event.url.searchParams.get('inactive') === '1';
	const people = await loadOrFail(event.url, () =>
		trpc(event).people.list.query({ includeInactive })
	);
	return {
		includeInactive,
		partners: people.filter((person) => person.role === 'partner'),
		consultants: people.filter((person) => person.role === 'consultant')
	};
};
