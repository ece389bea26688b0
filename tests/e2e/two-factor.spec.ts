import Database from 'better-sqlite3';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import type { Page } from '@playwright/test';

import { expect, signIn, test } from './fixtures';
import { runAdmin } from './users';

// Users of their own: the suite's shared admin must keep signing in without a code.
const TOTP_ADMIN = {
	email: 'e2e.totp@example.com',
	name: 'Tereza Tokens',
	password: 'six digits every thirty seconds'
};
const PLAIN_USER = {
	email: 'e2e.plain@example.com',
	name: 'Paulo Plano',
	password: 'only a password for now'
};

test.describe.configure({ mode: 'serial' });

let key: Uint8Array;
let recoveryCodes: string[];

test.beforeAll(() => {
	for (const [user, role] of [
		[TOTP_ADMIN, 'admin'],
		[PLAIN_USER, 'staff']
	] as const) {
		runAdmin(
			['add-user', '--email', user.email, '--name', user.name, '--role', role, '--password-stdin'],
			`${user.password}\n`
		);
	}
});

// Other spec files share the database, so the office requirement must never outlive this file.
test.afterAll(() => {
	const db = new Database(process.env.E2E_DATABASE_PATH!);
	try {
		db.prepare('UPDATE settings SET require_two_factor = 0').run();
	} finally {
		db.close();
	}
});

/** Returns the authenticator code `offset` steps from now, as a phone app would show it. */
function totpCode(offset = 0): string {
	const step = Math.floor(Date.now() / 30_000) + offset;
	return generateHOTP(key, BigInt(step), 6);
}

async function signOut(page: Page): Promise<void> {
	await page.getByRole('button', { name: 'Sair' }).click();
	await expect(page).toHaveURL('/login');
}

