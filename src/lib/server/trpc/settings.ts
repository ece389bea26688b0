import { eq } from 'drizzle-orm';
import { z } from 'zod';

import { maxConsultantCommissionBps, validateFeeAgreement } from '$lib/domain/fee-agreement';
import { writeTransaction, type Db } from '$lib/server/db';
import { settings, type Settings } from '$lib/server/db/schema';

import { fieldError } from './errors';
import { adminProcedure, authedProcedure, router } from './t';

const bpsSchema = z
	.number()
	.int({ message: 'Must be a whole number of basis points (1% = 100).' })
	.min(0, { message: 'Must be from 0 to 10000 basis points (0% to 100%).' })
	.max(10_000, { message: 'Must be from 0 to 10000 basis points (0% to 100%).' });

export const feeAgreementInput = {
	feeBps: bpsSchema,
	partnerShareBps: bpsSchema,
	consultantCommissionBps: bpsSchema
};

export const settingsRouter = router({
	get: authedProcedure.query(({ ctx }) => toSettingsOutput(readSettings(ctx.db))),

	/** Changes the office's fee defaults; cases created earlier keep their agreement. */
	update: adminProcedure
		.input(
			z
				.object({
					defaultFeeBps: bpsSchema,
					defaultPartnerShareBps: bpsSchema,
					defaultConsultantCommissionBps: bpsSchema
				})
				.strict()
		)
		.mutation(({ ctx, input }) => {
			const problem = validateFeeAgreement(
				{
					feeBps: input.defaultFeeBps,
					partnerShareBps: input.defaultPartnerShareBps,
					consultantCommissionBps: input.defaultConsultantCommissionBps
				},
				{ hasConsultant: true }
			)[0];
			if (problem) {
				const field = `default${problem.field[0]!.toUpperCase()}${problem.field.slice(1)}`;
				throw fieldError(field, problem.reason, problem.message);
			}

			const row = writeTransaction(ctx.db, (tx) =>
				tx
					.update(settings)
					.set({ ...input, updatedAt: new Date().toISOString(), updatedBy: ctx.user.id })
					.where(eq(settings.id, 1))
					.returning()
					.get()
			);
			ctx.log.info({ userId: ctx.user.id, ...input }, 'fee defaults changed');
			return toSettingsOutput(row!);
		})
});

/** Reads the office settings row, which the ledger migration creates. */
export function readSettings(db: Db): Settings {
	const row = db.select().from(settings).where(eq(settings.id, 1)).get();
	if (!row) throw new Error('The settings row (id 1) is missing; the migrations did not run.');
	return row;
}

function toSettingsOutput(row: Settings) {
	return {
		defaultFeeBps: row.defaultFeeBps,
		defaultPartnerShareBps: row.defaultPartnerShareBps,
		defaultConsultantCommissionBps: row.defaultConsultantCommissionBps,
		maxConsultantCommissionBps: maxConsultantCommissionBps(
			row.defaultFeeBps,
			row.defaultPartnerShareBps
		),
		updatedAt: row.updatedAt
	};
}
