import { encodeBase32NoPadding } from '@oslojs/encoding';
import { generateTOTP } from '@oslojs/otp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createUser, signIn, sleep } from '../reliability/app-server';
import { createFixture, validInput, type Fixture } from './fixture';
import {
	auditActionsSince,
	callProcedure,
	dataOf,
	lastAuditId,
	PROCEDURE_PATHS,
	send,
	snapshotBusinessTables,
	startAttackApp,
	unexpectedAuditActions,
	type AttackApp
} from './harness';

// An account with two-factor sign-in. A session that passed the password but not the code
// reaches no procedure and no page, and guessing codes is throttled. Neither the TOTP key nor
// a recovery code reaches the log or the audit trail.

const TOTP_USER = {
	email: 'attack.totp@example.com',
	name: 'Tânia Token',
	password: 'totp user passphrase here',
	role: 'admin' as const
};
const CODE_PAGE = '/login/two-factor';
/** More wrong codes than the sign-in throttle lets through. */
const GUESSES = 12;

let app: AttackApp;
let fixture: Fixture;
let totpKey: Buffer;
let recoveryCodes: string[];

beforeAll(async () => {
	app = await startAttackApp({ prefix: 'case-ledger-attack-totp-', env: { LOG_LEVEL: 'debug' } });
	fixture = await createFixture(app);
	await createUser(app.database.path, TOTP_USER);

	const cookie = await signIn(app.origin, TOTP_USER.email, TOTP_USER.password);
	dataOf(await callProcedure(app.origin, cookie, 'twoFactor.beginSetup', undefined), 'beginSetup');
	const row = app.db.prepare('SELECT totp_key FROM users WHERE email = ?').get(TOTP_USER.email) as {
		totp_key: Buffer;
	};
	totpKey = row.totp_key;
	const confirmed = await callProcedure(app.origin, cookie, 'twoFactor.confirmSetup', {
		code: generateTOTP(totpKey, 30, 6)
	});
	recoveryCodes = dataOf<{ recoveryCodes: string[] }>(confirmed, 'confirmSetup').recoveryCodes;
}, 90_000);

afterAll(async () => {
	await app?.stop();
});

/** Signs in with the password only and returns the cookie of the session that awaits a code. */
async function passwordOnlySession(): Promise<string> {
	const response = await send(app.origin, '/login', {
		method: 'POST',
		headers: {
			origin: app.origin,
			accept: 'text/html',
			'content-type': 'application/x-www-form-urlencoded'
		},
		body: new URLSearchParams({ email: TOTP_USER.email, password: TOTP_USER.password }).toString()
	});
	expect(response.status).toBe(303);
	expect(response.headers.get('location')).toMatch(/^\/login\/two-factor/);
	const cookie = response.headers
		.getSetCookie()
		.map((header) => header.split(';')[0]!)
		.find((pair) => pair.startsWith('session='));
	expect(cookie).toBeDefined();
	return cookie!;
}

function postCode(cookie: string, code: string) {
	return send(app.origin, CODE_PAGE, {
		method: 'POST',
		headers: {
			origin: app.origin,
			accept: 'text/html',
			cookie,
			'content-type': 'application/x-www-form-urlencoded'
		},
		body: new URLSearchParams({ code }).toString()
	});
}

