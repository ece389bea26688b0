/**
 * Writes the people, clients and cases of the benchmark database, then hands the cases to
 * seed-payments.ts. Ids grow with the dates, as they do when an office records things as
 * they happen.
 */
// Relative imports only: this runs under tsx, which does not resolve SvelteKit's $lib alias.
import {
	validateFeeAgreement,
	maxConsultantCommissionBps
} from '../../src/lib/domain/fee-agreement';
import { normalizeSearchText } from '../../src/lib/domain/search-text';
import { ACTION_TYPES, type ActionType } from '../../src/lib/domain/split';
import {
	CASE_AUDIT_FIELDS,
	CLIENT_AUDIT_FIELDS,
	createdFields,
	PERSON_AUDIT_FIELDS,
	type AuditActor,
	type AuditEntity,
	type AuditEvent
} from '../../src/lib/server/audit';
import { writeTransaction, type Db } from '../../src/lib/server/db';
import { cases, clients, people, type Case } from '../../src/lib/server/db/schema';
import { auditValues, insertAuditRows } from './audit-rows';
import { HEAVY_CASE_PAYMENTS, SEED_END_DATE, SEED_YEARS } from './config';
import { caseTitle, cnjNumber, companyName, personName, uniqueCnpj, uniqueCpf } from './fake-data';
import type { Random } from './random';
import { seedPayments } from './seed-payments';
import { dayToIso, isoToDay, timestampOn } from './days';

export interface SeedCounts {
	clients: number;
	cases: number;
	people: number;
	payments: number;
	/** Cases that get exactly HEAVY_CASE_PAYMENTS payments each. */
	heavyCases: number;
}

export interface SeedContext {
	/** The actor of every audit row: the bench admin, as if each row was entered in the app. */
	actor: AuditActor;
	/** Users that recorded payments. */
	recorderIds: number[];
}

export interface SeedResult extends SeedCounts {
	voided: number;
	heavyCasePayments: number;
	auditRows: number;
}

/** Rows per multi-row INSERT: 200 rows of at most 25 columns stay under SQLite's 32,766 variables. */
export const INSERT_BATCH_ROWS = 200;

/** A case as planned before it is written: its client, dates and whether it is a heavy one. */
export interface CasePlan {
	clientIndex: number;
	actionType: ActionType;
	openDay: number;
	/** The last day payments may arrive: the closing day of a closed case, else the end date. */
	lastPaymentDay: number;
	closedDay: number | null;
	status: Case['status'];
	heavy: boolean;
}

export function seedLedger(
	db: Db,
	random: Random,
	counts: SeedCounts,
	context: SeedContext
): SeedResult {
	const endDay = isoToDay(SEED_END_DATE);
	const startDay = endDay - Math.round(SEED_YEARS * 365.25) + 1;

	const { partnerIds, consultantIds } = seedPeople(db, random, counts.people, startDay, context);
	const plans = planCases(random, counts, startDay, endDay);
	const clientIds = seedClients(db, random, counts.clients, plans, startDay, context);
	const caseRows = seedCases(db, random, plans, clientIds, { partnerIds, consultantIds }, context);
	const payments = seedPayments(db, random, plans, caseRows, counts, context);

	const auditRows = Number(db.$client.prepare('SELECT count(*) FROM audit_log').pluck().get());
	return {
		...counts,
		voided: payments.voided,
		heavyCasePayments: HEAVY_CASE_PAYMENTS,
		auditRows
	};
}

/** Returns the audit event of a created row, as the app's create procedures record it. */
export function createEvent<T extends { id: number }>(
	entity: AuditEntity,
	row: T,
	fields: readonly (keyof T & string)[]
): AuditEvent {
	return { action: 'create', entity, entityId: row.id, changes: createdFields(row, fields) };
}

