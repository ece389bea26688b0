import { createHash } from 'node:crypto';

import { eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';

import { addMonthsClamped } from '$lib/domain/dates';
import {
	acceptedValueTypes,
	MAX_GROSS_CENTS,
	splitPayment,
	VALUE_TYPES,
	type Split,
	type ValueType
} from '$lib/domain/split';
import {
	appActor,
	createdFields,
	recordAuditBy,
	recordChanges,
	TRANSACTION_AUDIT_FIELDS,
	TRANSACTION_VOID_FIELDS,
	type AuditActor
} from '$lib/server/audit';
import { writeTransaction, type Db } from '$lib/server/db';
import { cases, idempotencyKeys, transactions, type Case } from '$lib/server/db/schema';

import { conflict, fieldError, notFound } from './errors';
import { idSchema, isoDateSchema, optionalText, requiredText } from './inputs';
import { selectTransaction, selectTransactions } from './ledger-queries';
import { authedProcedure, router, writeProcedure } from './t';

/** Maximum installments one call may create: ten years of monthly payments. */
export const MAX_INSTALLMENTS = 120;

const centsSchema = z
	.number({ message: 'Must be an amount in integer cents.' })
	.int({ message: 'Must be an amount in integer cents.' })
	.min(1, { message: 'Must be at least 1 cent.' })
	.max(MAX_GROSS_CENTS, { message: 'Must be at most R$ 100.000.000.000,00.' });

/**
 * Optional client-generated key that makes a create request safe to retry: a repeat with the
 * same key and input returns the payments of the first request without recording new ones.
 */
const idempotencyKeySchema = z
	.string()
	.regex(/^[A-Za-z0-9_-]{16,100}$/, {
		message: 'Must be 16 to 100 characters of letters, digits, "-" and "_", such as a UUID.'
	})
	.optional();

const previewInput = z
	.object({ caseId: idSchema, valueType: z.enum(VALUE_TYPES), grossCents: centsSchema })
	.strict();

const createInput = previewInput
	.extend({
		receivedOn: isoDateSchema,
		notes: optionalText(2000),
		idempotencyKey: idempotencyKeySchema
	})
	.strict();

const installmentsInput = z
	.object({
		caseId: idSchema,
		firstReceivedOn: isoDateSchema,
		count: z
			.number()
			.int({ message: 'Must be a whole number.' })
			.min(1, { message: 'Must be at least 1.' })
			.max(MAX_INSTALLMENTS, { message: `Must be at most ${MAX_INSTALLMENTS}.` }),
		amountCents: centsSchema,
		notes: optionalText(2000),
		idempotencyKey: idempotencyKeySchema
	})
	.strict();

const voidInput = z
	.object({
		id: idSchema,
		reason: requiredText(500, 'Required: say why the payment is voided.')
	})
	.strict();

export const transactionsRouter = router({
	preview: authedProcedure.input(previewInput).query(({ ctx, input }) => {
		const legalCase = findCase(ctx.db, input.caseId);
		return {
			split: computeSplit(legalCase, input.valueType, input.grossCents, 'valueType'),
			acceptedValueTypes: acceptedValueTypes(legalCase.actionType)
		};
	}),

	create: writeProcedure.input(createInput).mutation(({ ctx, input }) => {
		const request = keyedRequest('transactions.create', input);
		const actor = appActor(ctx.user.id, ctx.requestId);
		const outcome = writeTransaction(ctx.db, (tx) =>
			recordOnce(tx, request, ctx.user.id, () => {
				const legalCase = findCase(tx, input.caseId);
				const split = computeSplit(legalCase, input.valueType, input.grossCents, 'valueType');
				assertLedgerCapacity(tx, input.grossCents, 'grossCents');
				const id = insertPayment(tx, actor, legalCase, split, {
					receivedOn: input.receivedOn,
					valueType: input.valueType,
					grossCents: input.grossCents,
					notes: input.notes,
					createdBy: ctx.user.id
				});
				return [id];
			})
		);
		const id = outcome.ids[0]!;

		ctx.log.info(
			{
				transactionId: id,
				caseId: input.caseId,
				userId: ctx.user.id,
				idempotencyKey: request?.key
			},
			outcome.replayed
				? 'payment request repeated; returned the recorded payment'
				: 'payment recorded'
		);
		return selectTransaction(ctx.db, id)!;
	}),

	createInstallments: writeProcedure.input(installmentsInput).mutation(({ ctx, input }) => {
		const request = keyedRequest('transactions.createInstallments', input);
		const dates = installmentDates(input.firstReceivedOn, input.count);
		const group = crypto.randomUUID();
		const actor = appActor(ctx.user.id, ctx.requestId);
		const outcome = writeTransaction(ctx.db, (tx) =>
			recordOnce(tx, request, ctx.user.id, () => {
				const legalCase = findCase(tx, input.caseId);
				const split = computeSplit(legalCase, 'monthly_installment', input.amountCents, 'caseId');
				assertLedgerCapacity(tx, input.amountCents * dates.length, 'amountCents');
				return dates.map((receivedOn, index) =>
					insertPayment(tx, actor, legalCase, split, {
						receivedOn,
						valueType: 'monthly_installment',
						grossCents: input.amountCents,
						notes: input.notes,
						createdBy: ctx.user.id,
						installmentGroup: group,
						installmentNumber: index + 1,
						installmentCount: input.count
					})
				);
			})
		);

		ctx.log.info(
			{
				caseId: input.caseId,
				userId: ctx.user.id,
				count: outcome.ids.length,
				// A repeated request returns the rows of the first one, not this call's group.
				installmentGroup: outcome.replayed ? undefined : group,
				idempotencyKey: request?.key
			},
			outcome.replayed
				? 'installments request repeated; returned the recorded installments'
				: 'installments recorded'
		);
		// Ordered by date and id, so installment 1 comes first.
		return selectTransactions(ctx.db, inArray(transactions.id, outcome.ids)).reverse();
	}),

	void: writeProcedure.input(voidInput).mutation(({ ctx, input }) => {
		writeTransaction(ctx.db, (tx) => {
			const row = tx.select().from(transactions).where(eq(transactions.id, input.id)).get();
			if (!row) throw notFound('Transaction', input.id);
			if (row.voidedAt !== null) {
				throw conflict(`Transaction ${input.id} was already voided at ${row.voidedAt}.`);
			}
			const voided = tx
				.update(transactions)
				.set({
					voidedAt: new Date().toISOString(),
					voidedBy: ctx.user.id,
					voidReason: input.reason
				})
				.where(eq(transactions.id, input.id))
				.returning()
				.get()!;
			recordChanges(
				tx,
				appActor(ctx.user.id, ctx.requestId),
				{ action: 'void', entity: 'transaction', entityId: input.id },
				row,
				voided,
				TRANSACTION_VOID_FIELDS
			);
		});
		ctx.log.info({ transactionId: input.id, userId: ctx.user.id }, 'payment voided');
		return selectTransaction(ctx.db, input.id)!;
	})
});

/**
 * Returns the dates of `count` monthly installments from `first`, each on the same day of the
 * month or the last day of a shorter month. Throws BAD_REQUEST on `count` when one would fall
 * after 9999-12-31, the last date that a YYYY-MM-DD string can express.
 */
function installmentDates(first: string, count: number): string[] {
	const dates: string[] = [];
	for (let index = 0; index < count; index++) {
		try {
			dates.push(addMonthsClamped(first, index));
		} catch (error) {
			if (!(error instanceof RangeError)) throw error;
			throw fieldError(
				'count',
				'out_of_range',
				`Installment ${index + 1} would fall after 9999-12-31. ` +
					'Use fewer installments or an earlier first date.'
			);
		}
	}
	return dates;
}

/** An idempotency key with the procedure and input it was sent with. */
interface KeyedRequest {
	key: string;
	/** tRPC path of the mutation, such as `transactions.create`. */
	procedure: string;
	/** SHA-256 (hex) of the canonical JSON of the validated input without the key. */
	requestHash: string;
}

/** Returns the key and fingerprint of a create request, or null when it carries no key. */
function keyedRequest(
	procedure: string,
	input: { idempotencyKey?: string | undefined }
): KeyedRequest | null {
	const { idempotencyKey, ...request } = input;
	if (idempotencyKey === undefined) return null;

	const requestHash = createHash('sha256').update(canonicalJson(request)).digest('hex');
	return { key: idempotencyKey, procedure, requestHash };
}

/** JSON with object keys sorted at every level, so equal inputs give equal text. */
function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';

	// JSON.stringify leaves out undefined members too, so an absent field hashes the same.
	const members = Object.entries(value)
		.filter(([, item]) => item !== undefined)
		// Keys of one object are distinct, so no two compare equal.
		.sort(([a], [b]) => (a < b ? -1 : 1))
		.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`);
	return `{${members.join(',')}}`;
}

interface RecordOutcome {
	/** Ids of the transactions rows of the request, in insertion order. */
	ids: number[];
	/** True when the key was seen before and `ids` are the rows its first request created. */
	replayed: boolean;
}

/**
 * Runs `write` inside the caller's write transaction and stores the key with the ids it
 * returns, or returns the ids stored for the key without writing when the same user sent the
 * same request with it before. Throws CONFLICT when the key was stored for another user,
 * procedure or input. Without a key it only runs `write`.
 */
function recordOnce(
	tx: Db,
	request: KeyedRequest | null,
	userId: number,
	write: () => number[]
): RecordOutcome {
	if (!request) return { ids: write(), replayed: false };

	const stored = tx
		.select()
		.from(idempotencyKeys)
		.where(eq(idempotencyKeys.key, request.key))
		.get();
	if (stored) {
		const sameRequest =
			stored.userId === userId &&
			stored.procedure === request.procedure &&
			stored.requestHash === request.requestHash;
		if (!sameRequest) {
			throw conflict(
				`Idempotency key ${request.key} was already used for another request. ` +
					'Send a new key with each new payment.'
			);
		}
		return { ids: JSON.parse(stored.transactionIds) as number[], replayed: true };
	}

	const ids = write();
	tx.insert(idempotencyKeys)
		.values({
			key: request.key,
			userId,
			procedure: request.procedure,
			requestHash: request.requestHash,
			transactionIds: JSON.stringify(ids)
		})
		.run();
	return { ids, replayed: false };
}

function findCase(db: Db, id: number): Case {
	const row = db.select().from(cases).where(eq(cases.id, id)).get();
	if (!row) throw notFound('Case', id);
	return row;
}

/**
 * Splits a payment under the case's current agreement, or throws BAD_REQUEST on `field` when
 * the case's action type does not take this value type.
 */
function computeSplit(
	legalCase: Case,
	valueType: ValueType,
	grossCents: number,
	field: string
): Split {
	const result = splitPayment({
		actionType: legalCase.actionType,
		valueType,
		grossCents,
		agreement: {
			feeBps: legalCase.feeBps,
			partnerShareBps: legalCase.partnerShareBps,
			consultantCommissionBps:
				legalCase.consultantId === null ? 0 : legalCase.consultantCommissionBps
		}
	});
	if (!result.ok) {
		throw fieldError(field, result.reason, result.message);
	}
	return result.split;
}

interface PaymentValues {
	receivedOn: string;
	valueType: ValueType;
	grossCents: number;
	notes: string | null;
	createdBy: number;
	installmentGroup?: string;
	installmentNumber?: number;
	installmentCount?: number;
}

/**
 * Rejects a write that would take the sum of every recorded gross past 2^53 − 1 cents (about
 * R$ 90 trillion). Below that, every total the database computes over any set of payments is
 * an exact JavaScript number; above it, totals would silently round.
 */
function assertLedgerCapacity(db: Db, addedCents: number, field: string): void {
	const recorded =
		db
			.select({ value: sql<number>`coalesce(sum(${transactions.grossCents}), 0)` })
			.from(transactions)
			.get()?.value ?? 0;
	if (recorded + addedCents > Number.MAX_SAFE_INTEGER) {
		throw fieldError(
			field,
			'ledger_capacity',
			'Recording this amount would take the ledger past R$ 90.071.992.547.409,91 in total, ' +
				'the most its totals can hold exactly.'
		);
	}
}

/**
 * Inserts one payment and its audit row. An installment plan therefore writes one audit row
 * per installment, each with its installmentGroup, so that every payment id has its own row.
 */
function insertPayment(
	db: Db,
	actor: AuditActor,
	legalCase: Case,
	split: Split,
	values: PaymentValues
): number {
	const row = db
		.insert(transactions)
		.values({
			...values,
			...split,
			caseId: legalCase.id,
			partnerId: legalCase.partnerId,
			consultantId: legalCase.consultantId
		})
		.returning()
		.get();
	recordAuditBy(db, actor, {
		action: 'create',
		entity: 'transaction',
		entityId: row.id,
		changes: createdFields(row, TRANSACTION_AUDIT_FIELDS)
	});
	return row.id;
}
