/**
 * Writes the payments of the benchmark database in the order they were received, each split
 * by the app's splitPayment with its case's fee agreement, then voids a few of them as the
 * app's transactions.void does.
 */
// Relative imports only: this runs under tsx, which does not resolve SvelteKit's $lib alias.
import { acceptedValueTypes, splitPayment, type ValueType } from '../../src/lib/domain/split';
import {
	changedFields,
	TRANSACTION_AUDIT_FIELDS,
	TRANSACTION_VOID_FIELDS
} from '../../src/lib/server/audit';
import { writeTransaction, type Db } from '../../src/lib/server/db';
import { eq, sql } from 'drizzle-orm';

import { transactions, type Case, type Transaction } from '../../src/lib/server/db/schema';
import { auditValues, insertAuditRows, prepareAuditInsert } from './audit-rows';
import { HEAVY_CASE_PAYMENTS } from './config';
import { dayToIso, timestampOn } from './days';
import type { Random } from './random';
import { createEvent, type CasePlan, type SeedContext, type SeedCounts } from './seed-ledger';

/** Share of payments voided afterwards. */
const VOIDED_SHARE = 0.005;

const VOID_REASONS = [
	'Valor lançado em duplicidade.',
	'Lançado no processo errado.',
	'Valor digitado errado; lançado de novo.',
	'Depósito estornado pelo banco.'
];

const NOTES = ['Depósito judicial', 'Alvará levantado', 'Pago via PIX', 'Transferência bancária'];

/** Gross amounts in reais by value type: [minimum, maximum], drawn log-uniformly. */
const GROSS_REAIS: Record<ValueType, readonly [number, number]> = {
	provided_amount: [500, 200_000],
	remaining_amount: [200, 50_000],
	rpv: [2_000, 84_000],
	court_order: [85_000, 1_500_000],
	procedural_costs: [50, 3_000],
	monthly_installment: [1_412, 7_800]
};

/** Social security offices mostly receive monthly benefits, so those weigh more. */
const VALUE_TYPE_WEIGHT: Partial<Record<ValueType, number>> = { monthly_installment: 4 };

/**
 * When each payment arrives and on which case, sorted by day. Days are uniform over the ten
 * years, about 100,000 a year at scale 1, and each goes to a case open on that day. The
 * heavy cases get exactly HEAVY_CASE_PAYMENTS each and no others.
 */
function planPayments(
	random: Random,
	plans: readonly CasePlan[],
	counts: SeedCounts
): { caseIndex: Int32Array; day: Int32Array } {
	const total = counts.payments;
	const caseOf = new Int32Array(total);
	const dayOf = new Int32Array(total);
	const heavyIndexes = plans.flatMap((plan, index) => (plan.heavy ? [index] : []));
	// `plans` is sorted by opening day, so the cases open by day d are a prefix of this list.
	const others = plans.flatMap((plan, index) => (plan.heavy ? [] : [index]));
	const firstDay = plans[others[0]!]!.openDay;
	const lastDay = Math.max(...plans.map((plan) => plan.lastPaymentDay));

	let next = 0;
	for (const index of heavyIndexes) {
		const plan = plans[index]!;
		for (let k = 0; k < HEAVY_CASE_PAYMENTS && next < total; k++) {
			caseOf[next] = index;
			dayOf[next++] = random.int(plan.openDay, plan.lastPaymentDay);
		}
	}
	while (next < total) {
		const day = random.int(firstDay, lastDay);
		caseOf[next] = pickCaseOpenOn(random, plans, others, day);
		dayOf[next++] = day;
	}

	const order = Array.from({ length: total }, (_, k) => k).sort((a, b) => dayOf[a]! - dayOf[b]!);
	return {
		caseIndex: Int32Array.from(order, (k) => caseOf[k]!),
		day: Int32Array.from(order, (k) => dayOf[k]!)
	};
}

/**
 * Picks a case opened on or before `day` that still takes payments then, by rejection among
 * the cases opened by that day. After 50 misses it takes the last case opened, which is open.
 */
function pickCaseOpenOn(
	random: Random,
	plans: readonly CasePlan[],
	candidates: readonly number[],
	day: number
): number {
	let low = 0;
	let high = candidates.length;
	while (low < high) {
		const middle = (low + high) >> 1;
		if (plans[candidates[middle]!]!.openDay <= day) low = middle + 1;
		else high = middle;
	}
	const openedCount = Math.max(1, low);

	for (let attempt = 0; attempt < 50; attempt++) {
		const index = candidates[random.int(0, openedCount - 1)]!;
		if (plans[index]!.lastPaymentDay >= day) return index;
	}
	return candidates[openedCount - 1]!;
}

