import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PASSWORD = 'correct horse battery';
const ENABLED_AT = '2026-03-01T12:00:00.000Z';
const CHILD_TIMEOUT_MS = 20_000;

let folder: string;
let databasePath: string;

beforeEach(() => {
	folder = fs.mkdtempSync(path.join(os.tmpdir(), 'case-ledger-reset-2fa-'));
	databasePath = path.join(folder, 'ledger.db');
});

afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

/** Runs scripts/admin.ts in a child process and returns its exit status and output. */
function admin(
	args: string[],
	stdin = ''
): Promise<{ status: number | null; stdout: string; stderr: string }> {
	const env = {
		...process.env,
		DATABASE_PATH: databasePath,
		MIGRATIONS_DIR: path.join(REPO_ROOT, 'drizzle')
	};
	const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...args], {
		cwd: REPO_ROOT,
		env,
		timeout: CHILD_TIMEOUT_MS
	});
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
	child.stdin.end(stdin);
	return new Promise((resolve) =>
		child.on('close', (status) => resolve({ status, stdout, stderr }))
	);
}

function query<T>(work: (db: Database.Database) => T): T {
	const db = new Database(databasePath);
	try {
		return work(db);
	} finally {
		db.close();
	}
}

async function addUserWithTwoFactor(email: string): Promise<void> {
	const added = await admin(
		['add-user', '--email', email, '--name', 'Ana', '--password-stdin'],
		`${PASSWORD}\n`
	);
	expect(added.status).toBe(0);
	query((db) => {
		const { id } = db.prepare('SELECT id FROM users WHERE email = ?').get(email) as { id: number };
		db.prepare(
			'UPDATE users SET totp_key = ?, totp_enabled_at = ?, totp_last_step = 5 WHERE id = ?'
		).run(Buffer.alloc(20, 7), ENABLED_AT, id);
		const insertCode = db.prepare('INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)');
		for (let n = 0; n < 3; n++) insertCode.run(id, Buffer.alloc(32, n));
		const insertSession = db.prepare(
			'INSERT INTO sessions (id, secret_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'
		);
		for (const sessionId of ['laptop', 'phone']) {
			insertSession.run(sessionId, Buffer.alloc(32), id, Date.now(), Date.now() + 86_400_000);
		}
	});
}

describe('admin reset-2fa', () => {
	it('clears two-factor and prints changes', async () => {
		await addUserWithTwoFactor('ana@example.com');

		const result = await admin(['reset-2fa', '--email', 'ANA@example.com']);

		expect(result.stderr).toBe('');
		expect(result.status).toBe(0);
		expect(result.stdout).toBe(
			`Reset two-factor sign-in of ana@example.com (id 1): turned off two-factor sign-in (on since ${ENABLED_AT}), ` +
				'deleted the TOTP key, deleted 3 recovery codes and ended 2 sessions. They sign in with ' +
				'their password alone and can set up two-factor sign-in again on the account page.\n'
		);
		const user = query((db) => db.prepare('SELECT * FROM users WHERE id = 1').get()) as Record<
			string,
			unknown
		>;
		expect(user.totp_key).toBeNull();
		expect(user.totp_enabled_at).toBeNull();
		expect(user.totp_last_step).toBeNull();
		expect(query((db) => db.prepare('SELECT count(*) AS n FROM recovery_codes').get())).toEqual({
			n: 0
		});
		expect(query((db) => db.prepare('SELECT count(*) AS n FROM sessions').get())).toEqual({ n: 0 });
	});

	it('writes cli audit row without key', async () => {
		await addUserWithTwoFactor('ana@example.com');

		await admin(['reset-2fa', '--email', 'ana@example.com']);

		const rows = query((db) =>
			db.prepare("SELECT * FROM audit_log WHERE action = 'two_factor_reset'").all()
		) as Record<string, string | null>[];
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({
			actor_id: null,
			source: 'cli',
			entity: 'user',
			entity_id: '1'
		});
		expect(JSON.parse(rows[0]!.changes!)).toEqual({ totpEnabledAt: [ENABLED_AT, null] });
		expect(JSON.parse(rows[0]!.details!)).toEqual({
			osUser: os.userInfo().username,
			keyCleared: true,
			recoveryCodesDeleted: 3,
			sessionsEnded: 2
		});
		expect(rows[0]!.details).not.toContain(Buffer.alloc(20, 7).toString('hex'));
	});

	it('reports user already without two-factor', async () => {
		const added = await admin(
			['add-user', '--email', 'bea@example.com', '--name', 'Bea', '--password-stdin'],
			`${PASSWORD}\n`
		);
		expect(added.status).toBe(0);

		const result = await admin(['reset-2fa', '--email', 'bea@example.com']);

		expect(result.status).toBe(0);
		expect(result.stdout).toContain('two-factor sign-in was already off, no TOTP key was stored');
	});

	it('fails on unknown email', async () => {
		await addUserWithTwoFactor('ana@example.com');

		const result = await admin(['reset-2fa', '--email', 'nobody@example.com']);

		expect(result.status).toBe(1);
		expect(result.stdout).toBe('');
		expect(result.stderr).toBe('Error: No user has the email nobody@example.com.\n');
		const user = query((db) => db.prepare('SELECT totp_enabled_at FROM users WHERE id = 1').get());
		expect(user).toEqual({ totp_enabled_at: ENABLED_AT });
	});

	it('requires --email', async () => {
		const result = await admin(['reset-2fa']);

		expect(result.status).toBe(2);
		expect(result.stderr).toContain('Error: Missing required option --email.');
	});

	it('shows two-factor state in list-users', async () => {
		await addUserWithTwoFactor('ana@example.com');

		const before = await admin(['list-users']);
		await admin(['reset-2fa', '--email', 'ana@example.com']);
		const after = await admin(['list-users']);

		expect(before.stdout).toMatch(/ana@example\.com\s+Ana\s+staff\s+active\s+on\s/u);
		expect(after.stdout).toMatch(/ana@example\.com\s+Ana\s+staff\s+active\s+off\s/u);
	});
});
