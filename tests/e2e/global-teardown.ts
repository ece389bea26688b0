import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Removes the temporary folder that playwright.config.ts made for the end-to-end database. A
 * database path given from outside (E2E_DATABASE_PATH) is left alone.
 */
export default function globalTeardown(): void {
	const databasePath = process.env.E2E_DATABASE_PATH;
	if (!databasePath) return;

	const folder = path.dirname(databasePath);
	const madeByConfig =
		path.dirname(folder) === os.tmpdir() && path.basename(folder).startsWith('case-ledger-e2e-');
	if (madeByConfig) fs.rmSync(folder, { recursive: true, force: true });
}
