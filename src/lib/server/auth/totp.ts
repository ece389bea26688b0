import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32NoPadding } from '@oslojs/encoding';
import { createTOTPKeyURI, generateHOTP } from '@oslojs/otp';

/** RFC 6238 parameters that authenticator apps assume: HMAC-SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Key length in bytes: 160 bits, the HMAC-SHA-1 output size that RFC 4226 recommends. */
export const TOTP_KEY_BYTES = 20;
/** Issuer shown by authenticator apps next to the account name. */
export const TOTP_ISSUER = 'Case Ledger';
/** Steps accepted on either side of the server's current step, for clocks that drift. */
export const TOTP_DRIFT_STEPS = 1;

/** Returns a new random TOTP key. */
export function generateTotpKey(): Uint8Array {
	const key = new Uint8Array(TOTP_KEY_BYTES);
	crypto.getRandomValues(key);
	return key;
}

/** Returns the otpauth:// URI that authenticator apps read from the QR code. */
export function totpKeyUri(key: Uint8Array, email: string): string {
	return createTOTPKeyURI(TOTP_ISSUER, email, key, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
}

/** Returns the key in base32 without padding, in groups of four for typing it by hand. */
export function formatTotpKey(key: Uint8Array): string {
	return encodeBase32NoPadding(key).replace(/(.{4})(?=.)/g, '$1 ');
}

/** Returns the 30-second time step that contains `nowMs` (milliseconds since the epoch). */
export function totpStepAt(nowMs: number): number {
	return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

/** Returns the code of one time step, as an authenticator app shows it. */
export function totpCodeForStep(key: Uint8Array, step: number): string {
	return generateHOTP(key, BigInt(step), TOTP_DIGITS);
}

/**
 * Returns the time step whose code equals `code`, trying the current step and TOTP_DRIFT_STEPS
 * on either side, or null when none matches. Every candidate is compared in constant time.
 * The caller rejects a step at or before the last accepted one, so that no code works twice.
 */
export function findTotpStep(key: Uint8Array, code: string, nowMs: number): number | null {
	if (!/^\d{6}$/.test(code)) return null;

	const current = totpStepAt(nowMs);
	const submitted = new TextEncoder().encode(code);
	let matched: number | null = null;
	for (let step = current - TOTP_DRIFT_STEPS; step <= current + TOTP_DRIFT_STEPS; step++) {
		const expected = new TextEncoder().encode(totpCodeForStep(key, step));
		if (constantTimeEqual(submitted, expected) && matched === null) matched = step;
	}
	return matched;
}