test('sets up two-factor with the QR code', async ({ page }) => {
	await signIn(page, TOTP_ADMIN.email, TOTP_ADMIN.password);
	await expect(page).toHaveURL('/');

	await page.goto('/account');
	await page.getByRole('link', { name: 'Verificação em duas etapas' }).click();
	await expect(page).toHaveURL('/account/two-factor');
	await expect(
		page.getByText('A verificação em duas etapas está desativada na sua conta.')
	).toBeVisible();
	await page.getByRole('button', { name: 'Configurar a verificação em duas etapas' }).click();

	const qr = page.getByRole('img', {
		name: 'Código QR com a chave para o seu aplicativo autenticador'
	});
	await expect(qr).toBeVisible();
	expect(await qr.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBeGreaterThan(0);
	const keyText = (await page.getByTestId('totp-key').textContent()) ?? '';
	expect(keyText).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
	key = decodeBase32IgnorePadding(keyText.replaceAll(' ', ''));

	await page.getByLabel('Código do aplicativo').fill('000000' === totpCode() ? '111111' : '000000');
	await page.getByRole('button', { name: 'Ativar' }).click();
	await expect(page.getByText('Código incorreto ou já usado.', { exact: false })).toBeVisible();

	await page.getByLabel('Código do aplicativo').fill(totpCode());
	await page.getByRole('button', { name: 'Ativar' }).click();

	const list = page.getByRole('list', { name: 'Códigos de recuperação' });
	await expect(list.getByRole('listitem')).toHaveCount(10);
	recoveryCodes = await list.getByRole('listitem').allTextContents();
	for (const code of recoveryCodes) expect(code.trim()).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
	await expect(page.getByTestId('totp-key')).toHaveCount(0);

	await page.getByRole('button', { name: 'Já guardei os códigos' }).click();
	await expect(page.getByText(/A verificação em duas etapas está ativa desde/)).toBeVisible();
	await expect(page.getByText('Códigos de recuperação não usados: 10.')).toBeVisible();
});

test('sign-in asks for the code', async ({ page }) => {
	await signIn(page, TOTP_ADMIN.email, TOTP_ADMIN.password);
	await expect(page).toHaveURL('/login/two-factor?redirectTo=%2F');

	await page.goto('/clients');
	await expect(page).toHaveURL('/login/two-factor?redirectTo=%2Fclients');
	const api = await page.request.get('/trpc/clients.list?input=%7B%7D');
	expect(api.status()).toBe(401);

	await page.getByLabel('Código').fill('123 456');
	await page.getByRole('button', { name: 'Verificar' }).click();
	await expect(page.getByRole('alert')).toHaveText(/^Código incorreto ou já usado\./);

	// The setup consumed the current step, so the app's next code is the one that works now.
	await page.getByLabel('Código').fill(totpCode(1));
	await page.getByRole('button', { name: 'Verificar' }).click();
	await expect(page).toHaveURL('/clients');
	await signOut(page);
});

test('recovery code works once', async ({ page }) => {
	const code = recoveryCodes[0]!.trim();

	await signIn(page, TOTP_ADMIN.email, TOTP_ADMIN.password);
	await page.getByLabel('Código').fill(code.toLowerCase());
	await page.getByRole('button', { name: 'Verificar' }).click();
	await expect(page).toHaveURL('/');
	await signOut(page);

	await signIn(page, TOTP_ADMIN.email, TOTP_ADMIN.password);
	await page.getByLabel('Código').fill(code);
	await page.getByRole('button', { name: 'Verificar' }).click();
	await expect(page.getByRole('alert')).toHaveText(/^Código incorreto ou já usado\./);
	await expect(page).toHaveURL(/\/login\/two-factor/);

	await page.getByLabel('Código').fill(recoveryCodes[1]!.trim());
	await page.getByRole('button', { name: 'Verificar' }).click();
	await expect(page).toHaveURL('/');
	await page.goto('/account/two-factor');
	await expect(page.getByText('Códigos de recuperação não usados: 8.')).toBeVisible();
});

test('admin without two-factor cannot require it', async ({ signedInPage: page }) => {
	await page.goto('/settings');
	await page.getByLabel('Exigir a verificação em duas etapas de todos os usuários').check();
	await page.getByRole('button', { name: 'Salvar' }).last().click();

	await expect(page.getByRole('alert')).toHaveText(
		/^Configure primeiro a verificação em duas etapas/
	);
});

test('office requirement forces setup', async ({ browser }) => {
	const adminContext = await browser.newContext();
	const userContext = await browser.newContext();
	try {
		const admin = await adminContext.newPage();
		await signIn(admin, TOTP_ADMIN.email, TOTP_ADMIN.password);
		await admin.getByLabel('Código').fill(recoveryCodes[2]!.trim());
		await admin.getByRole('button', { name: 'Verificar' }).click();
		await expect(admin).toHaveURL('/');
		await admin.goto('/settings');
		await admin.getByLabel('Exigir a verificação em duas etapas de todos os usuários').check();
		await admin.getByRole('button', { name: 'Salvar' }).last().click();
		await expect(
			admin.getByText('Configuração da verificação em duas etapas salva.')
		).toBeVisible();

		const user = await userContext.newPage();
		await signIn(user, PLAIN_USER.email, PLAIN_USER.password);
		await expect(user).toHaveURL('/account/two-factor');
		await expect(user.getByRole('alert')).toHaveText(
			'O escritório exige a verificação em duas etapas. Configure-a para continuar usando o Case Ledger.'
		);
		await user.goto('/cases');
		await expect(user).toHaveURL('/account/two-factor');
		const api = await user.request.get('/trpc/clients.list?input=%7B%7D');
		expect(api.status()).toBe(403);
		expect((await api.json()).error.message).toBe(
			'The office requires two-factor sign-in. Set it up at /account/two-factor to continue.'
		);

		await user.getByRole('button', { name: 'Configurar a verificação em duas etapas' }).click();
		const userKeyText = (await user.getByTestId('totp-key').textContent()) ?? '';
		const userKey = decodeBase32IgnorePadding(userKeyText.replaceAll(' ', ''));
		const step = Math.floor(Date.now() / 30_000);
		await user.getByLabel('Código do aplicativo').fill(generateHOTP(userKey, BigInt(step), 6));
		await user.getByRole('button', { name: 'Ativar' }).click();
		await user.getByRole('button', { name: 'Já guardei os códigos' }).click();
		await expect(user.getByText(/não pode desativá-la/)).toBeVisible();

		await user.goto('/cases');
		await expect(user).toHaveURL('/cases');
	} finally {
		await adminContext.close();
		await userContext.close();
	}
});
