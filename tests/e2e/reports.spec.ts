import type { APIRequestContext } from '@playwright/test';

import { expect, test, waitForHydration } from './fixtures';

const ORIGIN = `http://127.0.0.1:${process.env.E2E_PORT ?? 4173}`;

// No other test records payments before 2011, so this range holds only the installments below.
const FROM = '2001-01-01';
const TO = '2010-12-31';
const INSTALLMENTS = 120;

/** Calls a tRPC mutation as the signed-in user of `request` and returns its data. */
async function mutate<T>(request: APIRequestContext, path: string, input: unknown): Promise<T> {
	const response = await request.post(`/trpc/${path}`, {
		headers: { origin: ORIGIN, 'content-type': 'application/json' },
		data: JSON.stringify(input)
	});
	expect(response.status(), `${path}: ${await response.text()}`).toBe(200);
	return ((await response.json()) as { result: { data: T } }).result.data;
}

/** Records one payment a month from January 2001 to December 2010 on a new case. */
async function recordTenYears(request: APIRequestContext, caseTitle: string): Promise<void> {
	const client = await mutate<{ id: number }>(request, 'clients.create', {
		kind: 'company',
		name: `Cliente Relatório ${caseTitle}`,
		document: '11.222.333/0001-81'
	});
	const partner = await mutate<{ id: number }>(request, 'people.create', {
		role: 'partner',
		name: `Sócia Relatório ${caseTitle}`
	});
	const legalCase = await mutate<{ id: number }>(request, 'cases.create', {
		clientId: client.id,
		actionType: 'social_security_back_pay',
		title: caseTitle,
		partnerId: partner.id,
		openedOn: '2000-12-01'
	});
	await mutate(request, 'transactions.createInstallments', {
		caseId: legalCase.id,
		firstReceivedOn: '2001-01-15',
		count: INSTALLMENTS,
		amountCents: 10_000
	});
}

test('reports page loads more rows', async ({ signedInPage: page, browser }) => {
	const caseTitle = `Parcelas de dez anos ${Date.now().toString(36)}`;
	await recordTenYears(page.request, caseTitle);
	const reportUrl = `/reports?from=${FROM}&to=${TO}`;
	const rows = page
		.getByRole('table', { name: 'Pagamentos do período' })
		.getByRole('row')
		.filter({ hasText: caseTitle });

	await test.step('show the first page', async () => {
		await page.goto(reportUrl);
		await waitForHydration(page);

		await expect(rows).toHaveCount(100);
		await expect(page.getByText('Pagamentos exibidos: 100 de 120.')).toBeVisible();
		await expect(page.getByText('Pagamentos somados: 120.', { exact: false })).toBeVisible();
	});

	await test.step('append the next page', async () => {
		await page.getByRole('link', { name: 'Carregar mais' }).click();

		await expect(rows).toHaveCount(INSTALLMENTS);
		await expect(rows.last()).toContainText('15/12/2010');
		await expect(page.getByText('Pagamentos exibidos: 120 de 120.')).toBeVisible();
		await expect(page.getByRole('link', { name: 'Carregar mais' })).toHaveCount(0);
		expect(new URL(page.url()).search).toBe(`?from=${FROM}&to=${TO}`);
	});

	await test.step('open the next page without JavaScript', async () => {
		const context = await browser.newContext({
			javaScriptEnabled: false,
			storageState: await page.context().storageState()
		});
		const plain = await context.newPage();
		await plain.goto(reportUrl);
		await plain.getByRole('link', { name: 'Carregar mais' }).click();

		await expect(plain).toHaveURL(/\/reports\?from=2001-01-01&to=2010-12-31&cursor=[\w-]+$/);
		const plainRows = plain.getByRole('row').filter({ hasText: caseTitle });
		await expect(plainRows).toHaveCount(20);
		await expect(plainRows.first()).toContainText('15/05/2009');
		await expect(plain.getByRole('link', { name: 'Primeira página' })).toBeVisible();
		await context.close();
	});

	await test.step('reject an edited cursor', async () => {
		const response = await page.goto(`${reportUrl}&cursor=bm90LWEtY3Vyc29y`);

		expect(response?.status()).toBe(400);
	});
});
