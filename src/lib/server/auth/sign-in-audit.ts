import { recordAudit } from '../audit';
import { writeTransaction, type Db } from '../db';
import { MAX_EMAIL_LENGTH } from '../users';
import { createSession, invalidateSession } from './session';
import type { SignInFailureReason } from './sign-in';

/** Minimum time between two sign_in_throttled rows for one throttle key, in milliseconds. */
const THROTTLED_AUDIT_INTERVAL_MS = 60_000;
/** Maximum number of throttle keys remembered for THROTTLED_AUDIT_INTERVAL_MS. */
const THROTTLED_AUDIT_MAX_KEYS = 10_000;

// Throttled attempts cost the client nothing, so one row per attempt would let a script fill
// the disk. Each key gets at most one row per interval; the log still has every attempt.
const lastThrottledAuditAt = new Map<string, number>();

/**
 * Creates the session of a password sign-in and, unless the user still has to enter a
 * two-factor code, writes the sign_in audit row in the same transaction. The row of a
 * two-factor sign-in is written when the code is accepted.
 */
export function startSession(
	db: Db,
	userId: number,
	options: { address: string; userAgent: string | null; awaitsTwoFactorCode: boolean }
): ReturnType<typeof createSession> {
	return writeTransaction(db, (tx) => {
		const session = createSession(tx, userId, Date.now(), { userAgent: options.userAgent });
		if (!options.awaitsTwoFactorCode) {
			recordAudit(tx, {
				actorId: userId,
				source: 'app',
				action: 'sign_in',
				entity: 'user',
				entityId: userId,
				details: { address: options.address }
			});
		}
		return session;
	});
}

/**
 * Writes the sign_in_failed row of a rejected password: one INSERT, for known and unknown
 * emails alike, so that it adds the same time to both.
 */
export function recordSignInFailure(
	db: Db,
	failure: { email: string; address: string; reason: SignInFailureReason; userId: number | null }
): void {
	recordAudit(db, {
		actorId: null,
		source: 'app',
		action: 'sign_in_failed',
		entity: 'user',
		entityId: failure.userId,
		details: {
			email: failure.email.slice(0, MAX_EMAIL_LENGTH),
			address: failure.address,
			reason: failure.reason
		}
	});
}

/**
 * Writes a sign_in_throttled row unless one was written for the same throttle key within
 * THROTTLED_AUDIT_INTERVAL_MS. Returns whether it wrote. The user id is not looked up, so
 * entityId is null and the row names the email in its details.
 */
export function recordSignInThrottled(
	db: Db,
	attempt: { email: string; address: string; throttledBy: string; key: string },
	nowMs = Date.now()
): boolean {
	const last = lastThrottledAuditAt.get(attempt.key);
	if (last !== undefined && nowMs - last < THROTTLED_AUDIT_INTERVAL_MS) return false;

	lastThrottledAuditAt.delete(attempt.key);
	lastThrottledAuditAt.set(attempt.key, nowMs);
	if (lastThrottledAuditAt.size > THROTTLED_AUDIT_MAX_KEYS) {
		// Maps iterate in insertion order, so the first key is the one audited longest ago.
		const oldest = lastThrottledAuditAt.keys().next().value;
		if (oldest !== undefined) lastThrottledAuditAt.delete(oldest);
	}

	recordAudit(db, {
		actorId: null,
		source: 'app',
		action: 'sign_in_throttled',
		entity: 'user',
		entityId: null,
		details: {
			email: attempt.email.slice(0, MAX_EMAIL_LENGTH),
			address: attempt.address,
			throttledBy: attempt.throttledBy
		}
	});
	return true;
}

/** Deletes a session and writes the sign_out audit row in one transaction. */
export function endSession(
	db: Db,
	session: { id: string; userId: number },
	address: string | null
): void {
	writeTransaction(db, (tx) => {
		invalidateSession(tx, session.id);
		recordAudit(tx, {
			actorId: session.userId,
			source: 'app',
			action: 'sign_out',
			entity: 'user',
			entityId: session.userId,
			details: address ? { address } : null
		});
	});
}
