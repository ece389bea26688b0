import { and, eq } from 'drizzle-orm';
import { renderSVG } from 'uqr';

// Relative imports only: the admin CLI runs this module under tsx, which does not resolve $lib.
import { recordAudit } from '../audit';
import { writeTransaction, type Db } from '../db';
import { sessions, users, type User } from '../db/schema';
import { verifyPassword } from './password';
import { generateRecoveryCodes } from './recovery-codes';
import {
	consumeSecondFactor,
	consumeTotpCode,
	countUnusedRecoveryCodes,
	isTwoFactorRequired,
	replaceRecoveryCodes,
	TwoFactorError,
	type SecondFactor
} from './second-factor';
import { createSession } from './session';
import { formatTotpKey, generateTotpKey, totpKeyUri } from './totp';

/** A user's two-factor state as the account page shows it. Never contains the key. */
export interface TwoFactorStatus {
	enabled: boolean;
	/** ISO 8601 UTC time at which setup was confirmed; null while off. */
	enabledAt: string | null;
	/** True when a key was generated but not yet confirmed with a code. */
	setupStarted: boolean;
	recoveryCodesLeft: number;
	/** True when the office requires two-factor sign-in, so it cannot be turned off. */
	required: boolean;
}

/** Setup data that the setup page shows once: the key for manual entry, its URI and QR code. */
export interface TotpSetup {
	/** The key in base32, in groups of four characters. */
	key: string;
	uri: string;
	/** The URI as a QR code, an SVG image in a data: URL. */
	qrCode: string;
}

/** Returns the user's two-factor state. */
export function readTwoFactorStatus(db: Db, userId: number): TwoFactorStatus {
	const user = requireUser(db, userId);
	const enabled = user.totpEnabledAt !== null;
	return {
		enabled,
		enabledAt: user.totpEnabledAt,
		setupStarted: !enabled && user.totpKey !== null,
		recoveryCodesLeft: enabled ? countUnusedRecoveryCodes(db, userId) : 0,
		required: isTwoFactorRequired(db)
	};
}

/**
 * Generates and stores a new TOTP key for a user without two-factor sign-in, replacing any key
 * of an unfinished setup, and returns it for the setup page. The key takes effect only after
 * confirmTotpSetup. Throws TwoFactorError `already_enabled` when two-factor is on.
 *
 * NOTE: the key is stored unencrypted in users.totp_key, so anyone who can read the database
 * file or a backup of it can generate this user's codes. Protect both like the password file.
 */
