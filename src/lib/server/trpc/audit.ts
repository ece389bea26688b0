import { asc } from 'drizzle-orm';
import { z } from 'zod';

import { AUDIT_ENTITIES } from '$lib/server/audit';
import { users } from '$lib/server/db/schema';

import { selectAuditPage } from './audit-queries';
import { idSchema, isoDateSchema, limitSchema, noInputSchema } from './inputs';
import { textIdCursorSchema } from './pagination';
import { adminProcedure, router } from './t';

const listInput = z
	.object({
		actorId: idSchema.optional(),
		entity: z.enum(AUDIT_ENTITIES).optional(),
		// Text, because session ids are text. Other entities store their integer id as text.
		entityId: z.string().trim().min(1).max(100).optional(),
		from: isoDateSchema.optional(),
		to: isoDateSchema.optional(),
		cursor: textIdCursorSchema,
		limit: limitSchema
	})
	.strict()
	.prefault({})
	.superRefine((input, ctx) => {
		// The entity index starts with the entity, so an id alone could not use it.
		if (input.entityId !== undefined && input.entity === undefined) {
			ctx.addIssue({
				code: 'custom',
				path: ['entityId'],
				message: 'Choose an entity to filter by its id.',
				params: { reason: 'entity_required' },
				input: input.entityId
			});
		}
		if (input.from !== undefined && input.to !== undefined && input.to < input.from) {
			ctx.addIssue({
				code: 'custom',
				path: ['to'],
				message: `Must be on or after from (${input.from}).`,
				params: { reason: 'before_from' },
				input: input.to
			});
		}
	});

export const auditRouter = router({
	/**
	 * Lists audit rows newest first. `from` and `to` are São Paulo calendar days, both
	 * inclusive.
	 */
	list: adminProcedure.input(listInput).query(({ ctx, input }) => {
		const { cursor, limit, ...filters } = input;
		return selectAuditPage(ctx.db, filters, cursor, limit);
	}),

	/** Lists every user, disabled ones too, for the page's user filter. */
	actors: adminProcedure
		.input(noInputSchema)
		.query(({ ctx }) =>
			ctx.db
				.select({ id: users.id, name: users.name, email: users.email })
				.from(users)
				.orderBy(asc(users.name), asc(users.id))
				.all()
		)
});
