import fs from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';

/**
 * Tables every Case Ledger database has had since the ledger migration (0001). A file without
 * them is not a database of this app, so restore rejects it.
 */
export const APP_TABLES = [
	'users',
	'sessions',
	'clients',
	'people',
	'cases',
	'transactions',
	'settings'
] as const;

/** Drizzle's bookkeeping table: one row per applied migration. */
export const MIGRATIONS_TABLE = '__drizzle_migrations';

/** Folder for backups, next to the database file. */
export const BACKUP_FOLDER = 'backups';

/** Row counts and money sums of one database, to compare two copies exactly. */
export interface LedgerMeasure {
	/** Rows per table, for every table except SQLite's own and `__drizzle_migrations`. */
	rowCounts: Record<string, number>;
	/** Sum of each `*_cents` column of `transactions`, in cents. Empty without that table. */
	transactionSums: Record<string, bigint>;
}

/** One value that differs between two measures, as text ready for an error message. */
export interface LedgerDifference {
	item: string;
	before: string;
	after: string;
}

export interface BackupResult {
	path: string;
	bytes: number;
	ledger: LedgerMeasure;
}

/** A failed backup, or a backup file that failed a check. The message names file and reason. */
export class BackupError extends Error {
	constructor(message: string, options?: ErrorOptions) {
		super(message, options);
		this.name = 'BackupError';
	}
}

// Pages per backup step. sqlite3_backup_step copies up to this many pages under one read
// snapshot, and a write by another process between two steps restarts the copy. Copying all
// pages in one step lets a backup finish while the app keeps writing.
const ALL_PAGES = 0x7fffffff;

/**
 * Copies the open database to `targetPath` with SQLite's online backup API, while other
 * connections may keep writing, then checks the copy (see `verifyDatabaseFile`).
 * The copy uses a rollback journal, so it is one self-contained file. Throws BackupError
 * when `targetPath` exists, the copy fails or the copy fails a check, and deletes a bad copy.
 */
export async function backupDatabase(
	sqlite: Database.Database,
	targetPath: string
): Promise<BackupResult> {
	prepareTarget(targetPath);

	try {
		await sqlite.backup(targetPath, { progress: () => ALL_PAGES });
		useRollbackJournal(targetPath);
	} catch (error) {
		removeDatabaseFiles(targetPath);
		throw new BackupError(`Could not write the backup ${targetPath}: ${messageOf(error)}`, {
			cause: error
		});
	}

	return finishBackup(targetPath);
}

/**
 * Copies the open database to `targetPath` with `VACUUM INTO` and checks the copy like
 * `backupDatabase`. Synchronous, for code that cannot await, but it fails with
 * "cannot VACUUM from within a transaction" when `sqlite` is inside a transaction.
 */
export function backupDatabaseSync(sqlite: Database.Database, targetPath: string): BackupResult {
	prepareTarget(targetPath);

	try {
		sqlite.prepare('VACUUM INTO ?').run(targetPath);
	} catch (error) {
		removeDatabaseFiles(targetPath);
		throw new BackupError(`Could not write the backup ${targetPath}: ${messageOf(error)}`, {
			cause: error
		});
	}

	return finishBackup(targetPath);
}

/**
 * Opens the database file read-only and checks it: `PRAGMA integrity_check` must return `ok`
 * and `PRAGMA foreign_key_check` nothing. Returns its measure, or throws BackupError.
 * A file in WAL mode gets -wal and -shm files beside it while it is open.
 */
export function verifyDatabaseFile(filePath: string): LedgerMeasure {
	let sqlite: Database.Database;
	try {
		sqlite = new Database(filePath, { readonly: true, fileMustExist: true });
	} catch (error) {
		throw new BackupError(`Could not open ${filePath}: ${messageOf(error)}`, { cause: error });
	}

	try {
		checkIntegrity(sqlite, filePath);
		checkForeignKeys(sqlite, filePath);
		return measureLedger(sqlite);
	} finally {
		sqlite.close();
	}
}

/**
 * Counts the rows of every table (except SQLite's own, drizzle's bookkeeping and full-text
 * indexes with their shadow tables) and sums each `*_cents` column of `transactions`. Sums
 * are exact 64-bit integers, because SQLite's sum() raises "integer overflow" rather than
 * return a rounded value.
 */
export function measureLedger(sqlite: Database.Database): LedgerMeasure {
	const tables = sqlite
		.prepare(
			"SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' " +
				"AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' " +
				'AND name <> ? ORDER BY name'
		)
		.pluck()
		.all(MIGRATIONS_TABLE) as string[];

	const rowCounts: Record<string, number> = {};
	for (const table of tables) {
		const rows = sqlite
			.prepare(`SELECT count(*) FROM ${quoteIdentifier(table)}`)
			.pluck()
			.get();
		rowCounts[table] = Number(rows);
	}

	const transactionSums = tables.includes('transactions') ? sumMoneyColumns(sqlite) : {};
	return { rowCounts, transactionSums };
}

