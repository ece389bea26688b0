import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
	createSession,
	LAST_USED_WRITE_INTERVAL_MS,
	sessionIdOf,
	validateSessionToken
} from '$lib/server/auth/session';
import { openDatabase } from '$lib/server/db';
import { auditLog, sessions, users } from '$lib/server/db/schema';
import { readEnv } from '$lib/server/env';
import { describeUserAgent } from '$lib/server/trpc/sessions';
import { disableUser, setPassword, setUserRole } from '$lib/server/users';

import {
	callerFor,
	createTestDb,
	expectFailure,
	insertUser,
	MIGRATIONS_DIR,
	type TestDb
} from '../helpers/test-db';

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 11, 4, 12);
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const SAFARI_IPHONE =
	'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 ' +
	'(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';

let t: TestDb;
beforeEach(() => (t = createTestDb()));
afterEach(() => t.close());

/** Creates a session and returns its token and public id. */
function openSession(userId: number, now = Date.now(), userAgent: string | null = null) {
	const { token } = createSession(t.db, userId, now, { userAgent });
	return { token, id: sessionIdOf(token)! };
}

function sessionIdsOf(userId: number): string[] {
	return t.db
		.select({ id: sessions.id })
		.from(sessions)
		.where(eq(sessions.userId, userId))
		.all()
		.map((row) => row.id)
		.sort();
}

function rowOf(id: string) {
	return t.db.select().from(sessions).where(eq(sessions.id, id)).get();
}

describe('sessions.list', () => {
	it('lists own sessions, current first', async () => {
		const ana = insertUser(t.db);
		const bea = insertUser(t.db);
		const recent = openSession(ana.id, Date.now() - 60_000, FIREFOX_LINUX);
		const current = openSession(ana.id, Date.now() - 120_000, SAFARI_IPHONE);
		const oldest = openSession(ana.id, Date.now() - 180_000);
		openSession(bea.id);

		const items = await callerFor(t.db, ana, current.id).sessions.list();

		expect(items.map((item) => item.id)).toEqual([current.id, recent.id, oldest.id]);
		expect(items.map((item) => item.current)).toEqual([true, false, false]);
		expect(items[0]?.device).toEqual({ browser: 'Safari', os: 'iOS' });
		expect(items[1]?.device).toEqual({ browser: 'Firefox', os: 'Linux' });
	});

	it('returns times as ISO strings', async () => {
		const ana = insertUser(t.db);
		const createdAt = Date.now() - 3 * DAY_MS;
		const session = openSession(ana.id, createdAt);
		t.db
			.update(sessions)
			.set({ lastUsedAt: createdAt + DAY_MS })
			.where(eq(sessions.id, session.id))
			.run();

		const [item] = await callerFor(t.db, ana, session.id).sessions.list();

		expect(item?.createdAt).toBe(new Date(createdAt).toISOString());
		expect(item?.lastUsedAt).toBe(new Date(createdAt + DAY_MS).toISOString());
		expect(item?.expiresAt).toBe(new Date(createdAt + 30 * DAY_MS).toISOString());
		expect(item?.device).toEqual({ browser: null, os: null });
	});

	it('omits sessions past absolute lifetime', async () => {
		const ana = insertUser(t.db);
		const current = openSession(ana.id);
		const old = openSession(ana.id);
		// Renewed before SESSION_MAX_AGE_DAYS was lowered: the sliding expiry is still ahead.
		t.db
			.update(sessions)
			.set({ createdAt: Date.now() - 31 * DAY_MS, expiresAt: Date.now() + DAY_MS })
			.where(eq(sessions.id, old.id))
			.run();

		const items = await callerFor(t.db, ana, current.id).sessions.list();

		expect(items.map((item) => item.id)).toEqual([current.id]);
	});

	it('rejects signed-out caller', async () => {
		await expectFailure(t.db, () => callerFor(t.db, null).sessions.list(), 'UNAUTHORIZED');
	});
});

