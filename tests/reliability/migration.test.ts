import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { describe, expect, it, onTestFinished } from 'vitest';

import { openDatabase } from '$lib/server/db';
import { measureLedger, verifyDatabaseFile, type LedgerMeasure } from '$lib/server/db/backup';
import { MigrationCheckError, type MigrationReport } from '$lib/server/db/safe-migrate';

import { findFreePort, startApp } from './app-server';

const MIGRATIONS_DIR = path.resolve('drizzle');
const BREAKPOINT = '--> statement-breakpoint';

interface JournalEntry {
	idx: number;
	version: string;
	when: number;
	tag: string;
	breakpoints: boolean;
}

interface MigrationRow {
	hash: string;
	created_at: number;
}

function readJournal(migrationsDir: string): JournalEntry[] {
	const text = fs.readFileSync(path.join(migrationsDir, 'meta', '_journal.json'), 'utf8');
	return (JSON.parse(text) as { entries: JournalEntry[] }).entries;
}

function makeTempFolder(): string {
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'case-ledger-migration-'));
	onTestFinished(() => fs.rmSync(folder, { recursive: true, force: true }));
	return folder;
}

/**
 * Applies one migration file statement by statement and records it in `__drizzle_migrations`
 * as drizzle-orm 0.45's SQLite migrator does: the SHA-256 of the whole file as `hash` and the
 * journal's `when` as `created_at`.
 */
function applyMigrationByHand(sqlite: Database.Database, entry: JournalEntry): void {
	const text = fs.readFileSync(path.join(MIGRATIONS_DIR, `${entry.tag}.sql`), 'utf8');
	for (const statement of text.split(BREAKPOINT)) sqlite.exec(statement);

	sqlite.exec(
		'CREATE TABLE IF NOT EXISTS "__drizzle_migrations" ' +
			'(id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)'
	);
	sqlite
		.prepare('INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES (?, ?)')
		.run(createHash('sha256').update(text).digest('hex'), entry.when);
}

/** Creates a database at the first `count` migrations, with WAL and foreign keys as the app. */
function createFixture(file: string, count: number): Database.Database {
	const sqlite = new Database(file);
	sqlite.pragma('journal_mode = WAL');
	sqlite.pragma('foreign_keys = ON');
	for (const entry of readJournal(MIGRATIONS_DIR).slice(0, count)) {
		applyMigrationByHand(sqlite, entry);
	}
	return sqlite;
}

/** Inserts rows with the columns of migration 0000: 2 users, 3 people, 3 clients, 4 cases. */
function insertPeopleAndCases(sqlite: Database.Database): void {
	const user = sqlite.prepare(
		"INSERT INTO users (email, name, password_hash, role) VALUES (?, ?, 'x', 'admin')"
	);
	user.run('ana@example.com', 'Ana');
	user.run('bruno@example.com', 'Bruno');

	const person = sqlite.prepare('INSERT INTO people (role, name) VALUES (?, ?)');
	person.run('partner', 'Carla Partner');
	person.run('partner', 'Davi Partner');
	person.run('consultant', 'Elisa Consultant');

	const client = sqlite.prepare(
		"INSERT INTO clients (kind, name, name_search, document) VALUES ('person', ?, ?, ?)"
	);
	client.run('Fábio', 'fabio', '52998224725');
	client.run('Gabriela', 'gabriela', '11144477735');
	client.run('Heitor', 'heitor', '39053344705');

	const legalCase = sqlite.prepare(
		'INSERT INTO cases (client_id, action_type, title, title_search, partner_id, ' +
			"consultant_id, opened_on) VALUES (?, 'civil', ?, ?, ?, ?, '2025-06-01')"
	);
	legalCase.run(1, 'Case one', 'case one', 1, null);
	legalCase.run(1, 'Case two', 'case two', 2, 3);
	legalCase.run(2, 'Case three', 'case three', 1, 3);
	legalCase.run(2, 'Case four', 'case four', 2, null);
}

