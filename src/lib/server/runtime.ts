import { count } from 'drizzle-orm';

import { openDatabase, type Db } from '$lib/server/db';
import { users } from '$lib/server/db/schema';
import { readEnv } from '$lib/server/env';
import { log } from '$lib/server/log';

let appDb: Db | undefined;

/**
 * Opens and migrates the app's database, logs the start, and says how to create the first
 * administrator while no user exists. Throws (and the server does not start) when the
 * database cannot be opened with the required settings.
 */
export function startApp(): Db {
	if (appDb) return appDb;

	const env = readEnv();
	appDb = openDatabase(env.DATABASE_PATH, { migrationsDir: env.MIGRATIONS_DIR });
	log.info({ databasePath: env.DATABASE_PATH, node: process.version }, 'case-ledger started');

	const userCount = appDb.select({ value: count() }).from(users).get()?.value ?? 0;
	if (userCount === 0) {
		log.warn(
			'No user exists yet. Create the first administrator with: ' +
				'pnpm admin add-user --email you@example.com --name "Your Name" --role admin'
		);
	}

	process.once('sveltekit:shutdown', (reason: string) => stopApp(reason));
	return appDb;
}

/** Returns the app's database, opening it on first use. */
export function getAppDb(): Db {
	return appDb ?? startApp();
}

function stopApp(reason: string): void {
	appDb?.$client.close();
	appDb = undefined;
	log.info({ reason }, 'case-ledger stopped');
}