describe('sessions.revoke', () => {
	it('ends own other session', async () => {
		const ana = insertUser(t.db);
		const current = openSession(ana.id);
		const other = openSession(ana.id);

		const result = await callerFor(t.db, ana, current.id).sessions.revoke({ id: other.id });

		expect(result).toEqual({ current: false });
		expect(sessionIdsOf(ana.id)).toEqual([current.id]);
		expect(validateSessionToken(t.db, other.token)).toBeNull();
	});

	it('ends own current session', async () => {
		const ana = insertUser(t.db);
		const current = openSession(ana.id);
		const other = openSession(ana.id);

		const result = await callerFor(t.db, ana, current.id).sessions.revoke({ id: current.id });

		expect(result).toEqual({ current: true });
		expect(sessionIdsOf(ana.id)).toEqual([other.id]);
	});

	it.each([
		['another user', (beaSessionId: string) => beaSessionId],
		['unknown id', () => 'a'.repeat(32)],
		['malformed id', () => 'not a session id']
	])('hides %s as NOT_FOUND', async (_label, pickId) => {
		const ana = insertUser(t.db);
		const bea = insertUser(t.db);
		const current = openSession(ana.id);
		const beaSession = openSession(bea.id);
		const id = pickId(beaSession.id);

		const error = await expectFailure(
			t.db,
			() => callerFor(t.db, ana, current.id).sessions.revoke({ id }),
			'NOT_FOUND'
		);

		expect(error.message).toBe('No session of yours has this id. It may have ended already.');
		expect(sessionIdsOf(bea.id)).toEqual([beaSession.id]);
		expect(sessionIdsOf(ana.id)).toEqual([current.id]);
	});

	it('rejects empty id', async () => {
		const ana = insertUser(t.db);
		const current = openSession(ana.id);

		await expectFailure(
			t.db,
			() => callerFor(t.db, ana, current.id).sessions.revoke({ id: '' }),
			'BAD_REQUEST'
		);
	});
});

describe('session audit', () => {
	function auditRows() {
		return t.db.select().from(auditLog).all();
	}

	it('records revoke without session id', async () => {
		const ana = insertUser(t.db);
		const current = openSession(ana.id);
		const other = openSession(ana.id);

		await callerFor(t.db, ana, current.id).sessions.revoke({ id: other.id });

		const rows = auditRows();
		expect(rows).toMatchObject([
			{
				actorId: ana.id,
				source: 'app',
				action: 'session_revoked',
				entity: 'user',
				entityId: String(ana.id)
			}
		]);
		expect(JSON.parse(rows[0]!.details!)).toEqual({ requestId: 'test', current: false });
		expect(JSON.stringify(rows)).not.toContain(other.id);
	});

	it('records nothing for unknown id', async () => {
		const ana = insertUser(t.db);
		const current = openSession(ana.id);

		await expectFailure(
			t.db,
			() => callerFor(t.db, ana, current.id).sessions.revoke({ id: 'a'.repeat(32) }),
			'NOT_FOUND'
		);

		expect(auditRows()).toEqual([]);
	});

	it('records ending other sessions', async () => {
		const ana = insertUser(t.db);
		const current = openSession(ana.id);
		openSession(ana.id);
		openSession(ana.id);

		await callerFor(t.db, ana, current.id).sessions.revokeOthers();

		const rows = auditRows();
		expect(rows).toMatchObject([{ action: 'other_sessions_revoked', entityId: String(ana.id) }]);
		expect(JSON.parse(rows[0]!.details!)).toEqual({ requestId: 'test', sessionsEnded: 2 });
	});
});

describe('sessions.revokeOthers', () => {
	it('keeps only the current session', async () => {
		const ana = insertUser(t.db);
		const bea = insertUser(t.db);
		const current = openSession(ana.id);
		openSession(ana.id);
		openSession(ana.id);
		const beaSession = openSession(bea.id);

		const result = await callerFor(t.db, ana, current.id).sessions.revokeOthers();

		expect(result).toEqual({ sessionsEnded: 2 });
		expect(sessionIdsOf(ana.id)).toEqual([current.id]);
		expect(sessionIdsOf(bea.id)).toEqual([beaSession.id]);
		expect(validateSessionToken(t.db, current.token)?.user.id).toBe(ana.id);
	});

	it('ends none when alone', async () => {
		const ana = insertUser(t.db);
		const current = openSession(ana.id);

		const result = await callerFor(t.db, ana, current.id).sessions.revokeOthers();

		expect(result).toEqual({ sessionsEnded: 0 });
		expect(sessionIdsOf(ana.id)).toEqual([current.id]);
	});
});

