import { and, eq, isNull, lt, or } from 'drizzle-orm';

// Relative imports only: the admin CLI runs this module under tsx, which does not resolve $lib.
import { recordAudit } from '../audit';
import type { Db } from '../db';
import { recoveryCodes, settings, users, type User } from '../db/schema';
import { hashRecoveryCode, normalizeRecoveryCode } from './recovery-codes';
import { findTotpStep } from './totp';

/** Reason a two-factor operation cannot run, whatever code was entered. */
export type TwoFactorErrorReason =
	'not_enabled' | 'already_enabled' | 'setup_not_started' | 'required_by_office' | 'user_not_found';

/** A two-factor operation rejected before any code was checked. Nothing was written. */
export class TwoFactorError extends Error {
	readonly reason: TwoFactorErrorReason;

	constructor(reason: TwoFactorErrorReason, message: string) {
		super(message);
		this.name = 'TwoFactorError';
		this.reason = reason;
	}
}

/** A code that was accepted and consumed: a TOTP time step or a recovery code. */
export type SecondFactor =
	{ method: 'totp'; step: number } | { method: 'recovery_code'; recoveryCodesLeft: number };

/** The step where a code was checked, stored in the details of a two_factor_failed row. */
export type TwoFactorStage = 'sign_in' | 'setup' | 'disable' | 'regenerate';

/** Returns whether the office requires two-factor sign-in for every user. */
export function isTwoFactorRequired(db: Db): boolean {
	const row = db
		.select({ required: settings.requireTwoFactor })
		.from(settings)
		.where(eq(settings.id, 1))
		.get();
	return row?.required ?? false;
}

/**
 * Checks a code against the user's TOTP key, or against their unused recovery codes when
 * `allowRecoveryCode` is true, and consumes it: a TOTP step is stored as the last accepted
 * one, and a recovery code is marked used. Returns null when the code is wrong, malformed or
 * already used. Call it inside writeTransaction, so the check and the write are atomic.
 */
export function consumeSecondFactor(
	tx: Db,
	user: Pick<User, 'id' | 'totpKey' | 'totpLastStep'>,
	code: string,
	nowMs: number,
	allowRecoveryCode = true
): SecondFactor | null {
	const compact = code.replace(/\s/g, '');
	if (/^\d{6}$/.test(compact)) return consumeTotpCode(tx, user, compact, nowMs);
	if (!allowRecoveryCode) return null;

	const normalized = normalizeRecoveryCode(code);
	return normalized === null ? null : consumeRecoveryCode(tx, user.id, normalized, nowMs);
}

/**
 * Accepts a TOTP code when its step is after the last accepted step, and stores that step.
 * The conditional UPDATE also rejects a step that a concurrent request stored first.
 */
export function consumeTotpCode(
	tx: Db,
	user: Pick<User, 'id' | 'totpKey' | 'totpLastStep'>,
	code: string,
	nowMs: number
): SecondFactor | null {
	if (!user.totpKey) return null;

	const step = findTotpStep(new Uint8Array(user.totpKey), code, nowMs);
	if (step === null) return null;
	if (user.totpLastStep !== null && step <= user.totpLastStep) return null;

	const stored = tx
		.update(users)
		.set({ totpLastStep: step })
		.where(and(eq(users.id, user.id), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
		.run().changes;
	return stored === 1 ? { method: 'totp', step } : null;
}

function consumeRecoveryCode(
	tx: Db,
	userId: number,
	normalized: string,
	nowMs: number
): SecondFactor | null {
	const used = tx
		.update(recoveryCodes)
		.set({ usedAt: new Date(nowMs).toISOString() })
		.where(
			and(
				eq(recoveryCodes.userId, userId),
				eq(recoveryCodes.codeHash, hashRecoveryCode(normalized)),
				isNull(recoveryCodes.usedAt)
			)
		)
		.run().changes;
	if (used !== 1) return null;

	return { method: 'recovery_code', recoveryCodesLeft: countUnusedRecoveryCodes(tx, userId) };
}

/** Returns how many of the user's recovery codes are still unused. */
export function countUnusedRecoveryCodes(db: Db, userId: number): number {
	return db
		.select({ id: recoveryCodes.id })
		.from(recoveryCodes)
		.where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
		.all().length;
}

/** Deletes the user's recovery codes, stores the hashes of `codes` and returns the count deleted. */
export function replaceRecoveryCodes(tx: Db, userId: number, codes: readonly string[]): number {
	const deleted = tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run().changes;
	if (codes.length === 0) return deleted;

	const rows = codes.map((code) => ({
		userId,
		codeHash: hashRecoveryCode(normalizeRecoveryCode(code)!)
	}));
	tx.insert(recoveryCodes).values(rows).run();
	return deleted;
}

/**
 * Writes the two_factor_failed audit row of a wrong code. `actorId` is null during sign-in,
 * where the user has not finished signing in. The code itself is never recorded.
 */
export function recordTwoFactorFailure(
	db: Db,
	failure: { userId: number; actorId: number | null; stage: TwoFactorStage; address?: string }
): void {
	recordAudit(db, {
		actorId: failure.actorId,
		source: 'app',
		action: 'two_factor_failed',
		entity: 'user',
		entityId: failure.userId,
		details: { stage: failure.stage, ...(failure.address ? { address: failure.address } : {}) }
	});
}
