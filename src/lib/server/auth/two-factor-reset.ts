import { eq } from 'drizzle-orm';

// Relative imports only: the admin CLI runs this module under tsx, which does not resolve $lib.
import { cliActor, recordAuditBy } from '../audit';
import { writeTransaction, type Db } from '../db';
import { users } from '../db/schema';
import { requireUserByEmail, type UserSummary } from '../users';
import { replaceRecoveryCodes } from './second-factor';
import { invalidateUserSessions } from './session';

/** Changes that `pnpm admin reset-2fa` made for one user. */
export interface TwoFactorReset {
	user: UserSummary;
	/** The totpEnabledAt that was cleared; null when two-factor sign-in was off. */
	previousEnabledAt: string | null;
	/** True when a key was stored, including the key of an unfinished setup. */
	keyCleared: boolean;
	recoveryCodesDeleted: number;
	sessionsEnded: number;
}

/**
 * Turns off two-factor sign-in for a user who lost their authenticator: clears the key, the
 * enabled time and the last accepted step, deletes the recovery codes and ends every session
 * of the user. Writes a two_factor_reset audit row with source `cli`. Throws UserError for an
 * unknown email.
 */
export function resetTwoFactor(db: Db, email: string): TwoFactorReset {
	return writeTransaction(db, (tx) => {
		const user = requireUserByEmail(tx, email);

		tx.update(users)
			.set({ totpKey: null, totpEnabledAt: null, totpLastStep: null })
			.where(eq(users.id, user.id))
			.run();
		const recoveryCodesDeleted = replaceRecoveryCodes(tx, user.id, []);
		const sessionsEnded = invalidateUserSessions(tx, user.id);
		recordAuditBy(tx, cliActor(), {
			action: 'two_factor_reset',
			entity: 'user',
			entityId: user.id,
			changes: user.totpEnabledAt === null ? null : { totpEnabledAt: [user.totpEnabledAt, null] },
			details: { keyCleared: user.totpKey !== null, recoveryCodesDeleted, sessionsEnded }
		});

		const { id, name, role, disabledAt, createdAt } = user;
		return {
			user: { id, email: user.email, name, role, disabledAt, createdAt, totpEnabledAt: null },
			previousEnabledAt: user.totpEnabledAt,
			keyCleared: user.totpKey !== null,
			recoveryCodesDeleted,
			sessionsEnded
		};
	});
}
