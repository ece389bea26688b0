// Rules for new passwords that the server (auth/password.ts, also run by the admin CLI) and the
// account page share, so the browser counts characters exactly as the server does.

/** Minimum length of a new password, in Unicode code points after NFC normalisation. */
export const MIN_PASSWORD_LENGTH = 12;
/** Maximum length of a new password, in the same unit. It keeps a hash request cheap to reject. */
export const MAX_PASSWORD_LENGTH = 256;

/**
 * Message for a new password found in the common-password list. The server sends it with
 * reason `invalid`, and the account page compares an issue's message with it to translate it.
 */
export const COMMON_PASSWORD_MESSAGE =
	'This password is among the most common passwords; choose another.';

/**
 * Normalises a password to NFC, the form that is hashed, counted and compared. A composed "é"
 * and "e" followed by a combining accent then give the same password, whichever keyboard,
 * browser or terminal produced it.
 */
export function normalizePassword(password: string): string {
	return password.normalize('NFC');
}

/** Counts a password's Unicode code points after NFC normalisation. */
export function countPasswordCharacters(password: string): number {
	return [...normalizePassword(password)].length;
}
