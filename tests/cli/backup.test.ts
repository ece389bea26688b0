import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Database from 'better-sqlite3';
import { describe, it, type TestContext } from 'vitest';

import { openDatabase, type Db } from '$lib/server/db';
import { measureLedger, type LedgerMeasure } from '$lib/server/db/backup';
import {
	insertCase,
	insertClient,
	insertPerson,
	insertTransaction,
	insertUser
} from '../helpers/test-db';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MIGRATIONS_DIR = path.join(REPO_ROOT, 'drizzle');
const HELP_HINT = 'Run "pnpm admin help" to see the commands and their options.';
const CHILD_TIMEOUT_MS = 20_000;

interface RunResult {
	status: number | null;
	stdout: string;
	stderr: string;
}

/**
 * A temporary folder with a migrated database holding one case and `payments` payments of
 * R$ 100,00, removed when the test finishes.
 */
class Sandbox {
	readonly folder: string;
	readonly databasePath: string;

	constructor(onTestFinished: TestContext['onTestFinished'], payments = 3) {
		this.folder = fs.mkdtempSync(path.join(os.tmpdir(), 'case-ledger-backup-'));
		this.databasePath = path.join(this.folder, 'ledger.db');
		onTestFinished(() => fs.rmSync(this.folder, { recursive: true, force: true }));
		this.write((db) => {
			const user = insertUser(db, 'admin');
			const partner = insertPerson(db, 'partner');
			const client = insertClient(db);
			const legalCase = insertCase(db, { clientId: client.id, partnerId: partner.id });
			this.caseId = legalCase.id;
			this.partnerId = partner.id;
			this.userId = user.id;
		});
		this.addPayments(payments);
	}

	private caseId = 0;
	private partnerId = 0;
	private userId = 0;

	addPayments(count: number): void {
		this.write((db) => {
			for (let index = 0; index < count; index++) {
				insertTransaction(db, {
					caseId: this.caseId,
					partnerId: this.partnerId,
					createdBy: this.userId
				});
			}
		});
	}

	/** Runs scripts/admin.ts in a child process with this sandbox's DATABASE_PATH. */
	admin(args: string[], extraEnv: Record<string, string> = {}): Promise<RunResult> {
		const env = { ...process.env, DATABASE_PATH: this.databasePath, MIGRATIONS_DIR, ...extraEnv };
		const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...args], {
			cwd: REPO_ROOT,
			env,
			timeout: CHILD_TIMEOUT_MS
		});
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
		child.stdin.end();

		return new Promise((resolve, reject) => {
			child.on('error', reject);
			child.on('close', (status) => resolve({ status, stdout, stderr }));
		});
	}

	path(...parts: string[]): string {
		return path.join(this.folder, ...parts);
	}

	listFolder(...parts: string[]): string[] {
		const folder = this.path(...parts);
		return fs.existsSync(folder) ? fs.readdirSync(folder).sort() : [];
	}

	writeLock(pid: number): string {
		const lockPath = `${this.databasePath}.lock`;
		const owner = { pid, startedAt: '2026-03-02T12:00:00.000Z', holder: 'app' };
		fs.writeFileSync(lockPath, `${JSON.stringify(owner)}\n`);
		return lockPath;
	}

	private write(work: (db: Db) => void): void {
		const db = openDatabase(this.databasePath, { migrationsDir: MIGRATIONS_DIR });
		try {
			work(db);
		} finally {
			db.$client.close();
		}
	}
}

function measureFile(filePath: string): LedgerMeasure {
	const sqlite = new Database(filePath, { readonly: true, fileMustExist: true });
	try {
		return measureLedger(sqlite);
	} finally {
		sqlite.close();
	}
}

function readPragma(filePath: string, pragma: string): unknown {
	const sqlite = new Database(filePath, { readonly: true, fileMustExist: true });
	try {
		return sqlite.pragma(pragma, { simple: true });
	} finally {
		sqlite.close();
	}
}

