import fs from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';
import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator';

import {
	backupDatabaseSync,
	BackupError,
	compareLedgers,
	defaultBackupPath,
	describeDifferences,
	measureLedger,
	MIGRATIONS_TABLE,
	quoteIdentifier,
	type BackupResult,
	type LedgerMeasure
} from './backup';

/**
 * Tables whose rows a migration must keep: their row counts, and the money sums of
 * `transactions`, must be equal before and after. `sessions` may be emptied by a migration
 * (that only signs users out), and `settings` is the single row of office defaults.
 */
export const GUARDED_TABLES = ['transactions', 'cases', 'clients', 'people', 'users'] as const;

/** File in the backup folder that names the backup of the last rolled-back migration attempt. */
const ROLLED_BACK_RECORD = 'rolled-back-migration.txt';

/** One entry of drizzle-kit's `meta/_journal.json`. */
export interface JournalEntry {
	idx: number;
	/** Milliseconds since the epoch when drizzle-kit generated the migration. */
	when: number;
	/** File name without `.sql`, such as `0001_ledger`. */
	tag: string;
}

export interface MigrationReport {
	/** Tags of the migrations applied, in order. Empty when none was pending. */
	applied: string[];
	/** The copy written before applying them. Undefined for a new, empty database. */
	backupPath: string | undefined;
}

/**
 * Migrations that failed, or that changed the row counts or money sums of the ledger, and
 * were rolled back. `backupPath` is the copy taken before the attempt.
 */
export class MigrationCheckError extends Error {
	readonly backupPath: string | undefined;

	constructor(message: string, backupPath: string | undefined, options?: ErrorOptions) {
		super(message, options);
		this.name = 'MigrationCheckError';
		this.backupPath = backupPath;
	}
}

/** Reads drizzle-kit's journal, or throws with its path when it is missing or malformed. */
export function readJournal(migrationsDir: string): JournalEntry[] {
	const journalPath = path.join(migrationsDir, 'meta', '_journal.json');
	let parsed: unknown;
	try {
		parsed = JSON.parse(fs.readFileSync(journalPath, 'utf8'));
	} catch (error) {
		throw new Error(
			`Could not read the migration journal ${journalPath}: ${messageOf(error)}. ` +
				'Set MIGRATIONS_DIR to the drizzle folder.',
			{ cause: error }
		);
	}

	const entries = (parsed as { entries?: unknown }).entries;
	if (!Array.isArray(entries)) {
		throw new Error(`The migration journal ${journalPath} has no "entries" list.`);
	}
	return entries as JournalEntry[];
}

/**
 * Returns the `created_at` of the newest row of `__drizzle_migrations`, which is the `when` of
 * the last applied migration, or undefined when the table is missing or empty.
 */
export function lastAppliedMigrationTime(sqlite: Database.Database): number | undefined {
	if (!tableExists(sqlite, MIGRATIONS_TABLE)) return undefined;

	const createdAt = sqlite
		.prepare(
			`SELECT created_at FROM ${quoteIdentifier(MIGRATIONS_TABLE)} ORDER BY created_at DESC LIMIT 1`
		)
		.pluck()
		.get();
	return createdAt === undefined || createdAt === null ? undefined : Number(createdAt);
}

/**
 * Returns the journal entries that drizzle-orm 0.45's SQLite migrator would apply: those
 * generated after the last applied one, compared by `when`, not by name or hash.
 */
export function findPendingMigrations(
	sqlite: Database.Database,
	migrationsDir: string
): JournalEntry[] {
	const lastApplied = lastAppliedMigrationTime(sqlite);
	const journal = readJournal(migrationsDir);
	return journal.filter((entry) => lastApplied === undefined || lastApplied < entry.when);
}

/**
 * Applies the pending migrations of `migrationsDir` and rolls them all back if one loses rows
 * or money. Does nothing when none is pending, and migrates a new, empty database directly.
 * Otherwise it takes the write lock, writes `backups/pre-migration-<time>.db` next to the
 * database, applies every pending migration in that one transaction, and commits only if the
 * ledger (see GUARDED_TABLES) is unchanged and `foreign_key_check` finds nothing. On any
 * failure it rolls back, so no migration is applied, keeps the backup (deleting the one of the
 * previous rolled-back attempt) and throws, with MigrationCheckError for the expected failures.
 *
 * Migrations are applied as drizzle-orm 0.45's SQLite migrator does (same journal, SQL split
 * on `--> statement-breakpoint`, same `__drizzle_migrations` rows), so either can run later.
 * Unlike it, the check runs before COMMIT, so a migration that lost data is never committed.
 * Foreign keys stay on: SQLite ignores `PRAGMA foreign_keys` inside a transaction, so a
 * drizzle-kit table rebuild that drops a table other rows reference fails and is rolled back.
 */
