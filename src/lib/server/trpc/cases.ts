import { and, eq, lt, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';

import { describeCnjError, formatCnj, validateCnj } from '$lib/domain/cnj';
import { todayIso } from '$lib/domain/dates';
import { validateFeeAgreement } from '$lib/domain/fee-agreement';
import { acceptedValueTypes } from '$lib/domain/split';
import { escapeLikePattern, normalizeSearchText } from '$lib/domain/search-text';
import { canUseTrigramIndex, type TrigramTerm } from '$lib/domain/trigram-search';
import {
	appActor,
	CASE_AUDIT_FIELDS,
	createdFields,
	recordAuditBy,
	recordChanges
} from '$lib/server/audit';
import { writeTransaction, type Db } from '$lib/server/db';
import {
	ACTION_TYPES,
	CASE_STATUSES,
	cases,
	clients,
	people,
	transactions,
	type Case,
	type PersonRole
} from '$lib/server/db/schema';

import { selectCase, selectCases, toCaseOutput } from './case-queries';
import { conflict, conflictOnUnique, fieldError, notFound } from './errors';
import {
	idSchema,
	isoDateSchema,
	limitSchema,
	optionalText,
	requiredText,
	searchSchema
} from './inputs';
import { selectTransactions, sumShares } from './ledger-queries';
import { encodeCursor, idCursorSchema } from './pagination';
import { feeAgreementInput, readSettings } from './settings';
import { authedProcedure, router, writeProcedure } from './t';
import { matchTrigramIndex } from './trigram-match';

const caseFields = {
	clientId: idSchema,
	cnjNumber: optionalText(40),
	actionType: z.enum(ACTION_TYPES),
	title: requiredText(300),
	court: optionalText(200),
	partnerId: idSchema,
	consultantId: idSchema.nullish().transform((value) => value ?? null),
	openedOn: isoDateSchema,
	// Omitted agreement fields keep the case's current values, or take the office defaults
	// on a new case.
	feeBps: feeAgreementInput.feeBps.optional(),
	partnerShareBps: feeAgreementInput.partnerShareBps.optional(),
	consultantCommissionBps: feeAgreementInput.consultantCommissionBps.optional()
};

const createInput = z
	.object({
		...caseFields,
		status: z.enum(CASE_STATUSES).default('open'),
		closedOn: isoDateSchema.nullish().transform((value) => value ?? null)
	})
	.strict();

const listInput = z
	.object({
		search: searchSchema,
		status: z.enum(CASE_STATUSES).optional(),
		actionType: z.enum(ACTION_TYPES).optional(),
		clientId: idSchema.optional(),
		partnerId: idSchema.optional(),
		cursor: idCursorSchema,
		limit: limitSchema
	})
	.strict()
	.prefault({});

export const casesRouter = router({
	list: authedProcedure.input(listInput).query(({ ctx, input }) => {
		const conditions: SQL[] = [];
		if (input.status) conditions.push(eq(cases.status, input.status));
		if (input.actionType) conditions.push(eq(cases.actionType, input.actionType));
		if (input.clientId) conditions.push(eq(cases.clientId, input.clientId));
		if (input.partnerId) conditions.push(eq(cases.partnerId, input.partnerId));
		if (input.search) conditions.push(matchSearch(input.search));
		if (input.cursor) conditions.push(lt(cases.id, input.cursor.id));

		const rows = selectCases(ctx.db, and(...conditions), input.limit + 1);
		const page = rows.slice(0, input.limit);
		const last = page.at(-1);
		const nextCursor = rows.length > input.limit && last ? encodeCursor([last.case.id]) : null;
		return { items: page.map(toCaseOutput), nextCursor };
	}),

	get: authedProcedure.input(z.object({ id: idSchema }).strict()).query(({ ctx, input }) => {
		const row = selectCase(ctx.db, input.id);
		if (!row) throw notFound('Case', input.id);
		const ofCase = eq(transactions.caseId, input.id);
		return {
			...toCaseOutput(row),
			acceptedValueTypes: acceptedValueTypes(row.case.actionType),
			transactions: selectTransactions(ctx.db, ofCase),
			totals: sumShares(ctx.db, ofCase)
		};
	}),

	create: writeProcedure.input(createInput).mutation(({ ctx, input }) => {
		const cnjNumber = normalizeCnjField(input.cnjNumber);
		const closedOn = checkStatusDates(input.status, input.openedOn, input.closedOn);

		const id = conflictOnUnique(cnjConflictMessage(cnjNumber), () =>
			writeTransaction(ctx.db, (tx) => {
				checkReferences(tx, input, null);
				assertCnjFree(tx, cnjNumber, null);
				const agreement = resolveAgreement(tx, input, null);
				const created = tx
					.insert(cases)
					.values({
						...input,
						...agreement,
						cnjNumber,
						closedOn,
						titleSearch: normalizeSearchText(input.title)
					})
					.returning()
					.get();
				recordAuditBy(tx, appActor(ctx.user.id, ctx.requestId), {
					action: 'create',
					entity: 'case',
					entityId: created.id,
					changes: createdFields(created, CASE_AUDIT_FIELDS)
				});
				return created.id;
			})
		);
		ctx.log.info({ caseId: id, userId: ctx.user.id }, 'case created');
		return toCaseOutput(selectCase(ctx.db, id)!);
	}),

	update: writeProcedure
		.input(z.object({ id: idSchema, ...caseFields }).strict())
		.mutation(({ ctx, input }) => {
			const { id, ...fields } = input;
			const cnjNumber = normalizeCnjField(fields.cnjNumber);

			conflictOnUnique(cnjConflictMessage(cnjNumber), () =>
				writeTransaction(ctx.db, (tx) => {
					const current = findCase(tx, id);
					checkReferences(tx, fields, current);
					checkOpenedBeforeClosed(fields.openedOn, current.closedOn);
					assertCnjFree(tx, cnjNumber, id);
					const agreement = resolveAgreement(tx, fields, current);
					const updated = tx
						.update(cases)
						.set({
							...fields,
							...agreement,
							cnjNumber,
							titleSearch: normalizeSearchText(fields.title),
							updatedAt: new Date().toISOString()
						})
						.where(eq(cases.id, id))
						.returning()
						.get()!;
					// The fee agreement fields are among these, so an agreement change is recorded here.
					recordChanges(
						tx,
						appActor(ctx.user.id, ctx.requestId),
						{ action: 'update', entity: 'case', entityId: id },
						current,
						updated,
						CASE_AUDIT_FIELDS
					);
				})
			);
			ctx.log.info({ caseId: id, userId: ctx.user.id }, 'case updated');
			return toCaseOutput(selectCase(ctx.db, id)!);
		}),

	setStatus: writeProcedure
		.input(
			z
				.object({
					id: idSchema,
					status: z.enum(CASE_STATUSES),
					closedOn: isoDateSchema.nullish().transform((value) => value ?? null)
				})
				.strict()
		)
		.mutation(({ ctx, input }) => {
			writeTransaction(ctx.db, (tx) => {
				const current = findCase(tx, input.id);
				// Closing a case that is already closed keeps its date unless a new one is given.
				const keptDate = current.status === 'closed' ? current.closedOn : null;
				const requested =
					input.status === 'closed' ? (input.closedOn ?? keptDate ?? todayIso()) : input.closedOn;
				const closedOn = checkStatusDates(input.status, current.openedOn, requested);
				const updated = tx
					.update(cases)
					.set({ status: input.status, closedOn, updatedAt: new Date().toISOString() })
					.where(eq(cases.id, input.id))
					.returning()
					.get()!;
				recordChanges(
					tx,
					appActor(ctx.user.id, ctx.requestId),
					{ action: 'status_set', entity: 'case', entityId: input.id },
					current,
					updated,
					['status', 'closedOn']
				);
			});
			ctx.log.info(
				{ caseId: input.id, userId: ctx.user.id, status: input.status },
				'case status set'
			);
			return toCaseOutput(selectCase(ctx.db, input.id)!);
		})
});

interface AgreementInput {
	consultantId: number | null;
	feeBps?: number;
	partnerShareBps?: number;
	consultantCommissionBps?: number;
}

/**
 * Returns the fee agreement to store: the given values, else the case's current ones, else
 * the office defaults. A case without a consultant has no commission. Throws BAD_REQUEST on
 * the field when the agreement is invalid, e.g. a commission that would leave the office a
 * negative share.
 */
function resolveAgreement(db: Db, input: AgreementInput, current: Case | null) {
	const defaults = readSettings(db);
	const hasConsultant = input.consultantId !== null;
	const keptCommission =
		current && current.consultantId !== null ? current.consultantCommissionBps : undefined;

	const agreement = {
		feeBps: input.feeBps ?? current?.feeBps ?? defaults.defaultFeeBps,
		partnerShareBps:
			input.partnerShareBps ?? current?.partnerShareBps ?? defaults.defaultPartnerShareBps,
		consultantCommissionBps: hasConsultant
			? (input.consultantCommissionBps ?? keptCommission ?? defaults.defaultConsultantCommissionBps)
			: (input.consultantCommissionBps ?? 0)
	};

	const problem = validateFeeAgreement(agreement, { hasConsultant })[0];
	if (problem) throw fieldError(problem.field, problem.reason, problem.message);
	return agreement;
}

function findCase(db: Db, id: number): Case {
	const row = db.select().from(cases).where(eq(cases.id, id)).get();
	if (!row) throw notFound('Case', id);
	return row;
}

function normalizeCnjField(input: string | null): string | null {
	if (input === null) return null;
	const result = validateCnj(input);
	if (!result.ok) throw fieldError('cnjNumber', result.reason, describeCnjError(result.reason));
	return result.value;
}

/**
 * Returns the closing date to store: only a closed case has one, and it cannot precede the
 * opening date.
 */
function checkStatusDates(
	status: Case['status'],
	openedOn: string,
	closedOn: string | null
): string | null {
	if (status !== 'closed') {
		if (closedOn !== null) {
			throw fieldError('closedOn', 'not_closed', 'Only a closed case has a closing date.');
		}
		return null;
	}
	if (closedOn === null) {
		throw fieldError('closedOn', 'required', 'A closed case needs its closing date.');
	}
	if (closedOn < openedOn) {
		throw fieldError(
			'closedOn',
			'before_opened',
			`The closing date ${closedOn} is before the opening date ${openedOn}.`
		);
	}
	return closedOn;
}

// The edit form has no closing date, so a conflict is reported on the opening date it changed.
function checkOpenedBeforeClosed(openedOn: string, closedOn: string | null): void {
	if (closedOn !== null && openedOn > closedOn) {
		throw fieldError(
			'openedOn',
			'after_closed',
			`The opening date ${openedOn} is after the closing date ${closedOn}.`
		);
	}
}

interface CaseReferences {
	clientId: number;
	partnerId: number;
	consultantId: number | null;
}

/**
 * Checks that the client exists and is not archived and that the partner and consultant exist
 * with the right role and are active. A reference the case already had is accepted even if
 * it has since been archived or deactivated, so that old cases stay editable.
 */
function checkReferences(db: Db, refs: CaseReferences, current: Case | null): void {
	const client = db
		.select({ archivedAt: clients.archivedAt })
		.from(clients)
		.where(eq(clients.id, refs.clientId))
		.get();
	if (!client) {
		throw fieldError('clientId', 'not_found', `Client ${refs.clientId} does not exist.`);
	}
	if (client.archivedAt && current?.clientId !== refs.clientId) {
		throw fieldError('clientId', 'archived', `Client ${refs.clientId} is archived.`);
	}

	checkPerson(db, 'partnerId', refs.partnerId, 'partner', current?.partnerId);
	if (refs.consultantId !== null) {
		checkPerson(db, 'consultantId', refs.consultantId, 'consultant', current?.consultantId);
	}
}

function checkPerson(
	db: Db,
	field: string,
	id: number,
	role: PersonRole,
	currentId: number | null | undefined
): void {
	const person = db
		.select({ role: people.role, active: people.active })
		.from(people)
		.where(eq(people.id, id))
		.get();
	if (!person) throw fieldError(field, 'not_found', `Person ${id} does not exist.`);
	if (person.role !== role) {
		throw fieldError(field, 'wrong_role', `Person ${id} is a ${person.role}, not a ${role}.`);
	}
	if (!person.active && currentId !== id) {
		throw fieldError(field, 'inactive', `Person ${id} is inactive.`);
	}
}

function assertCnjFree(db: Db, cnjNumber: string | null, exceptId: number | null): void {
	if (cnjNumber === null) return;
	const holder = db
		.select({ id: cases.id })
		.from(cases)
		.where(eq(cases.cnjNumber, cnjNumber))
		.get();
	if (holder && holder.id !== exceptId) {
		throw conflict(`Case ${holder.id} already has the CNJ number ${formatCnj(cnjNumber)}.`);
	}
}

function cnjConflictMessage(cnjNumber: string | null): string {
	return `Another case already has the CNJ number ${cnjNumber ? formatCnj(cnjNumber) : ''}.`;
}

/**
 * Matches the folded title, and the CNJ number when the search has 3 to 20 digits, as
 * substrings (`%` and `_` literally). When every fragment has 3 or more characters the
 * cases_search trigram index finds the candidates and LIKE rechecks them. Shorter fragments
 * use LIKE alone while the list walks the cases newest first, stopping once a page is full.
 */
function matchSearch(search: string): SQL {
	const title = normalizeSearchText(search);
	const terms: TrigramTerm[] = [{ column: 'title_search', text: title }];
	let matches = sql`${cases.titleSearch} LIKE ${`%${escapeLikePattern(title)}%`} ESCAPE '\\'`;

	const digits = search.replace(/[\s.-]/g, '');
	if (/^\d{3,20}$/.test(digits)) {
		terms.push({ column: 'cnj_number', text: digits });
		matches = or(matches, sql`${cases.cnjNumber} LIKE ${`%${digits}%`}`)!;
	}

	if (!canUseTrigramIndex(terms)) return matches;
	return and(matchTrigramIndex(cases.id, 'cases_search', terms), matches)!;
}
