import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { defineConfig, devices } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 4173);

// The config module is evaluated again in every worker; environment variables set here by the
// main process are inherited by the workers, so they all agree on one database file.
process.env.E2E_DATABASE_PATH ??= path.join(
	fs.mkdtempSync(path.join(os.tmpdir(), 'case-ledger-e2e-')),
	'e2e.db'
);

/**
 * Returns the Chromium to drive: CHROMIUM_PATH if set, else the distribution's /usr/bin/chromium
 * if present, else undefined so that Playwright uses the browser `playwright install` fetched.
 */
function systemChromium(): string | undefined {
	if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
	return fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

const executablePath = systemChromium();

export default defineConfig({
	testDir: 'tests/e2e',
	globalSetup: './tests/e2e/global-setup.ts',
	globalTeardown: './tests/e2e/global-teardown.ts',
	fullyParallel: false,
	workers: 1,
	forbidOnly: !!process.env.CI,
	retries: 0,
	timeout: 30_000,
	reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
	use: {
		baseURL: `http://127.0.0.1:${PORT}`,
		// The server takes client addresses from this header (ADDRESS_HEADER below), as behind a
		// reverse proxy, and rejects a sign-in without it. Tests that play other clients set
		// their own value.
		extraHTTPHeaders: { 'x-forwarded-for': '127.0.0.1' },
		trace: 'retain-on-failure',
		locale: 'pt-BR',
		timezoneId: 'America/Sao_Paulo'
	},
	projects: [
		{
			name: 'chromium',
			use: {
				...devices['Desktop Chrome'],
				launchOptions: executablePath
					? {
							executablePath,
							// A distribution Chromium run as root needs --no-sandbox; the other flags keep it
							// from calling home on a machine without internet access.
							args: [
								'--no-sandbox',
								'--disable-gpu',
								'--disable-background-networking',
								'--disable-component-update',
								'--disable-sync',
								'--no-first-run'
							]
						}
					: {}
			}
		}
	],
	webServer: {
		// The same command the container runs. APP_BUILD_DIR points it at a copy of the build
		// folder instead, as the reliability tests allow.
		command: `node ${JSON.stringify(process.env.APP_BUILD_DIR ?? 'build')}`,
		url: `http://127.0.0.1:${PORT}/healthz`,
		reuseExistingServer: false,
		timeout: 60_000,
		stdout: 'ignore',
		stderr: 'pipe',
		env: {
			PORT: String(PORT),
			HOST: '127.0.0.1',
			// adapter-node assumes https unless ORIGIN sets otherwise, and the cross-site check
			// compares each POST's Origin header with it.
			ORIGIN: `http://127.0.0.1:${PORT}`,
			DATABASE_PATH: process.env.E2E_DATABASE_PATH,
			// adapter-node then reads the client address from the last X-Forwarded-For entry, so
			// tests can sign in from several addresses over loopback, as through a proxy.
			ADDRESS_HEADER: 'x-forwarded-for',
			XFF_DEPTH: '1',
			LOG_LEVEL: 'warn'
		}
	}
});
