import type { APIRequestContext, APIResponse, Page } from '@playwright/test';

import { startApp, tempDatabase } from '../reliability/app-server';
import { expect, signIn, test, waitForHydration } from './fixtures';
import { E2E_USER } from './users';

// The security headers that hooks.server.ts adds to every response, and the Content Security
// Policy that SvelteKit builds from kit.csp in svelte.config.js.

const ORIGIN = `http://127.0.0.1:${process.env.E2E_PORT ?? 4173}`;

const COMMON_HEADERS = {
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'same-origin',
	'x-frame-options': 'DENY',
	'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()'
};

const NON_PAGE_CSP =
	"default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Splits a Content-Security-Policy value into its directives and their sources. */
function parseCsp(header: string | undefined): Map<string, string[]> {
	const directives = new Map<string, string[]>();
	for (const part of (header ?? '').split(';')) {
		const [name, ...sources] = part.trim().split(/\s+/u);
		if (name) directives.set(name, sources);
	}
	return directives;
}

function expectCommonHeaders(response: APIResponse): void {
	const headers = response.headers();
	for (const [name, value] of Object.entries(COMMON_HEADERS)) {
		expect(headers[name], name).toBe(value);
	}
	// ORIGIN is plain http here.
	expect(headers['strict-transport-security']).toBeUndefined();
}

async function signInByRequest(request: APIRequestContext): Promise<void> {
	const response = await request.post('/login', {
		headers: { origin: ORIGIN, accept: 'text/html' },
		form: { email: E2E_USER.email, password: E2E_USER.password },
		maxRedirects: 0
	});
	expect(response.status()).toBe(303);
}

/**
 * Records every CSP violation on `page`, from the DOM event and from Chromium's console
 * message, and every other console error or uncaught exception.
 */
async function watchConsole(page: Page): Promise<{ violations: string[]; errors: string[] }> {
	const violations: string[] = [];
	const errors: string[] = [];

	// Playwright injects init scripts through the DevTools protocol, which the page's policy
	// does not govern.
	await page.addInitScript(() => {
		document.addEventListener('securitypolicyviolation', (event) => {
			console.error(`securitypolicyviolation ${event.violatedDirective} ${event.blockedURI}`);
		});
	});
	page.on('console', (message) => {
		if (message.type() !== 'error') return;

		const text = message.text();
		const isViolation = /securitypolicyviolation|Content Security Policy/u.test(text);
		(isViolation ? violations : errors).push(text);
	});
	page.on('pageerror', (error) => errors.push(error.message));
	return { violations, errors };
}

test('login page has policy and headers', async ({ request }) => {
	const response = await request.get('/login');

	expect(response.status()).toBe(200);
	expectCommonHeaders(response);

	const csp = parseCsp(response.headers()['content-security-policy']);
	expect(csp.get('default-src')).toEqual(["'self'"]);
	expect(csp.get('style-src')).toEqual(["'self'"]);
	expect(csp.get('style-src-attr')).toEqual(["'unsafe-inline'"]);
	expect(csp.get('img-src')).toEqual(["'self'", 'data:']);
	expect(csp.get('connect-src')).toEqual(["'self'"]);
	expect(csp.get('form-action')).toEqual(["'self'"]);
	expect(csp.get('base-uri')).toEqual(["'self'"]);
	expect(csp.get('object-src')).toEqual(["'none'"]);
	expect(csp.get('frame-ancestors')).toEqual(["'none'"]);

	// 'self' plus the hash of SvelteKit's inline bootstrap script, and nothing looser.
	const scriptSources = csp.get('script-src') ?? [];
	expect(scriptSources[0]).toBe("'self'");
	expect(scriptSources.slice(1)).toHaveLength(1);
	expect(scriptSources[1]).toMatch(/^'sha256-[A-Za-z0-9+/]{43}='$/u);
	expect([...csp.values()].flat()).not.toContain("'unsafe-eval'");
	expect(scriptSources).not.toContain("'unsafe-inline'");
});

test('healthz has headers and empty policy', async ({ request }) => {
	const response = await request.get('/healthz');

	expect(response.status()).toBe(200);
	expectCommonHeaders(response);
	expect(response.headers()['content-security-policy']).toBe(NON_PAGE_CSP);
});

