import {
	error as httpError,
	type Handle,
	type HandleServerError,
	type ServerInit
} from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { TRPCError } from '@trpc/server';
import { createTRPCHandle } from 'trpc-sveltekit';

import { isTwoFactorRequired } from '$lib/server/auth/second-factor';
import {
	awaitsTwoFactorCode,
	SESSION_COOKIE,
	validateSessionToken
} from '$lib/server/auth/session';
import { CODE_PAGE, decideGate, type GateState } from '$lib/server/auth/two-factor-gate';
import { log } from '$lib/server/log';
import { paraglideMiddleware } from '$lib/paraglide/server';
import { checkRequest, TRPC_METHODS } from '$lib/server/request-guards';
import { getAppDb, startApp } from '$lib/server/runtime';
import { STORAGE_UNAVAILABLE_MESSAGE, storageFailureCode } from '$lib/server/storage-errors';
import { createContext } from '$lib/server/trpc/context';
import { appRouter } from '$lib/server/trpc/router';
import { StorageUnavailableError } from '$lib/server/trpc/t';
import { sessionCookieOptions } from '$lib/server/auth/cookie';

const TRPC_PREFIX = '/trpc';
/** Paths a signed-out visitor may open; everything else redirects to /login. */
// /logout is open so that a session still waiting for its two-factor code can be ended.
const PUBLIC_PATHS = new Set(['/login', CODE_PAGE, '/logout', '/healthz']);

export const init: ServerInit = () => {
	try {
		startApp();
	} catch (error) {
		// One readable line for the operator (bad DATABASE_PATH, a migration that failed, ...)
		// instead of an unhandled rejection with a stack trace.
		log.fatal({ reason: error instanceof Error ? error.message : String(error) }, 'start failed');
		process.exit(1);
	}
};

// Sent with every response that passes through `handle`: pages, tRPC calls, downloads,
// redirects and the request guards' rejections. Static files under /_app are served by
// adapter-node before the hooks run, so they do not get these headers.
const SECURITY_HEADERS: Record<string, string> = {
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'same-origin',
	'x-frame-options': 'DENY',
	'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()'
};

// Pages carry the policy that SvelteKit builds from kit.csp in svelte.config.js. JSON,
// downloads and redirects load nothing, so their policy allows nothing.
const NON_PAGE_CSP =
	"default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// One year, in seconds. Browsers honour the header only over HTTPS, and sending it on plain
// HTTP would mean nothing, so it depends on ORIGIN's scheme (adapter-node builds event.url
// from ORIGIN).
const HSTS = 'max-age=31536000; includeSubDomains';

// NOTE: an error thrown by a later hook, such as the 503 of handleStorageFailures, passes
// through this hook, so the error response that SvelteKit then builds lacks these headers.
const handleSecurityHeaders: Handle = async ({ event, resolve }) => {
	const response = withMutableHeaders(await resolve(event));

	for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
		response.headers.set(name, value);
	}
	if (!response.headers.has('content-security-policy')) {
		response.headers.set('content-security-policy', NON_PAGE_CSP);
	}
	if (event.url.protocol === 'https:') {
		response.headers.set('strict-transport-security', HSTS);
	}
	return response;
};

// Responses from fetch() or Response.redirect() have immutable headers, and setting one throws.
function withMutableHeaders(response: Response): Response {
	try {
		response.headers.set('x-content-type-options', 'nosniff');
		return response;
	} catch {
		return new Response(response.body, response);
	}
}

const handleRequestLog: Handle = async ({ event, resolve }) => {
	const started = performance.now();
	event.locals.requestId = crypto.randomUUID();
	event.locals.log = log.child({ requestId: event.locals.requestId });

	const response = await resolve(event);

	// The path only: query strings may carry values that do not belong in logs.
	event.locals.log.info(
		{
			method: event.request.method,
			path: event.url.pathname,
			status: response.status,
			ms: Math.round(performance.now() - started)
		},
		'request'
	);
	return response;
};

const handleRequestGuards: Handle = ({ event, resolve }) => {
	const rejection = checkRequest(event.request, event.url, TRPC_PREFIX);
	if (!rejection) return resolve(event);

	event.locals.log.warn({ path: event.url.pathname, status: rejection.status }, rejection.message);
	const headers: Record<string, string> = { 'content-type': 'application/json' };
	if (rejection.status === 405) headers.allow = TRPC_METHODS.join(', ');
	return new Response(JSON.stringify({ error: { message: rejection.message } }), {
		status: rejection.status,
		headers
	});
};

// A hook that writes, such as handleSession when it extends a session, fails on a full or
// read-only disk. SvelteKit would respond with 500, so this hook responds with 503 and the
// storage message. Errors inside load functions and form actions do not pass through here, so
// handleError covers those.
const handleStorageFailures: Handle = async ({ event, resolve }) => {
	try {
		return await resolve(event);
	} catch (cause) {
		const sqliteCode = storageFailureCode(cause);
		if (!sqliteCode) throw cause;

		event.locals.log.error({ path: event.url.pathname, sqliteCode }, 'database storage failed');
		httpError(503, { message: STORAGE_UNAVAILABLE_MESSAGE, id: event.locals.requestId });
	}
};

const handleLocale: Handle = ({ event, resolve }) =>
	paraglideMiddleware(event.request, ({ request, locale }) => {
		event.request = request;
		return resolve(event, {
			transformPageChunk: ({ html }) => html.replace('%paraglide.lang%', locale)
		});
	});

