import type { BrowserContext, Page } from '@playwright/test';

import { expect, signIn, test } from './fixtures';
import { runAdmin } from './users';

// A user of its own, so that the sessions of the suite's shared account do not show up here.
const SESSIONS_USER = {
	email: 'e2e.sessions@example.com',
	name: 'Sara Sessões',
	password: 'two browsers one account'
};

test.beforeAll(() => {
	runAdmin(
		['add-user', '--email', SESSIONS_USER.email, '--name', SESSIONS_USER.name, '--password-stdin'],
		`${SESSIONS_USER.password}\n`
	);
});

test('ending a session signs that browser out', async ({ browser }) => {
	const first = await browser.newContext();
	const second = await browser.newContext();
	try {
		const firstPage = await signedInPage(first);
		const secondPage = await signedInPage(second);

		await firstPage.goto('/account');
		await firstPage.getByRole('link', { name: 'Sessões ativas' }).click();
		await expect(firstPage).toHaveURL('/account/sessions');
		const rows = firstPage.getByRole('table', { name: 'Suas sessões ativas' }).locator('tbody tr');
		await expect(rows).toHaveCount(2);
		await expect(rows.filter({ hasText: 'Esta sessão' })).toHaveCount(1);
		await expect(rows.first()).toContainText('Chrome em Windows');

		const other = rows.filter({ hasNotText: 'Esta sessão' });
		await other.getByRole('button', { name: /^Encerrar a sessão de Chrome em Windows/ }).click();

		await expect(firstPage.getByRole('status')).toHaveText('Sessão encerrada.');
		await expect(rows).toHaveCount(1);
		await expect(firstPage.getByText('Você não tem outra sessão ativa.')).toBeVisible();

		await secondPage.goto('/clients');
		await expect(secondPage).toHaveURL('/login?redirectTo=%2Fclients');

		await firstPage.goto('/clients');
		await expect(firstPage).toHaveURL('/clients');
	} finally {
		await first.close();
		await second.close();
	}
});

async function signedInPage(context: BrowserContext): Promise<Page> {
	const page = await context.newPage();
	await signIn(page, SESSIONS_USER.email, SESSIONS_USER.password);
	await expect(page).toHaveURL('/');
	return page;
}
