import pino from 'pino';

/**
 * The process-wide structured logger: one JSON line per event on stdout. Callers pass ids
 * and outcomes, never passwords, session tokens or client documents.
 */
export const log = pino({
	level: process.env.LOG_LEVEL ?? 'info',
	base: { app: 'case-ledger' },
	timestamp: pino.stdTimeFunctions.isoTime,
	redact: {
		paths: ['password', '*.password', 'token', '*.token', 'cookie', '*.cookie', 'secret'],
		censor: '[redacted]'
	}
});

export type Logger = typeof log;
