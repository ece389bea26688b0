import Database from 'better-sqlite3';

/**
 * The message a client receives when a request failed because the database file cannot be
 * written. It is true because every write runs in one transaction that SQLite rolls back.
 * NOTE: tested for SQLITE_FULL, SQLITE_READONLY and SQLITE_IOERR_WRITE. After a failed fsync
 * (SQLITE_IOERR_FSYNC) the commit may already be complete in the WAL file, and SQLite may
 * replay it when the database is next opened.
 */
export const STORAGE_UNAVAILABLE_MESSAGE =
	'The database cannot be written right now (disk full or read-only storage). ' +
	'Nothing was saved. Try again later.';

/**
 * SQLite result codes that mean the storage under the database failed, rather than the query.
 * better-sqlite3 reports extended codes, so each entry also matches its extended forms, e.g.
 * `SQLITE_READONLY_DBMOVED`, `SQLITE_IOERR_WRITE` (which a volume that the kernel switched to
 * read-only returns) and `SQLITE_CANTOPEN_ISDIR`. SQLITE_BUSY is not one of them: it is lock
 * contention, which busy_timeout handles.
 */
const STORAGE_RESULT_CODES = ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN'];

/** Maximum number of `cause` links to follow. Wrappers such as TRPCError add one or two. */
const MAX_CAUSE_DEPTH = 5;

/**
 * Returns the SQLite result code (such as `SQLITE_FULL`) when `error`, or an error in its
 * `cause` chain, is a better-sqlite3 error about failing storage, and null otherwise.
 */
export function storageFailureCode(error: unknown): string | null {
	let current = error;

	for (let depth = 0; depth <= MAX_CAUSE_DEPTH && current instanceof Error; depth++) {
		if (current instanceof Database.SqliteError && isStorageResultCode(current.code)) {
			return current.code;
		}
		current = current.cause;
	}
	return null;
}

function isStorageResultCode(code: string): boolean {
	return STORAGE_RESULT_CODES.some((base) => code === base || code.startsWith(`${base}_`));
}
