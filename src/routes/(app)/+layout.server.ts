import { redirect } from '@sveltejs/kit';

import type { LayoutServerLoad } from './$types';

// hooks.server.ts already sends signed-out visitors to /login; this also narrows the type.
export const load: LayoutServerLoad = ({ locals }) => {
	if (!locals.user) redirect(303, '/login');
	return { user: locals.user };
};
