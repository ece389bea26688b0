import { eq } from 'drizzle-orm';

import type { Db } from '../db';
import { users } from '../db/schema';
import { verifyAgainstDummy, verifyPassword } from './password';
import type { SessionUser } from './session';

/** Maximum password length a sign-in attempt hashes. Longer input fails without hashing. */
const MAX_SIGN_IN_PASSWORD_LENGTH = 1024;

/**
 * Returns the user whose email and password match, or null. An unknown email, a disabled
 * account and a wrong password all cost one Argon2id verification, so the reply time does not
 * reveal which emails exist.
 */
export async function authenticate(
	db: Db,
	email: string,
	password: string
): Promise<SessionUser | null> {
	const user = db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).get();

	if (!user || password.length > MAX_SIGN_IN_PASSWORD_LENGTH) {
		await verifyAgainstDummy(password.slice(0, MAX_SIGN_IN_PASSWORD_LENGTH));
		return null;
	}

	const matches = await verifyPassword(user.passwordHash, password);
	if (!matches || user.disabledAt !== null) return null;
	return { id: user.id, email: user.email, name: user.name, role: user.role };
}
