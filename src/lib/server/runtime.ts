import { count } from 'drizzle-orm';

import { openDatabase, type Db } from '$lib/server/db';
import { acquireAppLock, type AppLock } from '$lib/server/db/app-lock';
import type { MigrationReport } from '$lib/server/db/safe-migrate';
import { users } from '$lib/server/db/schema';
import { readEnv } from '$lib/server/env';
import { log } from '$lib/server/log';

let appDb: Db | undefined;
let appLock: AppLock | undefined;

/**
 * Takes the database lock, opens and migrates the app's database, logs the start, and logs
 * how to create the first administrator while no user exists. Throws (and the server does not
 * start) when another live process holds the lock, when the database cannot be opened with the
 * required settings, or when a migration fails or changes the ledger.
 */
export function startApp(): Db {
	if (appDb) return appDb;

	const env = readEnv();
	try {
		// `pnpm admin restore` reads the lock file to detect that the app is using this database.
		appLock = acquireAppLock(env.DATABASE_PATH, 'app');
		appDb = openDatabase(env.DATABASE_PATH, {
			migrationsDir: env.MIGRATIONS_DIR,
			onMigrated: logMigrations
		});
	} catch (error) {
		releaseAppLock();
		log.fatal({ err: error, databasePath: env.DATABASE_PATH }, 'case-ledger could not start');
		throw error;
	}
	// Also on exits without `sveltekit:shutdown`, such as an uncaught exception.
	process.once('exit', releaseAppLock);
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
	releaseAppLock();
	log.info({ reason }, 'case-ledger stopped');
}

function logMigrations(report: MigrationReport): void {
	// backupPath is null for a new, empty database, which is migrated without a backup.
	log.info(
		{ migrations: report.applied, backupPath: report.backupPath ?? null },
		'applied database migrations'
	);
}

function releaseAppLock(): void {
	try {
		appLock?.release();
	} catch (error) {
		log.error({ err: error, lockPath: appLock?.path }, 'could not delete the app lock file');
	}
	appLock = undefined;
}
