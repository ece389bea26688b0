import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { eq } from 'drizzle-orm';

import type { Db } from '../db';
import { sessions, users, type User } from '../db/schema';
import { storageFailureCode } from '../storage-errors';

const DAY_MS = 24 * 60 * 60 * 1000;
/** A session lives this long after its last renewal. */
export const SESSION_LIFETIME_MS = 30 * DAY_MS;
/** A session used when less than this much of its lifetime is left is extended. */
export const SESSION_RENEW_WITHIN_MS = 15 * DAY_MS;

export const SESSION_COOKIE = 'session';

export type SessionUser = Pick<User, 'id' | 'email' | 'name' | 'role'>;

export interface ValidSession {
	id: string;
	userId: number;
	expiresAt: number;
	/** True when this validation pushed expiresAt forward, so the cookie must be sent again. */
	renewed: boolean;
}

/**
 * A token is `<id>.<secret>`: the id finds the row and the secret proves possession. Each half
 * is 20 random bytes (160 bits) in lower-case base32. Only SHA-256(secret) is stored, and it
 * is compared in constant time, so neither a database leak nor response timing reveals a token.
 */
export function generateSessionToken(): { id: string; secret: string; token: string } {
	const id = randomBase32(20);
	const secret = randomBase32(20);
	return { id, secret, token: `${id}.${secret}` };
}

/** Creates a session row for `userId` and returns the cookie token and expiry time. */
export function createSession(
	db: Db,
	userId: number,
	now = Date.now()
): { token: string; expiresAt: number } {
	const { id, secret, token } = generateSessionToken();
	const expiresAt = now + SESSION_LIFETIME_MS;

	db.insert(sessions)
		.values({ id, secretHash: Buffer.from(hashSecret(secret)), userId, createdAt: now, expiresAt })
		.run();
	return { token, expiresAt };
}

/**
 * Returns the session and its user for a cookie token, or null when the token is malformed,
 * unknown, expired, or belongs to a disabled user. Expired rows are deleted on sight, and a
 * session in the last half of its lifetime is extended.
 */
export function validateSessionToken(
	db: Db,
	token: string,
	now = Date.now()
): { session: ValidSession; user: SessionUser } | null {
	const parts = parseToken(token);
	if (!parts) return null;

	const row = db
		.select({ session: sessions, user: users })
		.from(sessions)
		.innerJoin(users, eq(users.id, sessions.userId))
		.where(eq(sessions.id, parts.id))
		.get();
	if (!row) return null;

	if (!constantTimeEqual(hashSecret(parts.secret), new Uint8Array(row.session.secretHash))) {
		return null;
	}
	if (row.session.expiresAt <= now) {
		invalidateSession(db, row.session.id);
		return null;
	}
	if (row.user.disabledAt !== null) return null;

	let expiresAt = row.session.expiresAt;
	let renewed = false;
	if (expiresAt - now < SESSION_RENEW_WITHIN_MS) {
		renewed = renewSession(db, row.session.id, now + SESSION_LIFETIME_MS);
		if (renewed) expiresAt = now + SESSION_LIFETIME_MS;
	}

	const { id, email, name, role } = row.user;
	return {
		session: { id: row.session.id, userId: row.session.userId, expiresAt, renewed },
		user: { id, email, name, role }
	};
}

/**
 * Extends a session and returns whether it was written. On a full or read-only disk the
 * session keeps its old expiry, which is at least 15 days away, so reading pages still works.
 */
function renewSession(db: Db, sessionId: string, expiresAt: number): boolean {
	try {
		db.update(sessions).set({ expiresAt }).where(eq(sessions.id, sessionId)).run();
		return true;
	} catch (error) {
		if (storageFailureCode(error) === null) throw error;
		return false;
	}
}

/** Deletes one session, for sign-out. */
export function invalidateSession(db: Db, sessionId: string): void {
	db.delete(sessions).where(eq(sessions.id, sessionId)).run();
}

/** Deletes every session of a user, for a disabled account or a new password. */
export function invalidateUserSessions(db: Db, userId: number): number {
	return db.delete(sessions).where(eq(sessions.userId, userId)).run().changes;
}

/** Returns the id half of a well-formed token, for logs and sign-out; never the secret. */
export function sessionIdOf(token: string): string | null {
	return parseToken(token)?.id ?? null;
}

function parseToken(token: string): { id: string; secret: string } | null {
	const match = /^([a-z2-7]{32})\.([a-z2-7]{32})$/.exec(token);
	if (!match) return null;
	return { id: match[1]!, secret: match[2]! };
}

function hashSecret(secret: string): Uint8Array {
	return sha256(new TextEncoder().encode(secret));
}

function randomBase32(byteCount: number): string {
	const bytes = new Uint8Array(byteCount);
	crypto.getRandomValues(bytes);
	return encodeBase32LowerCaseNoPadding(bytes);
}
