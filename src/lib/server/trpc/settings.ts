import { eq } from 'drizzle-orm';
import { z } from 'zod';

import { maxConsultantCommissionBps, validateFeeAgreement } from '$lib/domain/fee-agreement';
import { appActor, recordChanges } from '$lib/server/audit';
import { writeTransaction, type Db } from '$lib/server/db';
import { settings, users, type Settings } from '$lib/server/db/schema';

import { fieldError } from './errors';
import { noInputSchema } from './inputs';
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

// Every column an administrator can change; updatedAt and updatedBy are the row's own record.
const SETTINGS_AUDIT_FIELDS = [
	'defaultFeeBps',
	'defaultPartnerShareBps',
	'defaultConsultantCommissionBps',
	'requireTwoFactor'
] as const satisfies readonly (keyof Settings)[];

export const settingsRouter = router({
	get: authedProcedure
		.input(noInputSchema)
		.query(({ ctx }) => toSettingsOutput(readSettings(ctx.db))),

	/**
	 * Changes the office's fee defaults, whether two-factor sign-in is required, or both. A
	 * field left out keeps its stored value, so the two settings forms cannot undo each other's
	 * changes. The fee defaults are validated together, with the stored value for any left out.
	 * Cases created earlier keep their agreement. Requiring two-factor sign-in is rejected while
	 * the administrator has not set it up for their own account.
	 */
	update: adminProcedure
		.input(
			z
				.object({
					defaultFeeBps: bpsSchema.optional(),
					defaultPartnerShareBps: bpsSchema.optional(),
					defaultConsultantCommissionBps: bpsSchema.optional(),
					requireTwoFactor: z.boolean().optional()
				})
				.strict()
		)
		.mutation(({ ctx, input }) => {
			const row = writeTransaction(ctx.db, (tx) => {
				const before = readSettings(tx);
				assertValidFeeDefaults({ ...before, ...definedFields(input) });
				if (input.requireTwoFactor === true && !before.requireTwoFactor) {
					assertOwnTwoFactorEnabled(tx, ctx.user.id);
				}
				const after = tx
					.update(settings)
					.set({ ...input, updatedAt: new Date().toISOString(), updatedBy: ctx.user.id })
					.where(eq(settings.id, 1))
					.returning()
					.get()!;
				recordChanges(
					tx,
					appActor(ctx.user.id, ctx.requestId),
					{ action: 'update', entity: 'settings' },
					before,
					after,
					SETTINGS_AUDIT_FIELDS
				);
				return after;
			});
			ctx.log.info({ userId: ctx.user.id, ...input }, 'office settings changed');
			return toSettingsOutput(row);
		})
});

// Throws a field error on the first default that breaks the fee agreement rules.
function assertValidFeeDefaults(values: Settings): void {
	const problem = validateFeeAgreement(
		{
			feeBps: values.defaultFeeBps,
			partnerShareBps: values.defaultPartnerShareBps,
			consultantCommissionBps: values.defaultConsultantCommissionBps
		},
		{ hasConsultant: true }
	)[0];
	if (!problem) return;

	const field = `default${problem.field[0]!.toUpperCase()}${problem.field.slice(1)}`;
	throw fieldError(field, problem.reason, problem.message);
}

// Drops the keys whose value is undefined, so that spreading the input over the stored row
// keeps the stored value of every field left out.
function definedFields<T extends object>(input: T): Partial<T> {
	return Object.fromEntries(
		Object.entries(input).filter(([, value]) => value !== undefined)
	) as Partial<T>;
}

/**
 * Throws a field error on requireTwoFactor unless the user has two-factor sign-in on, so that
 * an administrator who requires it has already set it up and is not held at the setup page.
 */
function assertOwnTwoFactorEnabled(db: Db, userId: number): void {
	const user = db
		.select({ totpEnabledAt: users.totpEnabledAt })
		.from(users)
		.where(eq(users.id, userId))
		.get();
	if (user?.totpEnabledAt) return;

	throw fieldError(
		'requireTwoFactor',
		'own_two_factor_missing',
		'Set up two-factor sign-in for your own account on the account page first, then require it for everyone.'
	);
}

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
		requireTwoFactor: row.requireTwoFactor,
		updatedAt: row.updatedAt
	};
}
