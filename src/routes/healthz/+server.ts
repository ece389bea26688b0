import { json } from '@sveltejs/kit';

import { getAppDb } from '$lib/server/runtime';

import type { RequestHandler } from './$types';

/** Reports 200 only when the database answers a query; the container health check calls it. */
export const GET: RequestHandler = ({ locals }) => {
	try {
		getAppDb().$client.prepare('SELECT 1').get();
		return json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } });
	} catch (error) {
		locals.log.error({ err: error }, 'health check failed: database did not answer');
		return json({ status: 'unavailable' }, { status: 503 });
	}
};
