import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';

/** Number of recovery codes a user gets at setup and at each regeneration. */
export const RECOVERY_CODE_COUNT = 10;
/** Random bytes per code: 10 bytes (80 bits) give 16 base32 characters. */
const RECOVERY_CODE_BYTES = 10;
const RECOVERY_CODE_LENGTH = 16;

/** Returns new random recovery codes, formatted as XXXX-XXXX-XXXX-XXXX. */
export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
	return Array.from({ length: count }, () => {
		const bytes = new Uint8Array(RECOVERY_CODE_BYTES);
		crypto.getRandomValues(bytes);
		return formatRecoveryCode(encodeBase32UpperCaseNoPadding(bytes));
	});
}

/**
 * Returns a typed recovery code upper-cased and without spaces and dashes, or null when the
 * result is not 16 base32 characters.
 */
export function normalizeRecoveryCode(input: string): string | null {
	const compact = input.replace(/[\s-]/g, '').toUpperCase();
	return /^[A-Z2-7]{16}$/.test(compact) ? compact : null;
}

/** Returns the SHA-256 of a normalized recovery code, the only form that is stored. */
export function hashRecoveryCode(normalized: string): Buffer {
	return Buffer.from(sha256(new TextEncoder().encode(normalized)));
}

function formatRecoveryCode(compact: string): string {
	if (compact.length !== RECOVERY_CODE_LENGTH) {
		throw new RangeError(`A recovery code has ${RECOVERY_CODE_LENGTH} characters.`);
	}
	return compact.match(/.{4}/g)!.join('-');
}