/**
 * Lists what differs between two measures: the row count of each of `tables` that `before`
 * has, and every transactions sum that `before` has. A table or column missing afterwards
 * counts as a difference.
 */
export function compareLedgers(
	before: LedgerMeasure,
	after: LedgerMeasure,
	tables: readonly string[]
): LedgerDifference[] {
	const differences: LedgerDifference[] = [];

	for (const table of tables) {
		const countBefore = before.rowCounts[table];
		if (countBefore === undefined) continue;

		const countAfter = after.rowCounts[table];
		if (countAfter !== countBefore) {
			differences.push({
				item: `${table} rows`,
				before: String(countBefore),
				after: countAfter === undefined ? 'table missing' : String(countAfter)
			});
		}
	}

	for (const [column, sumBefore] of Object.entries(before.transactionSums)) {
		const sumAfter = after.transactionSums[column];
		if (sumAfter !== sumBefore) {
			differences.push({
				item: `transactions.${column} sum`,
				before: String(sumBefore),
				after: sumAfter === undefined ? 'column missing' : String(sumAfter)
			});
		}
	}
	return differences;
}

/** Formats differences as `transactions rows 40 -> 39; ...` for one-line messages. */
export function describeDifferences(differences: readonly LedgerDifference[]): string {
	return differences.map((entry) => `${entry.item} ${entry.before} -> ${entry.after}`).join('; ');
}

/**
 * Returns a path in the backup folder next to `databasePath`, such as
 * `backups/case-ledger-2026-03-05T14-07-09Z.db`, with `-2`, `-3`... appended when a file of
 * that name exists.
 */
export function defaultBackupPath(
	databasePath: string,
	prefix = 'case-ledger',
	now = new Date()
): string {
	const folder = path.join(path.dirname(databasePath), BACKUP_FOLDER);
	const stem = `${prefix}-${formatFileTimestamp(now)}`;

	let candidate = path.join(folder, `${stem}.db`);
	for (let suffix = 2; fs.existsSync(candidate); suffix++) {
		candidate = path.join(folder, `${stem}-${suffix}.db`);
	}
	return candidate;
}

/** Formats a UTC time for file names: 2026-03-05T14-07-09Z (no colons, which Windows rejects). */
export function formatFileTimestamp(date: Date): string {
	return `${date.toISOString().slice(0, 19).replaceAll(':', '-')}Z`;
}

/** Deletes a database file and its -wal, -shm and -journal files, ignoring missing ones. */
export function removeDatabaseFiles(filePath: string): void {
	for (const suffix of ['', '-wal', '-shm', '-journal']) {
		fs.rmSync(filePath + suffix, { force: true });
	}
}

/** Quotes a table or column name for SQL, doubling any `"` inside it. */
export function quoteIdentifier(name: string): string {
	return `"${name.replaceAll('"', '""')}"`;
}

export interface MovedDatabase {
	/** New path of the main file, `backups/replaced-<time>.db`, beside its -wal and -shm if any. */
	path: string;
	/** Error text of the failed checkpoint before the move. Undefined when it succeeded. */
	checkpointError: string | undefined;
}

export interface ReplaceResult {
	restored: BackupResult;
	/** The database that was replaced. Undefined when none existed. */
	replaced: MovedDatabase | undefined;
}

/**
 * Replaces the database at `databasePath` with a copy of `sourcePath`. The copy is written and
 * checked next to the database first, so a failure there changes nothing. Then the current
 * database moves to the backup folder (see `moveDatabaseAside`) and the copy is renamed into
 * place. The caller must hold the app lock, because open connections would keep using the
 * moved file.
 */
export async function replaceDatabase(
	sourcePath: string,
	databasePath: string
): Promise<ReplaceResult> {
	const folder = path.dirname(databasePath);
	const stagingPath = path.join(
		folder,
		`.restore-${formatFileTimestamp(new Date())}-${process.pid}.db`
	);

	const source = new Database(sourcePath, { readonly: true, fileMustExist: true });
	let staged: BackupResult;
	try {
		staged = await backupDatabase(source, stagingPath);
	} finally {
		source.close();
	}

	let replaced: MovedDatabase | undefined;
	try {
		replaced = moveDatabaseAside(databasePath);
		fs.renameSync(stagingPath, databasePath);
	} catch (error) {
		removeDatabaseFiles(stagingPath);
		const previous = replaced ? ` The previous database is at ${replaced.path}.` : '';
		throw new BackupError(
			`Could not put the copy in place at ${databasePath}: ${messageOf(error)}.${previous}`,
			{ cause: error }
		);
	}

	syncFolder(folder);
	return { restored: { ...staged, path: databasePath }, replaced };
}

/**
 * Moves the database and its -wal, -shm and -journal files to `backups/replaced-<time>.db`
 * (same suffixes). It first checkpoints and switches to a rollback journal, so that the moved
 * main file contains every commit. When that fails (a damaged file, say) the files move as they
 * are. A -wal left at the old path would be replayed into the next database there, so none is.
 * Returns undefined when no such file exists.
 */
