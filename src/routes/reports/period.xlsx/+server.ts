import { getLocale } from '$lib/paraglide/runtime';
import { respondWithPeriodFile } from '$lib/server/reports/period';
import { getAppDb } from '$lib/server/runtime';

import type { RequestHandler } from './$types';

/** Downloads the payments received from ?from= to ?to= (YYYY-MM-DD) as an Excel workbook. */
export const GET: RequestHandler = ({ locals, url }) =>
	respondWithPeriodFile(
		{ db: getAppDb(), user: locals.user, log: locals.log, url, locale: getLocale() },
		'xlsx'
	);