export function migrateSafely(sqlite: Database.Database, migrationsDir: string): MigrationReport {
	const pending = findPendingMigrations(sqlite, migrationsDir);
	if (pending.length === 0) return { applied: [], backupPath: undefined };

	const migrations = selectMigrationFiles(migrationsDir, pending);
	const applied = pending.map((entry) => entry.tag);
	let backupPath: string | undefined;

	sqlite.exec('BEGIN IMMEDIATE');
	try {
		// An in-memory database has no file to copy, and a new one has nothing to lose.
		const guarded = !sqlite.memory && !isEmptyDatabase(sqlite);
		const baseline = guarded ? writePreMigrationBackup(sqlite) : undefined;
		backupPath = baseline?.path;

		runMigrations(sqlite, migrations, applied, backupPath);
		if (baseline) checkLedgerKept(sqlite, baseline.ledger, applied, baseline.path);
		commitMigrations(sqlite, applied, backupPath);
	} catch (error) {
		// SQLite ends the transaction by itself after some errors, such as SQLITE_FULL.
		if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
		if (backupPath) keepNewestRolledBackBackup(backupPath);
		throw error;
	}
	return { applied, backupPath };
}

/**
 * Records `backupPath` as the backup of a rolled-back attempt and deletes the one recorded
 * before it. A failed start is usually retried by a supervisor (Docker's restart policy, say),
 * and each try copies the same unchanged database, so without this the copies fill the disk.
 * The file `backups/rolled-back-migration.txt` contains the path of the newest such copy.
 */
function keepNewestRolledBackBackup(backupPath: string): void {
	try {
		replaceRolledBackRecord(backupPath);
	} catch {
		// The migration error that the caller rethrows matters more, and a failure here only
		// leaves an extra copy on disk.
	}
}

function replaceRolledBackRecord(backupPath: string): void {
	const folder = path.dirname(backupPath);
	const recordPath = path.join(folder, ROLLED_BACK_RECORD);
	const previous = fs.existsSync(recordPath) ? fs.readFileSync(recordPath, 'utf8').trim() : '';

	// Only a pre-migration backup in this folder, whatever the record file contains.
	const isPreMigrationBackup =
		path.dirname(previous) === folder &&
		/^pre-migration-[\w-]+\.db$/u.test(path.basename(previous));
	if (isPreMigrationBackup && previous !== backupPath) fs.rmSync(previous, { force: true });

	fs.writeFileSync(recordPath, `${backupPath}\n`);
}

/** True when the database has no tables other than drizzle's bookkeeping, as a new file. */
function isEmptyDatabase(sqlite: Database.Database): boolean {
	const tables = sqlite
		.prepare(
			"SELECT count(*) FROM sqlite_master WHERE type = 'table' " +
				"AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> ?"
		)
		.pluck()
		.get(MIGRATIONS_TABLE);
	return Number(tables) === 0;
}

/** Returns drizzle's parsed migration files for the pending entries, in journal order. */
function selectMigrationFiles(migrationsDir: string, pending: JournalEntry[]): MigrationMeta[] {
	const pendingTimes = new Set(pending.map((entry) => entry.when));
	return readMigrationFiles({ migrationsFolder: migrationsDir }).filter((migration) =>
		pendingTimes.has(migration.folderMillis)
	);
}

/**
 * Copies the database to the backup folder and checks that the copy measures the same as the
 * live database. `sqlite` must hold the write lock (BEGIN IMMEDIATE), so the copy is exactly
 * the state the migrations start from.
 */
