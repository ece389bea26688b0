import { execFileSync } from 'node:child_process';

/** The account every end-to-end test signs in with, created by the admin CLI. */
export const E2E_USER = {
	email: 'e2e.admin@example.com',
	name: 'Ana Administradora',
	password: 'correct horse battery staple'
};

/** Runs the real admin CLI against the end-to-end database and returns its standard output. */
export function runAdmin(args: string[], input = ''): string {
	return execFileSync(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...args], {
		input,
		encoding: 'utf8',
		env: { ...process.env, DATABASE_PATH: process.env.E2E_DATABASE_PATH, LOG_LEVEL: 'warn' }
	});
}
