import { describe, expect, it } from 'vitest';

import { decideGate, GATE_MESSAGES } from '$lib/server/auth/two-factor-gate';

const BASE = 'http://app.test';

function decide(state: 'code' | 'setup', path: string) {
	return decideGate(state, new URL(path, BASE), '/trpc');
}

describe('two-factor gate', () => {
	it.each([
		['code', '/login/two-factor'],
		['code', '/login/two-factor?redirectTo=%2Fclients'],
		['code', '/login'],
		['code', '/logout'],
		['code', '/healthz'],
		['setup', '/account/two-factor'],
		['setup', '/account/two-factor/__data.json?x-sveltekit-invalidated=01'],
		['setup', '/logout'],
		['setup', '/trpc/twoFactor.status'],
		['setup', '/trpc/twoFactor.beginSetup,twoFactor.confirmSetup?batch=1']
	] as const)('%s state allows %s', (state, path) => {
		expect(decide(state, path)).toEqual({ kind: 'allow' });
	});

	it('sends code state to code page', () => {
		expect(decide('code', '/clients?q=ana')).toEqual({
			kind: 'redirect',
			location: '/login/two-factor?redirectTo=%2Fclients%3Fq%3Dana'
		});
		expect(decide('code', '/')).toEqual({ kind: 'redirect', location: '/login/two-factor' });
	});

	it('drops SvelteKit query of data request', () => {
		expect(decide('code', '/cases/__data.json?x-sveltekit-invalidated=01')).toEqual({
			kind: 'redirect',
			location: '/login/two-factor?redirectTo=%2Fcases'
		});
	});

	it.each(['/', '/clients', '/account', '/account/sessions', '/settings', '/reports/period.csv'])(
		'sends setup state from %s to setup page',
		(path) => {
			expect(decide('setup', path)).toEqual({ kind: 'redirect', location: '/account/two-factor' });
		}
	);

	it('rejects batch with one closed procedure', () => {
		expect(decide('setup', '/trpc/twoFactor.status,clients.list?batch=1')).toEqual({
			kind: 'reject',
			code: 'FORBIDDEN',
			message: GATE_MESSAGES.setup,
			paths: ['twoFactor.status', 'clients.list']
		});
	});

	it('rejects every procedure awaiting code', () => {
		expect(decide('code', '/trpc/twoFactor.status')).toMatchObject({
			kind: 'reject',
			code: 'UNAUTHORIZED',
			paths: ['twoFactor.status']
		});
	});

	it('names the page in each message', () => {
		expect(GATE_MESSAGES.code).toContain('/login/two-factor');
		expect(GATE_MESSAGES.setup).toContain('/account/two-factor');
	});
});
