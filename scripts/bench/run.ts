/**
 * `pnpm bench [--db FILE] [--duration S] [--port N]`: benchmarks the built app on the database
 * that `pnpm bench:seed` wrote, prints a table and writes it as JSON to bench/results/.
 *
 * It builds the app first (vite build) when build/index.js is missing or older than any file
 * under src/, static/ or messages/ or the build configuration. With APP_BUILD_DIR set it uses
 * that folder as it is. The app listens on 127.0.0.1:N (4600 by default) and the baseline
 * server on N+1. autocannon runs in a process of its own for each measurement.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import Database from 'better-sqlite3';

import {
	BENCH_USER,
	DEFAULT_BENCH_DB,
	REPO_ROOT,
	SEED_END_DATE,
	HEAVY_CASE_PAYMENTS
} from './config';
import { loadUrl, type LoadResult } from './load';
import { describeMachine, watchLoadAverage } from './machine';
import { measurePageWeight } from './page-weight';
import {
	readMemory,
	sampleMemory,
	signIn,
	startApp,
	startBaseline,
	type Server
} from './processes';
import { printReport, type BenchReport } from './report';
import type { ProcedureMeasure } from './targets';

const USAGE =
	'Usage: pnpm bench [--db FILE] [--duration S] [--port N]\n' +
	'  --db        database written by pnpm bench:seed; default DATABASE_PATH, else data/bench.db\n' +
	'  --duration  seconds of load per measurement and connection count; default 5\n' +
	'  --port      app port; the baseline server uses the next one; default 4600';

/** Connection counts each procedure and page is loaded with. */
const CONNECTIONS = [10, 50];
/** Times the app is started to measure its cold start; the median is reported. */
const COLD_STARTS = 3;

interface RunOptions {
	db: string;
	durationSeconds: number;
	port: number;
	buildDir: string;
}

function parseOptions(args: string[]): RunOptions {
	const { values } = parseArgs({
		args,
		options: {
			db: { type: 'string' },
			duration: { type: 'string', default: '5' },
			port: { type: 'string', default: '4600' },
			help: { type: 'boolean', short: 'h' }
		}
	});
	if (values.help) {
		console.log(USAGE);
		process.exit(0);
	}
	const durationSeconds = Number(values.duration);
	if (!Number.isInteger(durationSeconds) || durationSeconds < 1 || durationSeconds > 60) {
		throw new Error(`Invalid --duration ${values.duration}: expected whole seconds from 1 to 60.`);
	}
	const port = Number(values.port);
	if (!Number.isInteger(port) || port < 1024 || port > 65534) {
		throw new Error(`Invalid --port ${values.port}: expected a port from 1024 to 65534.`);
	}
	const db = path.resolve(values.db ?? process.env.DATABASE_PATH ?? DEFAULT_BENCH_DB);
	if (!fs.existsSync(db)) {
		throw new Error(`No database at ${db}. Run \`pnpm bench:seed\` first, or pass --db.`);
	}
	const buildDir = path.resolve(REPO_ROOT, process.env.APP_BUILD_DIR ?? 'build');
	return { db, durationSeconds, port, buildDir };
}