export function moveDatabaseAside(databasePath: string): MovedDatabase | undefined {
	const suffixes = ['', '-wal', '-shm', '-journal'];
	if (!suffixes.some((suffix) => fs.existsSync(databasePath + suffix))) return undefined;

	const checkpointError = fs.existsSync(databasePath) ? foldWal(databasePath) : undefined;
	// A lock error means another connection has the database open, whatever the lock file
	// contains (for example an app started through another path to the same file).
	if (checkpointError && /locked|busy/i.test(checkpointError)) {
		throw new BackupError(
			`${databasePath} is in use by another process (${checkpointError}). ` +
				'Stop the app first. Nothing was changed.'
		);
	}
	const target = defaultBackupPath(databasePath, 'replaced');
	fs.mkdirSync(path.dirname(target), { recursive: true });

	for (const suffix of suffixes) {
		if (fs.existsSync(databasePath + suffix)) {
			fs.renameSync(databasePath + suffix, target + suffix);
		}
	}
	return { path: target, checkpointError };
}

function prepareTarget(targetPath: string): void {
	if (fs.existsSync(targetPath)) {
		throw new BackupError(`${targetPath} already exists; a backup never overwrites a file.`);
	}
	fs.mkdirSync(path.dirname(targetPath), { recursive: true });
}

/** Switches a fresh copy from WAL to a rollback journal, which folds any -wal into the file. */
function useRollbackJournal(filePath: string): void {
	const sqlite = new Database(filePath, { fileMustExist: true });
	try {
		sqlite.pragma('journal_mode = DELETE');
	} finally {
		sqlite.close();
	}
}

function finishBackup(targetPath: string): BackupResult {
	try {
		const ledger = verifyDatabaseFile(targetPath);
		return { path: targetPath, bytes: fs.statSync(targetPath).size, ledger };
	} catch (error) {
		removeDatabaseFiles(targetPath);
		if (error instanceof BackupError) {
			throw new BackupError(`${error.message} The copy was deleted.`, { cause: error });
		}
		throw error;
	}
}

function checkIntegrity(sqlite: Database.Database, filePath: string): void {
	let rows: { integrity_check: string }[];
	try {
		// At most 10 problems, which is enough to say why the file is bad.
		rows = sqlite.pragma('integrity_check(10)') as { integrity_check: string }[];
	} catch (error) {
		throw new BackupError(`${filePath} is not a valid SQLite database: ${messageOf(error)}.`, {
			cause: error
		});
	}

	const problems = rows.map((row) => row.integrity_check);
	if (problems.length !== 1 || problems[0] !== 'ok') {
		throw new BackupError(`${filePath} failed integrity_check: ${problems.join('; ')}.`);
	}
}

function checkForeignKeys(sqlite: Database.Database, filePath: string): void {
	const violations = sqlite.pragma('foreign_key_check') as {
		table: string;
		rowid: number | null;
		parent: string;
	}[];
	if (violations.length === 0) return;

	const first = violations[0]!;
	const rows = violations.length === 1 ? '1 row references' : `${violations.length} rows reference`;
	throw new BackupError(
		`${filePath} failed foreign_key_check: ${rows} missing rows, ` +
			`the first in ${first.table} (rowid ${String(first.rowid)}) pointing to ${first.parent}.`
	);
}

/** Money columns are the integer columns named `*_cents`, which the schema uses for all money. */
function sumMoneyColumns(sqlite: Database.Database): Record<string, bigint> {
	const columns = (sqlite.pragma('table_info(transactions)') as { name: string }[])
		.map((column) => column.name)
		.filter((name) => name.endsWith('_cents'));
	if (columns.length === 0) return {};

	const selections = columns.map(
		(name) => `coalesce(sum(${quoteIdentifier(name)}), 0) AS ${quoteIdentifier(name)}`
	);
	const row = sqlite
		.prepare(`SELECT ${selections.join(', ')} FROM transactions`)
		.safeIntegers(true)
		.get() as Record<string, bigint>;
	return { ...row };
}

/** Checkpoints the WAL into the main file and removes it. Returns the error text on failure. */
function foldWal(databasePath: string): string | undefined {
	try {
		const sqlite = new Database(databasePath, { fileMustExist: true });
		try {
			sqlite.pragma('wal_checkpoint(TRUNCATE)');
			sqlite.pragma('journal_mode = DELETE');
		} finally {
			sqlite.close();
		}
		return undefined;
	} catch (error) {
		return messageOf(error);
	}
}

/** Flushes a folder's entries to disk, so that renames in it survive a power cut. */
function syncFolder(folder: string): void {
	const descriptor = fs.openSync(folder, 'r');
	try {
		fs.fsyncSync(descriptor);
	} finally {
		fs.closeSync(descriptor);
	}
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
