import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Database from 'better-sqlite3';
import type { TestContext } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const PASSWORD = 'correct horse battery';
const CHILD_TIMEOUT_MS = 20_000;

export interface RunResult {
	status: number | null;
	stdout: string;
	stderr: string;
}

export interface UserRow {
	id: number;
	email: string;
	name: string;
	password_hash: string;
	role: string;
	disabled_at: string | null;
	created_at: string;
}

interface StoredAuditRow {
	actor_id: number | null;
	source: string;
	action: string;
	entity: string;
	entity_id: string | null;
	changes: string | null;
	details: string | null;
}

/** An audit_log row with its JSON columns parsed. */
export interface AuditRow {
	actorId: number | null;
	source: string;
	action: string;
	entity: string;
	entityId: string | null;
	changes: Record<string, [unknown, unknown]> | null;
	details: Record<string, unknown> | null;
}

/**
 * A temporary DATABASE_PATH for one test, removed when the test finishes. Each test gets its
 * own, so the tests of this file can run concurrently, which matters because every child
 * process starts tsx first.
 */
export class Sandbox {
	readonly databasePath: string;
	private readonly directory: string;

	constructor(onTestFinished: TestContext['onTestFinished']) {
		this.directory = fs.mkdtempSync(path.join(os.tmpdir(), 'case-ledger-admin-'));
		this.databasePath = path.join(this.directory, 'ledger.db');
		onTestFinished(() => fs.rmSync(this.directory, { recursive: true, force: true }));
	}

	/** Runs scripts/admin.ts in a child process with `stdin` piped in (empty by default). */
	admin(args: string[], stdin = ''): Promise<RunResult> {
		return this.spawn(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...args], stdin);
	}

	/** Runs `command` through the shell, as an operator types it. */
	shell(command: string, stdin: string): Promise<RunResult> {
		return this.spawn(command, [], stdin, true);
	}

	addUser(email: string, name: string, extraArgs: string[] = []): Promise<RunResult> {
		return this.admin(
			['add-user', '--email', email, '--name', name, ...extraArgs, '--password-stdin'],
			`${PASSWORD}\n`
		);
	}

	databaseExists(): boolean {
		return fs.existsSync(this.databasePath);
	}

	/** Returns all user rows, or an empty list when no command has created the database yet. */
	readUsers(): UserRow[] {
		if (!this.databaseExists()) return [];
		return this.query((db) => db.prepare('SELECT * FROM users ORDER BY id').all() as UserRow[]);
	}

	readUser(email: string): UserRow | undefined {
		return this.readUsers().find((user) => user.email === email);
	}

	insertSessions(userId: number, sessionIds: string[]): void {
		this.query((db) => {
			const insert = db.prepare(
				'INSERT INTO sessions (id, secret_hash, user_id, created_at, expires_at) ' +
					'VALUES (?, ?, ?, ?, ?)'
			);
			for (const id of sessionIds) {
				insert.run(id, Buffer.alloc(32), userId, Date.now(), Date.now() + 86_400_000);
			}
		});
	}

	countSessions(userId: number): number {
		return this.query((db) => {
			const row = db.prepare('SELECT count(*) AS n FROM sessions WHERE user_id = ?').get(userId);
			return (row as { n: number }).n;
		});
	}

	/** Returns every audit row, oldest first, with its JSON columns parsed. */
	readAudit(): AuditRow[] {
		if (!this.databaseExists()) return [];
		const rows = this.query(
			(db) => db.prepare('SELECT * FROM audit_log ORDER BY id').all() as StoredAuditRow[]
		);
		return rows.map((row) => ({
			actorId: row.actor_id,
			source: row.source,
			action: row.action,
			entity: row.entity,
			entityId: row.entity_id,
			changes: row.changes === null ? null : JSON.parse(row.changes),
			details: row.details === null ? null : JSON.parse(row.details)
		}));
	}

	private query<T>(work: (db: Database.Database) => T): T {
		const db = new Database(this.databasePath);
		try {
			return work(db);
		} finally {
			db.close();
		}
	}

	private spawn(command: string, args: string[], stdin: string, shell = false): Promise<RunResult> {
		const env = {
			...process.env,
			DATABASE_PATH: this.databasePath,
			MIGRATIONS_DIR: path.join(REPO_ROOT, 'drizzle')
		};
		const child = spawn(command, args, { cwd: REPO_ROOT, env, shell, timeout: CHILD_TIMEOUT_MS });
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
		child.stdin.end(stdin);

		return new Promise((resolve, reject) => {
			child.on('error', reject);
			child.on('close', (status) => resolve({ status, stdout, stderr }));
		});
	}
}
