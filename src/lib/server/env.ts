import path from 'node:path';

import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const SESSION_DAYS_MESSAGE = 'expected a whole number of days from 1 to 365';

const envSchema = z.object({
	DATABASE_PATH: z.string().min(1).default('./data/case-ledger.db'),
	MIGRATIONS_DIR: z.string().min(1).default('./drizzle'),
	LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
	NODE_ENV: z.string().default('production'),
	// Absolute session lifetime in days: a session ends this long after sign-in, however active.
	SESSION_MAX_AGE_DAYS: z.coerce
		.number({ message: SESSION_DAYS_MESSAGE })
		.int({ message: SESSION_DAYS_MESSAGE })
		.min(1, { message: SESSION_DAYS_MESSAGE })
		.max(365, { message: SESSION_DAYS_MESSAGE })
		.default(30)
});

export type Env = z.infer<typeof envSchema>;

/**
 * Reads and validates the process environment once; relative paths resolve against the
 * working directory, which is the repository root in development and /app in the container.
 */
export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
	const parsed = envSchema.safeParse(source);
	if (!parsed.success) {
		const problems = parsed.error.issues.map(
			(issue) => `${issue.path.join('.')}: ${issue.message}`
		);
		throw new Error(`Invalid environment: ${problems.join('; ')}`);
	}
	return {
		...parsed.data,
		DATABASE_PATH: path.resolve(parsed.data.DATABASE_PATH),
		MIGRATIONS_DIR: path.resolve(parsed.data.MIGRATIONS_DIR)
	};
}
