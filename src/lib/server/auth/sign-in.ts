import { eq } from 'drizzle-orm';

import type { Db } from '../db';
import { users } from '../db/schema';
import { verifyAgainstDummy, verifyPassword } from './password';
import type { SessionUser } from './session';

/** Maximum password length a sign-in attempt hashes. Longer input fails without hashing. */
const MAX_SIGN_IN_PASSWORD_LENGTH = 1024;

/** Reason for a failed password sign-in, as the sign_in_failed audit row records it. */
export type SignInFailureReason =
	'unknown_email' | 'wrong_password' | 'password_too_long' | 'disabled';

/** Outcome of authenticate. `userId` is null when no user has the email. */
export type SignInResult =
	| { ok: true; user: SessionUser; twoFactorEnabled: boolean }
	| { ok: false; reason: SignInFailureReason; userId: number | null };

/**
 * Checks an email and password and returns the user, or why it failed. An unknown email, a
 * disabled account and a wrong password all cost one Argon2id verification, so the reply time
 * does not reveal which emails exist. A disabled account is reported only after its password
 * matched.
 */
export async function authenticate(db: Db, email: string, password: string): Promise<SignInResult> {
	const user = db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).get();

	if (!user || password.length > MAX_SIGN_IN_PASSWORD_LENGTH) {
		await verifyAgainstDummy(password.slice(0, MAX_SIGN_IN_PASSWORD_LENGTH));
		const reason = user ? 'password_too_long' : 'unknown_email';
		return { ok: false, reason, userId: user?.id ?? null };
	}

	const matches = await verifyPassword(user.passwordHash, password);
	if (!matches) return { ok: false, reason: 'wrong_password', userId: user.id };
	if (user.disabledAt !== null) return { ok: false, reason: 'disabled', userId: user.id };

	return {
		ok: true,
		user: { id: user.id, email: user.email, name: user.name, role: user.role },
		twoFactorEnabled: user.totpEnabledAt !== null
	};
}
