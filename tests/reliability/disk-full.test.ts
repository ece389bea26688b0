import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import type { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { transactions } from '$lib/server/db/schema';
import { STORAGE_UNAVAILABLE_MESSAGE, storageFailureCode } from '$lib/server/storage-errors';
import { STORAGE_UNAVAILABLE, StorageUnavailableError } from '$lib/server/trpc/t';

import {
	callerFor,
	createTestDb,
	errorShapeOf,
	insertCase,
	insertClient,
	insertPerson,
	insertUser
} from '../helpers/test-db';

// Runs the built app (`node build`, as the container does) with its database on a small
// filesystem that this test mounts, fills and frees. Mounting needs root and a sandbox that
// allows it. Elsewhere the tmpfs tests are skipped with a printed reason, and the same checks
// run in-process on a database capped with `PRAGMA max_page_count`.

const REPO_ROOT = path.resolve('.');
const BUILD_DIR = path.resolve(process.env.APP_BUILD_DIR ?? 'build');
const MIGRATIONS_DIR = path.join(REPO_ROOT, 'drizzle');
/** Ports this file may listen on. Other reliability tests use other ranges. */
const PORT_RANGE = { first: 3700, last: 3749 };
const TMPFS_SIZE = '2m';
const USER = { email: 'disk.full@example.com', name: 'Disk Full', password: 'full disk pass 2026' };
/** Text sent as a payment note, which must never appear in the log. */
const PRIVATE_NOTE = 'Nota sigilosa do cliente 7741';
const STORAGE_LOG_MESSAGE = 'database storage failed; nothing was written';
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

interface LogLine {
	msg?: string;
	sqliteCode?: string;
	requestId?: string;
	path?: string;
	[key: string]: unknown;
}

interface TrpcReply {
	status: number;
	text: string;
	body: {
		result?: { data: unknown };
		error?: { message: string; data: { code: string; httpStatus: number } };
	};
}

interface CaseView {
	transactions: unknown[];
}

/** One running copy of the built app, with what it printed and a signed-in session cookie. */
class AppUnderTest {
	readonly origin: string;
	readonly logLines: LogLine[] = [];
	private cookie = '';

	private constructor(
		private readonly server: ChildProcess,
		port: number
	) {
		this.origin = `http://127.0.0.1:${port}`;
		let pending = '';
		server.stdout!.on('data', (chunk: Buffer) => {
			pending += chunk.toString('utf8');
			const lines = pending.split('\n');
			pending = lines.pop() ?? '';
			for (const line of lines) this.logLines.push(parseLogLine(line));
		});
		server.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
	}

	/** Starts `node build` on `databasePath` and waits until /healthz returns 200. */
	static async start(databasePath: string): Promise<AppUnderTest> {
		const port = await findFreePort();
		const server = spawn(process.execPath, [BUILD_DIR], {
			cwd: REPO_ROOT,
			env: {
				...process.env,
				DATABASE_PATH: databasePath,
				MIGRATIONS_DIR,
				HOST: '127.0.0.1',
				PORT: String(port),
				ORIGIN: `http://127.0.0.1:${port}`,
				LOG_LEVEL: 'info'
			},
			stdio: ['ignore', 'pipe', 'pipe']
		});
		const app = new AppUnderTest(server, port);
		await app.waitUntilHealthy();
		return app;
	}

	async stop(): Promise<void> {
		if (this.server.exitCode !== null || this.server.signalCode !== null) return;

		const exited = new Promise<void>((resolve) => this.server.once('exit', () => resolve()));
		this.server.kill('SIGTERM');
		const timer = setTimeout(() => this.server.kill('SIGKILL'), STOP_TIMEOUT_MS);
		await exited;
		clearTimeout(timer);
	}

	/** Posts the sign-in form as a browser without JavaScript does. */
	async signIn(): Promise<Response> {
		const response = await fetch(`${this.origin}/login`, {
			method: 'POST',
			headers: {
				origin: this.origin,
				accept: 'text/html',
				'content-type': 'application/x-www-form-urlencoded'
			},
			body: new URLSearchParams({ email: USER.email, password: USER.password }),
			redirect: 'manual'
		});
		const session = /^session=[^;]+/.exec(response.headers.get('set-cookie') ?? '');
		if (session) this.cookie = session[0];
		return response;
	}

	async mutate(procedure: string, input: unknown): Promise<TrpcReply> {
		const response = await fetch(`${this.origin}/trpc/${procedure}`, {
			method: 'POST',
			headers: { origin: this.origin, cookie: this.cookie, 'content-type': 'application/json' },
			body: JSON.stringify(input)
		});
		return toReply(response);
	}

	async query(procedure: string, input: unknown): Promise<TrpcReply> {
		const query = encodeURIComponent(JSON.stringify(input));
		const response = await fetch(`${this.origin}/trpc/${procedure}?input=${query}`, {
			headers: { cookie: this.cookie }
		});
		return toReply(response);
	}

	/** Returns the data of a call that must succeed, or throws with the reply. */
	async data<T>(reply: Promise<TrpcReply>): Promise<T> {
		const { status, text, body } = await reply;
		if (status !== 200 || !body.result) throw new Error(`Expected 200, got ${status}: ${text}`);
		return body.result.data as T;
	}

	async healthStatus(): Promise<number> {
		return (await fetch(`${this.origin}/healthz`)).status;
	}

	storageLogLines(): LogLine[] {
		return this.logLines.filter((line) => line.msg === STORAGE_LOG_MESSAGE);
	}

	private async waitUntilHealthy(): Promise<void> {
		const deadline = Date.now() + START_TIMEOUT_MS;
		while (Date.now() < deadline) {
			if (this.server.exitCode !== null) {
				throw new Error(`The app exited with code ${this.server.exitCode} during start`);
			}
			const status = await this.healthStatus().catch(() => 0);
			if (status === 200) return;
			await sleep(100);
		}
		throw new Error(`The app did not answer /healthz within ${START_TIMEOUT_MS} ms`);
	}
}

function parseLogLine(line: string): LogLine {
	try {
		return JSON.parse(line) as LogLine;
	} catch {
		return { msg: line };
	}
}

async function toReply(response: Response): Promise<TrpcReply> {
	const text = await response.text();
	return { status: response.status, text, body: JSON.parse(text) as TrpcReply['body'] };
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

async function findFreePort(): Promise<number> {
	for (let port = PORT_RANGE.first; port <= PORT_RANGE.last; port++) {
		if (await isPortFree(port)) return port;
	}
	throw new Error(`No free port between ${PORT_RANGE.first} and ${PORT_RANGE.last}`);
}

function isPortFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const probe = net.createServer();
		probe.once('error', () => resolve(false));
		probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
	});
}

