import { computeCnjCheckDigits, formatCnj } from '../../src/lib/domain/cnj';
import { formatCpf, validateCpf } from '../../src/lib/domain/cpf';
import { formatIsoDate, todayIso } from '../../src/lib/domain/dates';

import { expect, test } from './fixtures';

/** Returns `count` random decimal digits. */
function randomDigits(count: number): string {
	return Array.from({ length: count }, () => Math.floor(Math.random() * 10)).join('');
}

/** Computes one CPF check digit with weights from digits.length + 1 down to 2, then mod 11. */
function cpfCheckDigit(digits: string): number {
	let sum = 0;
	for (let i = 0; i < digits.length; i++) sum += Number(digits[i]) * (digits.length + 1 - i);

	const remainder = sum % 11;
	return remainder < 2 ? 0 : 11 - remainder;
}

/** Returns a random valid CPF as 11 digits, so each run creates a client no run had before. */
function randomCpf(): string {
	let base = randomDigits(9);
	while (/^(\d)\1*$/.test(base)) base = randomDigits(9);

	const first = cpfCheckDigit(base);
	return `${base}${first}${cpfCheckDigit(`${base}${first}`)}`;
}

/** Returns a random valid 20-digit CNJ number of a state court case (J 8, TR 26) from 2024. */
function randomCnj(): string {
	const sequence = randomDigits(7);
	const origin = randomDigits(4);
	const checkDigits = computeCnjCheckDigits(sequence, 2024, 8, 26, origin);
	return [sequence, checkDigits, '2024', '8', '26', origin].join('');
}

/** Replaces the last digit of a valid CPF so that its check digits no longer match. */
function breakCheckDigit(cpf: string): string {
	const last = Number(cpf.slice(-1));
	return `${cpf.slice(0, -1)}${(last + 1) % 10}`;
}

