import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createUser, signIn, sleep } from '../reliability/app-server';
import { freshCpf } from './fixture';
import {
	ATTACK_USERS,
	callProcedure,
	dataOf,
	send,
	startAttackApp,
	type AttackApp
} from './harness';

// The app runs at LOG_LEVEL=debug while sign-ins, failed sign-ins, a password change and
// hostile text go through it. Its standard output must then hold one JSON object per line,
// with no secret in any line and no line whose message an attacker wrote.

const CHANGER = {
	email: 'attack.changer@example.com',
	name: 'Carla Troca',
	password: 'first passphrase of carla',
	role: 'staff' as const
};
const CHANGER_NEW_PASSWORD = 'second passphrase of carla';
const WRONG_PASSWORD = 'wrong guess for the admin';
/** Text that an attacker hopes to see as the message of a log line of its own. */
const FORGED = 'FORGED-LOG-LINE';
const FORGED_LINE = `{"level":30,"app":"case-ledger","msg":"${FORGED}"}`;
const LINE_BREAKS = ['\n', '\r\n', '\r', '\u2028', '\u2029'];

let app: AttackApp;
/** Every password and session token used in this file. */
const secrets: string[] = [];

beforeAll(async () => {
	app = await startAttackApp({ prefix: 'case-ledger-attack-logs-', env: { LOG_LEVEL: 'debug' } });
	await createUser(app.database.path, CHANGER);
	secrets.push(CHANGER.password, CHANGER_NEW_PASSWORD, WRONG_PASSWORD);
	for (const user of Object.values(ATTACK_USERS)) secrets.push(user.password);
	for (const cookie of Object.values(app.cookies)) secrets.push(...tokenParts(cookie));

	await runLoggedActions();
	// Lets pino's last writes reach the pipe before the tests read it.
	await sleep(300);
}, 120_000);

afterAll(async () => {
	await app?.stop();
});

/** Returns the token of a `session=...` cookie and both of its halves. */
function tokenParts(cookie: string): string[] {
	const token = cookie.slice('session='.length);
	return [token, ...token.split('.')];
}

function postLogin(email: string, password: string) {
	return send(app.origin, '/login', {
		method: 'POST',
		headers: {
			origin: app.origin,
			accept: 'text/html',
			'content-type': 'application/x-www-form-urlencoded'
		},
		body: new URLSearchParams({ email, password }).toString()
	});
}

async function runLoggedActions(): Promise<void> {
	expect((await postLogin(ATTACK_USERS.admin.email, WRONG_PASSWORD)).status).toBe(400);
	expect((await postLogin('nobody@example.com', WRONG_PASSWORD)).status).toBe(400);

	const changerCookie = await signIn(app.origin, CHANGER.email, CHANGER.password);
	secrets.push(...tokenParts(changerCookie));
	const change = await callProcedure(app.origin, changerCookie, 'account.changePassword', {
		currentPassword: CHANGER.password,
		newPassword: CHANGER_NEW_PASSWORD
	});
	dataOf(change, 'account.changePassword');
	const newCookie = await signIn(app.origin, CHANGER.email, CHANGER_NEW_PASSWORD);
	secrets.push(...tokenParts(newCookie));
	dataOf(await callProcedure(app.origin, newCookie, 'clients.list', {}), 'clients.list');

	for (const lineBreak of LINE_BREAKS) {
		await postLogin(`evil@example.com${lineBreak}${FORGED_LINE}`, WRONG_PASSWORD);
		await callProcedure(app.origin, app.cookies.admin, 'clients.create', {
			kind: 'person',
			name: `Nome${lineBreak}${FORGED_LINE}`,
			document: freshCpf(),
			notes: `Nota${lineBreak}${FORGED_LINE}`
		});
		await send(app.origin, `/clients/${encodeURIComponent(`${lineBreak}${FORGED_LINE}`)}`, {
			headers: { cookie: app.cookies.admin }
		});
		await send(
			app.origin,
			`/trpc/clients.list${encodeURIComponent(`${lineBreak}${FORGED_LINE}`)}`,
			{
				headers: { cookie: app.cookies.admin }
			}
		);
	}
}

// NOTE: adapter-node's build/index.js prints this one plain-text line with console.log when it
// starts listening; it carries no request data.
const ADAPTER_START_LINE = /^Listening on http:\/\/127\.0\.0\.1:\d+$/;

/** Returns the app's log lines: standard output without blank lines and the start line. */
function logLines(): string[] {
	return app.server
		.stdout()
		.split('\n')
		.filter((line) => line.trim() !== '' && !ADAPTER_START_LINE.test(line));
}

describe('log output', () => {
	it('covers the logged actions', () => {
		const messages = logLines().map((line) => (JSON.parse(line) as { msg?: string }).msg);

		expect(messages).toContain('sign-in failed');
		expect(messages).toContain('password changed');
		expect(messages).toContain('request');
	});

	it('every line is one JSON object', () => {
		const startLines = app.server
			.stdout()
			.split('\n')
			.filter((line) => ADAPTER_START_LINE.test(line));
		expect(startLines).toHaveLength(1);

		for (const line of logLines()) {
			let parsed: unknown;
			expect(() => (parsed = JSON.parse(line)), line.slice(0, 200)).not.toThrow();
			expect(typeof parsed, line.slice(0, 200)).toBe('object');
			expect(Array.isArray(parsed), line.slice(0, 200)).toBe(false);
		}
	});

	it('no message is attacker text', () => {
		const messages = logLines().map((line) => String((JSON.parse(line) as { msg?: string }).msg));

		expect(messages.filter((message) => message.includes(FORGED))).toEqual([]);
	});

	it('no line holds a secret', () => {
		const output = app.server.stdout();

		expect(secrets.length).toBeGreaterThan(10);
		for (const secret of secrets) {
			expect(output.includes(secret), `secret ${secret.slice(0, 4)}...`).toBe(false);
		}
	});
});
