import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';

import { measureLedger, verifyDatabaseFile, type LedgerMeasure } from '$lib/server/db/backup';

import {
	findFreePort,
	createUser,
	MIGRATIONS_DIR,
	REPO_ROOT,
	signIn,
	sleep,
	startApp,
	tempDatabase,
	TEST_USER,
	trpcMutation
} from './app-server';
import { createLoadCase } from './payment-load';

const LOAD_CLIENTS = 4;
const LOAD_MS = 5_000;
/** How long the load runs before the backup starts, in milliseconds. */
const BACKUP_AFTER_MS = 1_500;
const CHILD_TIMEOUT_MS = 30_000;

interface Acknowledged {
	id: number;
	grossCents: number;
}

interface Load {
	/** Payments that got a 200, in the order the responses arrived. */
	acknowledged: Acknowledged[];
	/** Responses other than 200 and network errors, as short text. */
	errors: string[];
	requests: number;
	done: Promise<void>;
}

interface RunResult {
	status: number | null;
	stdout: string;
	stderr: string;
}

/**
 * Records payments of distinct amounts from `clients` concurrent loops for `durationMs`, each
 * loop one request at a time. Nothing fails on purpose here, so there are no retries: any
 * error is a finding.
 */
function startLoad(origin: string, cookie: string, caseId: number, durationMs: number): Load {
	const deadline = Date.now() + durationMs;
	const load: Load = { acknowledged: [], errors: [], requests: 0, done: Promise.resolve() };

	const loops = Array.from({ length: LOAD_CLIENTS }, async (_, client) => {
		for (let sequence = 1; Date.now() < deadline; sequence++) {
			const input = {
				caseId,
				receivedOn: '2026-02-01',
				valueType: 'provided_amount',
				grossCents: 1_000_000 * (client + 1) + sequence * 7,
				idempotencyKey: crypto.randomUUID()
			};
			load.requests += 1;
			try {
				const response = await trpcMutation<{ id: number; grossCents: number }>(
					origin,
					cookie,
					'transactions.create',
					input
				);
				if (response.status === 200 && response.data) {
					load.acknowledged.push({ id: response.data.id, grossCents: response.data.grossCents });
				} else {
					load.errors.push(`${response.status}: ${response.text.slice(0, 200)}`);
				}
			} catch (error) {
				load.errors.push(`network: ${String(error)}`);
			}
		}
	});
	load.done = Promise.all(loops).then(() => undefined);
	return load;
}

/** Runs the admin CLI with DATABASE_PATH set, as an operator would beside the running app. */
function runAdmin(args: string[], databasePath: string): Promise<RunResult> {
	const env = { ...process.env, DATABASE_PATH: databasePath, MIGRATIONS_DIR };
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

function readFile<T>(filePath: string, read: (sqlite: Database.Database) => T): T {
	const sqlite = new Database(filePath, { readonly: true, fileMustExist: true });
	try {
		return read(sqlite);
	} finally {
		sqlite.close();
	}
}

function readPaymentIds(filePath: string): number[] {
	return readFile(
		filePath,
		(sqlite) => sqlite.prepare('SELECT id FROM transactions ORDER BY id').pluck().all() as number[]
	);
}

function sumGross(payments: Acknowledged[]): bigint {
	return payments.reduce((total, payment) => total + BigInt(payment.grossCents), 0n);
}

describe('backup and restore', () => {
	it('backup under load restores exactly', async () => {
		const database = tempDatabase('case-ledger-backup-restore-');
		onTestFinished(() => database.remove());
		await createUser(database.path);
		const server = await startApp({
			databasePath: database.path,
			port: await findFreePort(3600, 3649)
		});
		onTestFinished(async () => {
			await server.stop();
		});
		const cookie = await signIn(server.origin, TEST_USER.email, TEST_USER.password);
		const caseId = await createLoadCase(server.origin, cookie);

		const lockPath = `${database.path}.lock`;
		const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as { pid: number; holder: string };
		expect(lock.pid).toBe(server.process.pid);
		expect(lock.holder).toBe('app');

		const load = startLoad(server.origin, cookie, caseId, LOAD_MS);
		await sleep(BACKUP_AFTER_MS);
		const ackedBeforeBackup = [...load.acknowledged];
		const backupPath = path.join(database.dir, 'backups', 'under-load.db');
		const backupStarted = performance.now();
		const backup = await runAdmin(['backup', backupPath], database.path);
		const backupMs = Math.round(performance.now() - backupStarted);
		const ackedAfterBackup = load.acknowledged.length;
		await load.done;

		expect(backup.stderr).toBe('');
		expect(backup.status).toBe(0);
		expect(load.errors).toEqual([]);

		const refused = await runAdmin(['restore', backupPath], database.path);
		expect(refused.stderr).toBe(
			`Error: The app is running with this database (PID ${server.process.pid}); ` +
				'stop it first. Nothing was changed.\n'
		);
		expect(refused.status).toBe(1);

		const restoredPath = path.join(database.dir, 'restored', 'ledger.db');
		const restore = await runAdmin(['restore', backupPath], restoredPath);
		expect(restore.stderr).toBe('');
		expect(restore.status).toBe(0);
		expect(restore.stdout).toContain(
			`No database existed at ${restoredPath}, so none was moved aside.`
		);

		const backupLedger = verifyDatabaseFile(backupPath);
		const restoredLedger: LedgerMeasure = readFile(restoredPath, measureLedger);
		const backupIds = readPaymentIds(backupPath);
		const acknowledgedIds = new Set(load.acknowledged.map((payment) => payment.id));
		const backedUp = load.acknowledged.filter((payment) => backupIds.includes(payment.id));

		console.log('backup under load:', {
			clients: LOAD_CLIENTS,
			loadMs: LOAD_MS,
			requests: load.requests,
			acknowledged: load.acknowledged.length,
			errors: load.errors.length,
			acknowledgedBeforeBackup: ackedBeforeBackup.length,
			acknowledgedBeforeBackupEnded: ackedAfterBackup,
			backupMs,
			backupRows: backupLedger.rowCounts,
			backupSums: backupLedger.transactionSums,
			restoredRows: restoredLedger.rowCounts,
			restoredSums: restoredLedger.transactionSums
		});

		expect(restoredLedger).toEqual(backupLedger);
		expect(ackedBeforeBackup.length).toBeGreaterThan(0);
		for (const payment of ackedBeforeBackup) {
			expect(backupIds, `payment ${payment.id} acknowledged before the backup`).toContain(
				payment.id
			);
		}
		for (const id of backupIds) {
			expect(acknowledgedIds.has(id), `payment ${id} in the backup was acknowledged`).toBe(true);
		}
		expect(backupLedger.rowCounts.transactions).toBe(backupIds.length);
		expect(backupIds.length).toBeLessThanOrEqual(ackedAfterBackup);
		expect(backupLedger.transactionSums.gross_cents).toBe(sumGross(backedUp));
		expect(backupLedger.transactionSums.gross_cents).toBeGreaterThanOrEqual(
			sumGross(ackedBeforeBackup)
		);

		const stopped = await server.stop();
		expect(stopped.code).toBe(0);
		expect(fs.existsSync(lockPath)).toBe(false);
		expect(readPaymentIds(database.path)).toEqual([...acknowledgedIds].sort((a, b) => a - b));
	});
});
