/**
 * `pnpm bench:seed [--scale N] [--out FILE] [--seed N]`: builds the benchmark database, ten
 * years of a law office's data from a fixed random seed. At scale 1 that is 20,000 clients,
 * 50,000 cases, 40 partners and consultants and 1,000,000 payments, some of them voided.
 *
 * Rows go through the app's migrations, Drizzle schema and domain rules (documents, CNJ
 * numbers, fee agreements, payment splits), each with the audit row the app writes for it.
 * The target is --out, else DATABASE_PATH, else data/bench.db. An existing target is replaced
 * only when it is an earlier benchmark database (it has the bench user).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import Database from 'better-sqlite3';

// Relative imports only: this runs under tsx, which does not resolve SvelteKit's $lib alias.
import { openDatabase } from '../../src/lib/server/db';
import { createUser } from '../../src/lib/server/users';
import { appActor } from '../../src/lib/server/audit';
import { APP_DB_FILE_NAME, BENCH_USER, DEFAULT_BENCH_DB, MIGRATIONS_DIR } from './config';
import { Random } from './random';
import { seedLedger, type SeedCounts } from './seed-ledger';

const USAGE =
	'Usage: pnpm bench:seed [--scale N] [--out FILE] [--seed N]\n' +
	'  --scale  multiplies the row counts of scale 1 (20,000 clients, 50,000 cases,\n' +
	'           1,000,000 payments); a number from 0.001 to 10, default 1\n' +
	'  --out    database file to write; default DATABASE_PATH, else data/bench.db\n' +
	'  --seed   random seed, an integer; default 20261130';

interface SeedOptions {
	scale: number;
	out: string;
	seed: number;
}

function parseOptions(args: string[]): SeedOptions {
	const { values } = parseArgs({
		args,
		options: {
			scale: { type: 'string', default: '1' },
			out: { type: 'string' },
			seed: { type: 'string', default: '20261130' },
			help: { type: 'boolean', short: 'h' }
		}
	});
	if (values.help) {
		console.log(USAGE);
		process.exit(0);
	}

	const scale = Number(values.scale);
	if (!Number.isFinite(scale) || scale < 0.001 || scale > 10) {
		throw new Error(`Invalid --scale ${values.scale}: expected a number from 0.001 to 10.`);
	}
	const seed = Number(values.seed);
	if (!Number.isSafeInteger(seed)) {
		throw new Error(`Invalid --seed ${values.seed}: expected an integer.`);
	}
	const out = path.resolve(values.out ?? process.env.DATABASE_PATH ?? DEFAULT_BENCH_DB);
	return { scale, out, seed };
}

/** Row counts at `scale`, with at least a handful of each so that small scales still work. */
export function countsAt(scale: number): SeedCounts {
	return {
		clients: Math.max(50, Math.round(20_000 * scale)),
		cases: Math.max(100, Math.round(50_000 * scale)),
		people: 40,
		payments: Math.max(2_000, Math.round(1_000_000 * scale)),
		heavyCases: Math.max(3, Math.round(20 * scale))
	};
}

/**
 * Deletes an earlier benchmark database at `file` with its WAL files, or throws when `file`
 * is the app's database or any other file that lacks the bench user.
 */
function clearTarget(file: string): void {
	if (path.basename(file) === APP_DB_FILE_NAME) {
		throw new Error(
			`Refusing to write the benchmark data into ${file}, the app's database file name. ` +
				'Pass --out with another file, such as data/bench.db.'
		);
	}
	if (!fs.existsSync(file)) return;

	if (!isBenchDatabase(file)) {
		throw new Error(
			`${file} exists and is not a benchmark database (it has no ${BENCH_USER.email} user). ` +
				'Delete it yourself or pass --out with another file.'
		);
	}
	for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
}

function isBenchDatabase(file: string): boolean {
	const sqlite = new Database(file, { readonly: true, fileMustExist: true });
	try {
		const found = sqlite
			.prepare('SELECT 1 FROM users WHERE email = ?')
			.pluck()
			.get(BENCH_USER.email);
		return found !== undefined;
	} catch {
		return false;
	} finally {
		sqlite.close();
	}
}

async function main(): Promise<void> {
	const options = parseOptions(process.argv.slice(2));
	const counts = countsAt(options.scale);
	clearTarget(options.out);

	const started = performance.now();
	const db = openDatabase(options.out, { migrationsDir: MIGRATIONS_DIR });
	// The file is rebuilt from scratch on failure, so durability per commit buys nothing here.
	// The app's own connections still open it with synchronous = FULL.
	db.$client.pragma('synchronous = OFF');

	try {
		const admin = await createUser(db, { ...BENCH_USER, role: 'admin' });
		const staff = await createUser(db, {
			email: 'bench.staff@example.com',
			name: 'Bench Staff',
			password: BENCH_USER.password,
			role: 'staff'
		});

		const result = seedLedger(db, new Random(options.seed), counts, {
			actor: appActor(admin.id, 'bench-seed'),
			recorderIds: [admin.id, staff.id]
		});
		db.$client.pragma('wal_checkpoint(TRUNCATE)');

		const seconds = (performance.now() - started) / 1000;
		console.log(
			`Seeded ${options.out} at scale ${options.scale} in ${seconds.toFixed(1)} s: ` +
				`${result.clients} clients, ${result.cases} cases, ${result.people} people, ` +
				`${result.payments} payments (${result.voided} voided), ` +
				`${result.heavyCases} cases with ${result.heavyCasePayments} payments, ` +
				`${result.auditRows} audit rows. Sign in as ${BENCH_USER.email}.`
		);
	} finally {
		db.$client.close();
	}
}

main().catch((error: unknown) => {
	console.error(`bench:seed failed: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
