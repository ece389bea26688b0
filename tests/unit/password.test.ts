import { randomBytes } from 'node:crypto';
import fs from 'node:fs';

import { describe, expect, it } from 'vitest';

import {
	COMMON_PASSWORD_MESSAGE,
	countPasswordCharacters
} from '../../src/lib/domain/password-policy';
import {
	checkNewPassword,
	hashPassword,
	MAX_PASSWORD_LENGTH,
	MIN_PASSWORD_LENGTH,
	verifyPassword
} from '../../src/lib/server/auth/password';

const COMPOSED_E = '\u00e9';
const DECOMPOSED_E = 'e\u0301';
// U+1F600, one code point but two UTF-16 code units.
const EMOJI = '\u{1F600}';

const COMMON_LIST = new URL('../../src/lib/server/auth/common-passwords.txt', import.meta.url);

function tooShort(length: number): string {
	return `Password must have at least 12 characters (it has ${length}).`;
}

function tooLong(length: number): string {
	return `Password must have at most 256 characters (it has ${length}).`;
}

describe('checkNewPassword length', () => {
	it('uses 12 and 256 as bounds', () => {
		expect(MIN_PASSWORD_LENGTH).toBe(12);
		expect(MAX_PASSWORD_LENGTH).toBe(256);
	});

	it.each([
		{ case: '11 ASCII characters', password: 'Rio de Jan.', count: 11, problem: tooShort(11) },
		{ case: 'trailing space counted', password: 'Rio de Jan. ', count: 12, problem: null },
		{ case: '11 composed é', password: COMPOSED_E.repeat(11), count: 11, problem: tooShort(11) },
		{ case: '12 composed é', password: COMPOSED_E.repeat(12), count: 12, problem: null },
		// 22 code points as typed, 11 after NFC joins each pair.
		{
			case: '11 decomposed é',
			password: DECOMPOSED_E.repeat(11),
			count: 11,
			problem: tooShort(11)
		},
		{ case: '12 decomposed é', password: DECOMPOSED_E.repeat(12), count: 12, problem: null },
		// 22 UTF-16 code units, which `.length` would count.
		{ case: '11 emoji', password: EMOJI.repeat(11), count: 11, problem: tooShort(11) },
		{ case: '12 emoji', password: EMOJI.repeat(12), count: 12, problem: null },
		{ case: '256 emoji', password: EMOJI.repeat(256), count: 256, problem: null },
		{ case: '257 emoji', password: EMOJI.repeat(257), count: 257, problem: tooLong(257) },
		{
			case: '257 decomposed é',
			password: DECOMPOSED_E.repeat(257),
			count: 257,
			problem: tooLong(257)
		},
		{
			case: '256 mixed characters',
			password: `${COMPOSED_E}${EMOJI}ab`.repeat(64),
			count: 256,
			problem: null
		}
	])('$case', ({ password, count, problem }) => {
		expect(countPasswordCharacters(password)).toBe(count);
		expect(checkNewPassword(password)).toBe(problem);
	});
});

describe('checkNewPassword common passwords', () => {
	it.each([
		'qwerty123456',
		'QWERTY123456',
		'Qwerty123456',
		'password1234',
		'PassWord1234',
		'1qaz2wsx3edc',
		'1QAZ2WSX3EDC'
	])('rejects %j', (password) => {
		expect(checkNewPassword(password)).toBe(COMMON_PASSWORD_MESSAGE);
	});

	it.each(['qwerty123456!', ' qwerty123456', 'password12345678x'])(
		'accepts variant %j',
		(password) => {
			expect(checkNewPassword(password)).toBeNull();
		}
	);

	it('accepts long random password', () => {
		const password = randomBytes(48).toString('base64');

		expect(password).toHaveLength(64);
		expect(checkNewPassword(password)).toBeNull();
	});

	it('rejects with the exact message', () => {
		expect(checkNewPassword('qwerty123456')).toBe(
			'This password is among the most common passwords; choose another.'
		);
	});
});

describe('common-passwords.txt', () => {
	const lines = fs.readFileSync(COMMON_LIST, 'utf8').split('\n');
	const entries = lines.slice(0, -1);

	it('ends with one line break', () => {
		expect(lines.at(-1)).toBe('');
		expect(entries.every((entry) => entry.length > 0)).toBe(true);
	});

	it('has 5,000 unique entries', () => {
		expect(entries).toHaveLength(5000);
		expect(new Set(entries).size).toBe(5000);
	});

	it('stores NFC lower-case entries', () => {
		const unnormalized = entries.filter((entry) => entry !== entry.normalize('NFC').toLowerCase());

		expect(unnormalized).toEqual([]);
	});

	it('holds only lengths the policy accepts', () => {
		const outside = entries.filter((entry) => {
			const length = countPasswordCharacters(entry);
			return length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH;
		});

		expect(outside).toEqual([]);
	});

	it('rejects every entry', () => {
		const accepted = entries.filter((entry) => checkNewPassword(entry) !== COMMON_PASSWORD_MESSAGE);

		expect(accepted).toEqual([]);
	});
});

describe('verifyPassword normalization', () => {
	it('accepts decomposed form of composed hash', async () => {
		const stored = await hashPassword(`caf${COMPOSED_E} com leite 42`);

		expect(await verifyPassword(stored, `caf${DECOMPOSED_E} com leite 42`)).toBe(true);
		expect(await verifyPassword(stored, `caf${COMPOSED_E} com leite 42`)).toBe(true);
		expect(await verifyPassword(stored, 'cafe com leite 42')).toBe(false);
	});

	it('accepts composed form of decomposed hash', async () => {
		const stored = await hashPassword(`${DECOMPOSED_E}l${DECOMPOSED_E}gante e longa`);

		expect(await verifyPassword(stored, `${COMPOSED_E}l${COMPOSED_E}gante e longa`)).toBe(true);
		expect(await verifyPassword(stored, `${COMPOSED_E}l${COMPOSED_E}GANTE E LONGA`)).toBe(false);
	});
});