function paymentValues(random: Random, legalCase: Case, day: number, recorderIds: number[]) {
	const accepted = acceptedValueTypes(legalCase.actionType);
	const valueType = random.pickWeighted(
		accepted.map((type) => [type, VALUE_TYPE_WEIGHT[type] ?? 1] as const)
	);
	const [min, max] = GROSS_REAIS[valueType];
	const grossCents = Math.round(random.logUniform(min, max) * 100);

	const result = splitPayment({
		actionType: legalCase.actionType,
		valueType,
		grossCents,
		agreement: legalCase
	});
	if (!result.ok) throw new Error(`Generated a payment the app rejects: ${result.message}`);

	return {
		caseId: legalCase.id,
		receivedOn: dayToIso(day),
		valueType,
		grossCents,
		...result.split,
		partnerId: legalCase.partnerId,
		consultantId: legalCase.consultantId,
		notes: random.chance(0.1) ? random.pick(NOTES) : null,
		createdBy: random.pick(recorderIds),
		createdAt: timestampOn(day, random)
	};
}

export function seedPayments(
	db: Db,
	random: Random,
	plans: readonly CasePlan[],
	caseRows: readonly Case[],
	counts: SeedCounts,
	context: SeedContext
): { voided: number } {
	const planned = planPayments(random, plans, counts);

	const insertPayment = preparePaymentInsert(db);
	const insertAudit = prepareAuditInsert(db);

	// Rows are built one chunk at a time, so a million of them never sit in memory at once.
	const chunkSize = 20_000;
	for (let start = 0; start < counts.payments; start += chunkSize) {
		const end = Math.min(start + chunkSize, counts.payments);
		writeTransaction(db, () => {
			for (let k = start; k < end; k++) {
				const legalCase = caseRows[planned.caseIndex[k]!]!;
				const values = paymentValues(random, legalCase, planned.day[k]!, context.recorderIds);
				const row = insertPayment(values);
				const event = createEvent('transaction', row, TRANSACTION_AUDIT_FIELDS);
				insertAudit(auditValues(context.actor, event, row.createdAt));
			}
		});
	}

	return { voided: voidSome(db, random, counts.payments, context) };
}

type PaymentValues = ReturnType<typeof paymentValues>;

const PAYMENT_COLUMNS = [
	'caseId',
	'receivedOn',
	'valueType',
	'grossCents',
	'clientCents',
	'officeCents',
	'partnerCents',
	'consultantCents',
	'feeBps',
	'partnerShareBps',
	'consultantCommissionBps',
	'partnerId',
	'consultantId',
	'notes',
	'createdBy',
	'createdAt'
] as const satisfies readonly (keyof PaymentValues)[];

/**
 * Prepares the one-row payment INSERT ... RETURNING once, so that a million rows skip
 * building a Drizzle query each, and returns a function that runs it.
 */
function preparePaymentInsert(db: Db): (values: PaymentValues) => Transaction {
	const placeholders = Object.fromEntries(
		PAYMENT_COLUMNS.map((column) => [column, sql.placeholder(column)])
	);
	const statement = db
		.insert(transactions)
		.values(placeholders as unknown as typeof transactions.$inferInsert)
		.returning()
		.prepare();
	return (values) => statement.get(values)!;
}

/** Voids about VOIDED_SHARE of the payments, a day after each was recorded. */
function voidSome(db: Db, random: Random, paymentCount: number, context: SeedContext): number {
	const ids = new Set<number>();
	const target = Math.round(paymentCount * VOIDED_SHARE);
	while (ids.size < target) ids.add(random.int(1, paymentCount));

	writeTransaction(db, (tx) => {
		for (const id of ids) {
			const before = tx.select().from(transactions).where(eq(transactions.id, id)).get()!;
			const voidedAt = new Date(Date.parse(before.createdAt) + 86_400_000).toISOString();
			const after = tx
				.update(transactions)
				.set({ voidedAt, voidedBy: context.actor.actorId, voidReason: random.pick(VOID_REASONS) })
				.where(eq(transactions.id, id))
				.returning()
				.get()!;
			const changes = changedFields(before, after, TRANSACTION_VOID_FIELDS);
			const event = { action: 'void', entity: 'transaction', entityId: id, changes } as const;
			insertAuditRows(tx, [auditValues(context.actor, event, voidedAt)]);
		}
	});
	return ids.size;
}