function writePreMigrationBackup(sqlite: Database.Database): BackupResult {
	const target = defaultBackupPath(sqlite.name, 'pre-migration');

	// VACUUM cannot run inside this connection's transaction, so a second connection reads the
	// last commit, which no other connection can change while this one holds the write lock.
	let backup: BackupResult;
	const reader = new Database(sqlite.name, { readonly: true, fileMustExist: true });
	try {
		backup = backupDatabaseSync(reader, target);
	} catch (error) {
		const reason = error instanceof BackupError ? error.message : messageOf(error);
		throw new MigrationCheckError(
			`Could not write the pre-migration backup, so no migration was applied: ${reason}`,
			undefined,
			{ cause: error }
		);
	} finally {
		reader.close();
	}

	const live = measureLedger(sqlite);
	const differences = compareLedgers(backup.ledger, live, Object.keys(live.rowCounts));
	if (differences.length > 0) {
		throw new MigrationCheckError(
			`The pre-migration backup ${backup.path} differs from the database ` +
				`(${describeDifferences(differences)}), so no migration was applied.`,
			backup.path
		);
	}
	return backup;
}

function runMigrations(
	sqlite: Database.Database,
	migrations: MigrationMeta[],
	tags: string[],
	backupPath: string | undefined
): void {
	// The same table definition and rows as drizzle's migrator, which reads them to find
	// the last applied migration.
	sqlite.exec(
		`CREATE TABLE IF NOT EXISTS ${quoteIdentifier(MIGRATIONS_TABLE)} ` +
			'(id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)'
	);
	const record = sqlite.prepare(
		`INSERT INTO ${quoteIdentifier(MIGRATIONS_TABLE)} ("hash", "created_at") VALUES (?, ?)`
	);

	for (const [index, migration] of migrations.entries()) {
		try {
			for (const statement of migration.sql) sqlite.exec(statement);
		} catch (error) {
			throw new MigrationCheckError(
				`Migration ${tags[index]} failed: ${messageOf(error)}. ` +
					`Every pending migration (${tags.join(', ')}) was rolled back.` +
					backupSentence(backupPath),
				backupPath,
				{ cause: error }
			);
		}
		record.run(migration.hash, migration.folderMillis);
	}
}

function checkLedgerKept(
	sqlite: Database.Database,
	baseline: LedgerMeasure,
	tags: string[],
	backupPath: string
): void {
	const differences = compareLedgers(baseline, measureLedger(sqlite), GUARDED_TABLES);
	if (differences.length > 0) {
		throw new MigrationCheckError(
			`${nameMigrations(tags)} rolled back because the ledger changed: ` +
				`${describeDifferences(differences)}.` +
				backupSentence(backupPath),
			backupPath
		);
	}

	const violations = (sqlite.pragma('foreign_key_check') as unknown[]).length;
	if (violations > 0) {
		throw new MigrationCheckError(
			`${nameMigrations(tags)} rolled back because afterwards foreign_key_check found ` +
				`${violations} ${violations === 1 ? 'row' : 'rows'} referencing missing rows.` +
				backupSentence(backupPath),
			backupPath
		);
	}
}

/**
 * Commits, and names the migrations when COMMIT fails. SQLite checks deferred foreign keys only
 * then, with a counter that `foreign_key_check` does not read. So a table rebuilt under
 * `PRAGMA defer_foreign_keys = ON` passes the check before and fails here.
 */
function commitMigrations(
	sqlite: Database.Database,
	tags: string[],
	backupPath: string | undefined
): void {
	try {
		sqlite.exec('COMMIT');
	} catch (error) {
		throw new MigrationCheckError(
			`${nameMigrations(tags)} rolled back because COMMIT failed: ${messageOf(error)}.` +
				backupSentence(backupPath),
			backupPath,
			{ cause: error }
		);
	}
}

/** Returns `Migration 0002_x was` or `Migrations 0002_x, 0003_y were`, to start a sentence. */
function nameMigrations(tags: string[]): string {
	if (tags.length === 1) return `Migration ${tags[0]} was`;
	return `Migrations ${tags.join(', ')} were`;
}

function backupSentence(backupPath: string | undefined): string {
	if (backupPath === undefined) return ' The database is unchanged.';
	return ` The database is unchanged, and a copy from before the attempt is at ${backupPath}.`;
}

function tableExists(sqlite: Database.Database, name: string): boolean {
	const found = sqlite
		.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
		.pluck()
		.get(name);
	return found !== undefined;
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
