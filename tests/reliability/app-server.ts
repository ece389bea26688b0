/**
 * Starts and stops the built app (`node build`, as the container runs it) on a temporary
 * database for the reliability tests, and sends it HTTP requests: sign-in and tRPC calls.
 *
 * The build folder is APP_BUILD_DIR, or `build` in the repository root; run `vite build`
 * first. Only loopback addresses are used.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MIGRATIONS_DIR = path.join(REPO_ROOT, 'drizzle');

const HOST = '127.0.0.1';
/** Tail of the server's output that `logs()` keeps, in characters. */
const MAX_LOG_CHARS = 200_000;
const HEALTH_POLL_MS = 100;
const DEFAULT_START_TIMEOUT_MS = 30_000;
const DEFAULT_STOP_TIMEOUT_MS = 15_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

/** The account the reliability tests sign in with. */
export const TEST_USER = {
	email: 'reliability.admin@example.com',
	name: 'Rita Confiabilidade',
	password: 'correct horse battery staple'
};

/** Returns the folder of the built app: APP_BUILD_DIR, or `build` in the repository root. */
export function appBuildDir(): string {
	return path.resolve(REPO_ROOT, process.env.APP_BUILD_DIR ?? 'build');
}

export interface TempDatabase {
	/** Folder that contains the database file and anything else the test puts there. */
	dir: string;
	/** Path of the SQLite file, which does not exist until a user or the app creates it. */
	path: string;
	/** Deletes the folder and everything in it. */
	remove(): void;
}

/** Makes a temporary folder for one database file named `ledger.db`. */
export function tempDatabase(prefix = 'case-ledger-reliability-'): TempDatabase {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	return {
		dir,
		path: path.join(dir, 'ledger.db'),
		remove: () => fs.rmSync(dir, { recursive: true, force: true })
	};
}

export interface NewUser {
	email: string;
	name: string;
	password: string;
	role?: 'admin' | 'staff' | 'viewer';
}

/**
 * Creates a user in the database at `databasePath` with the real admin CLI
 * (`scripts/admin.ts add-user --password-stdin`), creating and migrating the file if needed.
 */
export async function createUser(databasePath: string, user: NewUser = TEST_USER): Promise<void> {
	const args = [
		'--import',
		'tsx',
		'scripts/admin.ts',
		'add-user',
		'--email',
		user.email,
		'--name',
		user.name,
		'--role',
		user.role ?? 'admin',
		'--password-stdin'
	];
	const env = {
		...baseEnv(),
		DATABASE_PATH: databasePath,
		MIGRATIONS_DIR,
		LOG_LEVEL: 'warn'
	};

	const child = promisify(execFile)(process.execPath, args, { cwd: REPO_ROOT, env });
	child.child.stdin?.end(`${user.password}\n`);
	await child;
}

/**
 * Runs one admin CLI command (`scripts/admin.ts ARGS`) on the database at `databasePath` and
 * returns its standard output; `stdin` is written to its standard input. Rejects when the
 * command exits with a non-zero status.
 */
export async function runAdmin(databasePath: string, args: string[], stdin = ''): Promise<string> {
	const env = { ...baseEnv(), DATABASE_PATH: databasePath, MIGRATIONS_DIR, LOG_LEVEL: 'warn' };
	const child = promisify(execFile)(
		process.execPath,
		['--import', 'tsx', 'scripts/admin.ts', ...args],
		{
			cwd: REPO_ROOT,
			env
		}
	);
	child.child.stdin?.end(stdin);
	return (await child).stdout;
}

/**
 * Returns the first port from `from` to `to` (inclusive) that 127.0.0.1 can listen on, or a
 * port the system picks when no range is given. Throws when every port of the range is taken.
 */
export async function findFreePort(from?: number, to = from): Promise<number> {
	if (from === undefined || to === undefined) return listenOnce(0);

	for (let port = from; port <= to; port++) {
		try {
			return await listenOnce(port);
		} catch {
			// Taken: try the next one.
		}
	}
	throw new Error(`No free port from ${from} to ${to} on ${HOST}.`);
}

function listenOnce(port: number): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(port, HOST, () => {
			const address = server.address();
			const bound = typeof address === 'object' && address ? address.port : port;
			server.close(() => resolve(bound));
		});
	});
}

export interface StartOptions {
	databasePath: string;
	/** Port to listen on; a free one the system picks when left out. */
	port?: number;
	/** Extra environment variables for the server, such as SHUTDOWN_TIMEOUT. */
	env?: Record<string, string>;
	/** How long to wait for `/healthz` to return 200, in milliseconds. */
	startTimeoutMs?: number;
}