/** Creates the user with the real admin CLI, which also creates and migrates the database. */
function addUser(databasePath: string): void {
	execFileSync(
		process.execPath,
		[
			'--import',
			'tsx',
			'scripts/admin.ts',
			'add-user',
			'--email',
			USER.email,
			'--name',
			USER.name,
			'--role',
			'admin',
			'--password-stdin'
		],
		{
			cwd: REPO_ROOT,
			input: USER.password,
			encoding: 'utf8',
			env: { ...process.env, DATABASE_PATH: databasePath, LOG_LEVEL: 'warn' }
		}
	);
}

/** Creates a partner, a client and a case that accepts both one-off payments and installments. */
async function createCase(app: AppUnderTest): Promise<number> {
	const partner = await app.data<{ id: number }>(
		app.mutate('people.create', { role: 'partner', name: 'Dra. Helena Prado' })
	);
	const client = await app.data<{ id: number }>(
		app.mutate('clients.create', { kind: 'person', name: 'Joana Lima', document: '529.982.247-25' })
	);
	const legalCase = await app.data<{ id: number }>(
		app.mutate('cases.create', {
			clientId: client.id,
			actionType: 'social_security_rpv_court_order',
			title: 'Aposentadoria por idade',
			partnerId: partner.id,
			openedOn: '2026-01-10'
		})
	);
	return legalCase.id;
}

function paymentInput(caseId: number) {
	return {
		caseId,
		receivedOn: '2026-02-01',
		valueType: 'procedural_costs',
		grossCents: 45_000,
		notes: PRIVATE_NOTE
	};
}

function installmentsInput(caseId: number, count: number) {
	return {
		caseId,
		firstReceivedOn: '2026-03-05',
		count,
		amountCents: 150_000,
		notes: PRIVATE_NOTE
	};
}

