import { and, desc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';

import { todayIso } from '$lib/domain/dates';
import { people, transactions } from '$lib/server/db/schema';

import { fieldError } from './errors';
import { isoDateSchema } from './inputs';
import { receivedBetween, selectTransactions, sumShares } from './ledger-queries';
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

			const period = receivedBetween(from, to);
			return {
				from,
				to,
				totals: sumShares(ctx.db, period),
				byPartner: totalsByPerson(ctx.db, period, 'partner'),
				byConsultant: totalsByPerson(ctx.db, period, 'consultant'),
				recent: selectTransactions(ctx.db, period, RECENT_LIMIT)
			};
		})
});

function totalsByPerson(
	db: Parameters<typeof sumShares>[0],
	period: ReturnType<typeof receivedBetween>,
	role: 'partner' | 'consultant'
) {
	const personColumn = role === 'partner' ? transactions.partnerId : transactions.consultantId;
	const shareColumn = role === 'partner' ? transactions.partnerCents : transactions.consultantCents;
	return db
		.select({
			personId: people.id,
			name: people.name,
			count: sql<number>`count(*)`,
			shareCents: sql<number>`sum(${shareColumn})`,
			grossCents: sql<number>`sum(${transactions.grossCents})`
		})
		.from(transactions)
		.innerJoin(people, eq(people.id, personColumn))
		.where(and(isNull(transactions.voidedAt), isNotNull(personColumn), period))
		.groupBy(people.id)
		.orderBy(desc(sql`sum(${shareColumn})`), people.name)
		.all();
}

function monthEnd(isoDay: string): string {
	const [year, month] = isoDay.split('-').map(Number) as [number, number];
	const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
	return `${isoDay.slice(0, 8)}${String(lastDay).padStart(2, '0')}`;
}
