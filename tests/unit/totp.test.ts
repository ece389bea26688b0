import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { describe, expect, it } from 'vitest';

import {
	generateRecoveryCodes,
	hashRecoveryCode,
	normalizeRecoveryCode,
	RECOVERY_CODE_COUNT
} from '$lib/server/auth/recovery-codes';
import {
	findTotpStep,
	formatTotpKey,
	generateTotpKey,
	totpCodeForStep,
	totpKeyUri,
	totpStepAt
} from '$lib/server/auth/totp';

// The SHA-1 key of the RFC 6238 appendix B test vectors: the ASCII string "12345678901234567890".
const RFC_KEY = new TextEncoder().encode('12345678901234567890');

describe('totp codes', () => {
	// Appendix B lists 8-digit codes; a 6-digit code is the last 6 digits of the same value.
	it.each([
		[59, '287082'],
		[1_111_111_109, '081804'],
		[1_234_567_890, '005924'],
		[2_000_000_000, '279037']
	])('matches RFC 6238 vector at %i s', (seconds, code) => {
		expect(totpCodeForStep(RFC_KEY, totpStepAt(seconds * 1000))).toBe(code);
	});

	it('accepts previous and next step', () => {
		const now = 1_234_567_890_000;
		const step = totpStepAt(now);

		expect(findTotpStep(RFC_KEY, totpCodeForStep(RFC_KEY, step - 1), now)).toBe(step - 1);
		expect(findTotpStep(RFC_KEY, totpCodeForStep(RFC_KEY, step), now)).toBe(step);
		expect(findTotpStep(RFC_KEY, totpCodeForStep(RFC_KEY, step + 1), now)).toBe(step + 1);
	});

	it('rejects codes two steps away', () => {
		const now = 1_234_567_890_000;
		const step = totpStepAt(now);

		expect(findTotpStep(RFC_KEY, totpCodeForStep(RFC_KEY, step - 2), now)).toBeNull();
		expect(findTotpStep(RFC_KEY, totpCodeForStep(RFC_KEY, step + 2), now)).toBeNull();
	});

	it.each(['', '12345', '1234567', 'abcdef', '12 456'])('rejects malformed %j', (code) => {
		expect(findTotpStep(RFC_KEY, code, 59_000)).toBeNull();
	});
});

describe('totp key', () => {
	it('has 20 random bytes', () => {
		const first = generateTotpKey();
		const second = generateTotpKey();

		expect(first).toHaveLength(20);
		expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
	});

	it('formats base32 in groups of four', () => {
		const text = formatTotpKey(RFC_KEY);

		expect(text).toBe('GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ');
		expect(decodeBase32IgnorePadding(text.replaceAll(' ', ''))).toEqual(RFC_KEY);
	});

	it('builds otpauth URI with issuer and email', () => {
		const uri = new URL(totpKeyUri(RFC_KEY, 'ana@example.com'));

		expect(uri.protocol).toBe('otpauth:');
		// The WHATWG parser reads `totp` as the host of this non-special scheme.
		expect(uri.host).toBe('totp');
		expect(decodeURIComponent(uri.pathname)).toBe('/Case Ledger:ana@example.com');
		expect(uri.searchParams.get('issuer')).toBe('Case Ledger');
		expect(uri.searchParams.get('secret')).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
		expect(uri.searchParams.get('digits')).toBe('6');
		expect(uri.searchParams.get('period')).toBe('30');
		expect(uri.searchParams.get('algorithm')).toBe('SHA1');
	});
});

describe('recovery codes', () => {
	it('generates ten distinct grouped codes', () => {
		const codes = generateRecoveryCodes();

		expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
		expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
		for (const code of codes) expect(code).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
	});

	it.each([
		['ABCD-EFGH-IJKL-MNOP', 'ABCDEFGHIJKLMNOP'],
		['abcd efgh ijkl mnop', 'ABCDEFGHIJKLMNOP'],
		[' ABCDEFGHIJKLMNOP ', 'ABCDEFGHIJKLMNOP']
	])('normalizes %j', (input, expected) => {
		expect(normalizeRecoveryCode(input)).toBe(expected);
	});

	it.each(['', 'ABCD-EFGH-IJKL', 'ABCD-EFGH-IJKL-MNO1', '123456', 'ABCD-EFGH-IJKL-MNOPQ'])(
		'rejects malformed %j',
		(input) => {
			expect(normalizeRecoveryCode(input)).toBeNull();
		}
	);

	it('hashes to 32 bytes without the code', () => {
		const hash = hashRecoveryCode('ABCDEFGHIJKLMNOP');

		expect(hash).toHaveLength(32);
		expect(hash.toString('latin1')).not.toContain('ABCDEFGHIJKLMNOP');
	});
});