const handleSession: Handle = ({ event, resolve }) => {
	event.locals.user = null;
	event.locals.session = null;

	const token = event.cookies.get(SESSION_COOKIE);
	if (!token) return resolve(event);

	const result = validateSessionToken(getAppDb(), token);
	if (!result) {
		event.cookies.delete(SESSION_COOKIE, sessionCookieOptions(event.url));
		return resolve(event);
	}
	if (result.session.renewed) {
		event.cookies.set(SESSION_COOKIE, token, {
			...sessionCookieOptions(event.url),
			expires: new Date(result.session.expiresAt)
		});
	}
	// A session that waits for its two-factor code is not signed in yet. handleTwoFactorGate
	// keeps it at the code page, and code that checks locals.user treats it as a visitor.
	event.locals.user = awaitsTwoFactorCode(result.session) ? null : result.user;
	event.locals.session = result.session;
	return resolve(event);
};

// Keeps a session that waits for its two-factor code at the code page, and a user without
// two-factor sign-in at the setup page while the office requires it. Runs before tRPC, so
// procedures are rejected here with a message that states what to do.
const handleTwoFactorGate: Handle = ({ event, resolve }) => {
	const state = gateStateOf(event.locals);
	if (!state) return resolve(event);

	const decision = decideGate(state, event.url, TRPC_PREFIX);
	if (decision.kind === 'allow') return resolve(event);
	if (decision.kind === 'redirect') {
		return redirectResponse(event.url, decision.location);
	}

	event.locals.log.warn(
		{ userId: event.locals.session?.userId, path: event.url.pathname, gate: state },
		'trpc call held by two-factor gate'
	);
	return trpcErrorResponse(event.url, decision);
};

function gateStateOf(locals: App.Locals): GateState | null {
	const session = locals.session;
	if (!session) return null;
	if (awaitsTwoFactorCode(session)) return 'code';
	if (!session.twoFactorEnabled && isTwoFactorRequired(getAppDb())) return 'setup';
	return null;
}

// A client-side navigation fetches the page's __data.json, and SvelteKit's router follows a
// redirect only when it comes in that JSON form.
function redirectResponse(url: URL, location: string): Response {
	if (url.pathname.endsWith('/__data.json')) {
		return new Response(JSON.stringify({ type: 'redirect', location }), {
			headers: { 'content-type': 'application/json' }
		});
	}
	return new Response(null, { status: 303, headers: { location } });
}

// Shaped by the app's error formatter like any other tRPC error, one entry per procedure of
// a batch, so the browser client shows the message.
function trpcErrorResponse(
	url: URL,
	decision: { code: 'UNAUTHORIZED' | 'FORBIDDEN'; message: string; paths: string[] }
): Response {
	const shapes = decision.paths.map((path) => ({
		error: appRouter.getErrorShape({
			error: new TRPCError({ code: decision.code, message: decision.message }),
			type: 'unknown',
			path,
			input: undefined,
			ctx: undefined
		})
	}));
	const body = url.searchParams.get('batch') === '1' ? shapes : shapes[0];
	return new Response(JSON.stringify(body), {
		status: decision.code === 'UNAUTHORIZED' ? 401 : 403,
		headers: { 'content-type': 'application/json' }
	});
}

const handleTrpc = createTRPCHandle({
	router: appRouter,
	url: TRPC_PREFIX,
	createContext,
	onError({ error, path, ctx }) {
		if (error.code !== 'INTERNAL_SERVER_ERROR') return;
		// Procedures log their storage failures with the SQLite code and without the stack.
		if (error instanceof StorageUnavailableError) return;
		ctx?.log.error({ err: error.cause ?? error, path }, 'trpc call crashed');
	}
});

const handleSignedOutRedirect: Handle = ({ event, resolve }) => {
	if (event.locals.user || PUBLIC_PATHS.has(event.url.pathname)) return resolve(event);

	const target = event.url.pathname + event.url.search;
	const query = target === '/' ? '' : `?redirectTo=${encodeURIComponent(target)}`;
	return new Response(null, { status: 303, headers: { location: `/login${query}` } });
};

export const handle = sequence(
	handleSecurityHeaders,
	handleRequestLog,
	handleRequestGuards,
	handleStorageFailures,
	handleLocale,
	handleSession,
	handleTwoFactorGate,
	handleTrpc,
	handleSignedOutRedirect
);

export const handleError: HandleServerError = ({ error, event, status, message }) => {
	const id = event.locals.requestId ?? crypto.randomUUID();
	if (status === 404) return { message, id };

	// A 4xx here is a request SvelteKit itself rejected, e.g. a body over BODY_SIZE_LIMIT (413):
	// its message is meant for the client and there is no stack worth logging.
	if (status < 500) {
		(event.locals.log ?? log).warn({ path: event.url.pathname, status }, message);
		return { message, id };
	}

	// SvelteKit has already chosen the status (500) for this error, so only the message changes.
	const sqliteCode = storageFailureCode(error);
	if (sqliteCode) {
		(event.locals.log ?? log).error(
			{ path: event.url.pathname, status, sqliteCode },
			'database storage failed'
		);
		return { message: STORAGE_UNAVAILABLE_MESSAGE, id };
	}

	(event.locals.log ?? log).error(
		{ err: error, path: event.url.pathname, status },
		'unhandled error'
	);
	return { message: 'Internal error. Quote this id to your administrator.', id };
};
