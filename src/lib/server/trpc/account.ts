import { TRPCError } from '@trpc/server';
import { z } from 'zod';

import { appActor, recordAuditBy } from '$lib/server/audit';
import { Throttle, userKey } from '$lib/server/auth/throttle';
import type { Db } from '$lib/server/db';
import { changeOwnPassword, UserError } from '$lib/server/users';

import { fieldError } from './errors';
import { authedProcedure, router } from './t';

// Incorrect current passwords per user, with the sign-in limits, so that a stolen session
// cannot guess the password faster than the sign-in form allows. Throttle state is kept per
// database handle because user ids are unique only within one database: the app opens one
// handle, and router tests open one per test.
const passwordChangeThrottles = new WeakMap<Db, Throttle>();

export const accountRouter = router({
	/**
	 * Changes the caller's password and signs out their other sessions. Incorrect current
	 * passwords are throttled per user, and a throttled call fails with TOO_MANY_REQUESTS
	 * (HTTP 429) without checking the password.
	 */
	changePassword: authedProcedure
		.input(
			z
				.object({
					currentPassword: z.string().min(1, { message: 'Required.' }).max(1024),
					newPassword: z.string().min(1, { message: 'Required.' }).max(1024)
				})
				.strict()
		)
		.mutation(async ({ ctx, input }) => {
			const userId = ctx.user.id;
			const attempt = await throttleFor(ctx.db).guard([userKey(userId)], () =>
				changePasswordUnlessIncorrect(ctx.db, userId, ctx.requestId, input, ctx.sessionId)
			);
			if (attempt.throttled) {
				const { retryAfterSeconds } = attempt;
				ctx.log.warn({ userId, retryAfterSeconds }, 'password change throttled');
				throw new TRPCError({
					code: 'TOO_MANY_REQUESTS',
					message: `Too many incorrect current passwords. Wait ${retryAfterSeconds} s and try again.`
				});
			}
			if (!attempt.value) {
				ctx.log.warn({ userId }, 'password change failed: current password incorrect');
				throw fieldError('currentPassword', 'incorrect', 'Current password is incorrect.');
			}

			const { sessionsEnded } = attempt.value;
			ctx.log.info({ userId, sessionsEnded }, 'password changed');
			return { ok: true as const, sessionsEnded };
		})
});

function throttleFor(db: Db): Throttle {
	let throttle = passwordChangeThrottles.get(db);
	if (!throttle) {
		throttle = new Throttle();
		passwordChangeThrottles.set(db, throttle);
	}
	return throttle;
}

/**
 * Runs changeOwnPassword and returns null when the current password is incorrect, the one
 * outcome that counts as a failed guess. Other UserErrors become field errors, which the
 * throttle does not count.
 */
async function changePasswordUnlessIncorrect(
	db: Db,
	userId: number,
	requestId: string,
	input: { currentPassword: string; newPassword: string },
	sessionId: string | null
): Promise<{ sessionsEnded: number } | null> {
	try {
		return await changeOwnPassword(
			db,
			userId,
			input.currentPassword,
			input.newPassword,
			sessionId ?? undefined,
			(tx) =>
				recordAuditBy(tx, appActor(userId, requestId), {
					action: 'password_change',
					entity: 'user',
					entityId: userId
				})
		);
	} catch (error) {
		if (!(error instanceof UserError)) throw error;
		if (error.field === 'currentPassword' && error.reason === 'incorrect') return null;
		throw fieldError(error.field, error.reason, error.message);
	}
}
