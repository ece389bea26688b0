import { redirect } from '@sveltejs/kit';

import { sessionCookieOptions } from '$lib/server/auth/cookie';
import { invalidateSession, SESSION_COOKIE } from '$lib/server/auth/session';
import { getAppDb } from '$lib/server/runtime';

import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => {
	redirect(303, '/');
};

export const actions: Actions = {
	default: ({ cookies, locals, url }) => {
		if (locals.session) {
			invalidateSession(getAppDb(), locals.session.id);
			locals.log.info({ userId: locals.user?.id }, 'signed out');
		}
		cookies.delete(SESSION_COOKIE, sessionCookieOptions(url));
		redirect(303, '/login');
	}
};
