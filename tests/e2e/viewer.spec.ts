import { request as playwrightRequest } from '@playwright/test';

import { validateCpf } from '../../src/lib/domain/cpf';

import { expect, signIn, test } from './fixtures';
import { E2E_USER, runAdmin } from './users';

// A viewer reads everything and changes nothing. The pages hide the controls that change
// records, and the server rejects the mutations anyway, which the last test checks over HTTP.

const ORIGIN = `http://127.0.0.1:${process.env.E2E_PORT ?? 4173}`;

// beforeAll runs again in the new worker that Playwright starts after a failed test, so each run
// of it creates a viewer with its own email.
const VIEWER = {
	email: `e2e.viewer.${Date.now().toString(36)}@example.com`,
	name: 'Vera Leitora',
	password: 'viewer passphrase for tests'
};

/** Returns a random valid CPF, so that this client's document is unlikely to be taken. */
function randomCpf(): string {
	const base = String(100_000_000 + Math.floor(Math.random() * 800_000_000));
	for (let checkDigits = 0; checkDigits < 100; checkDigits++) {
		const cpf = base + String(checkDigits).padStart(2, '0');
		if (validateCpf(cpf).ok) return cpf;
	}
	throw new RangeError(`No valid CPF starts with ${base}`);
}

/** Creates a client through the API as the suite's admin and returns its id and name. */
async function createClientAsAdmin(): Promise<{ id: number; name: string }> {
	const admin = await playwrightRequest.newContext({ baseURL: ORIGIN });
	try {
		// Accept: text/html makes the login action redirect with 303 and set the cookie.
		const signedIn = await admin.post('/login', {
			headers: { origin: ORIGIN, accept: 'text/html' },
			form: { email: E2E_USER.email, password: E2E_USER.password },
			maxRedirects: 0
		});
		expect(signedIn.status()).toBe(303);

		const name = `Cliente Leitura ${Date.now().toString(36)}`;
		const created = await admin.post('/trpc/clients.create', {
			headers: { origin: ORIGIN, 'content-type': 'application/json' },
			data: JSON.stringify({ kind: 'person', name, document: randomCpf() })
		});
		expect(created.status()).toBe(200);
		const body = (await created.json()) as { result: { data: { id: number } } };
		return { id: body.result.data.id, name };
	} finally {
		await admin.dispose();
	}
}

/** Controls of the client page that change records, by ARIA role and accessible name. */
const CLIENT_CONTROLS: Array<['link' | 'button', string]> = [
	['link', 'Editar'],
	['button', 'Arquivar'],
	['button', 'Excluir'],
	['link', 'Novo processo']
];

let client: { id: number; name: string };

test.beforeAll(async () => {
	const created = runAdmin(
		[
			'add-user',
			'--email',
			VIEWER.email,
			'--name',
			VIEWER.name,
			'--role',
			'viewer',
			'--password-stdin'
		],
		`${VIEWER.password}\n`
	);
	expect(created).toContain(`Created viewer user ${VIEWER.email}`);
	client = await createClientAsAdmin();
});

test('viewer sees client without edit controls', async ({ page }) => {
	await signIn(page, VIEWER.email, VIEWER.password);
	await expect(page).toHaveURL('/');
	await expect(page.getByText(`Conectado como ${VIEWER.name}`)).toBeVisible();
	await expect(page.getByRole('link', { name: 'Novo cliente' })).toHaveCount(0);

	await page.goto(`/clients/${client.id}`);

	await expect(page.getByRole('heading', { level: 1, name: client.name })).toBeVisible();
	await expect(
		page.getByRole('heading', { name: 'Processos do cliente', exact: true })
	).toBeVisible();
	for (const [role, name] of CLIENT_CONTROLS) {
		await expect(page.getByRole(role, { name, exact: true })).toHaveCount(0);
	}
});

// Shows that the names above match the page, so that their absence for a viewer means something.
test('admin sees client edit controls', async ({ signedInPage: page }) => {
	await page.goto(`/clients/${client.id}`);

	await expect(page.getByRole('heading', { level: 1, name: client.name })).toBeVisible();
	for (const [role, name] of CLIENT_CONTROLS) {
		await expect(page.getByRole(role, { name, exact: true })).toHaveCount(1);
	}
});

test('viewer mutation over HTTP is 403', async ({ page }) => {
	await signIn(page, VIEWER.email, VIEWER.password);
	await expect(page).toHaveURL('/');

	// page.request sends the browser context's session cookie.
	const response = await page.request.post('/trpc/clients.archive', {
		headers: { origin: ORIGIN, 'content-type': 'application/json' },
		data: JSON.stringify({ id: client.id })
	});

	expect(response.status()).toBe(403);
	const body = (await response.json()) as { error: { data: { code: string } } };
	expect(body.error.data.code).toBe('FORBIDDEN');

	const input = encodeURIComponent(JSON.stringify({ id: client.id }));
	const read = await page.request.get(`/trpc/clients.get?input=${input}`);
	expect(read.status()).toBe(200);
	const stored = (await read.json()) as { result: { data: { archivedAt: string | null } } };
	expect(stored.result.data.archivedAt).toBeNull();
});
