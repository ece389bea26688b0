import { z } from 'zod';

import { todayIso } from '$lib/domain/dates';

import { fieldError } from './errors';
import { isoDateSchema } from './inputs';
import { receivedBetween, selectTransactions } from './ledger-queries';
import { sumPeriod } from './period-sums';
import { authedProcedure, router } from './t';

/** Number of recent payments the dashboard lists. */
const RECENT_LIMIT = 10;

export const dashboardRouter = router({
	/**
	 * Totals of the payments received in a period (this month in São Paulo time by default),
	 * per share, per partner and per consultant, with the most recent payments.
	 */
	summary: authedProcedure
		.input(
			z
				.object({ from: isoDateSchema.optional(), to: isoDateSchema.optional() })
				.strict()
				.prefault({})
		)
		.query(({ ctx, input }) => {
			const today = todayIso();
			// A lone end date means its own month so far; a lone start date runs to this month's end.
			const from = input.from ?? `${(input.to ?? today).slice(0, 8)}01`;
			const to = input.to ?? monthEnd(today);
			if (from > to) {
				throw fieldError(
					'to',
					'before_from',
					`The end date ${to} is before the start date ${from}.`
				);
			}

			return {
				from,
				to,
				...sumPeriod(ctx.db, from, to),
				recent: selectTransactions(ctx.db, receivedBetween(from, to), RECENT_LIMIT)
			};
		})
});

function monthEnd(isoDay: string): string {
	const [year, month] = isoDay.split('-').map(Number) as [number, number];
	const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
	return `${isoDay.slice(0, 8)}${String(lastDay).padStart(2, '0')}`;
}