test('client and case lifecycle', async ({ signedInPage: page }) => {
	const run = `${Date.now().toString(36)}${randomDigits(3)}`;
	const partnerName = `Sócia Teste ${run}`;
	const consultantName = `Consultor Teste ${run}`;
	const clientName = `Cliente Teste ${run}`;
	const caseTitle = `Ação de cobrança ${run}`;
	const cpf = randomCpf();
	const cnj = randomCnj();
	const today = todayIso();

	expect(validateCpf(cpf)).toEqual({ ok: true, value: cpf });

	await test.step('create a partner and a consultant', async () => {
		await page.getByRole('link', { name: 'Sócios e consultores' }).click();
		await expect(page).toHaveURL('/people');

		for (const [role, name] of [
			['Sócio', partnerName],
			['Consultor', consultantName]
		] as const) {
			await page.getByLabel('Função').selectOption({ label: role });
			await page.getByLabel('Nome', { exact: true }).fill(name);
			await page.getByRole('button', { name: 'Cadastrar', exact: true }).click();

			await expect(page.getByRole('status')).toHaveText(`${name} foi cadastrado.`);
		}

		const partners = page.getByRole('table', { name: 'Sócios' });
		const consultants = page.getByRole('table', { name: 'Consultores' });
		await expect(partners.getByRole('cell', { name: partnerName, exact: true })).toBeVisible();
		await expect(
			consultants.getByRole('cell', { name: consultantName, exact: true })
		).toBeVisible();
	});

	await test.step('reject an invalid CPF, then create the client', async () => {
		await page.goto('/clients');
		await page.getByRole('link', { name: 'Novo cliente' }).click();
		await expect(page).toHaveURL('/clients/new');

		await expect(page.getByLabel('Pessoa física')).toBeChecked();
		await page.getByLabel('Nome', { exact: true }).fill(clientName);
		await page.getByLabel('CPF').fill(formatCpf(breakCheckDigit(cpf)));
		await page.getByRole('button', { name: 'Cadastrar cliente' }).click();

		const documentInput = page.getByLabel('CPF');
		await expect(documentInput).toHaveAttribute('aria-invalid', 'true');
		await expect(documentInput).toHaveAccessibleDescription(
			/Os dígitos verificadores não conferem\./
		);
		await expect(page).toHaveURL('/clients/new');

		await documentInput.fill(formatCpf(cpf));
		await page.getByRole('button', { name: 'Cadastrar cliente' }).click();

		await expect(page).toHaveURL(/\/clients\/\d+$/);
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(clientName);
		await expect(page.getByText(formatCpf(cpf), { exact: true })).toBeVisible();
		await expect(page.getByText('Este cliente ainda não tem processos.')).toBeVisible();
	});

	const clientUrl = page.url();

	await test.step('create a case for the client', async () => {
		await page.getByRole('link', { name: 'Novo processo' }).click();
		await expect(page).toHaveURL(/\/cases\/new\?clientId=\d+$/);
		await expect(page.getByRole('group', { name: 'Cliente' })).toContainText(clientName);

		// Pick the same client again through the search box, by part of its CPF.
		await page.getByRole('button', { name: 'Trocar cliente' }).click();
		await page.getByLabel('Cliente', { exact: true }).fill(cpf.slice(0, 9));
		await page.getByRole('button', { name: `${clientName} · ${formatCpf(cpf)}` }).click();
		await expect(page.getByRole('group', { name: 'Cliente' })).toContainText(formatCpf(cpf));

		await expect(page.getByLabel('Data de abertura')).toHaveValue(today);
		await page.getByLabel('Número CNJ').fill(formatCnj(cnj));
		await page.getByLabel('Tipo de ação').selectOption({ label: 'Cível' });
		await page.getByLabel('Título').fill(caseTitle);
		await page.getByLabel('Sócio responsável').selectOption({ label: partnerName });
		await page.getByLabel('Consultor').selectOption({ label: consultantName });
		await page.getByRole('button', { name: 'Cadastrar processo' }).click();

		await expect(page).toHaveURL(/\/cases\/\d+$/);
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(caseTitle);
		await expect(page.getByText(formatCnj(cnj), { exact: true })).toBeVisible();
		await expect(page.getByRole('link', { name: clientName })).toBeVisible();
		await expect(page.getByText('Em andamento', { exact: true })).toBeVisible();
	});

	const caseUrl = page.url();

	await test.step('see the case on the client page', async () => {
		await page.goto(clientUrl);

		const row = page.getByRole('row', { name: new RegExp(caseTitle) });
		await expect(row.getByRole('cell').first()).toHaveText(formatCnj(cnj));
		await expect(row.getByRole('link', { name: caseTitle })).toHaveAttribute(
			'href',
			new URL(caseUrl).pathname
		);
		await expect(row).toContainText('Cível');
		await expect(row).toContainText(partnerName);
		await expect(page.getByRole('button', { name: 'Excluir' })).toBeDisabled();
	});

	await test.step('find the case in the cases list', async () => {
		await page.getByRole('link', { name: 'Processos', exact: true }).click();
		await page.getByLabel('Buscar por número ou título').fill(run);
		await page.getByRole('button', { name: 'Filtrar' }).click();
		await expect(page).toHaveURL(new RegExp(`/cases\\?.*q=${run}`));

		const rows = page.getByRole('row').filter({ hasText: caseTitle });
		await expect(rows).toHaveCount(1);
		await expect(rows).toContainText(clientName);
		await expect(rows).toContainText(consultantName);
		await expect(rows).toContainText('Em andamento');
		await expect(rows).toContainText(formatIsoDate(today, 'pt-BR'));
	});

	await test.step('close the case', async () => {
		await page.goto(caseUrl);
		await expect(page.getByLabel('Data de encerramento')).toHaveValue(today);
		await page.getByRole('button', { name: 'Encerrar processo' }).click();

		await expect(page.getByRole('button', { name: 'Reabrir processo' })).toBeVisible();
		await expect(page.getByText('Encerrado', { exact: true })).toBeVisible();
		const closedOn = page
			.getByRole('definition')
			.filter({ hasText: formatIsoDate(today, 'pt-BR') });
		await expect(closedOn).toHaveCount(2);

		await page.goto(`/cases?q=${run}&status=closed`);
		await expect(page.getByRole('row').filter({ hasText: caseTitle })).toContainText('Encerrado');
	});
});