/**
 * Inserts 40 payments with odd cents over cases 1 to 4 (one voided) with the columns of
 * migration 0001. Client 3 has no case, so a migration may delete it without a foreign key
 * error.
 */
function insertPayments(sqlite: Database.Database): void {
	const payment = sqlite.prepare(
		'INSERT INTO transactions (case_id, received_on, value_type, gross_cents, client_cents, ' +
			'office_cents, partner_cents, consultant_cents, fee_bps, partner_share_bps, ' +
			"consultant_commission_bps, partner_id, created_by) VALUES (?, '2026-01-15', " +
			"'provided_amount', ?, ?, ?, ?, ?, 3000, 5000, 0, ?, 1)"
	);
	for (let index = 0; index < 40; index++) {
		const caseId = (index % 4) + 1;
		const gross = 100_003 + index * 7_919;
		const office = Math.floor(gross * 0.15);
		const partner = Math.floor(gross * 0.14);
		const consultant = caseId % 2 === 0 ? 101 + index : 0;
		const client = gross - office - partner - consultant;
		payment.run(caseId, gross, client, office, partner, consultant, caseId % 2 === 0 ? 2 : 1);
	}
	sqlite
		.prepare(
			"UPDATE transactions SET voided_at = '2026-02-01T10:00:00.000Z', voided_by = 1, " +
				"void_reason = 'typed twice' WHERE id = 7"
		)
		.run();
}

/** Builds a fixture with payments at migration 0001, closes it and returns its measure. */
function createPaymentsFixture(file: string): LedgerMeasure {
	const sqlite = createFixture(file, 2);
	insertPeopleAndCases(sqlite);
	insertPayments(sqlite);
	const measure = measureLedger(sqlite);
	sqlite.close();
	return measure;
}

/** Opens `file` through the app's openDatabase and returns the migration report, if any. */
function openWithMigrations(file: string, migrationsDir: string): MigrationReport | undefined {
	let report: MigrationReport | undefined;
	const db = openDatabase(file, { migrationsDir, onMigrated: (applied) => (report = applied) });
	db.$client.close();
	return report;
}

function measureFile(file: string): LedgerMeasure {
	const sqlite = new Database(file, { readonly: true });
	try {
		return measureLedger(sqlite);
	} finally {
		sqlite.close();
	}
}

function readMigrationRows(file: string): MigrationRow[] {
	const sqlite = new Database(file, { readonly: true });
	try {
		return sqlite
			.prepare('SELECT hash, created_at FROM "__drizzle_migrations" ORDER BY created_at')
			.all() as MigrationRow[];
	} finally {
		sqlite.close();
	}
}

function readSchema(file: string): string[] {
	const sqlite = new Database(file, { readonly: true });
	try {
		return sqlite
			.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY type, name')
			.all()
			.map((row) => JSON.stringify(row));
	} finally {
		sqlite.close();
	}
}

function listBackups(file: string): string[] {
	const folder = path.join(path.dirname(file), 'backups');
	if (!fs.existsSync(folder)) return [];
	return fs
		.readdirSync(folder)
		.sort()
		.map((name) => path.join(folder, name));
}

/** Copies drizzle/ to a temporary folder and appends migrations to its copy of the journal. */
function copyMigrationsWith(extra: { name: string; sql: string }[]): string {
	const folder = path.join(makeTempFolder(), 'drizzle');
	fs.cpSync(MIGRATIONS_DIR, folder, { recursive: true });

	const journalPath = path.join(folder, 'meta', '_journal.json');
	const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as { entries: JournalEntry[] };
	for (const migration of extra) {
		const last = journal.entries.at(-1)!;
		const idx = last.idx + 1;
		const tag = `${String(idx).padStart(4, '0')}_${migration.name}`;
		fs.writeFileSync(path.join(folder, `${tag}.sql`), migration.sql);
		journal.entries.push({ idx, version: '6', when: last.when + 1000, tag, breakpoints: true });
	}
	fs.writeFileSync(journalPath, JSON.stringify(journal, null, 2));
	return folder;
}

