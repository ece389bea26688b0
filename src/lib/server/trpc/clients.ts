import { and, asc, count, eq, gt, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';

import { formatDocument, validateDocument, describeDocumentError } from '$lib/domain/document';
import { escapeLikePattern, normalizeSearchText } from '$lib/domain/search-text';
import { canUseTrigramIndex, type TrigramTerm } from '$lib/domain/trigram-search';
import {
	appActor,
	CLIENT_AUDIT_FIELDS,
	createdFields,
	deletedFields,
	recordAuditBy,
	recordChanges
} from '$lib/server/audit';
import { writeTransaction, type Db } from '$lib/server/db';
import { cases, CLIENT_KINDS, clients, type Client } from '$lib/server/db/schema';

import { listCasesOfClient } from './case-queries';
import { sumShares } from './ledger-queries';
import { conflict, conflictOnUnique, fieldError, notFound } from './errors';
import {
	idSchema,
	limitSchema,
	optionalEmailSchema,
	optionalText,
	requiredText,
	searchSchema
} from './inputs';
import { encodeCursor, textIdCursorSchema } from './pagination';
import { authedProcedure, router, writeProcedure } from './t';
import { matchTrigramIndex } from './trigram-match';

const clientFieldsSchema = z
	.object({
		kind: z.enum(CLIENT_KINDS),
		name: requiredText(200),
		document: z.string().trim().min(1, { message: 'Required.' }).max(40),
		email: optionalEmailSchema,
		phone: optionalText(40),
		notes: optionalText(4000)
	})
	.strict();

const listInput = z
	.object({
		search: searchSchema,
		archived: z.boolean().default(false),
		cursor: textIdCursorSchema,
		limit: limitSchema
	})
	.strict()
	.prefault({});

export const clientsRouter = router({
	list: authedProcedure.input(listInput).query(({ ctx, input }) => {
		const conditions: SQL[] = [
			input.archived ? isNotNull(clients.archivedAt) : isNull(clients.archivedAt)
		];
		if (input.search) conditions.push(matchSearch(input.search));
		if (input.cursor) {
			const after = or(
				gt(clients.nameSearch, input.cursor.text),
				and(eq(clients.nameSearch, input.cursor.text), gt(clients.id, input.cursor.id))
			);
			if (after) conditions.push(after);
		}

		const rows = ctx.db
			.select()
			.from(clients)
			.where(and(...conditions))
			.orderBy(asc(clients.nameSearch), asc(clients.id))
			.limit(input.limit + 1)
			.all();

		const page = rows.slice(0, input.limit);
		const last = page.at(-1);
		const nextCursor =
			rows.length > input.limit && last ? encodeCursor([last.nameSearch, last.id]) : null;
		return { items: page.map(toClientOutput), nextCursor };
	}),

	get: authedProcedure.input(z.object({ id: idSchema }).strict()).query(({ ctx, input }) => {
		const client = findClient(ctx.db, input.id);
		return {
			...toClientOutput(client),
			cases: listCasesOfClient(ctx.db, client.id),
			totals: sumShares(ctx.db, eq(cases.clientId, client.id))
		};
	}),

	create: writeProcedure.input(clientFieldsSchema).mutation(({ ctx, input }) => {
		const document = normalizeDocumentField(input.kind, input.document);

		const row = conflictOnUnique(
			`A client already has the document ${formatDocument(document)}.`,
			() =>
				writeTransaction(ctx.db, (tx) => {
					assertDocumentFree(tx, document, null);
					const created = tx
						.insert(clients)
						.values({ ...input, document, nameSearch: normalizeSearchText(input.name) })
						.returning()
						.get();
					recordAuditBy(tx, appActor(ctx.user.id, ctx.requestId), {
						action: 'create',
						entity: 'client',
						entityId: created.id,
						changes: createdFields(created, CLIENT_AUDIT_FIELDS)
					});
					return created;
				})
		);
		ctx.log.info({ clientId: row.id, userId: ctx.user.id }, 'client created');
		return toClientOutput(row);
	}),

	update: writeProcedure
		.input(clientFieldsSchema.extend({ id: idSchema }))
		.mutation(({ ctx, input }) => {
			const { id, ...fields } = input;
			const document = normalizeDocumentField(fields.kind, fields.document);

			const row = conflictOnUnique(
				`A client already has the document ${formatDocument(document)}.`,
				() =>
					writeTransaction(ctx.db, (tx) => {
						const before = findClient(tx, id);
						assertDocumentFree(tx, document, id);
						const updated = tx
							.update(clients)
							.set({
								...fields,
								document,
								nameSearch: normalizeSearchText(fields.name),
								updatedAt: new Date().toISOString()
							})
							.where(eq(clients.id, id))
							.returning()
							.get()!;
						recordChanges(
							tx,
							appActor(ctx.user.id, ctx.requestId),
							{ action: 'update', entity: 'client', entityId: id },
							before,
							updated,
							CLIENT_AUDIT_FIELDS
						);
						return updated;
					})
			);
			ctx.log.info({ clientId: id, userId: ctx.user.id }, 'client updated');
			return toClientOutput(row!);
		}),

	archive: writeProcedure
		.input(z.object({ id: idSchema, archived: z.boolean().default(true) }).strict())
		.mutation(({ ctx, input }) => {
			const row = writeTransaction(ctx.db, (tx) => {
				const client = findClient(tx, input.id);
				const archivedAt = input.archived ? (client.archivedAt ?? new Date().toISOString()) : null;
				const updated = tx
					.update(clients)
					.set({ archivedAt, updatedAt: new Date().toISOString() })
					.where(eq(clients.id, input.id))
					.returning()
					.get()!;
				recordChanges(
					tx,
					appActor(ctx.user.id, ctx.requestId),
					{
						action: input.archived ? 'archive' : 'unarchive',
						entity: 'client',
						entityId: input.id
					},
					client,
					updated,
					['archivedAt']
				);
				return updated;
			});
			ctx.log.info(
				{ clientId: input.id, userId: ctx.user.id, archived: input.archived },
				'client archive state set'
			);
			return toClientOutput(row!);
		}),

	delete: writeProcedure.input(z.object({ id: idSchema }).strict()).mutation(({ ctx, input }) => {
		writeTransaction(ctx.db, (tx) => {
			const client = findClient(tx, input.id);
			const caseCount =
				tx.select({ value: count() }).from(cases).where(eq(cases.clientId, input.id)).get()
					?.value ?? 0;
			if (caseCount > 0) {
				throw conflict(
					`Client ${input.id} has ${caseCount} case(s) and cannot be deleted; archive it instead.`
				);
			}
			tx.delete(clients).where(eq(clients.id, input.id)).run();
			recordAuditBy(tx, appActor(ctx.user.id, ctx.requestId), {
				action: 'delete',
				entity: 'client',
				entityId: input.id,
				changes: deletedFields(client, CLIENT_AUDIT_FIELDS)
			});
		});
		ctx.log.info({ clientId: input.id, userId: ctx.user.id }, 'client deleted');
		return { id: input.id };
	})
});

export type ClientOutput = ReturnType<typeof toClientOutput>;

function toClientOutput(row: Client) {
	return {
		id: row.id,
		kind: row.kind,
		name: row.name,
		document: row.document,
		documentFormatted: formatDocument(row.document),
		email: row.email,
		phone: row.phone,
		notes: row.notes,
		archivedAt: row.archivedAt,
		createdAt: row.createdAt,
		updatedAt: row.updatedAt
	};
}

function findClient(db: Db, id: number): Client {
	const row = db.select().from(clients).where(eq(clients.id, id)).get();
	if (!row) throw notFound('Client', id);
	return row;
}

function normalizeDocumentField(kind: Client['kind'], input: string): string {
	const result = validateDocument(kind, input);
	if (!result.ok) {
		throw fieldError('document', result.reason, describeDocumentError(kind, result.reason));
	}
	return result.value;
}

function assertDocumentFree(db: Db, document: string, exceptId: number | null): void {
	const holder = db
		.select({ id: clients.id })
		.from(clients)
		.where(eq(clients.document, document))
		.get();
	if (holder && holder.id !== exceptId) {
		throw conflict(`Client ${holder.id} already has the document ${formatDocument(document)}.`);
	}
}

/**
 * Matches the folded name, and the document when the search looks like one, as substrings
 * (`%` and `_` literally). When every fragment has 3 or more characters the clients_search
 * trigram index finds the candidates and LIKE rechecks them. Shorter fragments use LIKE alone:
 * the list walks clients_name_search_idx in page order and stops once a page is full, so a
 * rare 1- or 2-character fragment can read every client.
 */
function matchSearch(search: string): SQL {
	const name = normalizeSearchText(search);
	const terms: TrigramTerm[] = [{ column: 'name_search', text: name }];
	let matches = sql`${clients.nameSearch} LIKE ${`%${escapeLikePattern(name)}%`} ESCAPE '\\'`;

	const documentTerm = search.replace(/[\s./-]/g, '').toUpperCase();
	if (/^[0-9A-Z]{2,14}$/.test(documentTerm)) {
		const documentPattern = `%${escapeLikePattern(documentTerm)}%`;
		terms.push({ column: 'document', text: documentTerm });
		matches = or(matches, sql`${clients.document} LIKE ${documentPattern} ESCAPE '\\'`)!;
	}

	if (!canUseTrigramIndex(terms)) return matches;
	return and(matchTrigramIndex(clients.id, 'clients_search', terms), matches)!;
}