function freeBytes(folder: string): number {
	const stats = fs.statfsSync(folder);
	return stats.bavail * stats.bsize;
}

/**
 * Writes zeros to `file` until the filesystem returns ENOSPC, in shrinking chunks so that at
 * most a few bytes stay free. Returns the bytes written.
 */
function fillFilesystem(file: string): number {
	const fd = fs.openSync(file, 'w');
	let written = 0;

	try {
		for (const chunkSize of [1024 * 1024, 64 * 1024, 4096, 512, 1]) {
			const chunk = Buffer.alloc(chunkSize);
			for (;;) {
				try {
					written += fs.writeSync(fd, chunk);
				} catch (error) {
					if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
					throw error;
				}
			}
		}
	} finally {
		fs.closeSync(fd);
	}
	return written;
}

function run(command: string, args: string[]): void {
	execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Unmounts `mountPoint`, lazily when a process still has files open on it. Never throws. */
function unmountQuietly(mountPoint: string): void {
	try {
		run('umount', [mountPoint]);
	} catch {
		try {
			run('umount', ['-l', mountPoint]);
		} catch {
			// Not mounted, or already gone.
		}
	}
}

/** Returns null when this machine lets the test mount a tmpfs, or the reason it does not. */
function tmpfsMountBlocker(): string | null {
	if (process.platform !== 'linux') return `mounting a tmpfs needs Linux, not ${process.platform}`;

	const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'case-ledger-mount-probe-'));
	try {
		run('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]);
		unmountQuietly(probe);
		return null;
	} catch (error) {
		const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
		return stderr || (error as Error).message;
	} finally {
		fs.rmSync(probe, { recursive: true, force: true });
	}
}

const mountBlocker = tmpfsMountBlocker();
if (mountBlocker) {
	console.log(
		`disk-full: SKIPPED the tmpfs tests because mounting failed (${mountBlocker}). ` +
			'The in-process max_page_count stand-in runs instead.'
	);
}

describe.skipIf(mountBlocker !== null)('built app on a full tmpfs', () => {
	let workDir: string;
	let volume: string;
	let filler: string;
	let app: AppUnderTest | undefined;
	let caseId: number;

	beforeAll(async () => {
		workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'case-ledger-disk-full-'));
		volume = path.join(workDir, 'volume');
		filler = path.join(volume, 'filler.bin');
		fs.mkdirSync(volume);
		run('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE},mode=0700`, 'tmpfs', volume]);

		const databasePath = path.join(volume, 'ledger.db');
		addUser(databasePath);
		app = await AppUnderTest.start(databasePath);
		expect((await app.signIn()).status).toBe(303);
		caseId = await createCase(app);
		console.log(
			`disk-full: tmpfs of ${TMPFS_SIZE} at ${volume}, database ` +
				`${fs.statSync(databasePath).size} bytes, ${freeBytes(volume)} bytes free before filling`
		);
	}, 60_000);

	afterAll(async () => {
		await app?.stop();
		if (volume) unmountQuietly(volume);
		if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
	});

	async function caseRowCount(): Promise<number> {
		const view = await app!.data<CaseView>(app!.query('cases.get', { id: caseId }));
		return view.transactions.length;
	}

	it('full disk rejects writes with 503', async () => {
		const rowsBefore = await caseRowCount();
		const fillerBytes = fillFilesystem(filler);
		const free = freeBytes(volume);

		const payment = await app!.mutate('transactions.create', paymentInput(caseId));
		const installments = await app!.mutate(
			'transactions.createInstallments',
			installmentsInput(caseId, 120)
		);
		const rowsAfter = await caseRowCount();

		console.log(
			`disk-full: filler ${fillerBytes} bytes, ${free} bytes free; ` +
				`transactions.create ${payment.status}, createInstallments(120) ` +
				`${installments.status}, case rows ${rowsBefore} -> ${rowsAfter}`
		);
		expect(free).toBeLessThan(4096);
		for (const reply of [payment, installments]) {
			expect(reply.status).toBe(503);
			expect(reply.body.error?.message).toBe(STORAGE_UNAVAILABLE_MESSAGE);
			expect(reply.body.error?.data.code).toBe(STORAGE_UNAVAILABLE);
			expect(reply.body.error?.data.httpStatus).toBe(503);
			expect(reply.text).not.toContain('stack');
			expect(reply.text).not.toContain('SqliteError');
		}
		expect(rowsAfter).toBe(rowsBefore);
	});

	it('full disk failure is logged once', () => {
		const lines = app!.storageLogLines();

		expect(lines.map((line) => line.path)).toEqual([
			'transactions.create',
			'transactions.createInstallments'
		]);
		for (const line of lines) {
			expect(line.sqliteCode).toBe('SQLITE_FULL');
			expect(line.requestId).toMatch(/^[0-9a-f-]{36}$/);
		}
		expect(app!.logLines.filter((line) => line.msg === 'trpc call crashed')).toEqual([]);
		expect(JSON.stringify(app!.logLines)).not.toContain(PRIVATE_NOTE);
	});

	it('full disk still serves reads', async () => {
		const caseReply = await app!.query('cases.get', { id: caseId });
		const health = await app!.healthStatus();

		console.log(`disk-full: while full, cases.get ${caseReply.status}, /healthz ${health}`);
		expect(caseReply.status).toBe(200);
		expect(health).toBe(200);
	});

	it('full disk rejects sign-in with 503', async () => {
		const response = await app!.signIn();
		const page = await response.text();

		console.log(`disk-full: sign-in while full ${response.status}`);
		expect(response.status).toBe(503);
		expect(page).toContain('The database cannot be written right now');
		expect(app!.storageLogLines()).toHaveLength(2);
		expect(
			app!.logLines.filter((line) => line.msg === 'sign-in failed: database storage failed')
		).toHaveLength(1);
	});

	it('freed disk accepts writes again', async () => {
		const rowsBefore = await caseRowCount();
		fs.rmSync(filler);

		const payment = await app!.mutate('transactions.create', paymentInput(caseId));
		const installments = await app!.mutate(
			'transactions.createInstallments',
			installmentsInput(caseId, 120)
		);
		const rowsAfter = await caseRowCount();

		console.log(
			`disk-full: after freeing ${freeBytes(volume)} bytes, transactions.create ` +
				`${payment.status}, createInstallments(120) ${installments.status}, ` +
				`case rows ${rowsBefore} -> ${rowsAfter}`
		);
		expect(payment.status).toBe(200);
		expect(installments.status).toBe(200);
		expect(rowsAfter).toBe(rowsBefore + 121);
	});
});

