import { and, asc, eq, type SQL } from 'drizzle-orm';
import { z } from 'zod';

import { describeDocumentError, formatDocument, validateDocument } from '$lib/domain/document';
import {
	appActor,
	createdFields,
	PERSON_AUDIT_FIELDS,
	recordAuditBy,
	recordChanges
} from '$lib/server/audit';
import { writeTransaction, type Db } from '$lib/server/db';
import { people, PERSON_ROLES, type Person } from '$lib/server/db/schema';

import { conflict, conflictOnUnique, fieldError, notFound } from './errors';
import { idSchema, optionalEmailSchema, optionalText, requiredText } from './inputs';
import { authedProcedure, router, writeProcedure } from './t';

const personFields = {
	name: requiredText(200),
	document: optionalText(40),
	email: optionalEmailSchema
};

export const peopleRouter = router({
	list: authedProcedure
		.input(
			z
				.object({
					role: z.enum(PERSON_ROLES).optional(),
					includeInactive: z.boolean().default(false)
				})
				.strict()
				.prefault({})
		)
		.query(({ ctx, input }) => {
			const conditions: SQL[] = [];
			if (input.role) conditions.push(eq(people.role, input.role));
			if (!input.includeInactive) conditions.push(eq(people.active, true));
			return ctx.db
				.select()
				.from(people)
				.where(and(...conditions))
				.orderBy(asc(people.role), asc(people.name), asc(people.id))
				.all()
				.map(toPersonOutput);
		}),

	create: writeProcedure
		.input(
			z
				.object({ role: z.enum(PERSON_ROLES), ...personFields, active: z.boolean().default(true) })
				.strict()
		)
		.mutation(({ ctx, input }) => {
			const document = normalizePersonDocument(input.document);
			const row = conflictOnUnique('Another person already has this document.', () =>
				writeTransaction(ctx.db, (tx) => {
					assertDocumentFree(tx, document, null);
					const created = tx
						.insert(people)
						.values({ ...input, document })
						.returning()
						.get();
					recordAuditBy(tx, appActor(ctx.user.id, ctx.requestId), {
						action: 'create',
						entity: 'person',
						entityId: created.id,
						changes: createdFields(created, PERSON_AUDIT_FIELDS)
					});
					return created;
				})
			);
			ctx.log.info({ personId: row.id, userId: ctx.user.id }, 'person created');
			return toPersonOutput(row);
		}),

	// The role is fixed at creation: cases point at a person as partner or as consultant.
	// `active` has no default here, so that leaving it out cannot reactivate a person.
	update: writeProcedure
		.input(z.object({ id: idSchema, ...personFields, active: z.boolean() }).strict())
		.mutation(({ ctx, input }) => {
			const { id, ...fields } = input;
			const document = normalizePersonDocument(fields.document);
			const row = conflictOnUnique('Another person already has this document.', () =>
				writeTransaction(ctx.db, (tx) => {
					const before = tx.select().from(people).where(eq(people.id, id)).get();
					if (!before) throw notFound('Person', id);
					assertDocumentFree(tx, document, id);
					const updated = tx
						.update(people)
						.set({ ...fields, document, updatedAt: new Date().toISOString() })
						.where(eq(people.id, id))
						.returning()
						.get()!;
					recordChanges(
						tx,
						appActor(ctx.user.id, ctx.requestId),
						{ action: 'update', entity: 'person', entityId: id },
						before,
						updated,
						PERSON_AUDIT_FIELDS
					);
					return updated;
				})
			);
			ctx.log.info({ personId: id, userId: ctx.user.id }, 'person updated');
			return toPersonOutput(row!);
		})
});

function toPersonOutput(row: Person) {
	return {
		id: row.id,
		role: row.role,
		name: row.name,
		document: row.document,
		documentFormatted: row.document ? formatDocument(row.document) : null,
		email: row.email,
		active: row.active,
		createdAt: row.createdAt,
		updatedAt: row.updatedAt
	};
}

// A partner or consultant may be paid as a person (CPF) or through a company (CNPJ); the
// number of characters without punctuation shows which.
function normalizePersonDocument(input: string | null): string | null {
	if (input === null) return null;
	const bare = input.replace(/[\s./-]/g, '');
	const kind = bare.length === 11 ? 'person' : 'company';
	const result = validateDocument(kind, input);
	if (!result.ok) {
		const message =
			result.reason === 'length'
				? 'Must be a CPF (11 digits) or a CNPJ (14 characters).'
				: describeDocumentError(kind, result.reason);
		throw fieldError('document', result.reason, message);
	}
	return result.value;
}

function assertDocumentFree(db: Db, document: string | null, exceptId: number | null): void {
	if (document === null) return;
	const holder = db
		.select({ id: people.id })
		.from(people)
		.where(eq(people.document, document))
		.get();
	if (holder && holder.id !== exceptId) {
		throw conflict(`Person ${holder.id} already has the document ${formatDocument(document)}.`);
	}
}
