import { randomBytes } from 'node:crypto';
import fs from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createUser, runAdmin, signIn } from '../reliability/app-server';
import { callProcedure, dataOf, send, startAttackApp, type AttackApp } from './harness';

// Session fixation, tokens outside the cookie, and sessions that ended (expired, revoked,
// signed out, disabled user) used again. A user of its own is revoked and disabled, so the
// shared accounts stay signed in for the other tests of this file.

const VICTIM = {
	email: 'attack.victim@example.com',
	name: 'Vítor Vítima',
	password: 'victim passphrase for attacks',
	role: 'staff' as const
};

let app: AttackApp;
/** Every session cookie value handed out in this file, for the scan of the database file. */
const issuedTokens: string[] = [];

beforeAll(async () => {
	app = await startAttackApp({ prefix: 'case-ledger-attack-sessions-' });
	await createUser(app.database.path, VICTIM);
	issuedTokens.push(...Object.values(app.cookies).map(tokenOf));
}, 90_000);

afterAll(async () => {
	await app?.stop();
});

function tokenOf(cookie: string): string {
	return cookie.slice('session='.length);
}

/** Returns a token in the app's format (two 32-character base32 halves) that no sign-in issued. */
function madeUpToken(): string {
	const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
	const half = () => Array.from(randomBytes(32), (byte) => alphabet[byte % 32]).join('');
	return `${half()}.${half()}`;
}

async function signInVictim(): Promise<string> {
	const cookie = await signIn(app.origin, VICTIM.email, VICTIM.password);
	issuedTokens.push(tokenOf(cookie));
	return cookie;
}

/** Status of a signed-in tRPC query with `cookie`: 200 while the session is valid. */
async function trpcStatus(cookie: string): Promise<number> {
	return (await callProcedure(app.origin, cookie, 'clients.list', {})).status;
}

/** Returns the redirect of GET /clients with `cookie`, `/login?...` once the session ended. */
async function pageRedirect(cookie: string): Promise<string | null> {
	const response = await send(app.origin, '/clients', { headers: { cookie } });
	return response.status === 303 ? response.headers.get('location') : `status ${response.status}`;
}

/** Posts the login form with `plantedCookie` already set and returns the new session cookie. */
async function signInWithPlantedCookie(
	plantedCookie: string,
	user: { email: string; password: string }
) {
	const response = await send(app.origin, '/login', {
		method: 'POST',
		headers: {
			origin: app.origin,
			accept: 'text/html',
			cookie: plantedCookie,
			'content-type': 'application/x-www-form-urlencoded'
		},
		body: new URLSearchParams({ email: user.email, password: user.password }).toString()
	});
	const issued = response.headers
		.getSetCookie()
		.map((cookie) => cookie.split(';')[0]!)
		.find((pair) => pair.startsWith('session=') && pair !== 'session=');
	if (issued) issuedTokens.push(tokenOf(issued));
	return { status: response.status, issued };
}

describe('session fixation', () => {
	it('planted token is replaced at sign-in', async () => {
		const planted = `session=${madeUpToken()}`;

		const { status, issued } = await signInWithPlantedCookie(planted, VICTIM);

		expect(status).toBe(303);
		expect(issued).toMatch(/^session=[a-z2-7]{32}\.[a-z2-7]{32}$/);
		expect(issued).not.toBe(planted);
		expect(await trpcStatus(planted)).toBe(401);
		expect(await trpcStatus(issued!)).toBe(200);
	});

	it('planted real session keeps its owner', async () => {
		// The attacker plants a session of their own (a viewer) in the victim's browser.
		const attackerCookie = await signIn(
			app.origin,
			'attack.viewer@example.com',
			'viewer passphrase for attacks'
		);
		issuedTokens.push(tokenOf(attackerCookie));

		const { issued } = await signInWithPlantedCookie(attackerCookie, VICTIM);
		const createAsAttacker = await callProcedure(app.origin, attackerCookie, 'people.create', {
			role: 'partner',
			name: 'Sócia Plantada'
		});

		expect(issued).toBeDefined();
		expect(issued).not.toBe(attackerCookie);
		expect(createAsAttacker.status).toBe(403);
	});
});

describe('token outside the cookie', () => {
	it.for([
		['query ?session=', (token: string) => ({ path: `/trpc/clients.list?session=${token}` })],
		[
			'query next to input',
			(token: string) => ({ path: `/trpc/clients.list?input=%7B%7D&session=${token}` })
		],
		['path parameter', (token: string) => ({ path: `/trpc/clients.list;session=${token}` })],
		[
			'Authorization header',
			(token: string) => ({
				path: '/trpc/clients.list',
				headers: { authorization: `Bearer ${token}` }
			})
		],
		[
			'cookie of another name',
			(token: string) => ({ path: '/trpc/clients.list', headers: { cookie: `SESSION=${token}` } })
		]
	] as const)('tRPC ignores %s', async ([, request]) => {
		const token = tokenOf(app.cookies.admin);
		const { path, headers } = request(token) as { path: string; headers?: Record<string, string> };

		const response = await send(app.origin, path, { headers });

		expect([401, 404]).toContain(response.status);
		expect(response.text).not.toContain('Cliente');
	});

	it.for(['/clients?session=TOKEN', '/session=TOKEN/clients', '/clients/TOKEN'])(
		'page %s redirects to login',
		async (template) => {
			const path = template.replace('TOKEN', tokenOf(app.cookies.admin));

			const response = await send(app.origin, path);

			expect(response.status).toBe(303);
			expect(response.headers.get('location')).toMatch(/^\/login/);
		}
	);
});

