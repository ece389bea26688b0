import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { eq } from 'drizzle-orm';

import type { Db } from '../db';
import { sessions, users, type Session, type User } from '../db/schema';
import { readEnv } from '../env';
import { storageFailureCode } from '../storage-errors';

const DAY_MS = 24 * 60 * 60 * 1000;
/** A session lives this long after its last renewal, unless the absolute lifetime ends first. */
export const SESSION_LIFETIME_MS = 30 * DAY_MS;
/** A session used when less than this much of its lifetime is left is extended. */
export const SESSION_RENEW_WITHIN_MS = 15 * DAY_MS;
/**
 * Minimum time between two writes of a session's lastUsedAt, so that a burst of requests costs
 * one write. The stored value can therefore lag the real last use by up to this much.
 */
export const LAST_USED_WRITE_INTERVAL_MS = 60 * 1000;
/** Maximum length of the stored User-Agent header, in code points. */
export const MAX_USER_AGENT_LENGTH = 300;

export const SESSION_COOKIE = 'session';

export type SessionUser = Pick<User, 'id' | 'email' | 'name' | 'role'>;

export interface ValidSession {
	id: string;
	userId: number;
	expiresAt: number;
	/** True when this validation pushed expiresAt forward, so the cookie must be sent again. */
	renewed: boolean;
	/** True once a two-factor code was entered in this session. */
	twoFactorVerified: boolean;
	/** True when the user has two-factor sign-in on, so the session needs a verified code. */
	twoFactorEnabled: boolean;
}

export interface CreateSessionOptions {
	/** The request's User-Agent header, stored to describe the device in the session list. */
	userAgent?: string | null;
	/** Defaults to SESSION_MAX_AGE_DAYS, see sessionAbsoluteLifetimeMs. */
	absoluteLifetimeMs?: number;
	/** True for the session that replaces one whose two-factor code was just accepted. */
	twoFactorVerified?: boolean;
}

export interface ValidateSessionOptions {
	/** Defaults to SESSION_MAX_AGE_DAYS, see sessionAbsoluteLifetimeMs. */
	absoluteLifetimeMs?: number;
}

let configuredAbsoluteLifetimeMs: number | undefined;

/**
 * Returns the absolute session lifetime, SESSION_MAX_AGE_DAYS in milliseconds. A session
 * created longer ago than this is invalid, whatever its sliding expiry. The environment is
 * read on the first call only, so a change takes effect at the next start.
 */
