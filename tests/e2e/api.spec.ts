import { expect, test, type APIRequestContext } from '@playwright/test';

import { E2E_USER } from './users';

// These tests speak HTTP to the built server the way a script or another site would, without a
// browser, to check the request guards that sit in front of the tRPC routers.

const ORIGIN = `http://127.0.0.1:${process.env.E2E_PORT ?? 4173}`;

async function signIn(request: APIRequestContext): Promise<void> {
	// Accept: text/html requests the browser form flow, which redirects with 303. With */*
	// SvelteKit returns the action result as JSON instead.
	const response = await request.post('/login', {
		headers: { origin: ORIGIN, accept: 'text/html' },
		form: { email: E2E_USER.email, password: E2E_USER.password },
		maxRedirects: 0
	});
	expect(response.status()).toBe(303);
	expect(response.headers()['set-cookie']).toMatch(/^session=[a-z2-7]{32}\.[a-z2-7]{32};/);
}

function createClientBody(name: string) {
	return JSON.stringify({ kind: 'company', name, document: '11.222.333/0001-81' });
}

test('signed-out tRPC call is UNAUTHORIZED', async ({ request }) => {
	const response = await request.get('/trpc/clients.list');

	expect(response.status()).toBe(401);
	const body = await response.json();
	expect(body.error.data.code).toBe('UNAUTHORIZED');
	expect(JSON.stringify(body)).not.toContain('stack');
});

test('mutation from another origin is rejected', async ({ request }) => {
	await signIn(request);

	const response = await request.post('/trpc/clients.create', {
		headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
		data: createClientBody('Cross Site Ltda')
	});

	expect(response.status()).toBe(403);
	const list = await request.get('/trpc/clients.list');
	expect(JSON.stringify(await list.json())).not.toContain('Cross Site Ltda');
});

test('mutation without Origin is rejected', async ({ request }) => {
	await signIn(request);

	const response = await request.post('/trpc/clients.create', {
		headers: { 'content-type': 'application/json' },
		data: createClientBody('No Origin Ltda')
	});

	expect(response.status()).toBe(403);
});

test('mutation that is not JSON is rejected', async ({ request }) => {
	await signIn(request);

	for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', '']) {
		const response = await request.post('/trpc/clients.create', {
			headers: { origin: ORIGIN, 'content-type': contentType },
			data: createClientBody('Plain Text Ltda')
		});
		// SvelteKit's own form check returns 403 for form types before the app can return 415.
		expect([403, 415]).toContain(response.status());
	}
	const list = await request.get('/trpc/clients.list');
	expect(JSON.stringify(await list.json())).not.toContain('Plain Text Ltda');
});

test('batch of eleven calls is rejected', async ({ request }) => {
	await signIn(request);
	const paths = Array.from({ length: 11 }, () => 'clients.list').join(',');

	const response = await request.get(`/trpc/${paths}?batch=1&input={}`);

	expect(response.status()).toBe(400);
	expect((await response.json()).error.message).toContain('at most 10');
});

test('encoded commas cannot enlarge a batch', async ({ request }) => {
	await signIn(request);
	const paths = Array.from({ length: 11 }, () => 'clients.list').join('%2C');

	const response = await request.get(`/trpc/${paths}?batch=1&input={}`);

	expect(response.status()).toBe(400);
});

test('invalid input names the field without a stack', async ({ request }) => {
	await signIn(request);

	const response = await request.post('/trpc/clients.create', {
		headers: { origin: ORIGIN, 'content-type': 'application/json' },
		data: JSON.stringify({ kind: 'person', name: 'Ana', document: '123.456.789-00' })
	});

	expect(response.status()).toBe(400);
	const body = await response.json();
	expect(body.error.data.issues).toEqual([
		{ field: 'document', code: 'check_digits', message: 'CPF check digits do not match' }
	]);
	expect(JSON.stringify(body)).not.toMatch(/stack|\.ts:\d+|node_modules/);
});

test('malformed JSON is a 4xx without a stack', async ({ request }) => {
	await signIn(request);

	const response = await request.post('/trpc/clients.create', {
		headers: { origin: ORIGIN, 'content-type': 'application/json' },
		data: '{"kind": "person", '
	});

	expect(response.status()).toBeGreaterThanOrEqual(400);
	expect(response.status()).toBeLessThan(500);
	expect(await response.text()).not.toMatch(/stack|\.ts:\d+|node_modules/);
});

test('health check answers ok', async ({ request }) => {
	const response = await request.get('/healthz');

	expect(response.status()).toBe(200);
	expect(await response.json()).toEqual({ status: 'ok' });
});