/**
 * Writes the SQL that drizzle-kit generates to change a column of `cases` in SQLite: a new
 * table, a copy of the rows, DROP TABLE, a rename, and the indexes again, between
 * `PRAGMA foreign_keys` statements. Built from the live schema so that it fits any migrations.
 */
function casesRebuildSql(file: string): string {
	const sqlite = new Database(file, { readonly: true });
	try {
		const createSql = sqlite
			.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'cases'")
			.pluck()
			.get() as string;
		const columns = (sqlite.pragma('table_info(cases)') as { name: string }[])
			.map((column) => `"${column.name}"`)
			.join(', ');
		const indexes = sqlite
			.prepare(
				"SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases' AND sql IS NOT NULL"
			)
			.pluck()
			.all() as string[];

		return [
			'PRAGMA foreign_keys=OFF;',
			`${createSql.replace(/^CREATE TABLE [`"]?cases[`"]?/u, 'CREATE TABLE `__new_cases`')};\n`,
			`INSERT INTO \`__new_cases\`(${columns}) SELECT ${columns} FROM \`cases\`;`,
			'DROP TABLE `cases`;',
			'ALTER TABLE `__new_cases` RENAME TO `cases`;',
			'PRAGMA foreign_keys=ON;',
			...indexes.map((sql) => `${sql};`)
		].join(BREAKPOINT);
	} finally {
		sqlite.close();
	}
}

/** Runs `open` and returns the MigrationCheckError it throws, failing the test otherwise. */
function expectMigrationError(open: () => unknown): MigrationCheckError {
	let caught: unknown;
	try {
		open();
	} catch (error) {
		caught = error;
	}
	expect(caught, 'opening should have failed').toBeInstanceOf(MigrationCheckError);
	return caught as MigrationCheckError;
}

describe('migrations from first', () => {
	it('keeps people, clients and cases', () => {
		const file = path.join(makeTempFolder(), 'ledger.db');
		const fixture = createFixture(file, 1);
		insertPeopleAndCases(fixture);
		const before = measureLedger(fixture);
		fixture.close();
		const journal = readJournal(MIGRATIONS_DIR);

		const report = openWithMigrations(file, MIGRATIONS_DIR);

		const after = measureFile(file);
		console.log('fixture at first migration, rows before and after:', before, after);
		for (const table of ['users', 'people', 'clients', 'cases', 'sessions']) {
			expect(after.rowCounts[table], table).toBe(before.rowCounts[table]);
		}
		expect(before.rowCounts.cases).toBe(4);
		expect(report?.applied).toEqual(journal.slice(1).map((entry) => entry.tag));
		expect(readMigrationRows(file).map((row) => row.created_at)).toEqual(
			journal.map((entry) => entry.when)
		);

		const backups = listBackups(file);
		expect(backups).toHaveLength(1);
		expect(backups[0]).toBe(report?.backupPath);
		expect(path.basename(backups[0]!)).toMatch(
			/^pre-migration-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.db$/u
		);
		expect(verifyDatabaseFile(backups[0]!)).toEqual(before);
	});

	it('keeps payment counts and sums', () => {
		const file = path.join(makeTempFolder(), 'ledger.db');
		const before = createPaymentsFixture(file);
		// An additive migration after the real ones, so at least one is pending after 0001.
		const migrationsDir = copyMigrationsWith([
			{
				name: 'payments_created_by_index',
				sql: 'CREATE INDEX `transactions_created_by_idx` ON `transactions` (`created_by`);'
			}
		]);

		const report = openWithMigrations(file, migrationsDir);

		const after = measureFile(file);
		console.log('payments before and after migrations:', before, after);
		expect(before.rowCounts.transactions).toBe(40);
		expect(before.transactionSums.gross_cents).toBe(10_176_940n);
		expect(after.rowCounts.transactions).toBe(40);
		expect(after.transactionSums).toEqual(before.transactionSums);
		for (const table of ['users', 'people', 'clients', 'cases']) {
			expect(after.rowCounts[table], table).toBe(before.rowCounts[table]);
		}
		expect(report?.applied.at(-1)).toMatch(/_payments_created_by_index$/u);
		expect(report?.backupPath).toBeDefined();
		expect(verifyDatabaseFile(report!.backupPath!)).toEqual(before);
	});

	it('records rows as drizzle migrator', () => {
		const folder = makeTempFolder();
		const ours = path.join(folder, 'ours.db');
		const theirs = path.join(folder, 'theirs.db');
		createFixture(ours, 1).close();
		createFixture(theirs, 1).close();

		openWithMigrations(ours, MIGRATIONS_DIR);
		const sqlite = new Database(theirs);
		migrate(drizzle(sqlite), { migrationsFolder: MIGRATIONS_DIR });
		sqlite.close();

		expect(readMigrationRows(ours)).toEqual(readMigrationRows(theirs));
		expect(readMigrationRows(ours)).toHaveLength(readJournal(MIGRATIONS_DIR).length);
		expect(readSchema(ours)).toEqual(readSchema(theirs));
	});
});

