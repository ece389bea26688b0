import fs from 'node:fs';
import path from 'node:path';

/** The program that holds a lock: the app while it serves, `restore` while it replaces the file. */
export type LockHolder = 'app' | 'restore';

/** The contents of a lock file, as JSON. */
export interface LockOwner {
	pid: number;
	/** ISO 8601 UTC time the holder took the lock. */
	startedAt: string;
	holder: LockHolder;
}

export interface AppLock {
	readonly path: string;
	readonly owner: LockOwner;
	/** Deletes the lock file if it still belongs to this lock. Safe to call more than once. */
	release(): void;
}

/** A lock held by another live process. */
export class AppLockHeldError extends Error {
	readonly lockPath: string;
	readonly owner: LockOwner;

	constructor(lockPath: string, owner: LockOwner) {
		super(
			`The database is in use by ${describeOwner(owner)}, according to the lock file ` +
				`${lockPath}. Stop that process first. If PID ${owner.pid} is not Case Ledger, ` +
				'delete the lock file.'
		);
		this.name = 'AppLockHeldError';
		this.lockPath = lockPath;
		this.owner = owner;
	}
}

/** Returns the lock file of a database: `<databasePath>.lock`. */
export function lockPathFor(databasePath: string): string {
	return `${resolveLinks(databasePath)}.lock`;
}

// Two paths to one file (a symlink, a relative path) must find the same lock.
function resolveLinks(filePath: string): string {
	try {
		return fs.realpathSync(filePath);
	} catch {
		const folder = path.dirname(filePath);
		try {
			return path.join(fs.realpathSync(folder), path.basename(filePath));
		} catch {
			return path.resolve(filePath);
		}
	}
}

/**
 * Takes the lock of `databasePath` by creating its lock file with this process's PID.
 * A lock whose process is gone (or is this process, as after a restart that reused the PID)
 * is stale and taken over. Throws AppLockHeldError when another live process holds it.
 *
 * NOTE: liveness is checked by PID with `process.kill(pid, 0)`, which is only meaningful
 * inside one PID namespace: a container and the host, or two containers, do not see each
 * other's processes.
 */
export function acquireAppLock(databasePath: string, holder: LockHolder): AppLock {
	const lockPath = lockPathFor(databasePath);
	const owner: LockOwner = { pid: process.pid, startedAt: new Date().toISOString(), holder };
	fs.mkdirSync(path.dirname(lockPath), { recursive: true });

	// Two attempts: the second follows the removal of a stale lock. Two processes that remove
	// the same stale lock at once may both succeed, a window of microseconds at start.
	for (let attempt = 0; attempt < 2; attempt++) {
		if (createLockFile(lockPath, owner)) return makeLock(lockPath, owner);

		const current = readLockOwner(lockPath);
		if (current && current.pid !== process.pid && isProcessAlive(current.pid)) {
			throw new AppLockHeldError(lockPath, current);
		}
		fs.rmSync(lockPath, { force: true });
	}
	throw new Error(`Could not create the lock file ${lockPath}: another process keeps creating it.`);
}

/** Returns the parsed lock file, or undefined when it is missing or not a valid lock. */
export function readLockOwner(lockPath: string): LockOwner | undefined {
	let text: string;
	try {
		text = fs.readFileSync(lockPath, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw error;
	}

	try {
		const parsed = JSON.parse(text) as Partial<LockOwner>;
		if (!Number.isSafeInteger(parsed.pid) || (parsed.pid ?? 0) <= 0) return undefined;
		return {
			pid: parsed.pid as number,
			startedAt: String(parsed.startedAt),
			holder: parsed.holder === 'restore' ? 'restore' : 'app'
		};
	} catch {
		return undefined;
	}
}

/** True unless signal 0 to `pid` fails with ESRCH. EPERM means it exists as another user. */
export function isProcessAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code !== 'ESRCH';
	}
}

function describeOwner(owner: LockOwner): string {
	const program = owner.holder === 'restore' ? 'a restore' : 'the app';
	return `${program} (PID ${owner.pid}, started ${owner.startedAt})`;
}

/**
 * Creates the lock file with its contents in one step: the contents go to a temporary file
 * that is then hard-linked to the lock path, which fails with EEXIST when the lock exists.
 * So no reader sees an empty lock file. Returns false when the lock file exists.
 */
function createLockFile(lockPath: string, owner: LockOwner): boolean {
	const temporaryPath = `${lockPath}.${process.pid}.tmp`;
	fs.writeFileSync(temporaryPath, `${JSON.stringify(owner)}\n`);
	try {
		fs.linkSync(temporaryPath, lockPath);
		return true;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
		throw error;
	} finally {
		fs.rmSync(temporaryPath, { force: true });
	}
}

function makeLock(lockPath: string, owner: LockOwner): AppLock {
	return {
		path: lockPath,
		owner,
		release() {
			const current = readLockOwner(lockPath);
			if (current?.pid !== owner.pid || current.startedAt !== owner.startedAt) return;
			fs.rmSync(lockPath, { force: true });
		}
	};
}