describe('session awaiting the code', () => {
	it('reaches no procedure', async () => {
		const cookie = await passwordOnlySession();
		const before = snapshotBusinessTables(app.db);
		const auditBefore = lastAuditId(app.db);

		for (const path of PROCEDURE_PATHS) {
			const response = await callProcedure(app.origin, cookie, path, validInput(path, fixture));

			expect([401, 403], path).toContain(response.status);
		}
		expect(snapshotBusinessTables(app.db)).toBe(before);
		expect(unexpectedAuditActions(app.db, auditBefore, [])).toEqual([]);
	});

	it('pages redirect to the code page', async () => {
		const cookie = await passwordOnlySession();

		for (const page of ['/', '/clients', `/clients/${fixture.clientId}`, '/settings', '/account']) {
			const response = await send(app.origin, page, { headers: { cookie } });

			expect(response.status, page).toBe(303);
			expect(response.headers.get('location'), page).toMatch(/^\/login\/two-factor/);
		}
	});
	it('sign-out ends it', async () => {
		const cookie = await passwordOnlySession();
		const sessionId = cookie.slice('session='.length).split('.')[0]!;
		const auditBefore = lastAuditId(app.db);

		const response = await send(app.origin, '/logout', {
			method: 'POST',
			headers: {
				origin: app.origin,
				accept: 'text/html',
				cookie,
				'content-type': 'application/x-www-form-urlencoded'
			},
			body: ''
		});

		expect(response.status).toBe(303);
		expect(response.headers.get('location')).toBe('/login');
		const row = app.db.prepare('SELECT count(*) AS n FROM sessions WHERE id = ?').get(sessionId);
		expect(row).toEqual({ n: 0 });
		expect(auditActionsSince(app.db, auditBefore)).toEqual(['sign_out']);
		const codePage = await send(app.origin, CODE_PAGE, { headers: { cookie } });
		expect(codePage.status).toBe(303);
		expect(codePage.headers.get('location')).toMatch(/^\/login/);
	});
	it('right code replaces the token', async () => {
		const cookie = await passwordOnlySession();

		const response = await postCode(cookie, recoveryCodes[0]!);

		expect(response.status).toBe(303);
		const replacement = response.headers
			.getSetCookie()
			.map((header) => header.split(';')[0]!)
			.find((pair) => pair.startsWith('session='));
		expect(replacement).toMatch(/^session=[a-z2-7]{32}\.[a-z2-7]{32}$/);
		expect(replacement).not.toBe(cookie);
		const withOld = await callProcedure(app.origin, cookie, 'clients.list', {});
		const withNew = await callProcedure(app.origin, replacement!, 'clients.list', {});
		expect(withOld.status).toBe(401);
		expect(withNew.status).toBe(200);
	});
});

describe('code guessing', () => {
	it('is throttled before the right code', async () => {
		const cookie = await passwordOnlySession();
		const statuses: number[] = [];

		for (let guess = 0; guess < GUESSES; guess++) {
			statuses.push((await postCode(cookie, String(100_000 + guess))).status);
		}
		// Whatever the count so far, the right code must now be refused too.
		const rightCode = await postCode(cookie, generateTOTP(totpKey, 30, 6));
		const afterGuesses = await callProcedure(app.origin, cookie, 'clients.list', {});

		expect(statuses).toContain(429);
		expect(statuses.slice(-1)).toEqual([429]);
		expect(rightCode.status).toBe(429);
		expect(rightCode.headers.get('retry-after')).toMatch(/^\d+$/);
		expect([401, 403]).toContain(afterGuesses.status);
	});
});

describe('two-factor secrets', () => {
	/** Returns the TOTP key as base32 (plain and grouped) and hex, and every recovery code. */
	function secretForms(): string[] {
		const base32 = encodeBase32NoPadding(totpKey);
		const codes = recoveryCodes.flatMap((code) => [code, code.replace(/[^0-9A-Za-z]/g, '')]);
		return [
			base32,
			base32.toLowerCase(),
			base32.replace(/(.{4})(?=.)/g, '$1 '),
			totpKey.toString('hex'),
			...codes
		];
	}

	it('setup returned the secrets', () => {
		expect(totpKey.length).toBeGreaterThanOrEqual(20);
		expect(recoveryCodes.length).toBeGreaterThan(0);
	});

	it('log holds no key or code', async () => {
		await sleep(300);
		const output = app.server.stdout();

		expect(output).toContain('two-factor sign-in enabled');
		for (const secret of secretForms()) {
			expect(output.includes(secret), `secret ${secret.slice(0, 4)}...`).toBe(false);
		}
	});

	it('audit trail holds no key or code', () => {
		const rows = app.db.prepare('SELECT changes, details FROM audit_log').all();
		const text = JSON.stringify(rows);

		expect(rows.length).toBeGreaterThan(0);
		for (const secret of secretForms()) {
			expect(text.includes(secret), `secret ${secret.slice(0, 4)}...`).toBe(false);
		}
	});
});