describe('absolute session lifetime', () => {
	it('rejects 31-day-old session with future expiry', () => {
		const ana = insertUser(t.db);
		const session = openSession(ana.id, NOW - 31 * DAY_MS);
		t.db
			.update(sessions)
			.set({ expiresAt: NOW + 10 * DAY_MS })
			.where(eq(sessions.id, session.id))
			.run();

		expect(validateSessionToken(t.db, session.token, NOW)).toBeNull();
		expect(rowOf(session.id)).toBeUndefined();
	});

	it('accepts session one minute before cap', () => {
		const ana = insertUser(t.db);
		const session = openSession(ana.id, NOW - 30 * DAY_MS + 60_000);

		const result = validateSessionToken(t.db, session.token, NOW);

		expect(result?.user.id).toBe(ana.id);
		expect(result?.session.expiresAt).toBe(NOW + 60_000);
	});

	it.each([
		// [absolute lifetime in days, day of the request, renewed, expiry day afterwards]
		[30, 25, false, 30],
		[40, 20, true, 40],
		[90, 20, true, 50]
	])('renewal with %i-day cap on day %i', (lifetimeDays, requestDay, renewed, expiryDay) => {
		const ana = insertUser(t.db);
		const options = { absoluteLifetimeMs: lifetimeDays * DAY_MS };
		const { token } = createSession(t.db, ana.id, NOW, options);

		const result = validateSessionToken(t.db, token, NOW + requestDay * DAY_MS, options);

		expect(result?.session.renewed).toBe(renewed);
		expect(result?.session.expiresAt).toBe(NOW + expiryDay * DAY_MS);
		expect(t.db.select().from(sessions).get()?.expiresAt).toBe(NOW + expiryDay * DAY_MS);
	});

	it('ends renewed session at the cap', () => {
		const ana = insertUser(t.db);
		const options = { absoluteLifetimeMs: 40 * DAY_MS };
		const { token } = createSession(t.db, ana.id, NOW, options);
		validateSessionToken(t.db, token, NOW + 20 * DAY_MS, options);

		expect(validateSessionToken(t.db, token, NOW + 40 * DAY_MS - 1, options)).not.toBeNull();
		expect(validateSessionToken(t.db, token, NOW + 40 * DAY_MS, options)).toBeNull();
	});
});

describe('last use', () => {
	it('writes at most once a minute', () => {
		const ana = insertUser(t.db);
		const session = openSession(ana.id, NOW);
		const steps: [offsetMs: number, stored: number][] = [
			[30_000, NOW],
			[LAST_USED_WRITE_INTERVAL_MS - 1, NOW],
			[LAST_USED_WRITE_INTERVAL_MS, NOW + LAST_USED_WRITE_INTERVAL_MS],
			[90_000, NOW + LAST_USED_WRITE_INTERVAL_MS],
			[120_000, NOW + 120_000]
		];

		for (const [offsetMs, stored] of steps) {
			expect(validateSessionToken(t.db, session.token, NOW + offsetMs)?.user.id).toBe(ana.id);
			expect(rowOf(session.id)?.lastUsedAt, `after ${offsetMs} ms`).toBe(stored);
		}
	});

	it('skips the write within the minute', () => {
		const ana = insertUser(t.db);
		const session = openSession(ana.id, NOW);
		const changesBefore = t.db.$client.prepare('SELECT total_changes() AS n').get() as {
			n: number;
		};

		validateSessionToken(t.db, session.token, NOW + 59_000);

		const changesAfter = t.db.$client.prepare('SELECT total_changes() AS n').get() as {
			n: number;
		};
		expect(changesAfter.n).toBe(changesBefore.n);
	});
});

describe('sessions end with account changes', () => {
	it('new password ends every session', async () => {
		const ana = insertUser(t.db);
		const first = openSession(ana.id);
		const second = openSession(ana.id);

		await setPassword(t.db, ana.email, 'a brand new long password');

		expect(validateSessionToken(t.db, first.token)).toBeNull();
		expect(validateSessionToken(t.db, second.token)).toBeNull();
		expect(sessionIdsOf(ana.id)).toEqual([]);
	});

	it('disabling ends every session', () => {
		const ana = insertUser(t.db);
		const session = openSession(ana.id);

		disableUser(t.db, ana.email);

		expect(validateSessionToken(t.db, session.token)).toBeNull();
		expect(sessionIdsOf(ana.id)).toEqual([]);
	});

	it('new role ends every session', () => {
		const ana = insertUser(t.db, 'staff');
		const session = openSession(ana.id);

		setUserRole(t.db, ana.email, 'admin');

		expect(validateSessionToken(t.db, session.token)).toBeNull();
		expect(sessionIdsOf(ana.id)).toEqual([]);
		expect(t.db.select().from(users).where(eq(users.id, ana.id)).get()?.role).toBe('admin');
	});
});