export interface ExitStatus {
	code: number | null;
	signal: NodeJS.Signals | null;
}

export interface AppServer {
	/** `http://127.0.0.1:PORT`, also the server's ORIGIN. */
	origin: string;
	port: number;
	process: ChildProcess;
	/**
	 * Sends `signal` (SIGTERM by default) and waits for the process to exit; after
	 * `timeoutMs` it sends SIGKILL. Returns at once when the process already exited.
	 */
	stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ExitStatus>;
	/** Sends SIGKILL and waits for the process to exit. */
	kill(): Promise<ExitStatus>;
	/** The server's standard output and error so far (the last 200 000 characters). */
	logs(): string;
	/** The server's standard output alone so far (the last 200 000 characters): its log lines. */
	stdout(): string;
}

/**
 * Starts `node <build folder>` on 127.0.0.1 with the database at `databasePath` and the
 * repository's migrations, and resolves once `/healthz` returns 200. Rejects with the server's
 * output when it exits first or does not become healthy within `startTimeoutMs`.
 */
export async function startApp(options: StartOptions): Promise<AppServer> {
	const buildDir = appBuildDir();
	if (!fs.existsSync(path.join(buildDir, 'index.js'))) {
		throw new Error(
			`No built app in ${buildDir}. Run \`pnpm exec vite build\` first, or set APP_BUILD_DIR.`
		);
	}

	const port = options.port ?? (await findFreePort());
	const origin = `http://${HOST}:${port}`;
	const env = {
		...baseEnv(),
		PORT: String(port),
		HOST,
		// adapter-node assumes https without ORIGIN, and the request guards reject every POST
		// whose Origin header differs from it.
		ORIGIN: origin,
		DATABASE_PATH: options.databasePath,
		MIGRATIONS_DIR,
		LOG_LEVEL: 'warn',
		...options.env
	};
	const child = spawn(process.execPath, [buildDir], {
		cwd: REPO_ROOT,
		env,
		stdio: ['ignore', 'pipe', 'pipe']
	});

	let output = '';
	let stdout = '';
	const append = (chunk: Buffer) => {
		output = (output + chunk.toString('utf8')).slice(-MAX_LOG_CHARS);
	};
	child.stdout.on('data', append);
	// A decoder of its own, so that a character split between two chunks stays whole.
	const stdoutDecoder = new StringDecoder('utf8');
	child.stdout.on('data', (chunk: Buffer) => {
		stdout = (stdout + stdoutDecoder.write(chunk)).slice(-MAX_LOG_CHARS);
	});
	child.stderr.on('data', append);
	const exited = new Promise<ExitStatus>((resolve) => {
		child.once('exit', (code, signal) => resolve({ code, signal }));
	});

	const server: AppServer = {
		origin,
		port,
		process: child,
		stop: (signal = 'SIGTERM', timeoutMs = DEFAULT_STOP_TIMEOUT_MS) =>
			stopProcess(child, exited, signal, timeoutMs),
		kill: () => stopProcess(child, exited, 'SIGKILL', DEFAULT_STOP_TIMEOUT_MS),
		logs: () => output,
		stdout: () => stdout
	};

	try {
		await waitForHealth(origin, child, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
	} catch (error) {
		await server.kill();
		const reason = error instanceof Error ? error.message : String(error);
		throw new Error(`${reason}\nServer output:\n${output}`);
	}
	return server;
}

/**
 * The environment a server or CLI child starts from: the test runner's own variables without
 * VITEST* and with NODE_ENV=production, as in the container.
 */
function baseEnv(): NodeJS.ProcessEnv {
	const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST'));
	return { ...Object.fromEntries(inherited), NODE_ENV: 'production' };
}

async function waitForHealth(
	origin: string,
	child: ChildProcess,
	timeoutMs: number
): Promise<void> {
	const deadline = Date.now() + timeoutMs;

	while (Date.now() < deadline) {
		if (child.exitCode !== null || child.signalCode !== null) {
			throw new Error(
				`The app exited before /healthz returned 200 ` +
					`(code ${child.exitCode}, signal ${child.signalCode}).`
			);
		}
		if (await isHealthy(origin)) return;

		await sleep(HEALTH_POLL_MS);
	}
	throw new Error(`The app at ${origin} did not return 200 on /healthz within ${timeoutMs} ms.`);
}

/** Returns true when GET /healthz returns 200; false on any other status or network error. */
export async function isHealthy(origin: string): Promise<boolean> {
	try {
		const response = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2000) });
		await response.arrayBuffer();
		return response.status === 200;
	} catch {
		return false;
	}
}