interface JournalEntry {
	when: number;
	tag: string;
}

function readJournalEntries(migrationsDir: string): JournalEntry[] {
	const text = fs.readFileSync(path.join(migrationsDir, 'meta', '_journal.json'), 'utf8');
	return (JSON.parse(text) as { entries: JournalEntry[] }).entries;
}

/** Creates a database at every migration but the last, as an older version of the app left it. */
function createOlderDatabase(folder: string, filePath: string): string {
	const migrationsDir = path.join(folder, 'older-drizzle');
	fs.cpSync(MIGRATIONS_DIR, migrationsDir, { recursive: true });
	const journalPath = path.join(migrationsDir, 'meta', '_journal.json');
	const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as { entries: unknown[] };
	journal.entries.pop();
	fs.writeFileSync(journalPath, JSON.stringify(journal));

	openDatabase(filePath, { migrationsDir }).$client.close();
	return filePath;
}

function hashFile(filePath: string): string {
	return createHash('sha256').update(fs.readFileSync(filePath)).digest('hex');
}

/** Returns the PID of a process that has exited, so no live process has it for a while. */
function deadPid(): number {
	const child = spawnSync(process.execPath, ['-e', ''], { timeout: CHILD_TIMEOUT_MS });
	return child.pid!;
}

describe.concurrent('admin backup', () => {
	it('writes checked copy, same counts', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		const source = measureFile(sandbox.databasePath);

		const result = await sandbox.admin(['backup']);

		expect(result.stderr).toBe('');
		expect(result.status).toBe(0);
		const [copyName, ...others] = sandbox.listFolder('backups');
		expect(others).toEqual([]);
		expect(copyName).toMatch(/^case-ledger-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.db$/u);
		const copyPath = sandbox.path('backups', copyName!);
		const size = fs.statSync(copyPath).size;
		expect(result.stdout.split('\n')).toEqual([
			`Backed up ${sandbox.databasePath} to ${copyPath} (${size} bytes, ${(size / 1024).toFixed(1)} KiB).`,
			'Checked the copy: integrity_check ok, foreign_key_check found no violations.',
			expect.stringMatching(
				/^Rows: audit_log \d+, cases 1, clients 1, .*transactions 3, users 1\.$/u
			),
			'Transactions sums in cents: gross_cents 30000, client_cents 21000, office_cents 4500, ' +
				'partner_cents 4500, consultant_cents 0.',
			''
		]);
		expect(measureFile(copyPath)).toEqual(source);
		expect(source.rowCounts.transactions).toBe(3);
		expect(readPragma(copyPath, 'integrity_check')).toBe('ok');
		expect(readPragma(copyPath, 'journal_mode')).toBe('delete');
	});

	it('writes to given FILE', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		const target = sandbox.path('elsewhere', 'nested', 'copy.db');

		const result = await sandbox.admin(['backup', target]);

		expect(result.status).toBe(0);
		expect(result.stdout).toContain(`Backed up ${sandbox.databasePath} to ${target} (`);
		expect(measureFile(target)).toEqual(measureFile(sandbox.databasePath));
		expect(sandbox.listFolder('backups')).toEqual([]);
	});

	it('rejects existing FILE', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		const target = sandbox.path('taken.db');
		fs.writeFileSync(target, 'keep me');

		const result = await sandbox.admin(['backup', target]);

		expect(result.stderr).toBe(
			`Error: ${target} already exists; a backup never overwrites a file.\n`
		);
		expect(result.status).toBe(1);
		expect(result.stdout).toBe('');
		expect(fs.readFileSync(target, 'utf8')).toBe('keep me');
	});

	it('rejects missing database', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		fs.rmSync(sandbox.databasePath);

		const result = await sandbox.admin(['backup']);

		expect(result.stderr).toBe(
			`Error: No database at ${sandbox.databasePath}. ` +
				'Set DATABASE_PATH to the database file of the app.\n'
		);
		expect(result.status).toBe(1);
		expect(fs.existsSync(sandbox.databasePath)).toBe(false);
	});
});