test('trpc call has headers and empty policy', async ({ request }) => {
	const signedOut = await request.get('/trpc/clients.list');
	expect(signedOut.status()).toBe(401);
	expectCommonHeaders(signedOut);
	expect(signedOut.headers()['content-security-policy']).toBe(NON_PAGE_CSP);

	await signInByRequest(request);
	const signedIn = await request.get('/trpc/clients.list');
	expect(signedIn.status()).toBe(200);
	expectCommonHeaders(signedIn);
	expect(signedIn.headers()['content-security-policy']).toBe(NON_PAGE_CSP);
});

test('redirect and download have headers', async ({ request }) => {
	const redirect = await request.get('/clients', { maxRedirects: 0 });
	expect(redirect.status()).toBe(303);
	expectCommonHeaders(redirect);
	expect(redirect.headers()['content-security-policy']).toBe(NON_PAGE_CSP);

	// No test records payments in 1990, so the download route returns its 404 text.
	await signInByRequest(request);
	const download = await request.get('/reports/period.csv?from=1990-01-01&to=1990-01-31');
	expect(download.status()).toBe(404);
	expectCommonHeaders(download);
	expect(download.headers()['content-security-policy']).toBe(NON_PAGE_CSP);
});

test('https ORIGIN adds HSTS', async () => {
	// A second server whose ORIGIN starts with https, as behind a proxy that terminates TLS. It still
	// listens on plain http on a free loopback port, and ORIGIN only sets event.url.
	const database = tempDatabase('case-ledger-e2e-hsts-');
	const server = await startApp({
		databasePath: database.path,
		env: { ORIGIN: 'https://ledger.example.test' }
	});
	try {
		const response = await fetch(`${server.origin}/healthz`);
		await response.arrayBuffer();

		expect(response.status).toBe(200);
		expect(response.headers.get('strict-transport-security')).toBe(
			'max-age=31536000; includeSubDomains'
		);
		expect(response.headers.get('x-frame-options')).toBe('DENY');
	} finally {
		await server.stop();
		database.remove();
	}
});

test('login page runs without CSP violations', async ({ page }) => {
	const { violations, errors } = await watchConsole(page);

	const response = await page.goto('/login');
	await waitForHydration(page);

	expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
	await expect(page.getByRole('heading', { name: 'Case Ledger' })).toBeVisible();
	// The scoped styles of the login page come from a stylesheet the policy allows.
	await expect(page.locator('main.login')).toHaveCSS('max-width', '384px');
	// SvelteKit's route announcer hides itself with a style attribute, allowed by style-src-attr.
	await expect(page.locator('#svelte-announcer')).toHaveCSS('position', 'absolute');

	await page.getByLabel('Idioma').selectOption('en');
	await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
	await page.getByLabel('Language').selectOption('pt-BR');
	await expect(page.getByRole('button', { name: 'Entrar' })).toBeVisible();

	expect(violations).toEqual([]);
	expect(errors).toEqual([]);
});

test('signed-in pages run without CSP violations', async ({ page }) => {
	const { violations, errors } = await watchConsole(page);

	await signIn(page);
	await expect(page).toHaveURL('/');

	// Client-side navigation: SvelteKit loads the data as JSON and announces the new page.
	await page.getByRole('link', { name: 'Clientes' }).click();
	await expect(page).toHaveURL('/clients');
	await page.locator('a[href="/account"]').click();
	await expect(page).toHaveURL('/account');
	await waitForHydration(page);
	await expect(page.locator('#svelte-announcer')).toHaveCSS('position', 'absolute');

	// The browser accepts the length, and the server rejects the password as common.
	await page.getByLabel('Senha atual', { exact: true }).fill(E2E_USER.password);
	await page.getByLabel('Nova senha', { exact: true }).fill('Qwerty123456');
	await page.getByLabel('Repita a nova senha', { exact: true }).fill('Qwerty123456');
	await page.getByRole('button', { name: 'Alterar senha' }).click();
	await expect(
		page.getByText('Esta senha está entre as mais comuns. Escolha outra.')
	).toBeVisible();

	expect(violations).toEqual([]);
	// Chromium logs the rejected tRPC call (400) as a failed resource load.
	expect(errors).toEqual([
		'Failed to load resource: the server responded with a status of 400 (Bad Request)'
	]);
});
