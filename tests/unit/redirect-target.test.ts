import { describe, expect, it } from 'vitest';

import { safeRedirectTarget } from '../../src/lib/redirect-target';

describe('safeRedirectTarget', () => {
	it.each([
		['/clients', '/clients'],
		['/clients?q=ana&archived=1', '/clients?q=ana&archived=1'],
		['/cases/12#payments', '/cases/12#payments'],
		['/clientes/José', '/clientes/Jos%C3%A9'],
		// An encoded tab stays encoded in the Location header, so it names a local path.
		['/%09/evil.example', '/%09/evil.example']
	])('keeps local path %j', (target, expected) => {
		expect(safeRedirectTarget(target)).toBe(expected);
	});

	it.each([
		[null],
		[''],
		['clients'],
		['//evil.example/phish'],
		['/\\evil.example'],
		['/\t/evil.example/phish'],
		['/\n/evil.example'],
		['/clients\r\nSet-Cookie: x=1'],
		['/a\u0000b'],
		['/a\u007fb'],
		['https://evil.example/'],
		['/../..//evil.example']
	])('rejects %j', (target) => {
		expect(safeRedirectTarget(target)).toBe('/');
	});
});
