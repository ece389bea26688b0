import { fail, redirect } from '@sveltejs/kit';

import { safeRedirectTarget } from '$lib/redirect-target';
import { clientAddressOrReject } from '$lib/server/auth/client-address';
import { sessionCookieOptions } from '$lib/server/auth/cookie';
import { SESSION_COOKIE } from '$lib/server/auth/session';
import { authenticate, type SignInResult } from '$lib/server/auth/sign-in';
import {
	recordSignInFailure,
	recordSignInThrottled,
	startSession
} from '$lib/server/auth/sign-in-audit';
import { emailKey, Throttle } from '$lib/server/auth/throttle';
import { writeOrReject } from '$lib/server/auth/write-or-reject';
import { getAppDb } from '$lib/server/runtime';
import { MAX_EMAIL_LENGTH } from '$lib/server/users';

import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user) redirect(303, safeRedirectTarget(url.searchParams.get('redirectTo')));
	return {};
};

/**
 * Failed sign-ins per submitted email and per client address. A success resets the email's
 * count only: resetting the address too would let an attacker clear it between guesses by
 * signing in to an account of their own. Unknown emails count like known ones, so a 429 does
 * not reveal whether an account exists.
 */
const signInThrottle = new Throttle();

export const actions: Actions = {
	default: async ({ request, cookies, url, locals, getClientAddress, setHeaders }) => {
		const client = clientAddressOrReject(getClientAddress, locals);

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
		const logFields = { email: email.slice(0, MAX_EMAIL_LENGTH), address: client.address };
		let failure: Extract<SignInResult, { ok: false }> | null = null;
		const attempt = await signInThrottle.guard(
			[emailKey(email), client.key],
			async () => {
				const result = await authenticate(db, email, password);
				if (result.ok) return result;
				failure = result;
				return null;
			},
			[emailKey(email)]
		);
		if (attempt.throttled) {
			const { retryAfterSeconds } = attempt;
			const throttledBy = attempt.key === client.key ? 'address' : 'email';
			locals.log.warn({ ...logFields, throttledBy, retryAfterSeconds }, 'sign-in throttled');
			writeOrReject(locals, () =>
				recordSignInThrottled(db, { ...logFields, throttledBy, key: attempt.key })
			);
			setHeaders({ 'retry-after': String(retryAfterSeconds) });
			return fail(429, { email, error: 'throttled' as const, retryAfterSeconds });
		}

		const signedIn = attempt.value;
		if (!signedIn) {
			const { reason, userId } = failure!;
			locals.log.warn({ ...logFields, reason, userId }, 'sign-in failed');
			writeOrReject(locals, () => recordSignInFailure(db, { ...logFields, reason, userId }));
			return fail(400, { email, error: 'invalid' as const });
		}

		// A new session at every sign-in, so a token planted before it is never promoted.
		const { user, twoFactorEnabled } = signedIn;
		const session = writeOrReject(locals, () =>
			startSession(db, user.id, {
				address: client.address,
				userAgent: request.headers.get('user-agent'),
				awaitsTwoFactorCode: twoFactorEnabled
			})
		);
		cookies.set(SESSION_COOKIE, session.token, {
			...sessionCookieOptions(url),
			expires: new Date(session.expiresAt)
		});

		const target = safeRedirectTarget(url.searchParams.get('redirectTo'));
		if (twoFactorEnabled) {
			locals.log.info({ userId: user.id, address: client.address }, 'password accepted');
			redirect(303, `/login/two-factor?redirectTo=${encodeURIComponent(target)}`);
		}
		locals.log.info({ userId: user.id, address: client.address }, 'signed in');
		redirect(303, target);
	}
};
