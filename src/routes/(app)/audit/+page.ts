import { error } from '@sveltejs/kit';
import { TRPCClientError } from '@trpc/client';

import { firstPageHref, loadOrFail, parseIdQuery } from '$lib/load-helpers';
import { m } from '$lib/paraglide/messages';
import { trpc } from '$lib/trpc/client';

import { AUDIT_ENTITY_OPTIONS } from './audit-format';
import type { PageLoad } from './$types';

/** A filter field that the server rejected, with its reason code. */
export interface FilterIssue {
	field: string;
	code: string;
}

export const load: PageLoad = async (event) => {
	const { user } = await event.parent();
	// The procedures reject non-admins too, but this check gives them a 403 page instead.
	if (user.role !== 'admin') error(403, m.audit_forbidden());

	const filters = readFilters(event.url);
	const api = trpc(event);
	return loadOrFail(event.url, async () => {
		const actors = await api.audit.actors.query();
		const cursor = event.url.searchParams.get('cursor') || undefined;
		try {
			const page = await api.audit.list.query({ ...filters, cursor });
			return { filters, actors, page, issues: [], firstHref: firstPageHref(event.url) };
		} catch (cause) {
			const issues = filterIssues(cause);
			if (!issues) throw cause;

			const page = { items: [], nextCursor: null };
			return { filters, actors, page, issues, firstHref: null };
		}
	});
};

/** Reads the filters from the query string. An unknown entity or user id counts as absent. */
function readFilters(url: URL) {
	const params = url.searchParams;
	const entityParam = params.get('entity');
	return {
		actorId: parseIdQuery(url, 'user'),
		entity: AUDIT_ENTITY_OPTIONS.find((option) => option === entityParam),
		entityId: params.get('id')?.trim() || undefined,
		from: params.get('from') || undefined,
		to: params.get('to') || undefined
	};
}

/** Returns the issues of rejected filters (dates, id without type), or null for other errors. */
function filterIssues(cause: unknown): FilterIssue[] | null {
	if (!(cause instanceof TRPCClientError) || cause.data?.code !== 'BAD_REQUEST') return null;

	const issues = (cause.data as { issues?: FilterIssue[] | null }).issues ?? [];
	// A broken cursor is not a filter the form can show, so it keeps loadOrFail's 400 page.
	if (issues.length === 0 || issues.some((issue) => issue.field === 'cursor')) return null;
	return issues;
}