/** Runs `write` on `rows` in slices of INSERT_BATCH_ROWS, each slice in one write transaction. */
export function inBatches<T>(rows: readonly T[], write: (tx: Db, batch: T[]) => void, db: Db) {
	for (let start = 0; start < rows.length; start += INSERT_BATCH_ROWS) {
		const batch = rows.slice(start, start + INSERT_BATCH_ROWS);
		writeTransaction(db, (tx) => write(tx, batch));
	}
}

function seedPeople(
	db: Db,
	random: Random,
	count: number,
	startDay: number,
	context: SeedContext
): { partnerIds: number[]; consultantIds: number[] } {
	const documents = new Set<string>();
	const partnerCount = Math.max(1, Math.round(count * 0.4));
	const values = Array.from({ length: count }, (_, index) => {
		const createdAt = timestampOn(startDay - 30 + index, random);
		return {
			role: index < partnerCount ? ('partner' as const) : ('consultant' as const),
			name: personName(random),
			document: uniqueCpf(random, documents),
			email: `pessoa${index + 1}@escritorio.example.com`,
			createdAt,
			updatedAt: createdAt
		};
	});

	const ids: { id: number; role: string }[] = [];
	writeTransaction(db, (tx) => {
		const rows = tx.insert(people).values(values).returning().all();
		insertAuditRows(
			tx,
			rows.map((row) =>
				auditValues(context.actor, createEvent('person', row, PERSON_AUDIT_FIELDS), row.createdAt)
			)
		);
		ids.push(...rows);
	});
	return {
		partnerIds: ids.filter((row) => row.role === 'partner').map((row) => row.id),
		consultantIds: ids.filter((row) => row.role === 'consultant').map((row) => row.id)
	};
}

/**
 * Plans the cases in opening order. About 40% are closed and 5% suspended. The heavy cases
 * open in the first two months and stay open, so their 200 payments spread over ten years.
 */
function planCases(random: Random, counts: SeedCounts, startDay: number, endDay: number) {
	const plans: CasePlan[] = [];
	for (let index = 0; index < counts.cases; index++) {
		const heavy = index < counts.heavyCases;
		const openDay = heavy ? startDay + random.int(0, 60) : random.int(startDay, endDay - 30);
		const plan: CasePlan = {
			clientIndex: random.int(0, counts.clients - 1),
			actionType: random.pick(ACTION_TYPES),
			openDay,
			lastPaymentDay: endDay,
			closedDay: null,
			status: 'open',
			heavy
		};

		const closedDay = openDay + random.int(120, 2500);
		if (!heavy && closedDay < endDay && random.chance(0.6)) {
			plan.status = 'closed';
			plan.closedDay = closedDay;
			plan.lastPaymentDay = closedDay;
		} else if (!heavy && random.chance(0.05)) {
			plan.status = 'suspended';
		}
		plans.push(plan);
	}
	return plans.sort((a, b) => a.openDay - b.openDay);
}

/**
 * Writes the clients ordered by the opening day of their first case, so that a client's id
 * and creation date come before its cases. 70% are people with a CPF, the rest companies,
 * a fifth of them with an alphanumeric CNPJ. Returns the client id of each client index.
 */
