/** Settings that the seed, the benchmark runner and the baseline server share. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MIGRATIONS_DIR = path.join(REPO_ROOT, 'drizzle');

/** Database file of `bench:seed` and `bench` when neither --out/--db nor DATABASE_PATH is set. */
export const DEFAULT_BENCH_DB = path.join(REPO_ROOT, 'data', 'bench.db');

/** The file name the app uses by default; the seed never writes to a file of this name. */
export const APP_DB_FILE_NAME = 'case-ledger.db';

/**
 * The admin account the seed creates and the benchmark signs in with. The database is
 * synthetic and the account exists only there, so its password is no secret.
 */
export const BENCH_USER = {
	email: 'bench.admin@example.com',
	name: 'Bench Admin',
	password: 'bench-ledger-quiet-harbor-2026'
};

/**
 * The last day of the seeded ten years, fixed so that the same seed always gives the same
 * database. The benchmark reads the month and the year that end on this day.
 */
export const SEED_END_DATE = '2026-11-30';
export const SEED_YEARS = 10;

/** Payments on each of the cases the seed gives exactly this many (cases.get is timed on one). */
export const HEAVY_CASE_PAYMENTS = 200;
