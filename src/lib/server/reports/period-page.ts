import { between, count } from 'drizzle-orm';
import { z } from 'zod';

import { isIsoDate } from '$lib/domain/dates';
import type { Db } from '$lib/server/db';
import { transactions } from '$lib/server/db/schema';
import { encodeCursor, textIdCursorSchema } from '$lib/server/trpc/pagination';
import { sumPeriod } from '$lib/server/trpc/period-sums';

import {
	periodRangeFields,
	queryPeriodRows,
	refinePeriodRange,
	type PeriodCursor,
	type PeriodRow,
	type PeriodTotals
} from './period';

/** Page size of the period report: 100 rows by default, at most 500. */
export const periodLimitSchema = z.number().int().min(1).max(500).default(100);

const INVALID_CURSOR = 'Invalid cursor: pass nextCursor from a previous page of the same range.';

/** Decodes a cursor input to its `[receivedOn, id]` key, or fails validation on the field. */
const periodCursorSchema = textIdCursorSchema.transform((key, ctx): PeriodCursor | undefined => {
	if (key === undefined) return undefined;
	if (!isIsoDate(key.text)) {
		ctx.addIssue({ code: 'custom', message: INVALID_CURSOR });
		return z.NEVER;
	}
	return { receivedOn: key.text, id: key.id };
});

/**
 * The input of one page of a report: the range, the `nextCursor` of the previous page (none
 * for the first page) and the page size. A cursor whose date falls outside the range is
 * rejected, because it comes from another range or was edited.
 */
export const periodPageInputSchema = z
	.object({ ...periodRangeFields, cursor: periodCursorSchema, limit: periodLimitSchema })
	.strict()
	.superRefine((input, ctx) => {
		refinePeriodRange(input, ctx);

		const { cursor, from, to } = input;
		// zod may run this refinement after a field failed its own check, so skip invalid values.
		if (!cursor?.receivedOn || !isIsoDate(from) || !isIsoDate(to)) return;
		if (cursor.receivedOn >= from && cursor.receivedOn <= to) return;

		ctx.addIssue({ code: 'custom', path: ['cursor'], message: INVALID_CURSOR });
	});

export type PeriodPageInput = z.infer<typeof periodPageInputSchema>;

export interface PeriodPage {
	from: string;
	to: string;
	/** One page of the range's payments, voided ones included, by received date and then id. */
	rows: PeriodRow[];
	/** The cursor of the next page, or null on the last page. */
	nextCursor: string | null;
	/** Number of payments in the whole range, voided ones included. */
	count: number;
	/** Totals of the whole range, the same on every page. */
	totals: PeriodTotals;
}

/**
 * Reads one page of rows and the totals of the whole range in one read transaction, so that a
 * payment recorded or voided by another process (the admin CLI, say) cannot make the totals
 * disagree with the rows.
 */
export function loadPeriodPage(db: Db, input: PeriodPageInput): PeriodPage {
	const { from, to, cursor, limit } = input;

	return db.transaction(
		(tx) => {
			const reader = tx as unknown as Db;
			// One row more than the page shows whether another page follows.
			const rows = queryPeriodRows(reader, from, to, { after: cursor, limit: limit + 1 });
			const page = rows.slice(0, limit);
			const last = page.at(-1);
			const nextCursor =
				rows.length > limit && last ? encodeCursor([last.receivedOn, last.id]) : null;

			const count = countPeriodRows(reader, from, to);
			const totals = sumPeriodTotals(reader, from, to, count);
			return { from, to, rows: page, nextCursor, count, totals };
		},
		{ behavior: 'deferred' }
	);
}

/**
 * Counts the payments of a range, voided ones included. SQLite reads only
 * transactions_received_on_idx, but still one index entry per payment of the range.
 */
function countPeriodRows(db: Db, from: string, to: string): number {
	const row = db
		.select({ value: count() })
		.from(transactions)
		.where(between(transactions.receivedOn, from, to))
		.get();
	return row?.value ?? 0;
}

/**
 * Returns the same totals as periodTotals without reading the payments of whole months: those
 * come from payment_month_totals, which triggers keep equal to the non-voided payments.
 * `voidedCount` is `rowCount` minus the number of non-voided payments.
 */
function sumPeriodTotals(db: Db, from: string, to: string, rowCount: number): PeriodTotals {
	const { totals } = sumPeriod(db, from, to);
	return { ...totals, voidedCount: rowCount - totals.count };
}
