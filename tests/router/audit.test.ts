import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SessionUser } from '$lib/server/auth/session';
import type { Db } from '$lib/server/db';
import { auditLog, users, type Case, type Client, type Person } from '$lib/server/db/schema';
import { buildAuditPageQuery, startOfDayUtc } from '$lib/server/trpc/audit-queries';

import {
	callerFor,
	createTestDb,
	expectFailure,
	expectInvalid,
	insertCase,
	insertClient,
	insertPerson,
	insertTransaction,
	insertUser,
	makeCnj,
	VALID_CPFS,
	type Caller,
	type TestDb
} from '../helpers/test-db';

const KEY = '6a0d7e3c-1f2b-4c5d-8e9f-0a1b2c3d4e5f';

/** An audit row as stored, with its JSON columns parsed. */
interface AuditRow {
	id: number;
	at: string;
	actorId: number | null;
	source: string;
	action: string;
	entity: string;
	entityId: string | null;
	changes: Record<string, [unknown, unknown]> | null;
	details: Record<string, unknown> | null;
}

let testDb: TestDb;
let db: Db;
let admin: SessionUser;
let api: Caller;
let client: Client;
let partner: Person;
let legalCase: Case;

beforeEach(() => {
	testDb = createTestDb();
	db = testDb.db;
	admin = insertUser(db, 'admin');
	api = callerFor(db, admin);
	client = insertClient(db, { document: VALID_CPFS[2] });
	partner = insertPerson(db, 'partner');
	legalCase = insertCase(db, { clientId: client.id, partnerId: partner.id });
});

afterEach(() => {
	testDb.close();
});

/** Returns every audit row, oldest first. */
function readAudit(): AuditRow[] {
	return db
		.select()
		.from(auditLog)
		.orderBy(auditLog.id)
		.all()
		.map((row) => ({
			...row,
			changes: row.changes === null ? null : JSON.parse(row.changes),
			details: row.details === null ? null : JSON.parse(row.details)
		}));
}

/** Returns the only audit row, failing when there are none or several. */
function readOnlyAuditRow(): AuditRow {
	const rows = readAudit();
	expect(rows).toHaveLength(1);
	return rows[0]!;
}

/** Inserts an audit row with a chosen timestamp, as the trigger allows inserts. */
function insertAuditAt(at: string, values: Partial<typeof auditLog.$inferInsert> = {}): number {
	return db
		.insert(auditLog)
		.values({ at, source: 'app', action: 'update', entity: 'client', ...values })
		.returning({ id: auditLog.id })
		.get().id;
}

describe('client audit rows', () => {
	it('create records visible fields', async () => {
		const created = await api.clients.create({
			kind: 'person',
			name: 'Maria Silva',
			document: VALID_CPFS[0]!,
			email: 'maria@example.com'
		});

		const row = readOnlyAuditRow();
		expect(row.actorId).toBe(admin.id);
		expect(row.source).toBe('app');
		expect(row.action).toBe('create');
		expect(row.entity).toBe('client');
		expect(row.entityId).toBe(String(created.id));
		expect(row.changes).toEqual({
			kind: [null, 'person'],
			name: [null, 'Maria Silva'],
			document: [null, VALID_CPFS[0]],
			email: [null, 'maria@example.com']
		});
		expect(row.details).toEqual({ requestId: 'test' });
	});

	it('update records changed fields only', async () => {
		await api.clients.update({
			id: client.id,
			kind: 'person',
			name: 'Novo Nome',
			document: client.document,
			phone: '11 99999-0000'
		});

		const row = readOnlyAuditRow();
		expect(row.action).toBe('update');
		expect(row.entityId).toBe(String(client.id));
		expect(row.changes).toEqual({
			name: [client.name, 'Novo Nome'],
			phone: [null, '11 99999-0000']
		});
	});

	it('unchanged update writes no row', async () => {
		await api.clients.update({
			id: client.id,
			kind: client.kind,
			name: client.name,
			document: client.document
		});

		expect(readAudit()).toEqual([]);
	});

	it('archive and unarchive record timestamp', async () => {
		const archived = await api.clients.archive({ id: client.id });
		await api.clients.archive({ id: client.id, archived: false });

		const [archive, unarchive, ...others] = readAudit();
		expect(others).toEqual([]);
		expect(archive?.action).toBe('archive');
		expect(archive?.changes).toEqual({ archivedAt: [null, archived.archivedAt] });
		expect(unarchive?.action).toBe('unarchive');
		expect(unarchive?.changes).toEqual({ archivedAt: [archived.archivedAt, null] });
	});

	it('archiving archived client writes nothing', async () => {
		await api.clients.archive({ id: client.id });
		await api.clients.archive({ id: client.id });

		expect(readAudit().map((row) => row.action)).toEqual(['archive']);
	});

	it('delete records former values', async () => {
		const spare = insertClient(db, { name: 'Sem Casos' });

		await api.clients.delete({ id: spare.id });

		const row = readOnlyAuditRow();
		expect(row.action).toBe('delete');
		expect(row.entityId).toBe(String(spare.id));
		expect(row.changes).toEqual({
			kind: ['person', null],
			name: ['Sem Casos', null],
			document: [spare.document, null]
		});
	});

	it('invalid document writes no row', async () => {
		await expectInvalid(db, () =>
			api.clients.create({ kind: 'person', name: 'Inválida', document: '111.111.111-11' })
		);

		expect(readAudit()).toEqual([]);
	});

	it('duplicate document writes no row', async () => {
		await expectFailure(
			db,
			() => api.clients.create({ kind: 'person', name: 'Cópia', document: client.document }),
			'CONFLICT'
		);

		expect(readAudit()).toEqual([]);
	});

	it('delete of client with cases writes none', async () => {
		await expectFailure(db, () => api.clients.delete({ id: client.id }), 'CONFLICT');

		expect(readAudit()).toEqual([]);
	});
});

