import { eq } from 'drizzle-orm';
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
import { writeTransaction, type Db } from '$lib/server/db';
import { cases, transactions, type Case } from '$lib/server/db/schema';

import { conflict, fieldError, notFound } from './errors';
import { idSchema, isoDateSchema, optionalText } from './inputs';
import { selectTransaction, selectTransactions } from './ledger-queries';
import { authedProcedure, router } from './t';

/** Maximum installments one call may create: ten years of monthly payments. */
export const MAX_INSTALLMENTS = 120;

const centsSchema = z
	.number({ message: 'Must be an amount in integer cents.' })
	.int({ message: 'Must be an amount in integer cents.' })
	.min(1, { message: 'Must be at least 1 cent.' })
	.max(MAX_GROSS_CENTS, { message: 'Must be at most R$ 100.000.000.000,00.' });

const previewInput = z
	.object({ caseId: idSchema, valueType: z.enum(VALUE_TYPES), grossCents: centsSchema })
	.strict();

const createInput = previewInput
	.extend({ receivedOn: isoDateSchema, notes: optionalText(2000) })
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
		notes: optionalText(2000)
	})
	.strict();

const voidInput = z
	.object({
		id: idSchema,
		reason: z
			.string()
			.trim()
			.min(1, { message: 'Required: say why the payment is voided.' })
			.max(500, { message: 'Must be at most 500 characters.' })
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

	create: authedProcedure.input(createInput).mutation(({ ctx, input }) => {
		const id = writeTransaction(ctx.db, (tx) => {
			const legalCase = findCase(tx, input.caseId);
			const split = computeSplit(legalCase, input.valueType, input.grossCents, 'valueType');
			return insertPayment(tx, legalCase, split, {
				receivedOn: input.receivedOn,
				valueType: input.valueType,
				grossCents: input.grossCents,
				notes: input.notes,
				createdBy: ctx.user.id
			});
		});
		ctx.log.info(
			{ transactionId: id, caseId: input.caseId, userId: ctx.user.id },
			'payment recorded'
		);
		return selectTransaction(ctx.db, id)!;
	}),

	createInstallments: authedProcedure.input(installmentsInput).mutation(({ ctx, input }) => {
		const dates = installmentDates(input.firstReceivedOn, input.count);
		const group = crypto.randomUUID();
		const ids = writeTransaction(ctx.db, (tx) => {
			const legalCase = findCase(tx, input.caseId);
			const split = computeSplit(legalCase, 'monthly_installment', input.amountCents, 'caseId');
			return dates.map((receivedOn, index) =>
				insertPayment(tx, legalCase, split, {
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
		});
		ctx.log.info(
			{ caseId: input.caseId, userId: ctx.user.id, count: ids.length, installmentGroup: group },
			'installments recorded'
		);
		return selectTransactions(ctx.db, eq(transactions.installmentGroup, group)).reverse();
	}),

	void: authedProcedure.input(voidInput).mutation(({ ctx, input }) => {
		writeTransaction(ctx.db, (tx) => {
			const row = tx.select().from(transactions).where(eq(transactions.id, input.id)).get();
			if (!row) throw notFound('Transaction', input.id);
			if (row.voidedAt !== null) {
				throw conflict(`Transaction ${input.id} was already voided at ${row.voidedAt}.`);
			}
			tx.update(transactions)
				.set({
					voidedAt: new Date().toISOString(),
					voidedBy: ctx.user.id,
					voidReason: input.reason
				})
				.where(eq(transactions.id, input.id))
				.run();
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

function insertPayment(db: Db, legalCase: Case, split: Split, values: PaymentValues): number {
	return db
		.insert(transactions)
		.values({
			...values,
			...split,
			caseId: legalCase.id,
			partnerId: legalCase.partnerId,
			consultantId: legalCase.consultantId
		})
		.returning({ id: transactions.id })
		.get().id;
}