describe('describeUserAgent', () => {
	it.each([
		[
			'Chrome on Windows',
			'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) ' +
				'Chrome/131.0.0.0 Safari/537.36',
			{ browser: 'Chrome', os: 'Windows' }
		],
		[
			'Edge on Windows',
			'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) ' +
				'Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
			{ browser: 'Edge', os: 'Windows' }
		],
		[
			'Safari on macOS',
			'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 ' +
				'(KHTML, like Gecko) Version/18.1 Safari/605.1.15',
			{ browser: 'Safari', os: 'macOS' }
		],
		['Safari on iOS', SAFARI_IPHONE, { browser: 'Safari', os: 'iOS' }],
		[
			'Chrome on iOS',
			'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 ' +
				'(KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1',
			{ browser: 'Chrome', os: 'iOS' }
		],
		[
			'Samsung Internet on Android',
			'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) ' +
				'SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
			{ browser: 'Samsung Internet', os: 'Android' }
		],
		[
			'Opera on Linux',
			'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) ' +
				'Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0',
			{ browser: 'Opera', os: 'Linux' }
		],
		['Firefox on Linux', FIREFOX_LINUX, { browser: 'Firefox', os: 'Linux' }],
		['command-line client', 'curl/8.5.0', { browser: null, os: null }],
		['missing header', null, { browser: null, os: null }]
	])('names %s', (_label, userAgent, expected) => {
		expect(describeUserAgent(userAgent)).toEqual(expected);
	});
});

describe('SESSION_MAX_AGE_DAYS', () => {
	it.each([
		[undefined, 30],
		['1', 1],
		['365', 365]
	])('accepts %s', (value, days) => {
		expect(readEnv({ SESSION_MAX_AGE_DAYS: value }).SESSION_MAX_AGE_DAYS).toBe(days);
	});

	it.each(['0', '366', '7.5', 'thirty', ''])('rejects %j', (value) => {
		expect(() => readEnv({ SESSION_MAX_AGE_DAYS: value })).toThrow(
			'Invalid environment: SESSION_MAX_AGE_DAYS: expected a whole number of days from 1 to 365'
		);
	});
});

describe('session_details migration', () => {
	it('copies created_at into last_used_at', () => {
		const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'case-ledger-sessions-'));
		try {
			const file = path.join(folder, 'ledger.db');
			const before = copyMigrationsBefore(folder, '0003_session_details');
			const old = openDatabase(file, { migrationsDir: before });
			old.$client.exec(
				"INSERT INTO users (email, name, password_hash) VALUES ('a@b.co', 'A', 'x')"
			);
			old.$client
				.prepare(
					'INSERT INTO sessions (id, secret_hash, user_id, created_at, expires_at) ' +
						'VALUES (?, ?, 1, ?, ?)'
				)
				.run('s'.repeat(32), Buffer.alloc(32), NOW, NOW + DAY_MS);
			old.$client.close();

			const migrated = openDatabase(file, { migrationsDir: MIGRATIONS_DIR });
			const row = migrated.select().from(sessions).get();
			migrated.$client.close();

			expect(row?.createdAt).toBe(NOW);
			expect(row?.lastUsedAt).toBe(NOW);
			expect(row?.userAgent).toBeNull();
		} finally {
			fs.rmSync(folder, { recursive: true, force: true });
		}
	});
});

/** Copies drizzle/ into `folder`, keeping only the migrations before `tag`, and returns it. */
function copyMigrationsBefore(folder: string, tag: string): string {
	const target = path.join(folder, 'drizzle');
	fs.cpSync(MIGRATIONS_DIR, target, { recursive: true });

	const journalPath = path.join(target, 'meta', '_journal.json');
	const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as {
		entries: { tag: string }[];
	};
	const index = journal.entries.findIndex((entry) => entry.tag === tag);
	expect(index, `${tag} in the journal`).toBeGreaterThan(0);
	journal.entries = journal.entries.slice(0, index);
	fs.writeFileSync(journalPath, JSON.stringify(journal));
	return target;
}
