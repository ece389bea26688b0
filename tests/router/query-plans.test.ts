/**
 * Runs the app's list and report procedures on a small database and records every SQL
 * statement they send through Drizzle's logger. EXPLAIN QUERY PLAN then checks that no
 * statement reads a large table (clients, cases, transactions, audit_log) with a full scan
 * that uses no index. The test follows the code, because the statements come from the real
 * query builders.
 *
 * One `SCAN table` is allowed: a page ordered by the table's integer primary key with a LIMIT
 * and no sort step. SQLite then walks the table's own b-tree in id order and stops after one
 * page, which is how the newest-first case list reads its pages.
 *
 * ANALYZE is not run, because the app never runs it: SQLite then plans with its built-in
 * estimates, which do not depend on the row counts, so a small database gets the plans that
 * a large one gets.
 */
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { Logger } from 'drizzle-orm/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { SessionUser } from '$lib/server/auth/session';
import type { Db } from '$lib/server/db';
import * as schema from '$lib/server/db/schema';
import { queryPeriodRows } from '$lib/server/reports/period';

import {
	callerFor,
	createTestDb,
	insertCase,
	insertClient,
	insertPerson,
	insertTransaction,
	insertUser,
	makeCnj,
	makeCpf,
	type Caller,
	type TestDb
} from '../helpers/test-db';

const LARGE_TABLES = ['clients', 'cases', 'transactions', 'audit_log'];

interface Statement {
	sql: string;
	params: unknown[];
}

/** Collects the statements that Drizzle sends while `recording` is set. */
class StatementRecorder implements Logger {
	recording: Statement[] | null = null;

	logQuery(query: string, params: unknown[]): void {
		this.recording?.push({ sql: query, params });
	}
}

let testDb: TestDb;
let recorder: StatementRecorder;
let loggedDb: Db;
let api: Caller;
let ids: { client: number; partner: number; case: number };

beforeAll(() => {
	testDb = createTestDb();
	const db = testDb.db;
	const admin: SessionUser = insertUser(db, 'admin');
	const partner = insertPerson(db, 'partner', { name: 'Dra. Helena Prado' });
	const consultant = insertPerson(db, 'consultant', { name: 'Caio Ramos' });

	let legalCase = 0;
	let client = 0;
	for (let n = 1; n <= 30; n++) {
		client = insertClient(db, { name: `Cliente ${n} da Silva`, document: makeCpf(n) }).id;
		legalCase = insertCase(db, {
			clientId: client,
			partnerId: partner.id,
			consultantId: n % 2 ? consultant.id : null,
			title: `Ação de cobrança ${n}`,
			cnjNumber: makeCnj(n).replace(/\D/g, '')
		}).id;
		insertTransaction(db, {
			caseId: legalCase,
			partnerId: partner.id,
			createdBy: admin.id,
			receivedOn: `2026-0${1 + (n % 9)}-15`
		});
	}
	ids = { client, partner: partner.id, case: legalCase };

	recorder = new StatementRecorder();
	loggedDb = drizzle(db.$client, { schema, logger: recorder }) as Db;
	api = callerFor(loggedDb, admin);
});

afterAll(() => testDb.close());

/** Runs `work` and returns the SQL statements it sent. */
async function recordStatements(work: () => Promise<unknown> | unknown): Promise<Statement[]> {
	recorder.recording = [];
	try {
		await work();
		return recorder.recording;
	} finally {
		recorder.recording = null;
	}
}

