import { fail, redirect } from '@sveltejs/kit';

import { safeRedirectTarget } from '$lib/redirect-target';
import { clientAddressOrReject } from '$lib/server/auth/client-address';
import { sessionCookieOptions } from '$lib/server/auth/cookie';
import { recordTwoFactorFailure, TwoFactorError } from '$lib/server/auth/second-factor';
import { awaitsTwoFactorCode, SESSION_COOKIE } from '$lib/server/auth/session';
import { userKey } from '$lib/server/auth/throttle';
import { completeTwoFactorSignIn } from '$lib/server/auth/two-factor';
import { twoFactorThrottleFor } from '$lib/server/auth/two-factor-throttle';
import { writeOrReject } from '$lib/server/auth/write-or-reject';
import { getAppDb } from '$lib/server/runtime';

import type { Actions, PageServerLoad } from './$types';

/** Maximum input length checked as a code. A recovery code with separators has 19 characters. */
const MAX_CODE_LENGTH = 64;

export const load: PageServerLoad = ({ locals, url }) => {
	redirectUnlessAwaitingCode(locals, url);
	return {};
};

export const actions: Actions = {
	default: async ({ request, url, locals, cookies, getClientAddress, setHeaders }) => {
		const session = redirectUnlessAwaitingCode(locals, url);
		const client = clientAddressOrReject(getClientAddress, locals);

		const code = (await request.formData()).get('code');
		if (typeof code !== 'string' || code.trim() === '') {
			return fail(400, { error: 'missing' as const });
		}

		const db = getAppDb();
		const userId = session.userId;
		let attempt;
		try {
			attempt = await twoFactorThrottleFor(db).guard([userKey(userId)], async () =>
				writeOrReject(locals, () =>
					completeTwoFactorSignIn(db, session, code.slice(0, MAX_CODE_LENGTH), client.address)
				)
			);
		} catch (cause) {
			// Two-factor sign-in was turned off meanwhile, so the password was enough.
			if (cause instanceof TwoFactorError) redirect(303, targetOf(url));
			throw cause;
		}

		if (attempt.throttled) {
			const { retryAfterSeconds } = attempt;
			locals.log.warn({ userId, address: client.address, retryAfterSeconds }, 'code throttled');
			setHeaders({ 'retry-after': String(retryAfterSeconds) });
			return fail(429, { error: 'throttled' as const, retryAfterSeconds });
		}
		if (!attempt.value) {
			locals.log.warn({ userId, address: client.address }, 'two-factor code rejected');
			writeOrReject(locals, () =>
				recordTwoFactorFailure(db, {
					userId,
					actorId: null,
					stage: 'sign_in',
					address: client.address
				})
			);
			return fail(400, { error: 'invalid' as const });
		}

		const { method: secondFactor, session: replacement } = attempt.value;
		cookies.set(SESSION_COOKIE, replacement.token, {
			...sessionCookieOptions(url),
			expires: new Date(replacement.expiresAt)
		});
		locals.log.info({ userId, address: client.address, secondFactor }, 'signed in');
		redirect(303, targetOf(url));
	}
};

/**
 * Returns the session that waits for its code, or redirects: a signed-in visitor to the page
 * they asked for, and a visitor without such a session to the sign-in page.
 */
function redirectUnlessAwaitingCode(
	locals: App.Locals,
	url: URL
): NonNullable<App.Locals['session']> {
	if (locals.user) redirect(303, targetOf(url));
	const session = locals.session;
	if (!session || !awaitsTwoFactorCode(session)) {
		redirect(303, `/login?redirectTo=${encodeURIComponent(targetOf(url))}`);
	}
	return session;
}

function targetOf(url: URL): string {
	return safeRedirectTarget(url.searchParams.get('redirectTo'));
}
