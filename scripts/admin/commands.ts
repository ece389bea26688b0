import fs from 'node:fs';
import path from 'node:path';
import type { ParseArgsConfig } from 'node:util';

import Database from 'better-sqlite3';

import { BUSY_TIMEOUT_MS, type Db } from '../../src/lib/server/db';
import { acquireAppLock, AppLockHeldError, type AppLock } from '../../src/lib/server/db/app-lock';
import {
	APP_TABLES,
	BackupError,
	backupDatabase,
	defaultBackupPath,
	MIGRATIONS_TABLE,
	replaceDatabase,
	verifyDatabaseFile,
	type BackupResult,
	type LedgerMeasure,
	type MovedDatabase,
	type ReplaceResult
} from '../../src/lib/server/db/backup';
import {
	findPendingMigrations,
	lastAppliedMigrationTime,
	readJournal,
	type JournalEntry
} from '../../src/lib/server/db/safe-migrate';
import { readEnv } from '../../src/lib/server/env';
import {
	assertEmailAvailable,
	createUser,
	disableUser,
	enableUser,
	listUsers,
	parseUserRole,
	requireUserByEmail,
	revokeUserSessions,
	setPassword,
	setUserRole,
	validateUserFields,
	type UserSummary
} from '../../src/lib/server/users';
import { readNewPassword } from './password-input';
import { resetTwoFactorCommand } from './reset-two-factor';
import { CommandError, UsageError } from './usage';

/** Option values as node:util parseArgs returns them for string and boolean options. */
export type OptionValues = Record<string, string | boolean | undefined>;

export interface CommandContext {
	options: OptionValues;
	/** Positional arguments, already checked against the command's `positionals`. */
	positionals: string[];
	/** Opens the database on first call. Commands validate their options before calling it. */
	database(): Db;
}

export interface Command {
	options: NonNullable<ParseArgsConfig['options']>;
	/** Names of the positional arguments in help style, such as `FILE`. None when absent. */
	positionals?: { names: string[]; required: number };
	run(context: CommandContext): Promise<void> | void;
}

const emailOption = { email: { type: 'string' } } as const;
const passwordStdinOption = { 'password-stdin': { type: 'boolean' } } as const;

/** The commands of `pnpm admin`, by name. `help` is handled before dispatch. */
export const COMMANDS: Record<string, Command> = {
	'add-user': {
		options: {
			...emailOption,
			name: { type: 'string' },
			role: { type: 'string' },
			...passwordStdinOption
		},
		run: addUser
	},
	'list-users': { options: {}, run: printUserList },
	'set-password': { options: { ...emailOption, ...passwordStdinOption }, run: changePassword },
	'set-role': { options: { ...emailOption, role: { type: 'string' } }, run: setRoleCommand },
	'disable-user': { options: emailOption, run: disableUserCommand },
	'enable-user': { options: emailOption, run: enableUserCommand },
	'revoke-sessions': { options: emailOption, run: revokeSessionsCommand },
	'reset-2fa': { options: emailOption, run: resetTwoFactorCommand },
	backup: { options: {}, positionals: { names: ['FILE'], required: 0 }, run: backupCommand },
	restore: { options: {}, positionals: { names: ['FILE'], required: 1 }, run: restoreCommand }
};

async function addUser({ options, database }: CommandContext): Promise<void> {
	const fields = validateUserFields({
		email: requireOption(options, 'email'),
		name: requireOption(options, 'name'),
		role: optionalString(options, 'role') ?? 'staff'
	});
	const db = database();

	// Checked before the prompt so the operator does not type a password for nothing.
	// createUser checks again inside its transaction.
	assertEmailAvailable(db, fields.email);

	const password = await readNewPassword(options['password-stdin'] === true);
	const user = await createUser(db, { ...fields, password });
	console.log(`Created ${user.role} user ${user.email} (id ${user.id}).`);
}

function printUserList({ database }: CommandContext): void {
	const users = listUsers(database());
	if (users.length === 0) {
		console.log('No users yet. Create the first administrator with:');
		console.log('  pnpm admin add-user --email you@example.com --name "Your Name" --role admin');
		return;
	}

	const header = ['ID', 'EMAIL', 'NAME', 'ROLE', 'STATUS', '2FA', 'CREATED (UTC)'];
	console.log(formatTable(header, users.map(toTableRow)));
}

async function changePassword({ options, database }: CommandContext): Promise<void> {
	const email = requireOption(options, 'email');
	const db = database();

	// Checked before the prompt, like the email of add-user.
	requireUserByEmail(db, email);

	const password = await readNewPassword(options['password-stdin'] === true);
	const { user, sessionsEnded } = await setPassword(db, email, password);
	console.log(
		`Changed the password of ${user.email} (id ${user.id}) and ended ${countSessions(sessionsEnded)}.`
	);
}

