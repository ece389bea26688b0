import { loadPeriodPage, periodPageInputSchema } from '$lib/server/reports/period-page';

import { authedProcedure, router } from './t';

export const reportsRouter = router({
	/**
	 * Lists one page of the payments received from `from` to `to` (inclusive) in date order,
	 * voided ones included, with the number of payments and the totals of the non-voided ones
	 * over the whole range. Pass `nextCursor` back as `cursor` for the next page. An empty
	 * range returns `rows: []`. The .xlsx and .csv downloads stream the whole range instead.
	 */
	period: authedProcedure
		.input(periodPageInputSchema)
		.query(({ ctx, input }) => loadPeriodPage(ctx.db, input))
});
