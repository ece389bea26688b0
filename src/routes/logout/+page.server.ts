import { redirect } from '@sveltejs/kit';

import { clientAddressOrNull } from '$lib/server/auth/client-address';
import { sessionCookieOptions } from '$lib/server/auth/cookie';
import { SESSION_COOKIE } from '$lib/server/auth/session';
import { endSession } from '$lib/server/auth/sign-in-audit';
import { getAppDb } from '$lib/server/runtime';

import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => {
	redirect(303, '/');
};

export const actions: Actions = {
	// Also ends a session that still waits for its two-factor code, whose locals.user is null.
	default: ({ cookies, locals, url, getClientAddress }) => {
		const session = locals.session;
		if (session) {
			endSession(getAppDb(), session, clientAddressOrNull(getClientAddress));
			locals.log.info({ userId: session.userId }, 'signed out');
		}
		cookies.delete(SESSION_COOKIE, sessionCookieOptions(url));
		redirect(303, '/login');
	}
};