// ext4 mounted with errors=remount-ro, a common default, switches itself to read-only after an
// I/O error even while files are open for writing; `mount -o remount,ro` refuses then (EBUSY).
// trigger_fs_error produces that switch on a loop-mounted image. The aborted journal keeps the
// volume read-only until it is unmounted and checked, so this case checks the 503 and the
// reads, not a recovery without restart.
describe('built app on a volume the kernel made read-only', () => {
	let workDir: string;
	let volume: string;
	let blocker: string | null = null;
	let app: AppUnderTest | undefined;
	let caseId: number;

	beforeAll(async () => {
		workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'case-ledger-read-only-'));
		volume = path.join(workDir, 'volume');
		fs.mkdirSync(volume);
		blocker = mountExt4Image(path.join(workDir, 'volume.img'), volume);
		if (blocker) {
			console.log(`disk-full: SKIPPED the read-only volume test (${blocker})`);
			return;
		}

		const databasePath = path.join(volume, 'ledger.db');
		addUser(databasePath);
		app = await AppUnderTest.start(databasePath);
		expect((await app.signIn()).status).toBe(303);
		caseId = await createCase(app);
	}, 60_000);

	afterAll(async () => {
		await app?.stop();
		if (volume) unmountQuietly(volume);
		if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
	});

	it('read-only volume rejects writes with 503', async ({ skip }) => {
		if (blocker) skip(blocker);
		const before = await app!.data<CaseView>(app!.query('cases.get', { id: caseId }));

		const device = path.basename(mountSource(volume));
		fs.writeFileSync(`/sys/fs/ext4/${device}/trigger_fs_error`, 'case-ledger disk-full test');
		const options = await waitForReadOnly(volume);
		const payment = await app!.mutate('transactions.create', paymentInput(caseId));
		const caseReply = await app!.query('cases.get', { id: caseId });
		const health = await app!.healthStatus();
		const after = caseReply.body.result?.data as CaseView | undefined;
		const codes = app!.storageLogLines().map((line) => line.sqliteCode);

		console.log(
			`disk-full: read-only ext4 (${options}): transactions.create ${payment.status} ` +
				`logged as ${codes.join(', ')}; cases.get ${caseReply.status}, /healthz ${health}`
		);
		expect(isReadOnly(options)).toBe(true);
		expect(payment.status).toBe(503);
		expect(payment.body.error?.message).toBe(STORAGE_UNAVAILABLE_MESSAGE);
		expect(payment.body.error?.data.code).toBe(STORAGE_UNAVAILABLE);
		expect(codes).toHaveLength(1);
		expect(codes[0]).toMatch(/^SQLITE_(IOERR|READONLY)/);
		expect(caseReply.status).toBe(200);
		expect(after?.transactions).toHaveLength(before.transactions.length);
		expect(health).toBe(200);
	});
});