export function sessionAbsoluteLifetimeMs(): number {
	configuredAbsoluteLifetimeMs ??= readEnv().SESSION_MAX_AGE_DAYS * DAY_MS;
	return configuredAbsoluteLifetimeMs;
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

/**
 * Creates a session row for `userId` and returns the cookie token and expiry time. The expiry
 * is the sliding lifetime or the absolute lifetime, whichever ends first.
 */
export function createSession(
	db: Db,
	userId: number,
	now = Date.now(),
	options: CreateSessionOptions = {}
): { token: string; expiresAt: number } {
	const { id, secret, token } = generateSessionToken();
	const absoluteLifetimeMs = options.absoluteLifetimeMs ?? sessionAbsoluteLifetimeMs();
	const expiresAt = now + Math.min(SESSION_LIFETIME_MS, absoluteLifetimeMs);

	db.insert(sessions)
		.values({
			id,
			secretHash: Buffer.from(hashSecret(secret)),
			userId,
			createdAt: now,
			expiresAt,
			lastUsedAt: now,
			userAgent: truncateUserAgent(options.userAgent),
			twoFactorVerified: options.twoFactorVerified ?? false
		})
		.run();
	return { token, expiresAt };
}

/**
 * Returns the session and its user for a cookie token, or null when the token is malformed,
 * unknown, expired, past the absolute lifetime, or belongs to a disabled user. Expired rows
 * are deleted on sight. A session in the last half of its lifetime is extended, but never past
 * createdAt plus the absolute lifetime. lastUsedAt is written at most once per
 * LAST_USED_WRITE_INTERVAL_MS.
 */
export function validateSessionToken(
	db: Db,
	token: string,
	now = Date.now(),
	options: ValidateSessionOptions = {}
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

	const absoluteLifetimeMs = options.absoluteLifetimeMs ?? sessionAbsoluteLifetimeMs();
	const endsAt = sessionEndsAt(row.session, absoluteLifetimeMs);
	if (endsAt <= now) {
		deleteExpiredSession(db, row.session.id);
		return null;
	}
	if (row.user.disabledAt !== null) return null;

	const { expiresAt, renewed } = recordUse(db, row.session, now, absoluteLifetimeMs);

	const { id, email, name, role } = row.user;
	return {
		session: {
			id: row.session.id,
			userId: row.session.userId,
			expiresAt,
			renewed,
			twoFactorVerified: row.session.twoFactorVerified,
			twoFactorEnabled: row.user.totpEnabledAt !== null
		},
		user: { id, email, name, role }
	};
}

/**
 * Returns whether a session still waits for its two-factor code: the user has two-factor
 * sign-in on and no code was entered in this session. Such a session only reaches the code
 * page and sign-out.
 */
export function awaitsTwoFactorCode(
	session: Pick<ValidSession, 'twoFactorVerified' | 'twoFactorEnabled'>
): boolean {
	return session.twoFactorEnabled && !session.twoFactorVerified;
}

/**
 * Returns the time a session stops being valid: its sliding expiry or createdAt plus the
 * absolute lifetime, whichever comes first. The second is earlier only for rows renewed
 * before the absolute lifetime was shortened.
 */
export function sessionEndsAt(
	session: Pick<Session, 'createdAt' | 'expiresAt'>,
	absoluteLifetimeMs = sessionAbsoluteLifetimeMs()
): number {
	return Math.min(session.expiresAt, session.createdAt + absoluteLifetimeMs);
}

/**
 * Writes lastUsedAt when the stored value is older than LAST_USED_WRITE_INTERVAL_MS, and
 * extends the session when it is in its renewal window, in one UPDATE. Returns the expiry in
 * force afterwards.
 */
function recordUse(
	db: Db,
	session: Session,
	now: number,
	absoluteLifetimeMs: number
): { expiresAt: number; renewed: boolean } {
	const renewedExpiresAt = renewalTarget(session, now, absoluteLifetimeMs);
	const lastUsedIsStale =
		session.lastUsedAt === null || now - session.lastUsedAt >= LAST_USED_WRITE_INTERVAL_MS;
	if (renewedExpiresAt === null && !lastUsedIsStale) {
		return { expiresAt: session.expiresAt, renewed: false };
	}

	const changes =
		renewedExpiresAt === null
			? { lastUsedAt: now }
			: { lastUsedAt: now, expiresAt: renewedExpiresAt };
	const written = updateSession(db, session.id, changes);
	if (!written || renewedExpiresAt === null) {
		return { expiresAt: session.expiresAt, renewed: false };
	}
	return { expiresAt: renewedExpiresAt, renewed: true };
}

/**
 * Returns the new expiry when a session in its renewal window can be extended, or null. The
 * new expiry is capped at createdAt plus the absolute lifetime, so near that cap there is
 * nothing left to extend.
 */
function renewalTarget(session: Session, now: number, absoluteLifetimeMs: number): number | null {
	if (session.expiresAt - now >= SESSION_RENEW_WITHIN_MS) return null;

	const target = Math.min(now + SESSION_LIFETIME_MS, session.createdAt + absoluteLifetimeMs);
	return target > session.expiresAt ? target : null;
}

/**
 * Updates a session row and returns whether it was written. On a full or read-only disk the
 * session keeps its old expiry and lastUsedAt, so reading pages still works until that expiry.
 */
function updateSession(
	db: Db,
	sessionId: string,
	changes: { lastUsedAt: number; expiresAt?: number }
): boolean {
	try {
		db.update(sessions).set(changes).where(eq(sessions.id, sessionId)).run();
		return true;
	} catch (error) {
		if (storageFailureCode(error) === null) throw error;
		return false;
	}
}

// The session is rejected either way. On a full or read-only disk the row stays until a later
// request can delete it, and the visitor is sent to sign in instead of receiving a 503.
function deleteExpiredSession(db: Db, sessionId: string): void {
	try {
		invalidateSession(db, sessionId);
	} catch (error) {
		if (storageFailureCode(error) === null) throw error;
	}
}

/** Deletes one session, for sign-out. */
export function invalidateSession(db: Db, sessionId: string): void {
	db.delete(sessions).where(eq(sessions.id, sessionId)).run();
}

/**
 * Deletes every session of a user and returns how many there were. Used when a user is
 * disabled or gets a new password or role, and by `pnpm admin revoke-sessions`.
 */
export function invalidateUserSessions(db: Db, userId: number): number {
	return db.delete(sessions).where(eq(sessions.userId, userId)).run().changes;
}

/** Returns the id half of a well-formed token, for logs and sign-out; never the secret. */
export function sessionIdOf(token: string): string | null {
	return parseToken(token)?.id ?? null;
}

/** Trims a User-Agent header and cuts it to MAX_USER_AGENT_LENGTH code points; null if empty. */
export function truncateUserAgent(userAgent: string | null | undefined): string | null {
	const trimmed = userAgent?.trim() ?? '';
	if (trimmed === '') return null;
	return [...trimmed].slice(0, MAX_USER_AGENT_LENGTH).join('');
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