describe('person audit rows', () => {
	it('create records visible fields', async () => {
		const created = await api.people.create({ role: 'consultant', name: 'Carla Lima' });

		const row = readOnlyAuditRow();
		expect(row.action).toBe('create');
		expect(row.entity).toBe('person');
		expect(row.entityId).toBe(String(created.id));
		expect(row.changes).toEqual({
			role: [null, 'consultant'],
			name: [null, 'Carla Lima'],
			active: [null, true]
		});
	});

	it('deactivation records active flag', async () => {
		await api.people.update({ id: partner.id, name: partner.name, active: false });

		const row = readOnlyAuditRow();
		expect(row.action).toBe('update');
		expect(row.entityId).toBe(String(partner.id));
		expect(row.changes).toEqual({ active: [true, false] });
	});

	it('duplicate document writes no row', async () => {
		insertPerson(db, 'partner', { document: VALID_CPFS[1] });

		await expectFailure(
			db,
			() =>
				api.people.update({
					id: partner.id,
					name: partner.name,
					document: VALID_CPFS[1],
					active: true
				}),
			'CONFLICT'
		);

		expect(readAudit()).toEqual([]);
	});
});

describe('case audit rows', () => {
	it('create records agreement and references', async () => {
		const created = await api.cases.create({
			clientId: client.id,
			cnjNumber: makeCnj(42),
			actionType: 'civil',
			title: 'Ação de cobrança',
			partnerId: partner.id,
			openedOn: '2026-02-02',
			feeBps: 2500
		});

		const row = readOnlyAuditRow();
		expect(row.action).toBe('create');
		expect(row.entity).toBe('case');
		expect(row.entityId).toBe(String(created.id));
		expect(row.changes).toEqual({
			clientId: [null, client.id],
			cnjNumber: [null, created.cnjNumber],
			actionType: [null, 'civil'],
			title: [null, 'Ação de cobrança'],
			partnerId: [null, partner.id],
			status: [null, 'open'],
			openedOn: [null, '2026-02-02'],
			feeBps: [null, 2500],
			partnerShareBps: [null, 5000],
			consultantCommissionBps: [null, 0]
		});
	});

	it('fee agreement change records rates', async () => {
		await api.cases.update({
			id: legalCase.id,
			clientId: client.id,
			actionType: legalCase.actionType,
			title: legalCase.title,
			partnerId: partner.id,
			openedOn: legalCase.openedOn,
			feeBps: 3500,
			partnerShareBps: 4000
		});

		const row = readOnlyAuditRow();
		expect(row.action).toBe('update');
		expect(row.entityId).toBe(String(legalCase.id));
		expect(row.changes).toEqual({
			feeBps: [legalCase.feeBps, 3500],
			partnerShareBps: [legalCase.partnerShareBps, 4000]
		});
	});

	it('closing records status and date', async () => {
		await api.cases.setStatus({ id: legalCase.id, status: 'closed', closedOn: '2026-03-01' });

		const row = readOnlyAuditRow();
		expect(row.action).toBe('status_set');
		expect(row.changes).toEqual({
			status: ['open', 'closed'],
			closedOn: [null, '2026-03-01']
		});
	});

	it('closing before opening writes none', async () => {
		await expectInvalid(db, () =>
			api.cases.setStatus({ id: legalCase.id, status: 'closed', closedOn: '2025-01-01' })
		);

		expect(readAudit()).toEqual([]);
	});

	it('duplicate CNJ number writes none', async () => {
		const cnjNumber = makeCnj(7);
		insertCase(db, {
			clientId: client.id,
			partnerId: partner.id,
			cnjNumber: cnjNumber.replace(/\D/g, '')
		});

		await expectFailure(
			db,
			() =>
				api.cases.update({
					id: legalCase.id,
					clientId: client.id,
					cnjNumber,
					actionType: legalCase.actionType,
					title: legalCase.title,
					partnerId: partner.id,
					openedOn: legalCase.openedOn
				}),
			'CONFLICT'
		);

		expect(readAudit()).toEqual([]);
	});
});