/** Formats `image` as ext4 and loop-mounts it; returns null, or why that is not possible. */
function mountExt4Image(image: string, mountPoint: string): string | null {
	if (mountBlocker) return `mounting failed: ${mountBlocker}`;

	try {
		fs.writeFileSync(image, '');
		fs.truncateSync(image, 16 * 1024 * 1024);
		run('mkfs.ext4', ['-q', '-F', image]);
		run('mount', ['-o', 'loop,errors=remount-ro', image, mountPoint]);
	} catch (error) {
		const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
		return `formatting or loop-mounting an ext4 image failed: ${stderr || (error as Error).message}`;
	}

	const trigger = `/sys/fs/ext4/${path.basename(mountSource(mountPoint))}/trigger_fs_error`;
	return fs.existsSync(trigger) ? null : `the kernel has no ${trigger}`;
}

function isReadOnly(mountOptions: string): boolean {
	const options = mountOptions.split(',');
	return options.includes('ro') || options.includes('emergency_ro');
}

function mountSource(mountPoint: string): string {
	return execFileSync('findmnt', ['-n', '-o', 'SOURCE', mountPoint], { encoding: 'utf8' }).trim();
}

/**
 * Waits until the mount options of `mountPoint` say read-only and returns them. Depending on
 * the kernel, they change to `ro` or keep `rw` and add `emergency_ro` (as Linux 6.18 does).
 */
async function waitForReadOnly(mountPoint: string): Promise<string> {
	let options = '';
	for (let attempt = 0; attempt < 50; attempt++) {
		options = execFileSync('findmnt', ['-n', '-o', 'OPTIONS', mountPoint], {
			encoding: 'utf8'
		}).trim();
		if (isReadOnly(options)) break;
		await sleep(100);
	}
	return options;
}

describe.runIf(mountBlocker !== null)('page-limit stand-in for a full disk', () => {
	it('capped database rejects and recovers', async () => {
		const testDb = createTestDb();
		const { db } = testDb;
		try {
			const user = insertUser(db, 'admin');
			const client = insertClient(db);
			const partner = insertPerson(db, 'partner');
			const legalCase = insertCase(db, {
				clientId: client.id,
				partnerId: partner.id,
				actionType: 'social_security_rpv_court_order'
			});
			const api = callerFor(db, user);
			db.$client.exec('VACUUM');
			const pageCount = db.$client.pragma('page_count', { simple: true }) as number;
			db.$client.pragma(`max_page_count = ${pageCount}`);

			const error = await api.transactions
				.createInstallments(installmentsInput(legalCase.id, 120))
				.then(
					() => null,
					(reason: unknown) => reason
				);
			const rowsWhileFull = db.select().from(transactions).all().length;
			db.$client.pragma('max_page_count = 1073741823');
			const recovered = await api.transactions.createInstallments(
				installmentsInput(legalCase.id, 120)
			);

			console.log(
				`disk-full stand-in: max_page_count ${pageCount}, rows while capped ` +
					`${rowsWhileFull}, rows after lifting the cap ${recovered.length}`
			);
			expect(error).toBeInstanceOf(StorageUnavailableError);
			expect(storageFailureCode(error)).toBe('SQLITE_FULL');
			expect(errorShapeOf(error as TRPCError).data.httpStatus).toBe(503);
			expect(rowsWhileFull).toBe(0);
			expect(recovered).toHaveLength(120);
		} finally {
			testDb.close();
		}
	});
});