describe('migration guard', () => {
	it('cases rebuild fails, keeps payments', () => {
		const file = path.join(makeTempFolder(), 'ledger.db');
		const fixture = createPaymentsFixture(file);
		const firstBackup = openWithMigrations(file, MIGRATIONS_DIR)?.backupPath;
		const before = measureFile(file);
		const schemaBefore = readSchema(file);
		const rowsBefore = readMigrationRows(file);
		const migrationsDir = copyMigrationsWith([
			{ name: 'rebuild_cases', sql: casesRebuildSql(file) }
		]);

		const error = expectMigrationError(() => openWithMigrations(file, migrationsDir));

		const after = measureFile(file);
		console.log('cases rebuild with payments:', error.message);
		expect(error.message).toMatch(
			/^Migration \d{4}_rebuild_cases failed: FOREIGN KEY constraint failed\./u
		);
		expect(error.message).toContain(`a copy from before the attempt is at ${error.backupPath}.`);
		expect(after.rowCounts.transactions).toBe(40);
		expect(after.transactionSums).toEqual(fixture.transactionSums);
		expect(after).toEqual(before);
		expect(readSchema(file)).toEqual(schemaBefore);
		expect(readMigrationRows(file)).toEqual(rowsBefore);
		expect(verifyDatabaseFile(error.backupPath!)).toEqual(before);

		// Still pending, so the next start fails the same way instead of starting, and only the
		// newest copy of a rolled-back attempt is kept.
		const again = expectMigrationError(() => openWithMigrations(file, migrationsDir));
		expect(again.message).toMatch(/FOREIGN KEY constraint failed/u);
		expect(measureFile(file)).toEqual(before);
		expect(again.backupPath).not.toBe(error.backupPath);
		expect(fs.existsSync(error.backupPath!)).toBe(false);
		expect(listBackups(file).filter((name) => name.endsWith('.db'))).toEqual(
			[firstBackup, again.backupPath].sort()
		);
	});

	it('deferred cases rebuild fails at commit', () => {
		const file = path.join(makeTempFolder(), 'ledger.db');
		createPaymentsFixture(file);
		openWithMigrations(file, MIGRATIONS_DIR);
		const before = measureFile(file);
		const schemaBefore = readSchema(file);
		const sql = `PRAGMA defer_foreign_keys = ON;${BREAKPOINT}${casesRebuildSql(file)}`;
		const migrationsDir = copyMigrationsWith([{ name: 'rebuild_cases_deferred', sql }]);

		const error = expectMigrationError(() => openWithMigrations(file, migrationsDir));

		console.log('cases rebuild with deferred foreign keys:', error.message);
		expect(error.message).toMatch(
			/^Migration \d{4}_rebuild_cases_deferred was rolled back because COMMIT failed: FOREIGN KEY constraint failed\./u
		);
		expect(measureFile(file)).toEqual(before);
		expect(readSchema(file)).toEqual(schemaBefore);
	});

	it('cases rebuild without payments succeeds', () => {
		const file = path.join(makeTempFolder(), 'ledger.db');
		const fixture = createFixture(file, 2);
		insertPeopleAndCases(fixture);
		fixture.close();
		openWithMigrations(file, MIGRATIONS_DIR);
		const before = measureFile(file);
		const migrationsDir = copyMigrationsWith([
			{ name: 'rebuild_cases', sql: casesRebuildSql(file) }
		]);

		const report = openWithMigrations(file, migrationsDir);

		expect(report?.applied).toEqual([expect.stringMatching(/_rebuild_cases$/u)]);
		expect(measureFile(file)).toEqual(before);
		expect(readSchema(file).some((row) => row.includes('__new_cases'))).toBe(false);
	});

	it.for([
		{
			label: 'client deleted',
			sql: 'DELETE FROM clients WHERE id = 3;',
			change: 'clients rows 3 -> 2'
		},
		{
			label: 'amount changed',
			sql:
				'DROP TRIGGER transactions_only_void;' +
				BREAKPOINT +
				'UPDATE transactions SET gross_cents = gross_cents + 1, client_cents = client_cents + 1 WHERE id = 1;',
			change:
				'transactions.gross_cents sum 10176940 -> 10176941; ' +
				'transactions.client_cents sum 7223246 -> 7223247'
		},
		{
			label: 'payment deleted',
			sql:
				'DROP TRIGGER transactions_no_delete;' +
				BREAKPOINT +
				'DELETE FROM transactions WHERE id = 2;',
			change: 'transactions rows 40 -> 39; transactions.gross_cents sum 10176940 -> 10069018'
		}
	])('rolls back when $label', ({ sql, change }) => {
		const file = path.join(makeTempFolder(), 'ledger.db');
		createPaymentsFixture(file);
		openWithMigrations(file, MIGRATIONS_DIR);
		const before = measureFile(file);
		const schemaBefore = readSchema(file);
		const migrationsDir = copyMigrationsWith([{ name: 'lossy', sql }]);

		const error = expectMigrationError(() => openWithMigrations(file, migrationsDir));

		console.log('lossy migration:', error.message);
		expect(error.message).toContain(`rolled back because the ledger changed: ${change}`);
		expect(error.backupPath).toMatch(/pre-migration-[^/]+\.db$/u);
		expect(measureFile(file)).toEqual(before);
		expect(readSchema(file)).toEqual(schemaBefore);
	});

	it('rolls back dangling references', () => {
		const file = path.join(makeTempFolder(), 'ledger.db');
		createPaymentsFixture(file);
		openWithMigrations(file, MIGRATIONS_DIR);
		const before = measureFile(file);
		// Deferred foreign keys are checked only at COMMIT, after the guard has run.
		const migrationsDir = copyMigrationsWith([
			{
				name: 'orphan_session',
				sql:
					'PRAGMA defer_foreign_keys = ON;' +
					BREAKPOINT +
					'INSERT INTO `sessions` (`id`, `secret_hash`, `user_id`, `created_at`, `expires_at`) ' +
					"VALUES ('orphan', x'00', 999, 0, 0);"
			}
		]);

		const error = expectMigrationError(() => openWithMigrations(file, migrationsDir));

		expect(error.message).toMatch(
			/^Migration \d{4}_orphan_session was rolled back because afterwards foreign_key_check found 1 row referencing missing rows\./u
		);
		expect(measureFile(file)).toEqual(before);
		expect(before.rowCounts.sessions).toBe(0);
	});

	it('failed migration applies nothing', () => {
		const file = path.join(makeTempFolder(), 'ledger.db');
		createPaymentsFixture(file);
		openWithMigrations(file, MIGRATIONS_DIR);
		const schemaBefore = readSchema(file);
		const rowsBefore = readMigrationRows(file);
		const migrationsDir = copyMigrationsWith([
			{ name: 'add_notes', sql: 'CREATE TABLE `case_notes` (`id` integer PRIMARY KEY);' },
			{ name: 'broken', sql: 'INSERT INTO `no_such_table` VALUES (1);' }
		]);

		const error = expectMigrationError(() => openWithMigrations(file, migrationsDir));

		expect(error.message).toMatch(
			/^Migration \d{4}_broken failed: no such table: no_such_table\./u
		);
		expect(error.message).toMatch(
			/Every pending migration \(\d{4}_add_notes, \d{4}_broken\) was rolled back\./u
		);
		expect(readSchema(file)).toEqual(schemaBefore);
		expect(readMigrationRows(file)).toEqual(rowsBefore);
	});

	it('no pending migration, no backup', () => {
		const file = path.join(makeTempFolder(), 'ledger.db');

		const first = openWithMigrations(file, MIGRATIONS_DIR);
		const second = openWithMigrations(file, MIGRATIONS_DIR);

		expect(first?.applied).toEqual(readJournal(MIGRATIONS_DIR).map((entry) => entry.tag));
		expect(first?.backupPath).toBeUndefined();
		expect(second).toBeUndefined();
		expect(listBackups(file)).toEqual([]);
	});
});