describe('payment audit rows', () => {
	function paymentInput(idempotencyKey?: string) {
		return {
			caseId: legalCase.id,
			valueType: 'provided_amount' as const,
			grossCents: 100_001,
			receivedOn: '2026-02-10',
			idempotencyKey
		};
	}

	it('create records split and rates', async () => {
		const payment = await api.transactions.create(paymentInput());

		const row = readOnlyAuditRow();
		expect(row.action).toBe('create');
		expect(row.entity).toBe('transaction');
		expect(row.entityId).toBe(String(payment.id));
		expect(row.changes).toEqual({
			caseId: [null, legalCase.id],
			receivedOn: [null, '2026-02-10'],
			valueType: [null, 'provided_amount'],
			grossCents: [null, 100_001],
			clientCents: [null, payment.clientCents],
			officeCents: [null, payment.officeCents],
			partnerCents: [null, payment.partnerCents],
			consultantCents: [null, 0],
			feeBps: [null, 3000],
			partnerShareBps: [null, 5000],
			consultantCommissionBps: [null, 0],
			partnerId: [null, partner.id]
		});
	});

	it('replayed request writes no second row', async () => {
		const first = await api.transactions.create(paymentInput(KEY));
		const again = await api.transactions.create(paymentInput(KEY));

		expect(again.id).toBe(first.id);
		expect(readAudit().map((row) => row.entityId)).toEqual([String(first.id)]);
	});

	it('installments write one row each', async () => {
		const installmentCase = insertCase(db, {
			clientId: client.id,
			partnerId: partner.id,
			actionType: 'administrative_social_security'
		});

		const created = await api.transactions.createInstallments({
			caseId: installmentCase.id,
			firstReceivedOn: '2026-01-31',
			count: 3,
			amountCents: 50_000
		});

		const rows = readAudit();
		expect(rows.map((row) => row.entityId)).toEqual(created.map((payment) => String(payment.id)));
		const groups = new Set(rows.map((row) => row.changes?.installmentGroup?.[1]));
		expect(groups.size).toBe(1);
		expect(rows.map((row) => row.changes?.installmentNumber)).toEqual([
			[null, 1],
			[null, 2],
			[null, 3]
		]);
		expect(rows.map((row) => row.changes?.receivedOn?.[1])).toEqual([
			'2026-01-31',
			'2026-02-28',
			'2026-03-31'
		]);
	});

	it('void records reason and voider', async () => {
		const payment = insertTransaction(db, {
			caseId: legalCase.id,
			partnerId: partner.id,
			createdBy: admin.id
		});

		const voided = await api.transactions.void({ id: payment.id, reason: 'Valor errado' });

		const row = readOnlyAuditRow();
		expect(row.action).toBe('void');
		expect(row.entityId).toBe(String(payment.id));
		expect(row.changes).toEqual({
			voidedAt: [null, voided.voidedAt],
			voidedBy: [null, admin.id],
			voidReason: [null, 'Valor errado']
		});
	});

	it('second void writes no row', async () => {
		const payment = insertTransaction(db, {
			caseId: legalCase.id,
			partnerId: partner.id,
			createdBy: admin.id
		});
		await api.transactions.void({ id: payment.id, reason: 'Valor errado' });

		await expectFailure(
			db,
			() => api.transactions.void({ id: payment.id, reason: 'De novo' }),
			'CONFLICT'
		);

		expect(readAudit()).toHaveLength(1);
	});

	it('rejected value type writes none', async () => {
		await expectInvalid(db, () =>
			api.transactions.create({ ...paymentInput(), valueType: 'monthly_installment' })
		);

		expect(readAudit()).toEqual([]);
	});
});

