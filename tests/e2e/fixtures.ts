import { test as base, expect, type Page } from '@playwright/test';

import { E2E_USER } from './users';

/** Signs in through the login page with the given credentials. */
export async function signIn(page: Page, email = E2E_USER.email, password = E2E_USER.password) {
	await page.goto('/login');
	await waitForHydration(page);
	await page.getByLabel(/e-?mail/i).fill(email);
	await page.getByLabel(/senha|password/i).fill(password);
	await page.getByRole('button', { name: /entrar|sign in/i }).click();
}

/** Waits until the app's JavaScript runs, so typed text and clicks reach Svelte's handlers. */
export async function waitForHydration(page: Page): Promise<void> {
	await page.locator('html[data-hydrated="true"]').waitFor();
}

/** `signedInPage`: a page whose browser context has signed in as the suite's admin. */
export const test = base.extend<{ signedInPage: Page }>({
	signedInPage: async ({ page }, use) => {
		await signIn(page);
		await expect(page).toHaveURL('/');
		await use(page);
	}
});

export { expect };
