import { z } from 'zod';

import { changeOwnPassword, UserError } from '$lib/server/users';

import { fieldError } from './errors';
import { authedProcedure, router } from './t';

export const accountRouter = router({
	/** Changes the caller's password and signs out their other sessions. */
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
			try {
				const result = await changeOwnPassword(
					ctx.db,
					ctx.user.id,
					input.currentPassword,
					input.newPassword,
					ctx.sessionId ?? undefined
				);
				ctx.log.info(
					{ userId: ctx.user.id, sessionsEnded: result.sessionsEnded },
					'password changed'
				);
				return { ok: true as const, sessionsEnded: result.sessionsEnded };
			} catch (error) {
				if (error instanceof UserError) throw fieldError(error.field, error.reason, error.message);
				throw error;
			}
		})
});
