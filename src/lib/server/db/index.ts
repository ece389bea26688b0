import fs from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';

import { migrateSafely, type MigrationReport } from './safe-migrate';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** Milliseconds a connection waits for another writer's lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/** The settings every connection must run with; openDatabase checks them after setting them. */
const REQUIRED_PRAGMAS: ReadonlyArray<{ name: string; set: string; expected: string | number }> = [
	{ name: 'journal_mode', set: 'journal_mode = WAL', expected: 'wal' },
	// FULL syncs the WAL on every commit, so an acknowledged write survives a power cut.
	{ name: 'synchronous', set: 'synchronous = FULL', expected: 2 },
	{ name: 'foreign_keys', set: 'foreign_keys = ON', expected: 1 },
	{ name: 'busy_timeout', set: `busy_timeout = ${BUSY_TIMEOUT_MS}`, expected: BUSY_TIMEOUT_MS }
];

export interface OpenOptions {
	/** Folder of drizzle-kit migrations to apply; omit to open without migrating. */
	migrationsDir?: string;
	/** Called after pending migrations were applied, with their tags and the backup taken first. */
	onMigrated?: (report: MigrationReport) => void;
}

/**
 * Opens (creating if needed) the SQLite file at `filePath`, applies the required pragmas and
 * throws if any of them did not take effect, then applies pending migrations.
 * `migrateSafely` backs up first and rolls back migrations that lose rows or money.
 * The app and the admin CLI both open the database through here.
 */
export function openDatabase(filePath: string, options: OpenOptions = {}): Db {
	fs.mkdirSync(path.dirname(filePath), { recursive: true });
	const sqlite = new Database(filePath);

	try {
		applyPragmas(sqlite);
		const db = drizzle(sqlite, { schema });
		if (options.migrationsDir) {
			const report = migrateSafely(sqlite, options.migrationsDir);
			if (report.applied.length > 0) options.onMigrated?.(report);
		}
		return db;
	} catch (error) {
		sqlite.close();
		throw error;
	}
}

function applyPragmas(sqlite: Database.Database): void {
	for (const pragma of REQUIRED_PRAGMAS) {
		sqlite.pragma(pragma.set);
		const actual = sqlite.pragma(pragma.name, { simple: true });
		if (actual !== pragma.expected) {
			throw new Error(
				`SQLite pragma ${pragma.name} is ${String(actual)}, expected ${pragma.expected}; ` +
					'the database file may be on a filesystem without WAL support'
			);
		}
	}
}

/**
 * Runs `work` in one write transaction that takes the write lock at its start
 * (BEGIN IMMEDIATE), so that two writers never both read before either writes.
 * `work` must be synchronous: better-sqlite3 rejects async transaction callbacks.
 */
export function writeTransaction<T>(db: Db, work: (tx: Db) => T): T {
	return db.transaction((tx) => work(tx as unknown as Db), { behavior: 'immediate' });
}
