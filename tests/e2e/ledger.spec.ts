import { readFile } from 'node:fs/promises';

import { validateCpf } from '../../src/lib/domain/cpf';
import { formatIsoDate, todayIso } from '../../src/lib/domain/dates';

import { expect, test, waitForHydration } from './fixtures';
import { E2E_USER } from './users';

/** Returns `count` random decimal digits. */
function randomDigits(count: number): string {
	return Array.from({ length: count }, () => Math.floor(Math.random() * 10)).join('');
}

/** Returns a random valid CPF: random base digits plus the check digits the validator accepts. */
function randomCpf(): string {
	const base = randomDigits(9);
	for (let check = 0; check < 100; check++) {
		const cpf = `${base}${String(check).padStart(2, '0')}`;
		if (validateCpf(cpf).ok) return cpf;
	}
	// Only a base of one repeated digit has no valid check digits.
	return randomCpf();
}

/** Returns the last day of `month` (1-12) of `year` as YYYY-MM-DD, from the UTC calendar. */
function monthEnd(year: number, month: number): string {
	const day = new Date(Date.UTC(year, month, 0)).getUTCDate();
	return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function brDate(iso: string): string {
	return formatIsoDate(iso, 'pt-BR');
}

test('case ledger records, splits and voids', async ({ signedInPage: page }) => {
	test.slow();

	const run = `${Date.now().toString(36)}${randomDigits(3)}`;
	const partnerName = `Sócia Razão ${run}`;
	const consultantName = `Consultor Razão ${run}`;
	const clientName = `Cliente Razão ${run}`;
	const caseTitle = `Benefício com RPV ${run}`;
	const today = todayIso();
	const year = Number(today.slice(0, 4));
	// The 31st of January, so later installments land on shorter months' last days.
	const firstInstallment = `${year}-01-31`;
	const installmentDates = Array.from({ length: 12 }, (_, index) => monthEnd(year, index + 1));

	const payments = page.getByRole('table', { name: 'Pagamentos' });
	const caseTotals = page.getByRole('region', { name: 'Totais do processo' });

	await test.step('create a partner, a consultant and a client', async () => {
		await page.goto('/people');
		await waitForHydration(page);
		for (const [role, name] of [
			['Sócio', partnerName],
			['Consultor', consultantName]
		] as const) {
			await page.getByLabel('Função').selectOption({ label: role });
			await page.getByLabel('Nome', { exact: true }).fill(name);
			await page.getByRole('button', { name: 'Cadastrar', exact: true }).click();
			await expect(page.getByRole('status')).toHaveText(`${name} foi cadastrado.`);
		}

		await page.goto('/clients/new');
		await waitForHydration(page);
		await page.getByLabel('Nome', { exact: true }).fill(clientName);
		await page.getByLabel('CPF').fill(randomCpf());
		await page.getByRole('button', { name: 'Cadastrar cliente' }).click();
		await expect(page).toHaveURL(/\/clients\/\d+$/);
	});

	const clientUrl = page.url();

	await test.step('create an RPV case with the default agreement', async () => {
		await page.getByRole('link', { name: 'Novo processo' }).click();
		await expect(page).toHaveURL(/\/cases\/new\?clientId=\d+$/);
		await waitForHydration(page);

		await expect(page.getByLabel('Honorários (%)')).toHaveValue('30');
		await expect(page.getByLabel('Parte do sócio (%)')).toHaveValue('50');
		await expect(page.getByLabel('Comissão (%)')).toBeDisabled();
		await expect(page.getByLabel('Comissão (%)')).toHaveValue('0');

		await page
			.getByLabel('Tipo de ação')
			.selectOption({ label: 'Previdenciário – RPV e precatório' });
		await page.getByLabel('Título').fill(caseTitle);
		await page.getByLabel('Sócio responsável').selectOption({ label: partnerName });
		await page.getByLabel('Consultor').selectOption({ label: consultantName });
		await expect(page.getByLabel('Comissão (%)')).toBeEnabled();
		await expect(page.getByLabel('Comissão (%)')).toHaveValue('10');
		await page.getByRole('button', { name: 'Cadastrar processo' }).click();

		await expect(page).toHaveURL(/\/cases\/\d+$/);
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(caseTitle);
		const agreement = page.getByRole('region', { name: 'Acordo de honorários' });
		await expect(agreement.getByRole('definition')).toHaveText([
			'30%',
			'Sobre os valores obtidos na ação.',
			'50%',
			'Sobre os honorários.',
			'10%',
			'Sobre o valor bruto, paga com a parte do escritório.'
		]);
		await expect(page.getByText('Nenhum pagamento registrado neste processo.')).toBeVisible();
	});

	await test.step('reject an amount that does not parse', async () => {
		await waitForHydration(page);
		await page.getByLabel('Tipo de valor').selectOption({ label: 'RPV' });
		await page.getByLabel('Valor recebido').fill('1.0,00');
		await page.getByRole('button', { name: 'Registrar pagamento' }).click();

		await expect(page.getByLabel('Valor recebido')).toHaveAttribute('aria-invalid', 'true');
		await expect(page.getByLabel('Valor recebido')).toHaveAccessibleDescription(
			/Informe um valor como 1\.234,56\./
		);
		await expect(page.getByText('Nenhum pagamento registrado neste processo.')).toBeVisible();
	});

	await test.step('preview and record an RPV of R$ 1.000,00', async () => {
		await expect(page.getByLabel('Data de recebimento')).toHaveValue(today);
		await page.getByLabel('Valor recebido').fill('1.000,00');

		const preview = page.getByRole('status', { name: 'Divisão prevista' });
		await expect(preview.getByRole('definition')).toHaveText([
			'R$ 700,00',
			'R$ 50,00',
			'R$ 150,00',
			'R$ 100,00'
		]);

		await page.getByRole('button', { name: 'Registrar pagamento' }).click();
		await expect(page.getByText('Pagamento de R$ 1.000,00 registrado.')).toBeVisible();
		await expect(page.getByLabel('Valor recebido')).toHaveValue('');

		const row = payments.getByRole('row').filter({ hasText: 'RPV' });
		await expect(row.getByRole('cell')).toHaveText([
			brDate(today),
			'RPV',
			'R$ 1.000,00',
			'R$ 700,00',
			'R$ 50,00',
			'R$ 150,00',
			'R$ 100,00',
			'',
			`${E2E_USER.name} ${brDate(today)}`,
			'Anular'
		]);
		await expect(caseTotals.getByRole('definition')).toHaveText([
			'R$ 1.000,00',
			'R$ 700,00',
			'R$ 50,00',
			'R$ 150,00',
			'R$ 100,00'
		]);
	});

	await test.step('add 12 installments from the 31st', async () => {
		await page.getByLabel('Valor de cada parcela').fill('500,00');
		await page.getByLabel('Número de parcelas').fill('12');
		await page.getByLabel('Data da primeira parcela').fill(firstInstallment);

		await expect(
			page.getByText(`12 parcelas de R$ 500,00 a partir de ${brDate(firstInstallment)}`)
		).toContainText(`(a última em ${brDate(`${year}-12-31`)})`);
		const preview = page.getByRole('status', { name: 'Divisão de cada parcela' });
		await expect(preview.getByRole('definition')).toHaveText([
			'R$ 0,00',
			'R$ 200,00',
			'R$ 250,00',
			'R$ 50,00'
		]);

		await page.getByRole('button', { name: 'Registrar parcelas' }).click();
		await expect(page.getByText('Parcelas registradas: 12.')).toBeVisible();

		const rows = payments.getByRole('row').filter({ hasText: 'Parcela mensal' });
		await expect(rows).toHaveCount(12);
		// Newest first: December's last day down to January's.
		await expect(rows.locator('td:first-child')).toHaveText(installmentDates.map(brDate).reverse());
		await expect(rows.first()).toContainText('Parcela 12 de 12');
		await expect(rows.last()).toContainText('Parcela 1 de 12');
		await expect(caseTotals.getByRole('definition')).toHaveText([
			'R$ 7.000,00',
			'R$ 700,00',
			'R$ 2.450,00',
			'R$ 3.150,00',
			'R$ 700,00'
		]);
	});

	const voidedDate = brDate(installmentDates[5]!);

	await test.step('void the June installment', async () => {
		await page
			.getByRole('button', { name: `Anular o pagamento de ${voidedDate} (R$ 500,00)` })
			.click();
		await page.getByRole('button', { name: 'Anular pagamento', exact: true }).click();
		await expect(page.getByLabel('Motivo da anulação')).toHaveAccessibleDescription(
			/Campo obrigatório\./
		);

		await page.getByLabel('Motivo da anulação').fill('Parcela lançada em duplicidade');
		await page.getByRole('button', { name: 'Anular pagamento', exact: true }).click();

		const row = payments.getByRole('row').filter({ hasText: 'Parcela 6 de 12' });
		await expect(row.getByRole('cell').first()).toHaveText(voidedDate);
		await expect(row).toContainText(
			`Anulado por ${E2E_USER.name} em ${brDate(today)}: Parcela lançada em duplicidade`
		);
		await expect(row.getByText('Anulado', { exact: true })).toBeVisible();
		await expect(row.getByRole('cell').nth(2)).toHaveCSS('text-decoration-line', 'line-through');
		await expect(row.getByRole('button')).toHaveCount(0);
		await expect(payments.getByRole('row').filter({ hasText: 'Parcela mensal' })).toHaveCount(12);

		// The June installment's shares leave the totals: 500, 0, 200, 250 and 50.
		await expect(caseTotals.getByRole('definition')).toHaveText([
			'R$ 6.500,00',
			'R$ 700,00',
			'R$ 2.250,00',
			'R$ 2.900,00',
			'R$ 650,00'
		]);
	});

	await test.step('see the same totals on the client page', async () => {
		await page.goto(clientUrl);
		const totals = page.getByRole('region', { name: 'Totais dos processos do cliente' });
		await expect(totals.getByRole('definition')).toHaveText([
			'R$ 6.500,00',
			'R$ 700,00',
			'R$ 2.250,00',
			'R$ 2.900,00',
			'R$ 650,00'
		]);
	});

	const from = `${year}-01-01`;
	const to = `${year}-12-31`;

	await test.step('list the year on the reports page', async () => {
		await page.getByRole('link', { name: 'Relatórios' }).click();
		await expect(page).toHaveURL('/reports');
		await page.getByLabel('De', { exact: true }).fill(from);
		await page.getByLabel('Até', { exact: true }).fill(to);
		await page.getByRole('button', { name: 'Mostrar' }).click();
		await expect(page).toHaveURL(`/reports?from=${from}&to=${to}`);

		const rows = page
			.getByRole('table', { name: 'Pagamentos do período' })
			.getByRole('row')
			.filter({ hasText: caseTitle });
		await expect(rows).toHaveCount(13);
		await expect(rows.filter({ hasText: 'Anulado' })).toHaveCount(1);
	});

	await test.step('download the year as a workbook', async () => {
		const downloading = page.waitForEvent('download');
		await page.getByRole('link', { name: 'Baixar planilha (.xlsx)' }).click();
		const download = await downloading;

		expect(download.suggestedFilename()).toBe(`payments-${from}-to-${to}.xlsx`);
		const bytes = await readFile(await download.path());
		expect(bytes.length).toBeGreaterThan(1000);
		// An .xlsx file is a zip archive, whose local file headers start with "PK".
		expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
	});

	await test.step('hide the downloads for an empty range', async () => {
		await page.goto('/reports?from=1990-01-01&to=1990-01-31');
		await expect(page.getByText('Nenhum pagamento neste período.')).toBeVisible();
		await expect(page.getByRole('link', { name: /Baixar/ })).toHaveCount(0);
	});
});