export function beginTotpSetup(db: Db, userId: number): TotpSetup {
	const key = generateTotpKey();
	const email = writeTransaction(db, (tx) => {
		const user = requireUser(tx, userId);
		if (user.totpEnabledAt !== null) {
			throw new TwoFactorError(
				'already_enabled',
				'Two-factor sign-in is already on. Turn it off first to use another authenticator.'
			);
		}
		tx.update(users)
			.set({ totpKey: Buffer.from(key), totpLastStep: null })
			.where(eq(users.id, userId))
			.run();
		return user.email;
	});

	const uri = totpKeyUri(key, email);
	const svg = renderSVG(uri, { border: 2 });
	return {
		key: formatTotpKey(key),
		uri,
		qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`
	};
}

/**
 * Turns two-factor sign-in on when `code` matches the key of the unfinished setup, and returns
 * the new recovery codes, which are shown once and stored only as hashes. The session
 * `sessionId` counts as verified; the user's other sessions must enter a code. Returns null
 * for a wrong code. Throws TwoFactorError when no setup was started or two-factor is on.
 */
export function confirmTotpSetup(
	db: Db,
	userId: number,
	code: string,
	sessionId: string | null,
	nowMs = Date.now()
): string[] | null {
	const codes = generateRecoveryCodes();
	return writeTransaction(db, (tx) => {
		const user = requireUser(tx, userId);
		if (user.totpEnabledAt !== null) {
			throw new TwoFactorError('already_enabled', 'Two-factor sign-in is already on.');
		}
		if (user.totpKey === null) {
			throw new TwoFactorError(
				'setup_not_started',
				'No setup is in progress. Start the setup again to get a key.'
			);
		}
		if (!consumeTotpCode(tx, user, code.replace(/\s/g, ''), nowMs)) return null;

		const enabledAt = new Date(nowMs).toISOString();
		tx.update(users).set({ totpEnabledAt: enabledAt }).where(eq(users.id, userId)).run();
		replaceRecoveryCodes(tx, userId, codes);
		if (sessionId !== null) markSessionVerified(tx, sessionId);
		recordAudit(tx, {
			actorId: userId,
			source: 'app',
			action: 'two_factor_enabled',
			entity: 'user',
			entityId: userId,
			changes: { totpEnabledAt: [null, enabledAt] },
			details: { recoveryCodes: codes.length }
		});
		return codes;
	});
}

/** A second factor accepted at sign-in, and the session that replaces the waiting one. */
export type CompletedSignIn = SecondFactor & { session: { token: string; expiresAt: number } };

/**
 * Finishes a sign-in that waits for its second factor: consumes the code, replaces the waiting
 * session with a new verified one, and writes the sign_in audit row, plus recovery_code_used
 * when a recovery code was entered. The token changes because the session gains privileges,
 * so a token seen before the code (on a shared machine, say) never becomes a full session.
 * Returns null for a wrong code. Throws TwoFactorError `not_enabled` when two-factor was
 * turned off meanwhile.
 */
export function completeTwoFactorSignIn(
	db: Db,
	session: { id: string; userId: number },
	code: string,
	address: string,
	nowMs = Date.now()
): CompletedSignIn | null {
	return writeTransaction(db, (tx) => {
		const user = requireEnabledUser(tx, session.userId);
		const factor = consumeSecondFactor(tx, user, code, nowMs);
		if (!factor) return null;

		const waiting = tx
			.delete(sessions)
			.where(eq(sessions.id, session.id))
			.returning({ userAgent: sessions.userAgent })
			.get();
		const replacement = createSession(tx, user.id, nowMs, {
			userAgent: waiting?.userAgent,
			twoFactorVerified: true
		});
		recordAudit(tx, {
			actorId: user.id,
			source: 'app',
			action: 'sign_in',
			entity: 'user',
			entityId: user.id,
			details: { address, secondFactor: factor.method }
		});
		if (factor.method === 'recovery_code') {
			recordAudit(tx, {
				actorId: user.id,
				source: 'app',
				action: 'recovery_code_used',
				entity: 'user',
				entityId: user.id,
				details: { address, recoveryCodesLeft: factor.recoveryCodesLeft }
			});
		}
		return { ...factor, session: replacement };
	});
}

/** Outcome of disableTwoFactor: done, or the field whose value was wrong. */
export type DisableOutcome = { ok: true } | { ok: false; incorrect: 'currentPassword' | 'code' };

/**
 * Turns two-factor sign-in off after checking the current password and a code (TOTP or
 * recovery code). Deletes the key and the recovery codes, and ends the sessions that still wait
 * for a code. Nothing is written when either check fails. Throws TwoFactorError
 * `required_by_office` while the office requires it.
 */
export async function disableTwoFactor(
	db: Db,
	userId: number,
	currentPassword: string,
	code: string,
	nowMs = Date.now()
): Promise<DisableOutcome> {
	assertMayDisable(db, userId);
	const user = requireUser(db, userId);
	if (!(await verifyPassword(user.passwordHash, currentPassword))) {
		return { ok: false, incorrect: 'currentPassword' };
	}

	return writeTransaction(db, (tx) => {
		// Checked again, because the office setting or the user may have changed during the hash.
		assertMayDisable(tx, userId);
		const current = requireEnabledUser(tx, userId);
		if (!consumeSecondFactor(tx, current, code, nowMs)) {
			return { ok: false, incorrect: 'code' } as const;
		}

		tx.update(users)
			.set({ totpKey: null, totpEnabledAt: null, totpLastStep: null })
			.where(eq(users.id, userId))
			.run();
		const recoveryCodesDeleted = replaceRecoveryCodes(tx, userId, []);
		// A session still waiting for its code passed only the password. Without a key it would
		// no longer wait, so it would become a full session: end it instead.
		const waitingSessionsEnded = tx
			.delete(sessions)
			.where(and(eq(sessions.userId, userId), eq(sessions.twoFactorVerified, false)))
			.run().changes;
		recordAudit(tx, {
			actorId: userId,
			source: 'app',
			action: 'two_factor_disabled',
			entity: 'user',
			entityId: userId,
			changes: { totpEnabledAt: [current.totpEnabledAt, null] },
			details: { recoveryCodesDeleted, waitingSessionsEnded }
		});
		return { ok: true } as const;
	});
}

/**
 * Replaces the user's recovery codes with new ones after checking a code (TOTP or recovery
 * code), and returns the new codes. Returns null, and writes nothing, for a wrong code.
 */
export function regenerateRecoveryCodes(
	db: Db,
	userId: number,
	code: string,
	nowMs = Date.now()
): string[] | null {
	const codes = generateRecoveryCodes();
	return writeTransaction(db, (tx) => {
		const user = requireEnabledUser(tx, userId);
		if (!consumeSecondFactor(tx, user, code, nowMs)) return null;

		const replaced = replaceRecoveryCodes(tx, userId, codes);
		recordAudit(tx, {
			actorId: userId,
			source: 'app',
			action: 'recovery_codes_regenerated',
			entity: 'user',
			entityId: userId,
			details: { recoveryCodesReplaced: replaced, recoveryCodes: codes.length }
		});
		return codes;
	});
}

/** Sets two_factor_verified on one session. */
export function markSessionVerified(db: Db, sessionId: string): void {
	db.update(sessions).set({ twoFactorVerified: true }).where(eq(sessions.id, sessionId)).run();
}

function assertMayDisable(db: Db, userId: number): void {
	if (isTwoFactorRequired(db)) {
		throw new TwoFactorError(
			'required_by_office',
			'The office requires two-factor sign-in, so it cannot be turned off. ' +
				'You can still replace your recovery codes.'
		);
	}
	requireEnabledUser(db, userId);
}

function requireUser(db: Db, userId: number): User {
	const user = db.select().from(users).where(eq(users.id, userId)).get();
	if (!user) throw new TwoFactorError('user_not_found', `User ${userId} does not exist.`);
	return user;
}

function requireEnabledUser(db: Db, userId: number): User {
	const user = requireUser(db, userId);
	if (user.totpEnabledAt === null || user.totpKey === null) {
		throw new TwoFactorError('not_enabled', 'Two-factor sign-in is not on for this account.');
	}
	return user;
}
