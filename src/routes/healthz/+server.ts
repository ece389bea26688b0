import { json } from '@sveltejs/kit';

import { getAppDb } from '$lib/server/runtime';

import type { RequestHandler } from './$types';

/**
 * Reports 200 only when a database query succeeds; the container health check calls it.
 * The query only reads, so it returns 200 on a full or read-only disk, where reads keep working
 * and writes fail with 503. A failing check would only get the container restarted, which
 * frees no space.
 */
export const GET: RequestHandler = ({ locals }) => {
	try {
		// Reads the schema page, so the check touches the database file and not only the
		// connection object as `SELECT 1` would.
		getAppDb().$client.prepare('SELECT count(*) FROM sqlite_master').get();
		return json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } });
	} catch (error) {
		locals.log.error({ err: error }, 'health check failed: database query failed');
		return json({ status: 'unavailable' }, { status: 503 });
	}
};
