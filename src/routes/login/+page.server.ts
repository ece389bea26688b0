import { fail, redirect } from '@sveltejs/kit';

import { safeRedirectTarget } from '$lib/redirect-target';
import { authenticate } from '$lib/server/auth/sign-in';
import { sessionCookieOptions } from '$lib/server/auth/cookie';
import { createSession, SESSION_COOKIE } from '$lib/server/auth/session';
import { getAppDb } from '$lib/server/runtime';

import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user) redirect(303, safeRedirectTarget(url.searchParams.get('redirectTo')));
	return {};
};

export const actions: Actions = {
	default: async ({ request, cookies, url, locals, getClientAddress }) => {
		const form = await request.formData();
		const email = form.get('email');
		const password = form.get('password');
		if (typeof email !== 'string' || typeof password !== 'string' || !email || !password) {
			return fail(400, {
				email: typeof email === 'string' ? email : '',
				error: 'missing' as const
			});
		}

		const db = getAppDb();
		const user = await authenticate(db, email, password);
		if (!user) {
			locals.log.warn(
				{ email: email.slice(0, 254), address: getClientAddress() },
				'sign-in failed'
			);
			return fail(400, { email, error: 'invalid' as const });
		}

		// A new session at every sign-in, so a token planted before it is never promoted.
		const session = createSession(db, user.id);
		cookies.set(SESSION_COOKIE, session.token, {
			...sessionCookieOptions(url),
			expires: new Date(session.expiresAt)
		});
		locals.log.info({ userId: user.id, address: getClientAddress() }, 'signed in');
		redirect(303, safeRedirectTarget(url.searchParams.get('redirectTo')));
	}
};
