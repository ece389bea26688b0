import { expect, signIn, test } from './fixtures';
import { E2E_USER } from './users';

test('signed-out visit redirects to login', async ({ page }) => {
	await page.goto('/clients?q=ana');

	await expect(page).toHaveURL('/login?redirectTo=%2Fclients%3Fq%3Dana');
	await expect(page.getByRole('heading', { name: 'Case Ledger' })).toBeVisible();
});

test('wrong password shows one message', async ({ page }) => {
	await signIn(page, E2E_USER.email, 'not the password at all');

	await expect(page.getByRole('alert')).toHaveText('E-mail ou senha incorretos.');
	await expect(page).toHaveURL(/\/login/);
});

test('unknown email shows the same message', async ({ page }) => {
	await signIn(page, 'nobody@example.com', 'not the password at all');

	await expect(page.getByRole('alert')).toHaveText('E-mail ou senha incorretos.');
});

test('sign-in returns to the requested page', async ({ page }) => {
	await page.goto('/people');
	await page.getByLabel('E-mail').fill(E2E_USER.email);
	await page.getByLabel('Senha').fill(E2E_USER.password);
	await page.getByRole('button', { name: 'Entrar' }).click();

	await expect(page).toHaveURL('/people');
	await expect(page.getByText(`Conectado como ${E2E_USER.name}`)).toBeVisible();
});

test('sign-out ends the session', async ({ signedInPage: page, context }) => {
	const before = (await context.cookies()).find((cookie) => cookie.name === 'session');
	expect(before?.httpOnly).toBe(true);
	expect(before?.sameSite).toBe('Lax');

	await page.getByRole('button', { name: 'Sair' }).click();
	await expect(page).toHaveURL('/login');

	// The old token must be dead on the server, not merely deleted from the browser.
	await context.addCookies([{ ...before!, expires: -1 }]);
	await page.goto('/clients');
	await expect(page).toHaveURL(/\/login/);
});

test('language switch persists across pages', async ({ signedInPage: page }) => {
	await expect(page.getByRole('link', { name: 'Clientes' })).toBeVisible();

	await page.getByLabel('Idioma').selectOption('en');
	await expect(page.getByRole('link', { name: 'Clients' })).toBeVisible();
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');

	await page.goto('/cases');
	await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

	await page.getByLabel('Language').selectOption('pt-BR');
	await expect(page.getByRole('link', { name: 'Clientes' })).toBeVisible();
});
