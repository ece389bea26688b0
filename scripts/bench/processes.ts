/** Starts and stops the app and the baseline server for the benchmark, and reads their memory. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { MIGRATIONS_DIR, REPO_ROOT } from './config';

const HOST = '127.0.0.1';
const HEALTH_POLL_MS = 10;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

export interface Server {
	origin: string;
	process: ChildProcess;
	/** Milliseconds from spawn to the first 200 from the readiness URL. */
	startMs: number;
	stop(): Promise<void>;
}

/**
 * Starts `node <buildDir>` on the database and resolves at the first 200 from /healthz. The
 * app logs at `warn`, so a request log line per call does not take the benchmark's CPU time.
 */
export function startApp(buildDir: string, databasePath: string, port: number): Promise<Server> {
	const origin = `http://${HOST}:${port}`;
	const env = {
		...process.env,
		NODE_ENV: 'production',
		HOST,
		PORT: String(port),
		ORIGIN: origin,
		DATABASE_PATH: databasePath,
		MIGRATIONS_DIR,
		LOG_LEVEL: 'warn'
	};
	return startServer([buildDir], env, origin, `${origin}/healthz`);
}

/** Starts scripts/bench/baseline-server.ts under tsx and resolves at its first response. */
export function startBaseline(databasePath: string, port: number): Promise<Server> {
	const origin = `http://${HOST}:${port}`;
	const script = path.join(REPO_ROOT, 'scripts', 'bench', 'baseline-server.ts');
	const args = ['--import', 'tsx', script, '--db', databasePath, '--port', String(port)];
	return startServer(args, process.env, origin, `${origin}/healthz`, [404]);
}

async function startServer(
	args: string[],
	env: NodeJS.ProcessEnv,
	origin: string,
	readyUrl: string,
	readyStatuses: number[] = [200]
): Promise<Server> {
	const started = performance.now();
	const child = spawn(process.execPath, args, {
		cwd: REPO_ROOT,
		env,
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	const keep = (chunk: Buffer) => {
		output = (output + chunk.toString('utf8')).slice(-20_000);
	};
	child.stdout.on('data', keep);
	child.stderr.on('data', keep);
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

	const stop = async () => {
		if (child.exitCode !== null || child.signalCode !== null) return;
		child.kill('SIGTERM');
		const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
		await exited;
		clearTimeout(timer);
	};

	const deadline = Date.now() + START_TIMEOUT_MS;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) {
			throw new Error(`${args.join(' ')} exited with code ${child.exitCode}:\n${output}`);
		}
		const status = await fetch(readyUrl, { signal: AbortSignal.timeout(2000) }).then(
			async (response) => {
				await response.arrayBuffer();
				return response.status;
			},
			() => 0
		);
		if (readyStatuses.includes(status)) {
			return { origin, process: child, startMs: performance.now() - started, stop };
		}
		await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
	}
	await stop();
	throw new Error(`${readyUrl} did not respond within ${START_TIMEOUT_MS} ms:\n${output}`);
}

/** Returns VmRSS and VmHWM of `pid` in megabytes (MiB), read from /proc/<pid>/status. */
export function readMemory(pid: number): { rssMb: number; peakRssMb: number } {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const field = (name: string) => {
		const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
		if (!match) throw new Error(`/proc/${pid}/status has no ${name} line.`);
		return Number(match[1]) / 1024;
	};
	return { rssMb: field('VmRSS'), peakRssMb: field('VmHWM') };
}

/**
 * Samples the RSS of `pid` every `intervalMs` until stop() is called, which returns the
 * largest sample in MiB. VmHWM alone cannot tell one phase's peak from an earlier one.
 */
export function sampleMemory(pid: number, intervalMs = 20): { stop(): number } {
	let peak = readMemory(pid).rssMb;
	const timer = setInterval(() => {
		try {
			peak = Math.max(peak, readMemory(pid).rssMb);
		} catch {
			// The process exited, so the last peak is kept.
		}
	}, intervalMs);
	return {
		stop() {
			clearInterval(timer);
			return peak;
		}
	};
}

/** Signs in through the login form and returns the `session=...` cookie pair. */
export async function signIn(origin: string, email: string, password: string): Promise<string> {
	const response = await fetch(`${origin}/login`, {
		method: 'POST',
		headers: {
			origin,
			accept: 'text/html',
			'content-type': 'application/x-www-form-urlencoded'
		},
		body: new URLSearchParams({ email, password }).toString(),
		redirect: 'manual'
	});
	await response.arrayBuffer();
	const cookie = response.headers
		.getSetCookie()
		.map((value) => value.split(';')[0]!)
		.find((pair) => pair.startsWith('session='));
	if (response.status !== 303 || !cookie) {
		throw new Error(
			`Sign-in as ${email} failed with status ${response.status}. ` +
				'Run `pnpm bench:seed` first, against the same database.'
		);
	}
	return cookie;
}
