import fs from 'node:fs';

import { hash, verify } from '@node-rs/argon2';

// Relative imports only: the admin CLI runs this module under tsx, which does not resolve $lib.
import {
	COMMON_PASSWORD_MESSAGE,
	MAX_PASSWORD_LENGTH,
	MIN_PASSWORD_LENGTH,
	normalizePassword
} from '../../domain/password-policy';

export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH };

const COMMON_PASSWORD_FILE = './common-passwords.txt';

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

// NFC and lower-cased, so that the lookup ignores case. Read once, when the module loads.
const commonPasswords: ReadonlySet<string> = loadCommonPasswords();

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
 * code points after NFC normalisation, the same form that is hashed. A password in the bundled
 * common-password list is rejected whatever its letter case.
 */
export function checkNewPassword(password: string): string | null {
	const normalized = normalizePassword(password);
	const length = [...normalized].length;
	if (length < MIN_PASSWORD_LENGTH) {
		return `Password must have at least ${MIN_PASSWORD_LENGTH} characters (it has ${length}).`;
	}
	if (length > MAX_PASSWORD_LENGTH) {
		return `Password must have at most ${MAX_PASSWORD_LENGTH} characters (it has ${length}).`;
	}
	if (commonPasswords.has(normalized.toLowerCase())) {
		return COMMON_PASSWORD_MESSAGE;
	}
	return null;
}

function loadCommonPasswords(): ReadonlySet<string> {
	const entries = readCommonPasswordFile()
		.split(/\r?\n/u)
		.filter((line) => line.length > 0)
		.map((line) => normalizePassword(line).toLowerCase());
	return new Set(entries);
}

// Under Vite (dev server, vitest and `vite build`) the list is embedded as a string, because
// the built server's chunks in build/server have no copy of the file beside them. Plain Node
// running the admin CLI through tsx defines neither import.meta.env nor import.meta.glob, so
// there the file is read from beside this module. The container copies it to /app/src too.
function readCommonPasswordFile(): string {
	if (!import.meta.env) {
		return fs.readFileSync(new URL(COMMON_PASSWORD_FILE, import.meta.url), 'utf8');
	}

	const embedded = import.meta.glob<string>('./common-passwords.txt', {
		query: '?raw',
		import: 'default',
		eager: true
	});
	const text = embedded[COMMON_PASSWORD_FILE];
	if (text === undefined) {
		throw new Error(
			`${COMMON_PASSWORD_FILE} is missing beside auth/password.ts. Restore it from the repository.`
		);
	}
	return text;
}
