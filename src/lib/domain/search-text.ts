/**
 * Folds text for accent- and case-insensitive search, so "José  ÁVILA" becomes "jose avila".
 * It decomposes to NFD, strips combining marks, lower-cases, collapses whitespace runs to one
 * space and trims. Store and compare both sides folded the same way.
 */
export function normalizeSearchText(s: string): string {
	return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Escapes `\`, `%` and `_` with a backslash for use in `LIKE ? ESCAPE '\'`. */
export function escapeLikePattern(s: string): string {
	return s.replace(/[\\%_]/g, (character) => `\\${character}`);
}
