import { error, fail, redirect } from '@sveltejs/kit';

import { safeRedirectTarget } from '$lib/redirect-target';
import { authenticate } from '$lib/server/auth/sign-in';
import { sessionCookieOptions } from '$lib/server/auth/cookie';
import { createSession, SESSION_COOKIE } from '$lib/server/auth/session';
import type { Db } from '$lib/server/db';
import { getAppDb } from '$lib/server/runtime';
import { STORAGE_UNAVAILABLE_MESSAGE, storageFailureCode } from '$lib/server/storage-errors';

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
		const session = createSessionOrReject(db, user.id, locals);
		cookies.set(SESSION_COOKIE, session.token, {
			...sessionCookieOptions(url),
			expires: new Date(session.expiresAt)
		});
		locals.log.info({ userId: user.id, address: getClientAddress() }, 'signed in');
		redirect(303, safeRedirectTarget(url.searchParams.get('redirectTo')));
	}
};

// Inserting the session row is the only write of a sign-in. On a full or read-only disk it
// fails, and the response is 503 with the storage message instead of a 500.
function createSessionOrReject(
	db: Db,
	userId: number,
	locals: App.Locals
): ReturnType<typeof createSession> {
	try {
		return createSession(db, userId);
	} catch (cause) {
		const sqliteCode = storageFailureCode(cause);
		if (!sqliteCode) throw cause;

		locals.log.error({ userId, sqliteCode }, 'sign-in failed: database storage failed');
		error(503, { message: STORAGE_UNAVAILABLE_MESSAGE, id: locals.requestId });
	}
}
