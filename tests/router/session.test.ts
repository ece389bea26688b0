import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
	awaitsTwoFactorCode,
	createSession,
	MAX_USER_AGENT_LENGTH,
	SESSION_LIFETIME_MS,
	validateSessionToken
} from '$lib/server/auth/session';
import { sessions, users } from '$lib/server/db/schema';

import { createTestDb, insertUser, type TestDb } from '../helpers/test-db';

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 11, 4, 12);
// The sliding lifetime and the default absolute lifetime are both 30 days, so a renewal moves
// the expiry only when the absolute lifetime is longer.
const LONG_ABSOLUTE_LIFETIME = { absoluteLifetimeMs: 90 * DAY_MS };

let t: TestDb;
beforeEach(() => (t = createTestDb()));
afterEach(() => t.close());

describe('sessions', () => {
	it('validates a fresh token', () => {
		const user = insertUser(t.db);
		const { token, expiresAt } = createSession(t.db, user.id, NOW);

		const result = validateSessionToken(t.db, token, NOW + 1000);

		expect(expiresAt).toBe(NOW + SESSION_LIFETIME_MS);
		expect(result?.user.id).toBe(user.id);
		expect(result?.session.renewed).toBe(false);
	});

	it('stores only a hash of the secret', () => {
		const user = insertUser(t.db);
		const { token } = createSession(t.db, user.id, NOW);
		const [id, secret] = token.split('.') as [string, string];

		const row = t.db.select().from(sessions).where(eq(sessions.id, id)).get();
		const stored = JSON.stringify(t.db.$client.prepare('SELECT * FROM sessions').all());

		expect(row?.secretHash).toHaveLength(32);
		expect(stored).not.toContain(secret);
	});

	it.each([
		['wrong secret', (token: string) => token.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a'))],
		['missing secret', (token: string) => token.split('.')[0]!],
		['upper case', (token: string) => token.toUpperCase()],
		['empty', () => '']
	])('rejects %s', (_label, alter) => {
		const user = insertUser(t.db);
		const { token } = createSession(t.db, user.id, NOW);

		expect(validateSessionToken(t.db, alter(token), NOW)).toBeNull();
	});

	it('deletes an expired session', () => {
		const user = insertUser(t.db);
		const { token } = createSession(t.db, user.id, NOW);

		const result = validateSessionToken(t.db, token, NOW + SESSION_LIFETIME_MS);

		expect(result).toBeNull();
		expect(t.db.select().from(sessions).all()).toHaveLength(0);
	});

	it('renews in the last fifteen days', () => {
		const user = insertUser(t.db);
		const { token } = createSession(t.db, user.id, NOW);
		const later = NOW + 16 * DAY_MS;

		const result = validateSessionToken(t.db, token, later, LONG_ABSOLUTE_LIFETIME);

		expect(result?.session.renewed).toBe(true);
		expect(result?.session.expiresAt).toBe(later + SESSION_LIFETIME_MS);
		expect(t.db.select().from(sessions).get()?.expiresAt).toBe(later + SESSION_LIFETIME_MS);
	});

	it('does not renew in the first fifteen days', () => {
		const user = insertUser(t.db);
		const { token } = createSession(t.db, user.id, NOW);

		const result = validateSessionToken(t.db, token, NOW + 14 * DAY_MS);

		expect(result?.session.renewed).toBe(false);
		expect(result?.session.expiresAt).toBe(NOW + SESSION_LIFETIME_MS);
	});

	it('rejects a disabled user at once', () => {
		const user = insertUser(t.db);
		const { token } = createSession(t.db, user.id, NOW);
		t.db
			.update(users)
			.set({ disabledAt: new Date(NOW).toISOString() })
			.where(eq(users.id, user.id))
			.run();

		expect(validateSessionToken(t.db, token, NOW + 1000)).toBeNull();
	});

	it('keeps the session when renewal cannot be written', () => {
		const user = insertUser(t.db);
		const { token } = createSession(t.db, user.id, NOW);
		t.db.$client.pragma('query_only = ON');

		const result = validateSessionToken(t.db, token, NOW + 16 * DAY_MS, LONG_ABSOLUTE_LIFETIME);

		expect(result?.user.id).toBe(user.id);
		expect(result?.session.renewed).toBe(false);
		expect(result?.session.expiresAt).toBe(NOW + SESSION_LIFETIME_MS);
		t.db.$client.pragma('query_only = OFF');
	});
});

describe('session details', () => {
	it('records creation as last use', () => {
		const user = insertUser(t.db);
		createSession(t.db, user.id, NOW);

		const row = t.db.select().from(sessions).get();

		expect(row?.createdAt).toBe(NOW);
		expect(row?.lastUsedAt).toBe(NOW);
	});

	it.each([
		['no header', null, null],
		['blank header', '   ', null],
		['padded header', '  Mozilla/5.0 (X11; Linux x86_64)  ', 'Mozilla/5.0 (X11; Linux x86_64)'],
		['long header', 'a'.repeat(400), 'a'.repeat(MAX_USER_AGENT_LENGTH)],
		['long emoji header', '\u{1F600}'.repeat(301), '\u{1F600}'.repeat(MAX_USER_AGENT_LENGTH)]
	])('stores user agent: %s', (_label, header, stored) => {
		const user = insertUser(t.db);

		createSession(t.db, user.id, NOW, { userAgent: header });

		expect(t.db.select().from(sessions).get()?.userAgent).toBe(stored);
	});

	it('caps first expiry at absolute lifetime', () => {
		const user = insertUser(t.db);

		const { expiresAt } = createSession(t.db, user.id, NOW, { absoluteLifetimeMs: 7 * DAY_MS });

		expect(expiresAt).toBe(NOW + 7 * DAY_MS);
		expect(t.db.select().from(sessions).get()?.expiresAt).toBe(NOW + 7 * DAY_MS);
	});

	it('keeps session when last use cannot be written', () => {
		const user = insertUser(t.db);
		const { token } = createSession(t.db, user.id, NOW);
		t.db.$client.pragma('query_only = ON');

		const result = validateSessionToken(t.db, token, NOW + 5 * 60_000);

		t.db.$client.pragma('query_only = OFF');
		expect(result?.user.id).toBe(user.id);
		expect(result?.session.renewed).toBe(false);
		expect(t.db.select().from(sessions).get()?.lastUsedAt).toBe(NOW);
	});

	it('rejects expired session on read-only disk', () => {
		const user = insertUser(t.db);
		const { token } = createSession(t.db, user.id, NOW);
		t.db.$client.pragma('query_only = ON');

		const result = validateSessionToken(t.db, token, NOW + SESSION_LIFETIME_MS);

		t.db.$client.pragma('query_only = OFF');
		expect(result).toBeNull();
		// The row could not be deleted; the next validation with a writable disk deletes it.
		expect(t.db.select().from(sessions).all()).toHaveLength(1);
		expect(validateSessionToken(t.db, token, NOW + SESSION_LIFETIME_MS)).toBeNull();
		expect(t.db.select().from(sessions).all()).toHaveLength(0);
	});
});

describe('two-factor state of sessions', () => {
	function enableTwoFactor(userId: number) {
		t.db
			.update(users)
			.set({ totpKey: Buffer.alloc(20), totpEnabledAt: '2026-01-01T00:00:00.000Z' })
			.where(eq(users.id, userId))
			.run();
	}

	it('reports user without two-factor', () => {
		const user = insertUser(t.db);
		const { token } = createSession(t.db, user.id, NOW);

		const session = validateSessionToken(t.db, token, NOW)!.session;

		expect(session.twoFactorEnabled).toBe(false);
		expect(session.twoFactorVerified).toBe(false);
		expect(awaitsTwoFactorCode(session)).toBe(false);
	});

	it('holds unverified session of two-factor user', () => {
		const user = insertUser(t.db);
		enableTwoFactor(user.id);
		const { token } = createSession(t.db, user.id, NOW);

		const session = validateSessionToken(t.db, token, NOW)!.session;

		expect(session.twoFactorEnabled).toBe(true);
		expect(awaitsTwoFactorCode(session)).toBe(true);
	});

	it('releases verified session', () => {
		const user = insertUser(t.db);
		enableTwoFactor(user.id);
		const { token } = createSession(t.db, user.id, NOW);
		t.db.update(sessions).set({ twoFactorVerified: true }).run();

		const session = validateSessionToken(t.db, token, NOW)!.session;

		expect(session.twoFactorVerified).toBe(true);
		expect(awaitsTwoFactorCode(session)).toBe(false);
	});
});