describe('audit_log triggers', () => {
	it('reject UPDATE through raw SQL', () => {
		const id = insertAuditAt('2026-05-01T12:00:00.000Z');

		expect(() =>
			db.$client.prepare("UPDATE audit_log SET action = 'forged' WHERE id = ?").run(id)
		).toThrow('audit_log rows are never changed');
		expect(readAudit()[0]?.action).toBe('update');
	});

	it('reject DELETE through raw SQL', () => {
		insertAuditAt('2026-05-01T12:00:00.000Z');

		expect(() => db.$client.prepare('DELETE FROM audit_log').run()).toThrow(
			'audit_log rows are never deleted'
		);
		expect(readAudit()).toHaveLength(1);
	});
});

describe('audit.list', () => {
	it('returns actor name and email', async () => {
		await api.clients.archive({ id: client.id });

		const page = await api.audit.list();

		expect(page.items).toHaveLength(1);
		expect(page.items[0]?.actor).toEqual({ id: admin.id, name: admin.name, email: admin.email });
		expect(page.items[0]?.changes?.archivedAt?.[0]).toBeNull();
		expect(page.nextCursor).toBeNull();
	});

	it('filters by actor', async () => {
		const staff = insertUser(db, 'staff');
		await callerFor(db, staff).clients.archive({ id: client.id });
		await api.people.update({ id: partner.id, name: 'Outro Nome', active: true });

		const page = await api.audit.list({ actorId: staff.id });

		expect(page.items.map((item) => [item.entity, item.actor?.id])).toEqual([['client', staff.id]]);
	});

	it('filters by entity and id', async () => {
		const other = insertClient(db);
		await api.clients.archive({ id: client.id });
		await api.clients.archive({ id: other.id });
		await api.people.update({ id: partner.id, name: 'Outro Nome', active: true });

		const byEntity = await api.audit.list({ entity: 'client' });
		const byId = await api.audit.list({ entity: 'client', entityId: String(other.id) });

		expect(byEntity.items.map((item) => item.entityId)).toEqual([
			String(other.id),
			String(client.id)
		]);
		expect(byId.items.map((item) => item.entityId)).toEqual([String(other.id)]);
	});

	it('filters by São Paulo days', async () => {
		// 02:59Z on the 2nd is still the 1st in São Paulo (UTC−03:00), and 03:00Z is the 2nd.
		const lastOfFirst = insertAuditAt('2026-05-02T02:59:59.999Z');
		const startOfSecond = insertAuditAt('2026-05-02T03:00:00.000Z');
		const endOfSecond = insertAuditAt('2026-05-03T02:59:59.999Z');
		insertAuditAt('2026-05-03T03:00:00.000Z');

		const second = await api.audit.list({ from: '2026-05-02', to: '2026-05-02' });
		const untilFirst = await api.audit.list({ to: '2026-05-01' });

		expect(second.items.map((item) => item.id)).toEqual([endOfSecond, startOfSecond]);
		expect(untilFirst.items.map((item) => item.id)).toEqual([lastOfFirst]);
	});

	it('pages newest first by cursor', async () => {
		// Two rows share a timestamp, so the id orders them.
		const ids = [
			insertAuditAt('2026-05-01T10:00:00.000Z'),
			insertAuditAt('2026-05-01T11:00:00.000Z'),
			insertAuditAt('2026-05-01T11:00:00.000Z'),
			insertAuditAt('2026-05-01T12:00:00.000Z'),
			insertAuditAt('2026-05-01T13:00:00.000Z')
		];

		const first = await api.audit.list({ limit: 2 });
		const second = await api.audit.list({ limit: 2, cursor: first.nextCursor! });
		const third = await api.audit.list({ limit: 2, cursor: second.nextCursor! });

		expect(first.items.map((item) => item.id)).toEqual([ids[4], ids[3]]);
		expect(second.items.map((item) => item.id)).toEqual([ids[2], ids[1]]);
		expect(third.items.map((item) => item.id)).toEqual([ids[0]]);
		expect(third.nextCursor).toBeNull();
	});

	it('links payment rows to case', async () => {
		const payment = await api.transactions.create({
			caseId: legalCase.id,
			valueType: 'provided_amount',
			grossCents: 10_000,
			receivedOn: '2026-02-10'
		});

		const page = await api.audit.list({ entity: 'transaction' });

		expect(page.items.map((item) => [item.entityId, item.caseId])).toEqual([
			[String(payment.id), legalCase.id]
		]);
	});

	it('rejects entity id without entity', async () => {
		const issues = await expectInvalid(db, () => api.audit.list({ entityId: '1' }));

		expect(issues.map((issue) => [issue.field, issue.code])).toEqual([
			['entityId', 'entity_required']
		]);
	});

	it('rejects end before start', async () => {
		const issues = await expectInvalid(db, () =>
			api.audit.list({ from: '2026-05-02', to: '2026-05-01' })
		);

		expect(issues.map((issue) => [issue.field, issue.code])).toEqual([['to', 'before_from']]);
	});

	it('rejects unknown entity', async () => {
		const issues = await expectInvalid(db, () =>
			api.audit.list({ entity: 'password' as 'client' })
		);

		expect(issues.map((issue) => issue.field)).toEqual(['entity']);
	});

	it('rejects malformed cursor', async () => {
		const issues = await expectInvalid(db, () => api.audit.list({ cursor: 'not-a-cursor' }));

		expect(issues.map((issue) => issue.field)).toEqual(['cursor']);
	});

	it.for(['staff', 'viewer'] as const)('rejects %s', async (role) => {
		const user = insertUser(db, role);

		const error = await expectFailure(db, () => callerFor(db, user).audit.list(), 'FORBIDDEN');

		expect(error.message).toBe('Only administrators can do this.');
	});
});