function seedClients(
	db: Db,
	random: Random,
	count: number,
	plans: readonly CasePlan[],
	startDay: number,
	context: SeedContext
): number[] {
	const firstDay = Array.from({ length: count }, () => random.int(startDay - 365, startDay));
	const seen = new Set<number>();
	for (const plan of plans) {
		if (seen.has(plan.clientIndex)) continue;
		seen.add(plan.clientIndex);
		firstDay[plan.clientIndex] = plan.openDay;
	}
	const order = Array.from({ length: count }, (_, index) => index).sort(
		(a, b) => firstDay[a]! - firstDay[b]!
	);

	const documents = new Set<string>();
	const values = order.map((clientIndex, position) => {
		const isPerson = random.chance(0.7);
		const name = isPerson ? personName(random) : companyName(random);
		const createdAt = timestampOn(firstDay[clientIndex]!, random);
		return {
			kind: isPerson ? ('person' as const) : ('company' as const),
			name,
			nameSearch: normalizeSearchText(name),
			document: isPerson
				? uniqueCpf(random, documents)
				: uniqueCnpj(random, documents, random.chance(0.2)),
			email: random.chance(0.6) ? `cliente${position + 1}@example.com` : null,
			phone: random.chance(0.8)
				? `(11) 9${random.int(1000, 9999)}-${random.int(1000, 9999)}`
				: null,
			createdAt,
			updatedAt: createdAt
		};
	});

	const ids = new Array<number>(count);
	let position = 0;
	inBatches(
		values,
		(tx, batch) => {
			const rows = tx.insert(clients).values(batch).returning().all();
			insertAuditRows(
				tx,
				rows.map((row) =>
					auditValues(context.actor, createEvent('client', row, CLIENT_AUDIT_FIELDS), row.createdAt)
				)
			);
			for (const row of rows) {
				ids[order[position]!] = row.id;
				position += 1;
			}
		},
		db
	);
	return ids;
}

interface PeopleIds {
	partnerIds: number[];
	consultantIds: number[];
}

/** Returns a fee agreement that validateFeeAgreement accepts, with a consultant on 40% of cases. */
function feeAgreement(random: Random, consultantIds: readonly number[]) {
	const feeBps = random.pick([2000, 2500, 3000, 3000, 3000, 3500, 4000]);
	const partnerShareBps = random.pick([4000, 5000, 5000, 6000]);
	const consultantId = random.chance(0.4) ? random.pick(consultantIds) : null;
	const commissionBps = consultantId === null ? 0 : random.pick([500, 1000, 1000, 1500]);
	const consultantCommissionBps = Math.min(
		commissionBps,
		maxConsultantCommissionBps(feeBps, partnerShareBps)
	);

	const agreement = { feeBps, partnerShareBps, consultantCommissionBps };
	const problem = validateFeeAgreement(agreement, { hasConsultant: consultantId !== null })[0];
	if (problem) throw new Error(`Generated an invalid fee agreement: ${problem.message}`);
	return { consultantId, ...agreement };
}

function seedCases(
	db: Db,
	random: Random,
	plans: readonly CasePlan[],
	clientIds: readonly number[],
	peopleIds: PeopleIds,
	context: SeedContext
): Case[] {
	const clientNames = new Map<number, string>();
	for (const row of db.select({ id: clients.id, name: clients.name }).from(clients).all()) {
		clientNames.set(row.id, row.name);
	}

	const values = plans.map((plan, index) => {
		const clientId = clientIds[plan.clientIndex]!;
		const title = caseTitle(random, plan.actionType, clientNames.get(clientId)!);
		const openedOn = dayToIso(plan.openDay);
		// One case in ten is not filed yet, so it has no CNJ number.
		const filing =
			random.chance(0.9) || plan.heavy
				? cnjNumber(random, plan.actionType, index + 1, Number(openedOn.slice(0, 4)))
				: null;
		const createdAt = timestampOn(plan.openDay, random);
		return {
			clientId,
			cnjNumber: filing?.cnj ?? null,
			actionType: plan.actionType,
			title,
			titleSearch: normalizeSearchText(title),
			court: filing?.court ?? null,
			partnerId: random.pick(peopleIds.partnerIds),
			status: plan.status,
			openedOn,
			closedOn: plan.closedDay === null ? null : dayToIso(plan.closedDay),
			...feeAgreement(random, peopleIds.consultantIds),
			createdAt,
			updatedAt: createdAt
		};
	});

	const rows: Case[] = [];
	inBatches(
		values,
		(tx, batch) => {
			const inserted = tx.insert(cases).values(batch).returning().all();
			insertAuditRows(
				tx,
				inserted.map((row) =>
					auditValues(context.actor, createEvent('case', row, CASE_AUDIT_FIELDS), row.createdAt)
				)
			);
			rows.push(...inserted);
		},
		db
	);
	return rows;
}