describe('built app migrations', () => {
	it('logs pre-migration backup at start', async () => {
		const file = path.join(makeTempFolder(), 'ledger.db');
		const before = createPaymentsFixture(file);

		const server = await startApp({
			databasePath: file,
			port: await findFreePort(3600, 3649),
			env: { LOG_LEVEL: 'info' }
		});
		const stopped = await server.stop();

		const logLine = server
			.logs()
			.split('\n')
			.find((line) => line.includes('"msg":"applied database migrations"'));
		expect(logLine, server.logs()).toBeDefined();
		const logged = JSON.parse(logLine!) as { migrations: string[]; backupPath: string };
		console.log('app start on a fixture at 0001:', logged);
		expect(logged.migrations).toEqual(
			readJournal(MIGRATIONS_DIR)
				.slice(2)
				.map((e) => e.tag)
		);
		expect(listBackups(file)).toEqual([logged.backupPath]);
		expect(verifyDatabaseFile(logged.backupPath)).toEqual(before);
		expect(measureFile(file).transactionSums).toEqual(before.transactionSums);
		expect(stopped.code).toBe(0);
	});

	it('refuses to start after lossy migration', async () => {
		const file = path.join(makeTempFolder(), 'ledger.db');
		createPaymentsFixture(file);
		openWithMigrations(file, MIGRATIONS_DIR);
		const before = measureFile(file);
		const migrationsDir = copyMigrationsWith([
			{ name: 'lossy', sql: 'DELETE FROM clients WHERE id = 3;' }
		]);

		const failure = await startApp({
			databasePath: file,
			port: await findFreePort(3600, 3649),
			env: { MIGRATIONS_DIR: migrationsDir },
			startTimeoutMs: 15_000
		}).then(
			() => null,
			(error: unknown) => String(error)
		);

		console.log('app start with a lossy migration:', failure?.split('\n')[0]);
		expect(failure).toMatch(/^Error: The app exited before \/healthz returned 200/u);
		expect(failure).toContain('"msg":"case-ledger could not start"');
		expect(failure).toContain('rolled back because the ledger changed: clients rows 3 -> 2.');
		expect(measureFile(file)).toEqual(before);
		expect(fs.existsSync(`${file}.lock`)).toBe(false);
	});
});
