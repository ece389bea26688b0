import { describe, expect, it } from 'vitest';

import { checkRequest, MAX_BATCH_CALLS } from '../../src/lib/server/request-guards';

const ORIGIN = 'http://127.0.0.1:3000';

function request(method: string, path: string, headers: Record<string, string> = {}) {
	const url = new URL(path, ORIGIN);
	return { request: new Request(url, { method, headers }), url };
}

function check(method: string, path: string, headers: Record<string, string> = {}) {
	const { request: req, url } = request(method, path, headers);
	return checkRequest(req, url, '/trpc');
}

describe('checkRequest', () => {
	it('allows a same-origin JSON mutation', () => {
		const rejection = check('POST', '/trpc/clients.create', {
			origin: ORIGIN,
			'content-type': 'application/json'
		});

		expect(rejection).toBeNull();
	});

	it('allows queries without Origin', () => {
		expect(check('GET', '/trpc/clients.list')).toBeNull();
	});

	it.each([
		['foreign Origin', { origin: 'https://evil.example', 'content-type': 'application/json' }],
		['missing Origin', { 'content-type': 'application/json' }]
	])('rejects %s with 403', (_label, headers) => {
		expect(check('POST', '/trpc/clients.create', headers)?.status).toBe(403);
	});

	it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', ''])(
		'rejects content type %j with 415',
		(contentType) => {
			const rejection = check('POST', '/trpc/clients.create', {
				origin: ORIGIN,
				'content-type': contentType
			});

			expect(rejection?.status).toBe(415);
		}
	);

	it('allows a batch at the limit', () => {
		const paths = Array.from({ length: MAX_BATCH_CALLS }, () => 'clients.list').join(',');

		expect(check('GET', `/trpc/${paths}?batch=1`)).toBeNull();
	});

	it.each([',', '%2C', '%2c'])('rejects eleven calls joined by %j', (separator) => {
		const paths = Array.from({ length: MAX_BATCH_CALLS + 1 }, () => 'clients.list').join(separator);

		const rejection = check('GET', `/trpc/${paths}?batch=1`);

		expect(rejection?.status).toBe(400);
		expect(rejection?.message).toContain('at most 10');
	});

	it.each(['HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH'])('rejects tRPC %s with 405', (method) => {
		const rejection = check(method, '/trpc/clients.list', { origin: ORIGIN });

		expect(rejection?.status).toBe(405);
		expect(rejection?.message).toContain(method);
	});

	it('allows HEAD outside tRPC', () => {
		expect(check('HEAD', '/clients')).toBeNull();
	});

	it('rejects a malformed percent escape', () => {
		expect(check('GET', '/trpc/clients.list%E0%A4%A?batch=1')?.status).toBe(400);
	});

	it('leaves form posts to other routes to SvelteKit', () => {
		const rejection = check('POST', '/login', {
			origin: ORIGIN,
			'content-type': 'application/x-www-form-urlencoded'
		});

		expect(rejection).toBeNull();
	});
});