describe('audit.list query plan', () => {
	function planOf(filters: Parameters<typeof buildAuditPageQuery>[1]): string[] {
		const query = buildAuditPageQuery(db, filters, { text: '2026-05-01T00:00:00.000Z', id: 9 }, 25);
		const { sql, params } = query.toSQL();
		const rows = db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as {
			detail: string;
		}[];
		return rows.map((row) => row.detail);
	}

	it.for([
		{ filters: { actorId: 1 }, index: 'audit_log_actor_idx' },
		{ filters: { entity: 'client' as const }, index: 'audit_log_entity_idx' },
		{ filters: { entity: 'client' as const, entityId: '1' }, index: 'audit_log_entity_idx' },
		{ filters: {}, index: 'audit_log_at_idx' }
	])('uses $index', ({ filters, index }) => {
		const plan = planOf(filters);

		expect(plan.find((step) => step.includes('audit_log'))).toContain(index);
		expect(plan.filter((step) => /^SCAN audit_log\b(?! USING)/u.test(step))).toEqual([]);
	});
});

describe('audit.actors', () => {
	it('lists users by name', async () => {
		const ana = db
			.insert(users)
			.values({ email: 'ana@example.com', name: 'Ana', passwordHash: 'x', role: 'viewer' })
			.returning()
			.get();

		const actors = await api.audit.actors();

		expect(actors).toEqual([
			{ id: ana.id, name: 'Ana', email: 'ana@example.com' },
			{ id: admin.id, name: admin.name, email: admin.email }
		]);
	});
});

describe('startOfDayUtc', () => {
	it.for([
		// Since 2019 São Paulo keeps UTC−03:00 all year.
		{ day: '2026-05-02', expected: '2026-05-02T03:00:00.000Z' },
		// Daylight saving time (UTC−02:00) was in force on 2018-12-01.
		{ day: '2018-12-01', expected: '2018-12-01T02:00:00.000Z' },
		// On 2018-11-04 the clocks jumped from 00:00 to 01:00, so the day began at 03:00Z.
		{ day: '2018-11-04', expected: '2018-11-04T03:00:00.000Z' }
	])('$day starts at $expected', ({ day, expected }) => {
		expect(startOfDayUtc(day, 'America/Sao_Paulo')).toBe(expected);
	});
});
