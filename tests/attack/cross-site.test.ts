import fs from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { REPO_ROOT, signIn } from '../reliability/app-server';
import { createFixture, validInput, type Fixture } from './fixture';
import {
	ATTACK_USERS,
	callProcedure,
	lastAuditId,
	MUTATION_PATHS,
	send,
	snapshotBusinessTables,
	startAttackApp,
	unexpectedAuditActions,
	type AttackApp
} from './harness';

// Requests that another site could make a signed-in browser send. Every mutation of the router
// and every form action gets a foreign or missing Origin, and the content types that an HTML
// form or a "simple" fetch can send without a CORS preflight.

const FOREIGN_ORIGIN = 'https://evil.example';

interface Variant {
	name: string;
	/** The status the request guards return for it. */
	status: 403 | 415;
	headers(origin: string): Record<string, string>;
	/** A Buffer body makes fetch send no Content-Type header at all. */
	binaryBody?: boolean;
}

const VARIANTS: Variant[] = [
	{
		name: 'foreign Origin',
		status: 403,
		headers: () => ({ origin: FOREIGN_ORIGIN, 'content-type': 'application/json' })
	},
	{
		name: 'Origin null',
		status: 403,
		headers: () => ({ origin: 'null', 'content-type': 'application/json' })
	},
	{
		name: 'look-alike Origin',
		status: 403,
		headers: (origin) => ({ origin: `${origin}.evil.example`, 'content-type': 'application/json' })
	},
	{ name: 'no Origin', status: 403, headers: () => ({ 'content-type': 'application/json' }) },
	{
		name: 'foreign Origin, text/plain',
		status: 403,
		headers: () => ({ origin: FOREIGN_ORIGIN, 'content-type': 'text/plain' })
	},
	{
		name: 'text/plain',
		status: 415,
		headers: (origin) => ({ origin, 'content-type': 'text/plain;charset=UTF-8' })
	},
	{
		name: 'form-urlencoded',
		status: 415,
		headers: (origin) => ({ origin, 'content-type': 'application/x-www-form-urlencoded' })
	},
	{
		name: 'multipart/form-data',
		status: 415,
		headers: (origin) => ({ origin, 'content-type': 'multipart/form-data; boundary=x' })
	},
	{
		name: 'JSON as a parameter only',
		status: 415,
		headers: (origin) => ({ origin, 'content-type': 'text/plain; x=application/json' })
	},
	{ name: 'no content type', status: 415, headers: (origin) => ({ origin }), binaryBody: true }
];

let app: AttackApp;
let fixture: Fixture;

beforeAll(async () => {
	app = await startAttackApp({ prefix: 'case-ledger-attack-cross-site-' });
	fixture = await createFixture(app);
}, 90_000);

afterAll(async () => {
	await app?.stop();
});

describe('cross-site tRPC mutations', () => {
	it('covers every mutation', () => {
		expect(MUTATION_PATHS).toEqual(
			expect.arrayContaining(['clients.create', 'transactions.void', 'settings.update'])
		);
	});

	it.for(MUTATION_PATHS)('%s rejects every variant', async (procedurePath) => {
		const body = JSON.stringify(validInput(procedurePath, fixture) ?? {});
		const before = snapshotBusinessTables(app.db);
		const auditBefore = lastAuditId(app.db);

		for (const variant of VARIANTS) {
			const response = await send(app.origin, `/trpc/${procedurePath}`, {
				method: 'POST',
				headers: { ...variant.headers(app.origin), cookie: app.cookies.admin },
				body: variant.binaryBody ? Buffer.from(body) : body
			});

			expect(response.status, variant.name).toBe(variant.status);
		}
		expect(snapshotBusinessTables(app.db)).toBe(before);
		expect(unexpectedAuditActions(app.db, auditBefore, [])).toEqual([]);
	});

	it('same-origin JSON still goes through', async () => {
		const response = await callProcedure(app.origin, app.cookies.admin, 'people.create', {
			role: 'consultant',
			name: 'Consultora Legítima'
		});

		expect(response.status).toBe(200);
	});
});

/** URL path of every route folder with a +page.server.ts that exports form actions. */
function formActionPaths(): string[] {
	const routesDir = path.join(REPO_ROOT, 'src/routes');
	const files = fs.readdirSync(routesDir, { recursive: true, encoding: 'utf8' });
	return files
		.filter((file) => path.basename(file) === '+page.server.ts')
		.filter((file) =>
			/export const actions\b/.test(fs.readFileSync(path.join(routesDir, file), 'utf8'))
		)
		.map((file) => {
			const segments = path
				.dirname(file)
				.split(path.sep)
				.filter((segment) => segment !== '.' && !/^\(.*\)$/.test(segment))
				// A route parameter gets the id of a record that exists.
				.map((segment) => (/^\[.*\]$/.test(segment) ? '1' : segment));
			return `/${segments.join('/')}`;
		})
		.sort();
}

const FORM_ACTION_PATHS = formActionPaths();

describe('cross-site form actions', () => {
	it('finds login and logout', () => {
		expect(FORM_ACTION_PATHS).toEqual(expect.arrayContaining(['/login', '/logout']));
	});

	it.for(FORM_ACTION_PATHS)('%s rejects foreign and missing Origin', async (actionPath) => {
		const before = snapshotBusinessTables(app.db);
		const auditBefore = lastAuditId(app.db);

		for (const origin of [FOREIGN_ORIGIN, null]) {
			const response = await send(app.origin, actionPath, {
				method: 'POST',
				headers: {
					...(origin ? { origin } : {}),
					accept: 'text/html',
					cookie: app.cookies.admin,
					'content-type': 'application/x-www-form-urlencoded'
				},
				body: new URLSearchParams({
					email: 'x@example.com',
					password: 'x',
					code: '000000'
				}).toString()
			});

			expect(response.status, `Origin ${origin}`).toBe(403);
			expect(response.headers.getSetCookie(), `Origin ${origin}`).toEqual([]);
		}
		expect(snapshotBusinessTables(app.db)).toBe(before);
		expect(unexpectedAuditActions(app.db, auditBefore, [])).toEqual([]);
	});

	it('foreign sign-in with right password', async () => {
		const user = ATTACK_USERS.staff;
		const auditBefore = lastAuditId(app.db);

		const response = await send(app.origin, '/login', {
			method: 'POST',
			headers: {
				origin: FOREIGN_ORIGIN,
				accept: 'text/html',
				'content-type': 'application/x-www-form-urlencoded'
			},
			body: new URLSearchParams({ email: user.email, password: user.password }).toString()
		});

		expect(response.status).toBe(403);
		expect(response.headers.getSetCookie()).toEqual([]);
		expect(unexpectedAuditActions(app.db, auditBefore, [])).toEqual([]);
	});

	it('foreign sign-out keeps the session', async () => {
		const cookie = await signIn(app.origin, ATTACK_USERS.staff.email, ATTACK_USERS.staff.password);

		const response = await send(app.origin, '/logout', {
			method: 'POST',
			headers: {
				origin: FOREIGN_ORIGIN,
				accept: 'text/html',
				cookie,
				'content-type': 'application/x-www-form-urlencoded'
			},
			body: ''
		});

		expect(response.status).toBe(403);
		expect((await callProcedure(app.origin, cookie, 'clients.list', {})).status).toBe(200);
	});
});