/** Returns the EXPLAIN QUERY PLAN lines of `statement` that scan a large table without an index. */
function fullScans(sqlite: Database.Database, statement: Statement): string[] {
	const plan = sqlite
		.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`)
		.all(...(statement.params as unknown[])) as { detail: string }[];
	return plan
		.map((row) => row.detail)
		.filter((detail, _index, details) => {
			const match = /^SCAN (\w+)(?: AS \w+)?$/.exec(detail);
			if (match === null || !LARGE_TABLES.includes(match[1]!)) return false;
			return !isPagedPrimaryKeyWalk(statement.sql, match[1]!, details);
		});
}

/** True when `sql` reads one page of `table` in id order, so a scan stops after the page. */
function isPagedPrimaryKeyWalk(sql: string, table: string, planDetails: string[]): boolean {
	const byId = new RegExp(`order by "${table}"\\."id" (asc|desc)( limit \\?)?$`).test(sql);
	const limited = /\blimit \?$/.test(sql);
	const sorted = planDetails.some((detail) => detail.startsWith('USE TEMP B-TREE FOR ORDER BY'));
	return byId && limited && !sorted;
}

const CALLS: [string, () => Promise<unknown> | unknown][] = [
	['clients.list first page', () => api.clients.list({})],
	['clients.list archived', () => api.clients.list({ archived: true })],
	['clients.list search 3+ characters', () => api.clients.list({ search: 'silva' })],
	['clients.list search document', () => api.clients.list({ search: '000.000.001' })],
	['clients.list search 2 characters', () => api.clients.list({ search: 'si' })],
	['clients.list next page', () => nextClientsPage()],
	['clients.get', () => api.clients.get({ id: ids.client })],
	['cases.list first page', () => api.cases.list({})],
	[
		'cases.list status and partner',
		() => api.cases.list({ status: 'open', partnerId: ids.partner })
	],
	['cases.list client', () => api.cases.list({ clientId: ids.client })],
	['cases.list action type', () => api.cases.list({ actionType: 'civil' })],
	['cases.list search title', () => api.cases.list({ search: 'cobranca' })],
	['cases.list search CNJ digits', () => api.cases.list({ search: '0000001' })],
	['cases.list search 1 character', () => api.cases.list({ search: '%' })],
	['cases.list next page', () => nextCasesPage()],
	['cases.get', () => api.cases.get({ id: ids.case })],
	[
		'dashboard.summary month',
		() => api.dashboard.summary({ from: '2026-03-01', to: '2026-03-31' })
	],
	['dashboard.summary year', () => api.dashboard.summary({ from: '2026-01-01', to: '2026-12-31' })],
	[
		'dashboard.summary partial months',
		() => api.dashboard.summary({ from: '2026-01-15', to: '2026-03-10' })
	],
	['reports.period', () => api.reports.period({ from: '2026-01-01', to: '2026-12-31' })],
	[
		'period download page',
		() => queryPeriodRows(loggedDb, '2026-01-01', '2026-12-31', { limit: 5 })
	],
	[
		'period download next page',
		() =>
			queryPeriodRows(loggedDb, '2026-01-01', '2026-12-31', {
				after: { receivedOn: '2026-03-15', id: 3 },
				limit: 5
			})
	],
	['people.list', () => api.people.list({})],
	['audit.list', () => api.audit.list({})],
	['audit.list actor', () => api.audit.list({ actorId: 1 })],
	['audit.list entity', () => api.audit.list({ entity: 'case', entityId: String(ids.case) })],
	['audit.list dates', () => api.audit.list({ from: '2026-01-01', to: '2026-12-31' })]
];

async function nextClientsPage() {
	const first = await api.clients.list({ limit: 2 });
	return api.clients.list({ limit: 2, cursor: first.nextCursor! });
}

async function nextCasesPage() {
	const first = await api.cases.list({ limit: 2 });
	return api.cases.list({ limit: 2, cursor: first.nextCursor! });
}

describe('query plans', () => {
	it.each(CALLS)('%s uses an index', async (_name, call) => {
		const statements = await recordStatements(call);

		expect(statements.length).toBeGreaterThan(0);
		for (const statement of statements) {
			expect(fullScans(testDb.db.$client, statement), statement.sql).toEqual([]);
		}
	});

	it('flags a full scan', () => {
		const statement = { sql: 'SELECT * FROM cases WHERE title = ?', params: ['x'] };

		expect(fullScans(testDb.db.$client, statement)).toEqual(['SCAN cases']);
	});

	it('flags a sorted full scan', () => {
		const sql =
			'select * from "cases" where "cases"."title" = ? order by "cases"."id" desc limit ?';
		const statement = { sql: sql.replace('"cases"."id"', '"cases"."court"'), params: ['x', 5] };

		expect(fullScans(testDb.db.$client, statement)).toEqual(['SCAN cases']);
	});

	it('allows paged id walk', () => {
		const sql =
			'select * from "cases" where "cases"."title" = ? order by "cases"."id" desc limit ?';

		expect(fullScans(testDb.db.$client, { sql, params: ['x', 5] })).toEqual([]);
	});

	it.each([
		['clients', () => api.clients.list({ search: 'silva' }), 'clients_search'],
		['cases', () => api.cases.list({ search: 'cobranca' }), 'cases_search']
	] as const)('%s search reads trigram index', async (_name, call, ftsTable) => {
		const [statement] = await recordStatements(call);
		const plan = testDb.db.$client
			.prepare(`EXPLAIN QUERY PLAN ${statement!.sql}`)
			.all(...(statement!.params as unknown[])) as { detail: string }[];

		expect(plan.map((row) => row.detail)).toContainEqual(
			expect.stringMatching(new RegExp(`^SCAN ${ftsTable} VIRTUAL TABLE`))
		);
	});

	it('keeps pagination keyset based', async () => {
		const statements = await recordStatements(() => nextClientsPage());
		const casesStatements = await recordStatements(() => nextCasesPage());

		for (const statement of [...statements, ...casesStatements]) {
			expect(statement.sql).not.toMatch(/\boffset\b/i);
		}
	});
});
