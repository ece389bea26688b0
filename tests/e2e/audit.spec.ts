import { formatCpf, validateCpf } from '../../src/lib/domain/cpf';
import { todayIso } from '../../src/lib/domain/dates';

import { expect, signIn, test } from './fixtures';
import { E2E_USER, runAdmin } from './users';

/** Returns a random valid CPF, so that each run creates a client no run had before. */
function randomCpf(): string {
	const base = String(100_000_000 + Math.floor(Math.random() * 800_000_000));
	for (let checkDigits = 0; checkDigits < 100; checkDigits++) {
		const cpf = base + String(checkDigits).padStart(2, '0');
		if (validateCpf(cpf).ok) return cpf;
	}
	throw new RangeError(`No valid CPF starts with ${base}`);
}

test('admin finds client change in audit', async ({ signedInPage: page }) => {
	const run = Date.now().toString(36);
	const oldName = `Cliente Auditoria ${run}`;
	const newName = `Cliente Renomeado ${run}`;
	let clientId = '';

	await test.step('create and rename a client', async () => {
		await page.goto('/clients/new');
		await page.getByLabel('Nome', { exact: true }).fill(oldName);
		await page.getByLabel('CPF').fill(formatCpf(randomCpf()));
		await page.getByRole('button', { name: 'Cadastrar cliente' }).click();
		await expect(page).toHaveURL(/\/clients\/\d+$/u);
		clientId = /\/clients\/(\d+)$/u.exec(page.url())?.[1] ?? '';

		await page.getByRole('link', { name: 'Editar', exact: true }).click();
		await page.getByLabel('Nome', { exact: true }).fill(newName);
		await page.getByRole('button', { name: 'Salvar' }).click();
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(newName);
	});

	await test.step('filter the audit page', async () => {
		await page.getByRole('link', { name: 'Auditoria' }).click();
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Auditoria');

		await page
			.getByLabel('Usuário')
			.selectOption({ label: `${E2E_USER.name} (${E2E_USER.email})` });
		await page.getByLabel('Tipo de registro').selectOption({ label: 'Cliente' });
		await page.getByLabel('Id do registro').fill(clientId);
		await page.getByLabel('De (data de São Paulo)').fill(todayIso());
		await page.getByRole('button', { name: 'Filtrar' }).click();
		await expect(page).toHaveURL(new RegExp(`entity=client&id=${clientId}&`, 'u'));
	});

	await test.step('read the change', async () => {
		const table = page.getByRole('table', { name: 'Registros da auditoria' });
		const rows = table.getByRole('row');
		// The header row, the rename, then the creation.
		await expect(rows).toHaveCount(3);

		const rename = rows.nth(1);
		await expect(rename.getByRole('cell').nth(1)).toHaveText(
			`${E2E_USER.name} (${E2E_USER.email})`
		);
		await expect(rename.getByRole('cell').nth(2)).toHaveText('Alteração');
		await expect(rename.getByRole('cell').nth(4)).toHaveText(`Nome: ${oldName} → ${newName}`);
		await expect(rows.nth(2).getByRole('cell').nth(2)).toHaveText('Criação');

		await rename.getByRole('link', { name: `Cliente nº ${clientId}` }).click();
		await expect(page).toHaveURL(`/clients/${clientId}`);
	});
});

test('staff gets 403 on audit page', async ({ page }) => {
	const staff = {
		email: `e2e.staff.audit.${Date.now().toString(36)}@example.com`,
		password: 'staff passphrase for tests'
	};
	runAdmin(
		['add-user', '--email', staff.email, '--name', 'Sérgio Equipe', '--password-stdin'],
		`${staff.password}\n`
	);
	await signIn(page, staff.email, staff.password);
	await expect(page).toHaveURL('/');
	await expect(page.getByRole('link', { name: 'Auditoria' })).toHaveCount(0);

	const response = await page.goto('/audit');

	expect(response?.status()).toBe(403);
	await expect(page.getByText('Você não tem permissão para esta operação.')).toBeVisible();
});