describe('ended sessions', () => {
	it('expired session is rejected', async () => {
		const cookie = await signInVictim();
		const sessionId = tokenOf(cookie).split('.')[0];
		app.db
			.prepare('UPDATE sessions SET expires_at = ? WHERE id = ?')
			.run(Date.now() - 1000, sessionId);

		expect(await trpcStatus(cookie)).toBe(401);
		expect(await pageRedirect(cookie)).toBe('/login?redirectTo=%2Fclients');
		expect(
			app.db.prepare('SELECT count(*) AS n FROM sessions WHERE id = ?').get(sessionId)
		).toEqual({ n: 0 });
	});

	it('session ended from sessions page', async () => {
		const remaining = await signInVictim();
		const ended = await signInVictim();
		const endedId = tokenOf(ended).split('.')[0];

		const response = await callProcedure(app.origin, remaining, 'sessions.revoke', { id: endedId });

		expect(dataOf(response, 'sessions.revoke')).toEqual({ current: false });
		expect(await trpcStatus(ended)).toBe(401);
		expect(await pageRedirect(ended)).toBe('/login?redirectTo=%2Fclients');
		expect(await trpcStatus(remaining)).toBe(200);
	});

	it('revoke-sessions CLI ends every session', async () => {
		const first = await signInVictim();
		const second = await signInVictim();

		await runAdmin(app.database.path, ['revoke-sessions', '--email', VICTIM.email]);

		for (const cookie of [first, second]) {
			expect(await trpcStatus(cookie)).toBe(401);
			expect(await pageRedirect(cookie)).toBe('/login?redirectTo=%2Fclients');
		}
	});

	it('signed-out session is rejected', async () => {
		const cookie = await signInVictim();

		const logout = await send(app.origin, '/logout', {
			method: 'POST',
			headers: {
				origin: app.origin,
				accept: 'text/html',
				cookie,
				'content-type': 'application/x-www-form-urlencoded'
			},
			body: ''
		});

		expect(logout.status).toBe(303);
		expect(await trpcStatus(cookie)).toBe(401);
		expect(await pageRedirect(cookie)).toBe('/login?redirectTo=%2Fclients');
	});

	it('disabled user session is rejected', async () => {
		const cookie = await signInVictim();

		await runAdmin(app.database.path, ['disable-user', '--email', VICTIM.email]);
		try {
			expect(await trpcStatus(cookie)).toBe(401);
			expect(await pageRedirect(cookie)).toBe('/login?redirectTo=%2Fclients');
		} finally {
			await runAdmin(app.database.path, ['enable-user', '--email', VICTIM.email]);
		}
		// Enabling the user again does not bring the old session back.
		expect(await trpcStatus(cookie)).toBe(401);
	});
});

describe('stored session secrets', () => {
	// Runs last in this file, after every sign-in above, so it scans all the tokens issued.
	it('database file holds no token', () => {
		expect(issuedTokens.length).toBeGreaterThan(10);
		app.db.pragma('wal_checkpoint(PASSIVE)');
		const files = [app.database.path, `${app.database.path}-wal`].filter((file) =>
			fs.existsSync(file)
		);
		const bytes = Buffer.concat(files.map((file) => fs.readFileSync(file)));

		for (const token of issuedTokens) {
			const secret = token.split('.')[1]!;
			expect(bytes.includes(token), `token ${token.slice(0, 6)}...`).toBe(false);
			expect(bytes.includes(secret), `secret ${secret.slice(0, 6)}...`).toBe(false);
		}
	});

	it('sessions table holds ids only', () => {
		const rows = app.db.prepare('SELECT * FROM sessions').all() as Record<string, unknown>[];
		const secrets = new Set(issuedTokens.map((token) => token.split('.')[1]!));

		expect(rows.length).toBeGreaterThan(0);
		for (const row of rows) {
			for (const [column, value] of Object.entries(row)) {
				const text = Buffer.isBuffer(value) ? value.toString('latin1') : String(value);
				expect(
					[...secrets].some((secret) => text.includes(secret)),
					column
				).toBe(false);
				expect(/^[a-z2-7]{32}\./.test(text), column).toBe(false);
			}
		}
	});
});
