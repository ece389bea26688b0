import os from 'node:os';

import { describe, it } from 'vitest';

import { PASSWORD, Sandbox } from './admin-sandbox';

const OTHER_PASSWORD = 'another long passphrase';
// The child process runs as the same OS user as this test.
const CLI_DETAILS = { osUser: os.userInfo().username };
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/u;

describe.concurrent('admin audit rows', () => {
	it('add-user records created fields', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);

		expect((await sandbox.addUser('ana@example.com', 'Ana', ['--role', 'admin'])).status).toBe(0);

		expect(sandbox.readAudit()).toEqual([
			{
				actorId: null,
				source: 'cli',
				action: 'create',
				entity: 'user',
				entityId: '1',
				changes: {
					email: [null, 'ana@example.com'],
					name: [null, 'Ana'],
					role: [null, 'admin']
				},
				details: CLI_DETAILS
			}
		]);
	});

	it('set-password records no secret', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		expect((await sandbox.addUser('ana@example.com', 'Ana')).status).toBe(0);
		sandbox.insertSessions(1, ['ana-laptop', 'ana-phone']);

		const result = await sandbox.admin(
			['set-password', '--email', 'ana@example.com', '--password-stdin'],
			`${OTHER_PASSWORD}\n`
		);

		expect(result.status).toBe(0);
		const rows = sandbox.readAudit();
		expect(rows.map((row) => row.action)).toEqual(['create', 'password_set']);
		expect(rows[1]).toEqual({
			actorId: null,
			source: 'cli',
			action: 'password_set',
			entity: 'user',
			entityId: '1',
			changes: null,
			details: { ...CLI_DETAILS, sessionsEnded: 2 }
		});
		const stored = JSON.stringify(rows);
		const hash = sandbox.readUser('ana@example.com')?.password_hash ?? '';
		expect(stored).not.toContain(OTHER_PASSWORD);
		expect(stored).not.toContain(PASSWORD);
		expect(stored).not.toContain(hash);
	});

	it('set-role records old and new role', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		expect((await sandbox.addUser('ana@example.com', 'Ana')).status).toBe(0);
		sandbox.insertSessions(1, ['ana-laptop']);

		const changed = await sandbox.admin([
			'set-role',
			'--email',
			'ana@example.com',
			'--role',
			'viewer'
		]);
		const repeated = await sandbox.admin([
			'set-role',
			'--email',
			'ana@example.com',
			'--role',
			'viewer'
		]);

		expect(changed.status).toBe(0);
		expect(repeated.status).toBe(0);
		const rows = sandbox.readAudit();
		// The repeated command changed nothing, so it left no row.
		expect(rows.map((row) => row.action)).toEqual(['create', 'role_set']);
		expect(rows[1]?.entityId).toBe('1');
		expect(rows[1]?.changes).toEqual({ role: ['staff', 'viewer'] });
		expect(rows[1]?.details).toEqual({ ...CLI_DETAILS, sessionsEnded: 1 });
	});

	it('disable and enable record timestamp', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		expect((await sandbox.addUser('ana@example.com', 'Ana')).status).toBe(0);
		sandbox.insertSessions(1, ['ana-laptop', 'ana-phone']);

		expect((await sandbox.admin(['disable-user', '--email', 'ana@example.com'])).status).toBe(0);
		const disabledAt = sandbox.readUser('ana@example.com')?.disabled_at;
		expect((await sandbox.admin(['enable-user', '--email', 'ana@example.com'])).status).toBe(0);
		expect((await sandbox.admin(['enable-user', '--email', 'ana@example.com'])).status).toBe(0);

		expect(disabledAt).toMatch(TIMESTAMP);
		const [, disable, enable, ...others] = sandbox.readAudit();
		expect(others).toEqual([]);
		expect(disable?.action).toBe('disable');
		expect(disable?.changes).toEqual({ disabledAt: [null, disabledAt] });
		expect(disable?.details).toEqual({ ...CLI_DETAILS, sessionsEnded: 2 });
		expect(enable?.action).toBe('enable');
		expect(enable?.changes).toEqual({ disabledAt: [disabledAt, null] });
	});

	it('revoke-sessions records count ended', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		expect((await sandbox.addUser('ana@example.com', 'Ana')).status).toBe(0);
		sandbox.insertSessions(1, ['ana-laptop', 'ana-phone', 'ana-tablet']);

		const revoked = await sandbox.admin(['revoke-sessions', '--email', 'ana@example.com']);
		const empty = await sandbox.admin(['revoke-sessions', '--email', 'ana@example.com']);

		expect(revoked.stdout).toBe('Ended 3 sessions of ana@example.com (id 1).\n');
		expect(empty.stdout).toBe('Ended 0 sessions of ana@example.com (id 1).\n');
		const rows = sandbox.readAudit();
		// The second command found no session to end, so it left no row.
		expect(rows.map((row) => row.action)).toEqual(['create', 'sessions_revoked']);
		expect(rows[1]?.entityId).toBe('1');
		expect(rows[1]?.changes).toBeNull();
		expect(rows[1]?.details).toEqual({ ...CLI_DETAILS, sessionsEnded: 3 });
	});

	it('failed commands record nothing', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		expect((await sandbox.addUser('ana@example.com', 'Ana')).status).toBe(0);

		const duplicate = await sandbox.addUser('ANA@example.com', 'Ana Again');
		const unknown = await sandbox.admin(['disable-user', '--email', 'ghost@example.com']);
		const badRole = await sandbox.admin([
			'set-role',
			'--email',
			'ana@example.com',
			'--role',
			'boss'
		]);

		expect(duplicate.status).toBe(1);
		expect(unknown.status).toBe(1);
		expect(badRole.status).toBe(1);
		expect(sandbox.readAudit().map((row) => row.action)).toEqual(['create']);
	});
});