function setRoleCommand({ options, database }: CommandContext): void {
	const email = requireOption(options, 'email');
	const role = parseUserRole(requireOption(options, 'role'));

	const { user, previousRole, sessionsEnded, unchanged } = setUserRole(database(), email, role);
	if (unchanged) {
		console.log(
			`User ${user.email} (id ${user.id}) already has the role ${user.role}, so nothing changed.`
		);
	} else {
		console.log(
			`Changed the role of ${user.email} (id ${user.id}) from ${previousRole} to ${user.role} ` +
				`and ended ${countSessions(sessionsEnded)}.`
		);
	}
}

function disableUserCommand({ options, database }: CommandContext): void {
	const email = requireOption(options, 'email');

	const { user, sessionsEnded, alreadyDisabled } = disableUser(database(), email);
	const ended = countSessions(sessionsEnded);
	if (alreadyDisabled) {
		console.log(`User ${user.email} (id ${user.id}) was already disabled. Ended ${ended}.`);
	} else {
		console.log(`Disabled user ${user.email} (id ${user.id}) and ended ${ended}.`);
	}
}

function enableUserCommand({ options, database }: CommandContext): void {
	const email = requireOption(options, 'email');

	const { user, alreadyEnabled } = enableUser(database(), email);
	if (alreadyEnabled) {
		console.log(`User ${user.email} (id ${user.id}) is already enabled, so nothing changed.`);
	} else {
		console.log(`Enabled user ${user.email} (id ${user.id}).`);
	}
}

function revokeSessionsCommand({ options, database }: CommandContext): void {
	const email = requireOption(options, 'email');

	const { user, sessionsEnded } = revokeUserSessions(database(), email);
	console.log(`Ended ${countSessions(sessionsEnded)} of ${user.email} (id ${user.id}).`);
}

async function backupCommand({ positionals }: CommandContext): Promise<void> {
	const { DATABASE_PATH: databasePath } = readEnv();
	if (!fs.existsSync(databasePath)) {
		throw new CommandError(
			`No database at ${databasePath}. Set DATABASE_PATH to the database file of the app.`
		);
	}

	const file = positionals[0];
	const targetPath = file === undefined ? defaultBackupPath(databasePath) : path.resolve(file);
	let source: Database.Database | undefined;
	let result: BackupResult;
	try {
		// A plain connection, not openDatabase: the backup only reads, so it must not migrate
		// or change the journal mode of a database the app is using.
		source = new Database(databasePath, { fileMustExist: true });
		source.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
		result = await backupDatabase(source, targetPath);
	} catch (error) {
		throw toCommandError(error, `Backup of ${databasePath} failed`);
	} finally {
		source?.close();
	}

	console.log(`Backed up ${databasePath} to ${result.path} (${formatSize(result.bytes)}).`);
	console.log('Checked the copy: integrity_check ok, foreign_key_check found no violations.');
	printLedger(result.ledger);
}

// Backup only reads, so it writes no audit row. Restore writes none either: the restored file
// must match the checked backup row for row (its counts and sums are printed and compared), and
// a backup from before the audit trail has no audit_log table. The replaced database is kept
// in the backups folder, with its trail up to the restore.
async function restoreCommand({ positionals }: CommandContext): Promise<void> {
	const { DATABASE_PATH: databasePath, MIGRATIONS_DIR: migrationsDir } = readEnv();
	const sourcePath = path.resolve(positionals[0] ?? '');
	if (!fs.existsSync(sourcePath)) {
		throw new CommandError(`Backup file ${sourcePath} not found.`);
	}
	if (sourcePath === databasePath) {
		throw new CommandError(`${sourcePath} is the database itself. Give the backup file.`);
	}

	checkBackupFile(sourcePath);
	const pending = checkMigrationsKnown(sourcePath, migrationsDir);
	const lock = takeRestoreLock(databasePath);

	let result: ReplaceResult;
	try {
		result = await replaceDatabase(sourcePath, databasePath);
	} catch (error) {
		throw toCommandError(error, `Restore of ${sourcePath} failed`);
	} finally {
		lock.release();
	}

	console.log(`Checked ${sourcePath}: integrity_check ok, foreign_key_check found no violations.`);
	printReplaced(databasePath, result.replaced);
	console.log(`Restored ${sourcePath} to ${databasePath} (${formatSize(result.restored.bytes)}).`);
	printLedger(result.restored.ledger);
	if (pending.length > 0) {
		const migrations = pending.length === 1 ? 'migration' : 'migrations';
		console.log(
			`The app applies ${pending.length} pending ${migrations} (${pending.join(', ')}) at ` +
				'its next start, after writing a pre-migration backup.'
		);
	}
}

/** Checks a file to restore: integrity, foreign keys and the tables of this app. */
function checkBackupFile(filePath: string): void {
	let ledger: LedgerMeasure;
	try {
		ledger = verifyDatabaseFile(filePath);
	} catch (error) {
		throw toCommandError(error, `Could not check ${filePath}`);
	}

	const missing = APP_TABLES.filter((table) => ledger.rowCounts[table] === undefined);
	if (missing.length > 0) {
		throw new CommandError(
			`${filePath} is not a Case Ledger database: tables ${missing.join(', ')} are missing.`
		);
	}
}

