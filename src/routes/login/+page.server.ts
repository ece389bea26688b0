import { error, fail, redirect } from '@sveltejs/kit';

import { safeRedirectTarget } from '$lib/redirect-target';
import { authenticate } from '$lib/server/auth/sign-in';
import { addressKey, emailKey, Throttle } from '$lib/server/auth/throttle';
import { sessionCookieOptions } from '$lib/server/auth/cookie';
import { createSession, SESSION_COOKIE } from '$lib/server/auth/session';
import type { Db } from '$lib/server/db';
import { getAppDb } from '$lib/server/runtime';
import { STORAGE_UNAVAILABLE_MESSAGE, storageFailureCode } from '$lib/server/storage-errors';
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

const CLIENT_ADDRESS_MISSING_MESSAGE =
	'Sign-in is unavailable because the server could not determine your address. ' +
	'Tell your administrator.';

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
		const attempt = await signInThrottle.guard(
			[emailKey(email), client.key],
			() => authenticate(db, email, password),
			[emailKey(email)]
		);
		if (attempt.throttled) {
			const { retryAfterSeconds } = attempt;
			const throttledBy = attempt.key === client.key ? 'address' : 'email';
			locals.log.warn({ ...logFields, throttledBy, retryAfterSeconds }, 'sign-in throttled');
			setHeaders({ 'retry-after': String(retryAfterSeconds) });
			return fail(429, { email, error: 'throttled' as const, retryAfterSeconds });
		}

		const user = attempt.value;
		if (!user) {
			locals.log.warn(logFields, 'sign-in failed');
			return fail(400, { email, error: 'invalid' as const });
		}

		// A new session at every sign-in, so a token planted before it is never promoted.
		const session = createSessionOrReject(db, user.id, locals, request.headers.get('user-agent'));
		cookies.set(SESSION_COOKIE, session.token, {
			...sessionCookieOptions(url),
			expires: new Date(session.expiresAt)
		});
		locals.log.info({ userId: user.id, address: client.address }, 'signed in');
		redirect(303, safeRedirectTarget(url.searchParams.get('redirectTo')));
	}
};

/**
 * Returns the client's address and its throttle key, or ends the request with 500.
 * adapter-node's getClientAddress throws when ADDRESS_HEADER names a header that the request
 * lacks, and returns undefined on a Unix socket. With ADDRESS_HEADER set, a request without
 * that header bypassed the proxy, or the proxy is misconfigured. Neither may sign in under an
 * address that no proxy vouches for.
 */
function clientAddressOrReject(
	getClientAddress: () => string,
	locals: App.Locals
): { address: string; key: string } {
	let address: string | undefined;
	let failure: string | undefined;
	try {
		address = getClientAddress();
	} catch (cause) {
		failure = cause instanceof Error ? cause.message : String(cause);
	}

	const key = addressKey(address);
	if (address && key) return { address, key };

	const reason = failure ?? (address ? 'not an IP address' : 'no address');
	locals.log.error(
		{ address: address?.slice(0, 100), reason },
		'sign-in rejected: client address unavailable; check ADDRESS_HEADER and XFF_DEPTH'
	);
	error(500, { message: CLIENT_ADDRESS_MISSING_MESSAGE, id: locals.requestId });
}

// Inserting the session row is the only write of a sign-in. On a full or read-only disk it
// fails, and the response is 503 with the storage message instead of a 500.
function createSessionOrReject(
	db: Db,
	userId: number,
	locals: App.Locals,
	userAgent: string | null
): ReturnType<typeof createSession> {
	try {
		return createSession(db, userId, Date.now(), { userAgent });
	} catch (cause) {
		const sqliteCode = storageFailureCode(cause);
		if (!sqliteCode) throw cause;

		locals.log.error({ userId, sqliteCode }, 'sign-in failed: database storage failed');
		error(503, { message: STORAGE_UNAVAILABLE_MESSAGE, id: locals.requestId });
	}
}