async function stopProcess(
	child: ChildProcess,
	exited: Promise<ExitStatus>,
	signal: NodeJS.Signals,
	timeoutMs: number
): Promise<ExitStatus> {
	if (child.exitCode !== null || child.signalCode !== null) return exited;

	child.kill(signal);
	const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
	try {
		return await exited;
	} finally {
		clearTimeout(timer);
	}
}

/**
 * Signs in through the login form and returns the `session=...` cookie to send as the Cookie
 * header. Throws when the form does not redirect with a session cookie.
 */
export async function signIn(origin: string, email: string, password: string): Promise<string> {
	// Accept: text/html selects the browser form flow, which redirects with 303; with */*
	// SvelteKit returns the action result as JSON.
	const response = await fetch(`${origin}/login`, {
		method: 'POST',
		headers: {
			origin,
			accept: 'text/html',
			'content-type': 'application/x-www-form-urlencoded'
		},
		body: new URLSearchParams({ email, password }).toString(),
		redirect: 'manual',
		signal: AbortSignal.timeout(DEFAULT_REQUEST_TIMEOUT_MS)
	});
	const body = await response.text();

	const session = response.headers
		.getSetCookie()
		.map((cookie) => cookie.split(';')[0]!)
		.find((pair) => pair.startsWith('session='));
	if (response.status !== 303 || !session) {
		throw new Error(
			`Sign-in as ${email} failed: status ${response.status}, ` +
				`expected 303 with a session cookie. Body: ${body.slice(0, 500)}`
		);
	}
	return session;
}

/** The error body tRPC returns, as the app's error formatter shapes it. */
export interface TrpcError {
	message: string;
	code: number;
	data: {
		code: string;
		httpStatus: number;
		path?: string;
		issues?: { field: string; code: string; message: string }[] | null;
	};
}

export interface TrpcResponse<T> {
	status: number;
	/** The raw body, to search for text that must not reach a client (SQLITE_BUSY, say). */
	text: string;
	/** `result.data` of a successful call. */
	data?: T;
	/** `error` of a failed call; both are missing when the body is not tRPC JSON. */
	error?: TrpcError;
}

export interface RequestOptions {
	/** Milliseconds before the request is aborted with a TimeoutError; 15 000 by default. */
	timeoutMs?: number;
}

/**
 * POSTs one tRPC mutation at `path` (e.g. `transactions.create`) with `input` as JSON and the
 * session `cookie`. Resolves with any HTTP status; rejects only on a network error or timeout.
 */
export async function trpcMutation<T = unknown>(
	origin: string,
	cookie: string,
	procedurePath: string,
	input: unknown,
	options: RequestOptions = {}
): Promise<TrpcResponse<T>> {
	const response = await fetch(`${origin}/trpc/${procedurePath}`, {
		method: 'POST',
		headers: { origin, cookie, 'content-type': 'application/json' },
		body: JSON.stringify(input),
		signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS)
	});
	return readTrpcResponse<T>(response);
}

/**
 * GETs one tRPC query at `path` (e.g. `cases.get`) with `input` in the query string and the
 * session `cookie`. Resolves with any HTTP status; rejects only on a network error or timeout.
 */
export async function trpcQuery<T = unknown>(
	origin: string,
	cookie: string,
	procedurePath: string,
	input: unknown,
	options: RequestOptions = {}
): Promise<TrpcResponse<T>> {
	const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
	const response = await fetch(`${origin}/trpc/${procedurePath}${query}`, {
		headers: { cookie },
		signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS)
	});
	return readTrpcResponse<T>(response);
}

async function readTrpcResponse<T>(response: Response): Promise<TrpcResponse<T>> {
	const text = await response.text();
	let body: { result?: { data?: T }; error?: TrpcError } = {};
	try {
		body = JSON.parse(text) as typeof body;
	} catch {
		// Not JSON (a proxy error page, say): callers look at `status` and `text`.
	}
	return { status: response.status, text, data: body.result?.data, error: body.error };
}

/**
 * Returns `data` of a successful call, or throws with the status and body. For setup steps
 * that must succeed.
 */
export function expectData<T>(response: TrpcResponse<T>, what: string): T {
	if (response.status !== 200 || response.data === undefined) {
		throw new Error(
			`${what} failed with status ${response.status}: ${response.text.slice(0, 500)}`
		);
	}
	return response.data;
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