/**
 * Rejects a file with a migration newer than the newest in `migrationsDir`, and returns the
 * tags of the migrations that the app would apply to it.
 */
function checkMigrationsKnown(filePath: string, migrationsDir: string): string[] {
	const sqlite = new Database(filePath, { readonly: true, fileMustExist: true });
	try {
		const lastApplied = lastAppliedMigrationTime(sqlite);
		if (lastApplied === undefined) {
			throw new CommandError(
				`${filePath} is not a Case Ledger database: it has no ${MIGRATIONS_TABLE} rows.`
			);
		}

		const newestKnown = Math.max(...readKnownMigrations(migrationsDir).map((entry) => entry.when));
		if (lastApplied > newestKnown) {
			throw new CommandError(
				`${filePath} has migrations newer than the newest one of this app version ` +
					`(${new Date(lastApplied).toISOString()} after ${new Date(newestKnown).toISOString()}). ` +
					'Restore it with the version of the app that wrote it.'
			);
		}
		return findPendingMigrations(sqlite, migrationsDir).map((entry) => entry.tag);
	} finally {
		sqlite.close();
	}
}

function readKnownMigrations(migrationsDir: string): JournalEntry[] {
	try {
		return readJournal(migrationsDir);
	} catch (error) {
		throw new CommandError(error instanceof Error ? error.message : String(error));
	}
}

function takeRestoreLock(databasePath: string): AppLock {
	try {
		return acquireAppLock(databasePath, 'restore');
	} catch (error) {
		if (!(error instanceof AppLockHeldError)) throw error;

		const { pid, holder } = error.owner;
		if (holder === 'restore') {
			throw new CommandError(`Another restore (PID ${pid}) is replacing this database.`);
		}
		throw new CommandError(
			`The app is running with this database (PID ${pid}); stop it first. Nothing was changed.`
		);
	}
}

function printReplaced(databasePath: string, replaced: MovedDatabase | undefined): void {
	if (!replaced) {
		console.log(`No database existed at ${databasePath}, so none was moved aside.`);
		return;
	}

	console.log(`Moved the previous database to ${replaced.path}.`);
	if (replaced.checkpointError !== undefined) {
		console.log(
			`Its WAL could not be checkpointed (${replaced.checkpointError}), so its -wal and ` +
				'-shm files were moved beside it.'
		);
	}
}

/** Prints the row counts and the transactions sums, one line each. */
function printLedger(ledger: LedgerMeasure): void {
	const counts = Object.entries(ledger.rowCounts).map(([table, rows]) => `${table} ${rows}`);
	console.log(`Rows: ${counts.join(', ')}.`);

	const sums = Object.entries(ledger.transactionSums).map(([column, sum]) => `${column} ${sum}`);
	if (sums.length > 0) console.log(`Transactions sums in cents: ${sums.join(', ')}.`);
}

function formatSize(bytes: number): string {
	const kibibytes = bytes / 1024;
	if (kibibytes < 1024) return `${bytes} bytes, ${kibibytes.toFixed(1)} KiB`;
	return `${bytes} bytes, ${(kibibytes / 1024).toFixed(1)} MiB`;
}

/**
 * Turns the expected failures of backup and restore into a one-line CommandError. Other
 * errors (bugs) pass through, so the CLI prints their stack.
 */
function toCommandError(error: unknown, context: string): unknown {
	if (error instanceof CommandError) return error;
	if (error instanceof BackupError) return new CommandError(error.message);
	if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
		// SqliteError and Node's file system errors, such as SQLITE_FULL or EACCES.
		return new CommandError(`${context}: ${error.message}`);
	}
	return error;
}

function requireOption(options: OptionValues, name: string): string {
	const value = optionalString(options, name);
	if (value === undefined) {
		throw new UsageError(`Missing required option --${name}.`);
	}
	return value;
}

function optionalString(options: OptionValues, name: string): string | undefined {
	const value = options[name];
	return typeof value === 'string' ? value : undefined;
}

function countSessions(count: number): string {
	return count === 1 ? '1 session' : `${count} sessions`;
}

function toTableRow(user: UserSummary): string[] {
	return [
		String(user.id),
		user.email,
		user.name,
		user.role,
		user.disabledAt === null ? 'active' : 'disabled',
		user.totpEnabledAt === null ? 'off' : 'on',
		// Drops the milliseconds of the stored ISO timestamp: 2026-12-04T16:37:25Z.
		user.createdAt.replace(/\.\d+Z$/u, 'Z')
	];
}

/** Lays out rows in columns padded to the widest cell, counting code points. */
function formatTable(header: string[], rows: string[][]): string {
	const widths = header.map((title, column) =>
		Math.max(codePointLength(title), ...rows.map((row) => codePointLength(row[column] ?? '')))
	);
	const formatRow = (cells: string[]): string =>
		cells
			.map((cell, column) => cell + ' '.repeat((widths[column] ?? 0) - codePointLength(cell)))
			.join('  ')
			.trimEnd();

	return [header, ...rows].map(formatRow).join('\n');
}

function codePointLength(text: string): number {
	return [...text].length;
}
