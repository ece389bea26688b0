/** The largest number of calls one tRPC batch request may carry. */
export const MAX_BATCH_CALLS = 10;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The methods a tRPC call may use: GET for queries and POST for mutations. */
export const TRPC_METHODS = ['GET', 'POST'] as const;

export interface Rejection {
	status: 403 | 405 | 415 | 400;
	message: string;
}

/**
 * Decides whether a request may reach the app. Every state-changing request must carry the
 * app's own Origin (browsers send it on every POST), which blocks cross-site requests of any
 * content type, not only the form types that SvelteKit's built-in check covers. tRPC calls
 * must also be JSON and batch at most MAX_BATCH_CALLS calls.
 */
export function checkRequest(request: Request, url: URL, trpcPrefix: string): Rejection | null {
	const isTrpc = url.pathname.startsWith(`${trpcPrefix}/`);
	if (isTrpc) {
		// trpc-sveltekit throws on any other method (HEAD included), which would be a 500.
		if (!(TRPC_METHODS as readonly string[]).includes(request.method)) {
			return {
				status: 405,
				message: `tRPC calls use GET (queries) or POST (mutations), not ${request.method.slice(0, 20)}.`
			};
		}
		// tRPC decodes the path before splitting it on commas, so count the decoded commas:
		// `%2C` must not smuggle extra calls past the limit.
		const paths = decodePath(url.pathname.slice(trpcPrefix.length + 1));
		if (paths === null) {
			return { status: 400, message: 'The tRPC path is not valid percent-encoding.' };
		}
		const calls = paths.split(',').length;
		if (calls > MAX_BATCH_CALLS) {
			return {
				status: 400,
				message: `A tRPC batch may contain at most ${MAX_BATCH_CALLS} calls; this one contains ${calls}.`
			};
		}
	}
	if (SAFE_METHODS.has(request.method)) return null;

	const origin = request.headers.get('origin');
	if (origin !== url.origin) {
		return {
			status: 403,
			message: origin
				? `Cross-site request rejected: Origin ${origin} is not ${url.origin}.`
				: 'Request rejected: a state-changing request must carry an Origin header.'
		};
	}

	const contentType = request.headers.get('content-type') ?? '';
	if (isTrpc && !/^application\/json\s*(;|$)/i.test(contentType)) {
		return {
			status: 415,
			message: 'tRPC mutations must be sent with Content-Type: application/json.'
		};
	}
	return null;
}

function decodePath(path: string): string | null {
	try {
		return decodeURIComponent(path);
	} catch {
		return null;
	}
}
