import { hash, verify } from '@node-rs/argon2';

/** Minimum length of a new password, in characters as typed. */
export const MIN_PASSWORD_LENGTH = 12;
/** Upper bound that keeps a hash request cheap to reject. */
export const MAX_PASSWORD_LENGTH = 256;

// Argon2id with 19 MiB of memory, 2 passes and 1 lane: the OWASP minimum for Argon2id.
// `algorithm: 2` is Argon2id in @node-rs/argon2's const enum, which isolated modules cannot
// import; every hash string also records its algorithm and parameters ($argon2id$...).
const ARGON2_OPTIONS = {
	algorithm: 2,
	memoryCost: 19_456,
	timeCost: 2,
	parallelism: 1,
	outputLen: 32
} as const;

// A real hash of a random string, verified against when a sign-in names an unknown email so
// that the reply takes as long as for a known one.
let dummyHash: Promise<string> | undefined;

/** Hashes a password with Argon2id; the result embeds its salt and parameters. */
export function hashPassword(password: string): Promise<string> {
	return hash(normalizePassword(password), ARGON2_OPTIONS);
}

/** Checks a password against a stored hash; a malformed hash counts as a mismatch. */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
	try {
		return await verify(storedHash, normalizePassword(password));
	} catch {
		return false;
	}
}

/** Spends the same Argon2id work as verifyPassword, for a sign-in whose email is unknown. */
export async function verifyAgainstDummy(password: string): Promise<false> {
	dummyHash ??= hash(crypto.randomUUID(), ARGON2_OPTIONS);
	await verifyPassword(await dummyHash, password);
	return false;
}

/**
 * Returns why a new password is unacceptable, or null when it is fine. Length counts Unicode
 * code points after NFC normalisation, the same form that is hashed.
 */
export function checkNewPassword(password: string): string | null {
	const length = [...normalizePassword(password)].length;
	if (length < MIN_PASSWORD_LENGTH) {
		return `Password must have at least ${MIN_PASSWORD_LENGTH} characters (it has ${length}).`;
	}
	if (length > MAX_PASSWORD_LENGTH) {
		return `Password must have at most ${MAX_PASSWORD_LENGTH} characters (it has ${length}).`;
	}
	return null;
}

// NFC makes a password typed with a composed "é" match one typed with "e" + combining accent,
// whichever keyboard or terminal produced it.
function normalizePassword(password: string): string {
	return password.normalize('NFC');
}
