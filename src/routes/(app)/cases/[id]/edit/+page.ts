import { loadOrFail, parseIdParam } from '$lib/load-helpers';
import { trpc } from '$lib/trpc/client';

import type { PageLoad } from './$types';

export const load: PageLoad = async (event) => {
	const id = parseIdParam(event.params.id);
	const api = trpc(event);

	const [legalCase, people, settings] = await loadOrFail(event.url, () =>
		Promise.all([
			api.cases.get.query({ id }),
			api.people.list.query({ includeInactive: true }),
			api.settings.get.query()
		])
	);

	// The server accepts a partner or consultant that is inactive now only if the case already
	// had them, so the choices are the active ones plus the case's own.
	const selectable = people.filter(
		(person) =>
			person.active || person.id === legalCase.partnerId || person.id === legalCase.consultantId
	);
	return {
		legalCase,
		settings,
		partners: selectable.filter((person) => person.role === 'partner'),
		consultants: selectable.filter((person) => person.role === 'consultant')
	};
};