describe.concurrent('admin restore', () => {
	it('rejects corrupt file', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		const corrupt = sandbox.path('corrupt.db');
		fs.writeFileSync(
			corrupt,
			Buffer.from(Array.from({ length: 16_384 }, (_, i) => (i * 37) % 251))
		);
		const hashBefore = hashFile(sandbox.databasePath);

		const result = await sandbox.admin(['restore', corrupt]);

		expect(result.stderr).toBe(
			`Error: ${corrupt} is not a valid SQLite database: file is not a database.\n`
		);
		expect(result.status).toBe(1);
		expect(result.stdout).toBe('');
		expect(hashFile(sandbox.databasePath)).toBe(hashBefore);
		expect(sandbox.listFolder('backups')).toEqual([]);
		expect(sandbox.listFolder().filter((name) => name.startsWith('.restore-'))).toEqual([]);
	});

	it('rejects database of another app', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		const foreign = sandbox.path('foreign.db');
		const sqlite = new Database(foreign);
		sqlite.exec('CREATE TABLE notes (id integer PRIMARY KEY, body text)');
		sqlite.close();
		const hashBefore = hashFile(sandbox.databasePath);

		const result = await sandbox.admin(['restore', foreign]);

		expect(result.stderr).toBe(
			`Error: ${foreign} is not a Case Ledger database: tables users, sessions, clients, ` +
				'people, cases, transactions, settings are missing.\n'
		);
		expect(result.status).toBe(1);
		expect(hashFile(sandbox.databasePath)).toBe(hashBefore);
	});

	it('rejects while app holds lock', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		const backup = await sandbox.admin(['backup', sandbox.path('good.db')]);
		expect(backup.status).toBe(0);
		// This test process is alive, so its PID makes the lock live.
		const lockPath = sandbox.writeLock(process.pid);
		const lockBefore = fs.readFileSync(lockPath, 'utf8');
		const hashBefore = hashFile(sandbox.databasePath);

		const result = await sandbox.admin(['restore', sandbox.path('good.db')]);

		expect(result.stderr).toBe(
			`Error: The app is running with this database (PID ${process.pid}); stop it first. ` +
				'Nothing was changed.\n'
		);
		expect(result.status).toBe(1);
		expect(result.stdout).toBe('');
		expect(hashFile(sandbox.databasePath)).toBe(hashBefore);
		expect(fs.readFileSync(lockPath, 'utf8')).toBe(lockBefore);
		expect(sandbox.listFolder('backups')).toEqual([]);
	});

	it('rejects lock reached through symlink', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		const backup = await sandbox.admin(['backup', sandbox.path('good.db')]);
		expect(backup.status).toBe(0);
		sandbox.writeLock(process.pid);
		const link = sandbox.path('link.db');
		fs.symlinkSync(sandbox.databasePath, link);
		const hashBefore = hashFile(sandbox.databasePath);

		const result = await sandbox.admin(['restore', sandbox.path('good.db')], {
			DATABASE_PATH: link
		});

		expect(result.status).toBe(1);
		expect(result.stderr).toContain(`The app is running with this database (PID ${process.pid})`);
		expect(hashFile(sandbox.databasePath)).toBe(hashBefore);
		expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
	});

	it('replaces database, keeps old aside', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished, 3);
		const backupPath = sandbox.path('three-payments.db');
		expect((await sandbox.admin(['backup', backupPath])).status).toBe(0);
		sandbox.addPayments(2);
		const current = measureFile(sandbox.databasePath);
		const saved = measureFile(backupPath);
		// A lock left by a process that has exited, as after a crash, does not block restore.
		const lockPath = sandbox.writeLock(deadPid());

		const result = await sandbox.admin(['restore', backupPath]);

		expect(result.stderr).toBe('');
		expect(result.status).toBe(0);
		const [replacedName, ...others] = sandbox.listFolder('backups');
		expect(others).toEqual([]);
		expect(replacedName).toMatch(/^replaced-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.db$/u);
		const replacedPath = sandbox.path('backups', replacedName!);
		const size = fs.statSync(sandbox.databasePath).size;
		expect(result.stdout.split('\n')).toEqual([
			`Checked ${backupPath}: integrity_check ok, foreign_key_check found no violations.`,
			`Moved the previous database to ${replacedPath}.`,
			`Restored ${backupPath} to ${sandbox.databasePath} (${size} bytes, ${(size / 1024).toFixed(1)} KiB).`,
			expect.stringMatching(/^Rows: .*transactions 3, users 1\.$/u),
			expect.stringMatching(/^Transactions sums in cents: gross_cents 30000, /u),
			''
		]);
		expect(current.rowCounts.transactions).toBe(5);
		expect(saved.rowCounts.transactions).toBe(3);
		expect(measureFile(sandbox.databasePath)).toEqual(saved);
		expect(measureFile(replacedPath)).toEqual(current);
		expect(readPragma(sandbox.databasePath, 'integrity_check')).toBe('ok');
		expect(sandbox.listFolder().filter((name) => name.startsWith('ledger.db'))).toEqual([
			'ledger.db'
		]);
		expect(fs.existsSync(lockPath)).toBe(false);
	});

	it('reports pending migrations after restore', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		const older = createOlderDatabase(sandbox.folder, sandbox.path('older.db'));
		const lastTag = readJournalEntries(MIGRATIONS_DIR).at(-1)!.tag;

		const result = await sandbox.admin(['restore', older]);

		expect(result.stderr).toBe('');
		expect(result.status).toBe(0);
		expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(
			`The app applies 1 pending migration (${lastTag}) at its next start, after writing a ` +
				'pre-migration backup.'
		);
		expect(measureFile(sandbox.databasePath).rowCounts.transactions).toBe(0);
	});

	it('rejects file from newer version', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		const newer = sandbox.path('newer.db');
		expect((await sandbox.admin(['backup', newer])).status).toBe(0);
		const lastWhen = readJournalEntries(MIGRATIONS_DIR).at(-1)!.when;
		const sqlite = new Database(newer);
		sqlite
			.prepare('INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES (?, ?)')
			.run('hash of a migration this version lacks', lastWhen + 1000);
		sqlite.close();
		const hashBefore = hashFile(sandbox.databasePath);

		const result = await sandbox.admin(['restore', newer]);

		expect(result.stderr).toBe(
			`Error: ${newer} has migrations newer than the newest one of this app version ` +
				`(${new Date(lastWhen + 1000).toISOString()} after ${new Date(lastWhen).toISOString()}). ` +
				'Restore it with the version of the app that wrote it.\n'
		);
		expect(result.status).toBe(1);
		expect(hashFile(sandbox.databasePath)).toBe(hashBefore);
	});

	it.for([
		{ args: ['restore'], message: 'Error: Missing required argument FILE for restore.' },
		{ args: ['backup', 'a.db', 'b.db'], message: 'Error: Unexpected argument "b.db" for backup.' },
		{ args: ['restore', '--force', 'a.db'], message: 'Error: Unknown option --force for restore.' }
	])('exits 2 for $args', async ({ args, message }, { expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);

		const result = await sandbox.admin(args);

		expect(result.stderr).toBe(`${message}\n${HELP_HINT}\n`);
		expect(result.status).toBe(2);
		expect(result.stdout).toBe('');
	});

	it('help lists backup and restore', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);

		const result = await sandbox.admin(['help']);

		expect(result.status).toBe(0);
		expect(result.stdout).toMatch(/^ {2}backup \[FILE\]$/mu);
		expect(result.stdout).toMatch(/^ {2}restore FILE$/mu);
	});
});
