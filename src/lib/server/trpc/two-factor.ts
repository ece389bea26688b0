import { TRPCError } from '@trpc/server';
import { z } from 'zod';

import {
	recordTwoFactorFailure,
	TwoFactorError,
	type TwoFactorStage
} from '$lib/server/auth/second-factor';
import { userKey } from '$lib/server/auth/throttle';
import {
	beginTotpSetup,
	confirmTotpSetup,
	disableTwoFactor,
	readTwoFactorStatus,
	regenerateRecoveryCodes
} from '$lib/server/auth/two-factor';
import { twoFactorThrottleFor } from '$lib/server/auth/two-factor-throttle';

import type { Context } from './context';
import { fieldError } from './errors';
import { noInputSchema } from './inputs';
import { authedProcedure, router } from './t';

// A recovery code with separators has 19 characters; the limit leaves room for spaces.
const codeSchema = z
	.string()
	.trim()
	.min(1, { message: 'Required.' })
	.max(64, { message: 'Must be at most 64 characters.' });

const INCORRECT_CODE_MESSAGE =
	'Incorrect or already used code. Enter the current code from your authenticator app ' +
	'or an unused recovery code.';

type SignedInContext = Context & { user: NonNullable<Context['user']> };

export const twoFactorRouter = router({
	/** Returns the caller's two-factor state, without the key. */
	status: authedProcedure
		.input(noInputSchema)
		.query(({ ctx }) => runOrReject(() => readTwoFactorStatus(ctx.db, ctx.user.id))),

	/**
	 * Generates a new key for the caller and returns it with its otpauth:// URI and QR code.
	 * The key is sent to the browser only here, before the setup is confirmed.
	 */
	beginSetup: authedProcedure.input(noInputSchema).mutation(({ ctx }) => {
		const setup = runOrReject(() => beginTotpSetup(ctx.db, ctx.user.id));
		ctx.log.info({ userId: ctx.user.id }, 'two-factor setup started');
		return setup;
	}),

	/**
	 * Turns two-factor sign-in on when the code matches the new key, and returns the recovery
	 * codes, which are never shown again. Wrong codes are throttled per user.
	 */
	confirmSetup: authedProcedure
		.input(z.object({ code: codeSchema }).strict())
		.mutation(async ({ ctx, input }) => {
			const codes = await checkCode(ctx, 'setup', () =>
				confirmTotpSetup(ctx.db, ctx.user.id, input.code, ctx.sessionId)
			);
			ctx.log.info({ userId: ctx.user.id }, 'two-factor sign-in enabled');
			return { recoveryCodes: codes };
		}),

	/**
	 * Turns two-factor sign-in off after checking the current password and a code. Refused with
	 * FORBIDDEN while the office requires two-factor sign-in.
	 */
	disable: authedProcedure
		.input(
			z
				.object({
					currentPassword: z.string().min(1, { message: 'Required.' }).max(1024),
					code: codeSchema
				})
				.strict()
		)
		.mutation(async ({ ctx, input }) => {
			let incorrect: 'currentPassword' | 'code' = 'code';
			await checkCode(
				ctx,
				'disable',
				async () => {
					const outcome = await disableTwoFactor(
						ctx.db,
						ctx.user.id,
						input.currentPassword,
						input.code
					);
					if (outcome.ok) return outcome;
					incorrect = outcome.incorrect;
					return null;
				},
				() => incorrect
			);
			ctx.log.info({ userId: ctx.user.id }, 'two-factor sign-in disabled');
			return { ok: true as const };
		}),

	/** Replaces the caller's recovery codes after checking a code, and returns the new ones. */
	regenerateRecoveryCodes: authedProcedure
		.input(z.object({ code: codeSchema }).strict())
		.mutation(async ({ ctx, input }) => {
			const codes = await checkCode(ctx, 'regenerate', () =>
				regenerateRecoveryCodes(ctx.db, ctx.user.id, input.code)
			);
			ctx.log.info({ userId: ctx.user.id }, 'recovery codes regenerated');
			return { recoveryCodes: codes };
		})
});

/**
 * Runs a check of a code under the caller's two-factor throttle and returns its value. A null
 * value is a wrong code: it is logged, audited and rejected as a field error on `code`, or on
 * the field that `incorrectField` names. A throttled call fails with TOO_MANY_REQUESTS.
 */
async function checkCode<T>(
	ctx: SignedInContext,
	stage: TwoFactorStage,
	check: () => T | null | Promise<T | null>,
	incorrectField: () => 'currentPassword' | 'code' = () => 'code'
): Promise<T> {
	const userId = ctx.user.id;
	const attempt = await runOrRejectAsync(() =>
		twoFactorThrottleFor(ctx.db).guard([userKey(userId)], async () => check())
	);
	if (attempt.throttled) {
		const { retryAfterSeconds } = attempt;
		ctx.log.warn({ userId, stage, retryAfterSeconds }, 'two-factor check throttled');
		throw new TRPCError({
			code: 'TOO_MANY_REQUESTS',
			message: `Too many incorrect codes. Wait ${retryAfterSeconds} s and try again.`
		});
	}
	if (attempt.value !== null) return attempt.value;

	const field = incorrectField();
	ctx.log.warn({ userId, stage, field }, 'two-factor check failed');
	recordTwoFactorFailure(ctx.db, { userId, actorId: userId, stage });
	if (field === 'currentPassword') {
		throw fieldError('currentPassword', 'incorrect', 'Current password is incorrect.');
	}
	throw fieldError('code', 'incorrect', INCORRECT_CODE_MESSAGE);
}

function runOrReject<T>(work: () => T): T {
	try {
		return work();
	} catch (error) {
		throw toTrpcError(error);
	}
}

async function runOrRejectAsync<T>(work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (error) {
		throw toTrpcError(error);
	}
}

function toTrpcError(error: unknown): unknown {
	if (!(error instanceof TwoFactorError)) return error;
	switch (error.reason) {
		case 'required_by_office':
			return new TRPCError({ code: 'FORBIDDEN', message: error.message });
		case 'user_not_found':
			return new TRPCError({ code: 'NOT_FOUND', message: error.message });
		default:
			return new TRPCError({ code: 'CONFLICT', message: error.message });
	}
}