/** Builds the app unless build/index.js is newer than every source and configuration file. */
function ensureBuild(buildDir: string): void {
	const entry = path.join(buildDir, 'index.js');
	if (process.env.APP_BUILD_DIR) {
		if (!fs.existsSync(entry)) throw new Error(`APP_BUILD_DIR ${buildDir} has no index.js.`);
		return;
	}
	const builtAt = fs.existsSync(entry) ? fs.statSync(entry).mtimeMs : 0;
	const sources = [
		'src',
		'static',
		'messages',
		'svelte.config.js',
		'vite.config.ts',
		'package.json'
	];
	const newest = Math.max(...sources.map((source) => newestMtime(path.join(REPO_ROOT, source))));
	if (builtAt > newest) return;

	console.log('Building the app (vite build), because build/ is missing or older than src/ ...');
	execFileSync('pnpm', ['exec', 'vite', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
}

function newestMtime(target: string): number {
	if (!fs.existsSync(target)) return 0;
	const stat = fs.statSync(target);
	if (!stat.isDirectory()) return stat.mtimeMs;
	let newest = stat.mtimeMs;
	for (const entry of fs.readdirSync(target)) {
		if (entry === 'paraglide') continue; // Generated from messages/ by the build itself.
		newest = Math.max(newest, newestMtime(path.join(target, entry)));
	}
	return newest;
}

/** Ids and values the measurements read, taken from the seeded database. */
function pickSubjects(db: string) {
	const sqlite = new Database(db, { readonly: true, fileMustExist: true });
	try {
		const heavyCaseId = sqlite
			.prepare(
				'SELECT case_id FROM transactions GROUP BY case_id HAVING count(*) = ? ORDER BY case_id LIMIT 1'
			)
			.pluck()
			.get(HEAVY_CASE_PAYMENTS) as number | undefined;
		if (heavyCaseId === undefined) {
			throw new Error(`${db} has no case with ${HEAVY_CASE_PAYMENTS} payments; reseed it.`);
		}
		const partnerId = sqlite
			.prepare(
				"SELECT partner_id FROM cases WHERE status = 'open' GROUP BY partner_id ORDER BY count(*) DESC LIMIT 1"
			)
			.pluck()
			.get() as number;
		const caseCount = sqlite.prepare('SELECT count(*) FROM cases').pluck().get() as number;
		return { heavyCaseId, partnerId, caseCount };
	} finally {
		sqlite.close();
	}
}

const MONTH = { from: `${SEED_END_DATE.slice(0, 8)}01`, to: SEED_END_DATE };
const YEAR = { from: `${Number(SEED_END_DATE.slice(0, 4)) - 1}-12-01`, to: SEED_END_DATE };
/** A surname fragment that matches a few hundred clients at scale 1. */
const NAME_FRAGMENT = 'olive';

function trpcUrl(origin: string, procedure: string, input: unknown): string {
	return `${origin}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;
}

function baselineUrl(origin: string, route: string, params: Record<string, string | number>) {
	const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
	return `${origin}/${route}?${query}`;
}

async function loadAll(url: string, durationSeconds: number, headers: Record<string, string>) {
	// A one-second warm-up, so the first measurement is not the one that compiles the code.
	await loadUrl(url, CONNECTIONS[0]!, 1, headers);
	const results: LoadResult[] = [];
	for (const connections of CONNECTIONS) {
		results.push(await loadUrl(url, connections, durationSeconds, headers));
	}
	return results;
}

async function checkOk(url: string, headers: Record<string, string>): Promise<void> {
	const response = await fetch(url, { headers });
	const body = await response.text();
	if (response.status !== 200) {
		throw new Error(`GET ${url} returned ${response.status}: ${body.slice(0, 300)}`);
	}
}

async function measureColdStart(options: RunOptions): Promise<number[]> {
	const times: number[] = [];
	for (let run = 0; run < COLD_STARTS; run++) {
		const app = await startApp(options.buildDir, options.db, options.port);
		times.push(app.startMs);
		await app.stop();
	}
	return times;
}

async function measureXlsx(app: Server, cookie: string) {
	const url = `${app.origin}/reports/period.xlsx?from=${YEAR.from}&to=${YEAR.to}`;
	const before = readMemory(app.process.pid!).rssMb;
	const sampler = sampleMemory(app.process.pid!);
	const started = performance.now();
	const response = await fetch(url, { headers: { cookie } });
	let bytes = 0;
	const reader = response.body!.getReader();
	for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
		bytes += chunk.value.length;
	}
	const seconds = (performance.now() - started) / 1000;
	const peak = sampler.stop();
	if (response.status !== 200) throw new Error(`GET ${url} returned ${response.status}.`);
	return { url, seconds, bytes, rssBeforeMb: before, rssPeakMb: peak, growthMb: peak - before };
}

async function main(): Promise<void> {
	const options = parseOptions(process.argv.slice(2));
	ensureBuild(options.buildDir);
	const subjects = pickSubjects(options.db);
	const loadAverage = watchLoadAverage();
	const started = new Date();
	const servers: Server[] = [];

	try {
		console.log('Measuring cold start ...');
		const coldStartsMs = await measureColdStart(options);

		const app = await startApp(options.buildDir, options.db, options.port);
		servers.push(app);
		const baseline = await startBaseline(options.db, options.port + 1);
		servers.push(baseline);
		const cookie = await signIn(app.origin, BENCH_USER.email, BENCH_USER.password);
		const headers = { cookie };
		await new Promise((resolve) => setTimeout(resolve, 2000));
		const idle = readMemory(app.process.pid!);

		console.log('Streaming the year as .xlsx ...');
		const xlsx = await measureXlsx(app, cookie);

		const procedures: [string, string, string, Record<string, string | number>][] = [
			[
				`cases.get (${HEAVY_CASE_PAYMENTS} payments)`,
				trpcUrl(app.origin, 'cases.get', { id: subjects.heavyCaseId }),
				'cases.get',
				{ id: subjects.heavyCaseId }
			],
			[
				`clients.list search "${NAME_FRAGMENT}"`,
				trpcUrl(app.origin, 'clients.list', { search: NAME_FRAGMENT }),
				'clients.list',
				{ search: NAME_FRAGMENT }
			],
			[
				'cases.list status + partner',
				trpcUrl(app.origin, 'cases.list', { status: 'open', partnerId: subjects.partnerId }),
				'cases.list',
				{ status: 'open', partnerId: subjects.partnerId }
			],
			[
				'dashboard.summary month',
				trpcUrl(app.origin, 'dashboard.summary', MONTH),
				'dashboard.summary',
				MONTH
			],
			[
				'dashboard.summary year',
				trpcUrl(app.origin, 'dashboard.summary', YEAR),
				'dashboard.summary',
				YEAR
			],
			[
				'reports.period month, first page',
				trpcUrl(app.origin, 'reports.period', MONTH),
				'reports.period',
				MONTH
			]
		];

		const loadPeak = sampleMemory(app.process.pid!, 200);
		const measures: ProcedureMeasure[] = [];
		for (const [name, appUrl, route, params] of procedures) {
			console.log(`Loading ${name} ...`);
			const base = baselineUrl(baseline.origin, route, params);
			await checkOk(appUrl, headers);
			await checkOk(base, {});
			measures.push({
				name,
				app: await loadAll(appUrl, options.durationSeconds, headers),
				baseline: await loadAll(base, options.durationSeconds, {})
			});
		}

		const pages: { name: string; url: string; results: LoadResult[] }[] = [];
		const pageUrls: [string, string][] = [
			['dashboard (month)', `${app.origin}/?from=${MONTH.from}&to=${MONTH.to}`],
			['case page', `${app.origin}/cases/${subjects.heavyCaseId}`],
			['client list', `${app.origin}/clients`]
		];
		for (const [name, url] of pageUrls) {
			console.log(`Loading page ${name} ...`);
			await checkOk(url, headers);
			pages.push({ name, url, results: await loadAll(url, options.durationSeconds, headers) });
		}
		const underLoadPeakMb = loadPeak.stop();

		const pageWeight = await measurePageWeight(
			`${app.origin}/cases/${subjects.heavyCaseId}`,
			cookie
		);

		const report: BenchReport = {
			startedAt: started.toISOString(),
			finishedAt: new Date().toISOString(),
			database: options.db,
			caseCount: subjects.caseCount,
			durationSeconds: options.durationSeconds,
			machine: describeMachine(),
			loadAverage: loadAverage.stop(),
			coldStartsMs,
			memory: { idleRssMb: idle.rssMb, underLoadPeakRssMb: underLoadPeakMb },
			xlsx,
			procedures: measures,
			pages,
			pageWeight
		};
		printReport(report);
		const file = writeResults(report);
		console.log(`\nWrote ${path.relative(REPO_ROOT, file)}`);
	} finally {
		for (const server of servers) await server.stop();
	}
}

function writeResults(report: BenchReport): string {
	const folder = path.join(REPO_ROOT, 'bench', 'results');
	fs.mkdirSync(folder, { recursive: true });
	const file = path.join(folder, `bench-${report.startedAt.replace(/[:.]/g, '-')}.json`);
	fs.writeFileSync(file, `${JSON.stringify(report, null, '\t')}\n`);
	return file;
}

main().catch((error: unknown) => {
	console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
