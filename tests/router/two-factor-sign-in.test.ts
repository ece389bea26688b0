import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { hashPassword } from '$lib/server/auth/password';
import { sessionIdOf, validateSessionToken, type SessionUser } from '$lib/server/auth/session';
import { authenticate } from '$lib/server/auth/sign-in';
import {
	endSession,
	recordSignInFailure,
	recordSignInThrottled,
	startSession
} from '$lib/server/auth/sign-in-audit';
import { auditLog, sessions, users } from '$lib/server/db/schema';

import { createTestDb, insertUser, type TestDb } from '../helpers/test-db';

const PASSWORD = 'correct horse battery staple';

let t: TestDb;
let ana: SessionUser;

beforeEach(async () => {
	t = createTestDb();
	ana = insertUser(t.db);
	t.db
		.update(users)
		.set({ passwordHash: await hashPassword(PASSWORD) })
		.where(eq(users.id, ana.id))
		.run();
});

afterEach(() => t.close());

function auditRows() {
	return t.db
		.select()
		.from(auditLog)
		.all()
		.map((row) => ({ ...row, details: row.details === null ? null : JSON.parse(row.details) }));
}

describe('authenticate', () => {
	it('returns user and two-factor flag', async () => {
		const result = await authenticate(t.db, ana.email.toUpperCase(), PASSWORD);

		expect(result).toEqual({ ok: true, user: ana, twoFactorEnabled: false });
	});

	it.each([
		['unknown_email', 'nobody@example.com', PASSWORD, false],
		['wrong_password', null, 'not the password', true],
		['password_too_long', null, 'x'.repeat(1025), true]
	])('reports %s', async (reason, email, password, knownUser) => {
		const result = await authenticate(t.db, email ?? ana.email, password);

		expect(result).toEqual({ ok: false, reason, userId: knownUser ? ana.id : null });
	});

	it('reports disabled after matching password', async () => {
		t.db.update(users).set({ disabledAt: '2026-01-01T00:00:00.000Z' }).run();

		expect(await authenticate(t.db, ana.email, PASSWORD)).toEqual({
			ok: false,
			reason: 'disabled',
			userId: ana.id
		});
	});
});

describe('sign-in audit', () => {
	it('records sign_in with session', () => {
		const { token } = startSession(t.db, ana.id, {
			address: '203.0.113.9',
			userAgent: null,
			awaitsTwoFactorCode: false
		});

		expect(validateSessionToken(t.db, token)?.user.id).toBe(ana.id);
		expect(auditRows()).toMatchObject([
			{
				actorId: ana.id,
				source: 'app',
				action: 'sign_in',
				entity: 'user',
				entityId: String(ana.id),
				details: { address: '203.0.113.9' }
			}
		]);
		expect(JSON.stringify(auditRows())).not.toContain(sessionIdOf(token));
	});

	it('defers sign_in until the code', () => {
		const { token } = startSession(t.db, ana.id, {
			address: '203.0.113.9',
			userAgent: null,
			awaitsTwoFactorCode: true
		});

		expect(t.db.select().from(sessions).get()?.twoFactorVerified).toBe(false);
		expect(validateSessionToken(t.db, token)).not.toBeNull();
		expect(auditRows()).toEqual([]);
	});

	it.each([
		['known email', 'wrong_password' as const, true],
		['unknown email', 'unknown_email' as const, false]
	])('records failure for %s in one row', (_label, reason, known) => {
		const userId = known ? ana.id : null;
		const changesBefore = t.db.$client.prepare('SELECT total_changes() AS n').get() as {
			n: number;
		};

		recordSignInFailure(t.db, {
			email: 'Who@Example.com',
			address: '198.51.100.7',
			reason,
			userId
		});

		const changesAfter = t.db.$client.prepare('SELECT total_changes() AS n').get() as { n: number };
		expect(changesAfter.n - changesBefore.n).toBe(1);
		expect(auditRows()).toMatchObject([
			{
				actorId: null,
				action: 'sign_in_failed',
				entity: 'user',
				entityId: known ? String(ana.id) : null,
				details: { email: 'Who@Example.com', address: '198.51.100.7', reason }
			}
		]);
	});

	it('records throttled once a minute per key', () => {
		const attempt = {
			email: 'ana@example.com',
			address: '198.51.100.7',
			throttledBy: 'email',
			key: `email:throttle-audit-${Math.random()}`
		};

		expect(recordSignInThrottled(t.db, attempt, 1_000_000)).toBe(true);
		expect(recordSignInThrottled(t.db, attempt, 1_059_999)).toBe(false);
		expect(recordSignInThrottled(t.db, attempt, 1_060_000)).toBe(true);
		expect(auditRows().map((row) => row.action)).toEqual([
			'sign_in_throttled',
			'sign_in_throttled'
		]);
		expect(auditRows()[0]).toMatchObject({
			actorId: null,
			entityId: null,
			details: { email: 'ana@example.com', address: '198.51.100.7', throttledBy: 'email' }
		});
	});

	it('records sign_out with the session end', () => {
		const { token } = startSession(t.db, ana.id, {
			address: '203.0.113.9',
			userAgent: null,
			awaitsTwoFactorCode: false
		});

		endSession(t.db, { id: sessionIdOf(token)!, userId: ana.id }, '203.0.113.9');

		expect(validateSessionToken(t.db, token)).toBeNull();
		expect(auditRows().map((row) => row.action)).toEqual(['sign_in', 'sign_out']);
		expect(auditRows()[1]).toMatchObject({ actorId: ana.id, entityId: String(ana.id) });
	});
});
