import type { Cookies } from '@sveltejs/kit';

type CookieOptions = Parameters<Cookies['set']>[2];

/** Cookie attributes of the session token; Secure whenever the app is served over HTTPS. */
export function sessionCookieOptions(url: URL): CookieOptions {
	return {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure: url.protocol === 'https:'
	};
}
