import { error, redirect } from '@sveltejs/kit';
import { TRPCClientError } from '@trpc/client';

/** Parses a route's `[id]` parameter as a positive integer, or fails the load with 404. */
export function parseIdParam(value: string): number {
	const id = Number(value);
	if (!/^[1-9]\d*$/.test(value) || !Number.isSafeInteger(id)) {
		error(404, `No record has the id ${JSON.stringify(value)}.`);
	}
	return id;
}

/** Parses an optional numeric id from the query string. Any other value counts as absent. */
export function parseIdQuery(url: URL, name: string): number | undefined {
	const value = url.searchParams.get(name);
	if (value === null || !/^[1-9]\d*$/.test(value)) return undefined;

	const id = Number(value);
	return Number.isSafeInteger(id) ? id : undefined;
}

/**
 * Runs a load's tRPC calls and turns their failures into SvelteKit errors. NOT_FOUND becomes a
 * 404 page and BAD_REQUEST (a malformed cursor or search in the URL) a 400 page. UNAUTHORIZED
 * redirects to the sign-in page, which then returns to `url`. Other errors are rethrown.
 */
export async function loadOrFail<T>(url: URL, run: () => Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (cause) {
		if (!(cause instanceof TRPCClientError)) throw cause;

		const code = (cause.data as { code?: string } | undefined)?.code;
		if (code === 'NOT_FOUND') error(404, cause.message);
		if (code === 'BAD_REQUEST') error(400, cause.message);
		if (code === 'UNAUTHORIZED') {
			redirect(303, `/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
		}
		throw cause;
	}
}

/** Returns the current URL's path and query with `cursor` set, keeping every filter. */
export function nextPageHref(url: URL, cursor: string | null): string | null {
	if (!cursor) return null;

	const params = new URLSearchParams(url.searchParams);
	params.set('cursor', cursor);
	return `${url.pathname}?${params}`;
}

/** Returns the current URL without its cursor: the first page of the same list. */
export function firstPageHref(url: URL): string | null {
	if (!url.searchParams.has('cursor')) return null;

	const params = new URLSearchParams(url.searchParams);
	params.delete('cursor');
	const query = params.toString();
	return query ? `${url.pathname}?${query}` : url.pathname;
}
