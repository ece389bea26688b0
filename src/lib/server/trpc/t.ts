import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';

import { WRITE_ROLES } from '$lib/roles';
import type { UserRole } from '$lib/server/db/schema';
import { STORAGE_UNAVAILABLE_MESSAGE, storageFailureCode } from '$lib/server/storage-errors';

import type { Context } from './context';

/** One field's validation problem, as forms show it next to the field. */
export interface FieldIssue {
	/** Dotted path of the input field, e.g. `document` or `agreement.feeBps`. */
	field: string;
	/** zod's issue code or a domain reason such as `check_digits`, for translated messages. */
	code: string;
	message: string;
	/** The limit that a `too_big` or `too_small` issue broke (characters, items or value). */
	limit?: number;
	/** Kind of value a `too_big` or `too_small` limit measures: `string` length, `number` value. */
	origin?: string;
}

/**
 * The `data.code` of a response to a call that failed because the database cannot be written
 * (disk full, read-only or failing volume). Such responses have HTTP status 503.
 */
export const STORAGE_UNAVAILABLE = 'STORAGE_UNAVAILABLE';

const t = initTRPC.context<Context>().create({
	// Keeps stack traces out of every response, whatever the value of NODE_ENV.
	isDev: false,
	errorFormatter({ shape, error }) {
		const issues = error.cause instanceof ZodError ? toFieldIssues(error.cause) : null;
		const { stack: _stack, ...data } = shape.data;
		// tRPC 10 has no code for HTTP 503, and its HTTP handler takes the response status from
		// `data.httpStatus`. This also covers a storage failure outside any procedure, such as
		// opening the database while building the context.
		if (storageFailureCode(error.cause)) {
			return {
				...shape,
				message: STORAGE_UNAVAILABLE_MESSAGE,
				data: { ...data, code: STORAGE_UNAVAILABLE, httpStatus: 503, issues: null }
			};
		}
		return {
			...shape,
			message: issues ? describeIssues(issues) : shape.message,
			data: { ...data, issues }
		};
	}
});

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;

const logCalls = t.middleware(async ({ ctx, path, type, next }) => {
	const started = performance.now();
	const result = await next();
	const ms = Math.round(performance.now() - started);
	const fields = { requestId: ctx.requestId, userId: ctx.user?.id, path, type, ms };
	if (result.ok) {
		ctx.log.info({ ...fields, ok: true }, 'trpc call');
	} else {
		ctx.log.warn({ ...fields, ok: false, code: result.error.code }, 'trpc call failed');
	}
	return result;
});

/**
 * The error a procedure ends with when SQLite reports failing storage. Its cause is the
 * SqliteError, which the error formatter reads to set HTTP status 503.
 */
export class StorageUnavailableError extends TRPCError {
	constructor(cause: unknown) {
		super({ code: 'INTERNAL_SERVER_ERROR', message: STORAGE_UNAVAILABLE_MESSAGE, cause });
	}
}

// Logs the failure once, with the SQLite code but never the SQL or its parameters, and replaces
// SQLite's own message with one that states what happened to the user's input.
const mapStorageFailures = t.middleware(async ({ ctx, path, type, next }) => {
	const result = await next();
	if (result.ok) return result;

	const sqliteCode = storageFailureCode(result.error.cause);
	if (!sqliteCode) return result;

	ctx.log.error(
		{ requestId: ctx.requestId, userId: ctx.user?.id, path, type, sqliteCode },
		'database storage failed; nothing was written'
	);
	throw new StorageUnavailableError(result.error.cause);
});

export const publicProcedure = t.procedure.use(logCalls).use(mapStorageFailures);

/** Requires a signed-in, enabled user and narrows `ctx.user` to non-null. */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
	if (!ctx.user) {
		throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to continue.' });
	}
	return next({ ctx: { ...ctx, user: ctx.user } });
});

/**
 * Returns a middleware that ends the call with FORBIDDEN unless the signed-in user's role is in
 * `roles`. Use it after authedProcedure and before `.input()`, so the role is checked before
 * the input is parsed and a forbidden caller learns nothing from validation messages.
 */
function requireRole(roles: readonly UserRole[], message: string) {
	return t.middleware(({ ctx, next }) => {
		if (!ctx.user || !roles.includes(ctx.user.role)) {
			throw new TRPCError({ code: 'FORBIDDEN', message });
		}
		return next();
	});
}

/** Requires a signed-in user who may change records: an administrator or staff, not a viewer. */
export const writeProcedure = authedProcedure.use(
	requireRole(WRITE_ROLES, 'Only administrators and staff can change records.')
);

/** Requires a signed-in administrator. */
export const adminProcedure = authedProcedure.use(
	requireRole(['admin'], 'Only administrators can do this.')
);

function toFieldIssues(error: ZodError): FieldIssue[] {
	return error.issues.flatMap((issue): FieldIssue[] => {
		// An extra key is reported on the key itself, so the message names what to remove.
		if (issue.code === 'unrecognized_keys') {
			return issue.keys.map((key) => ({
				field: [...issue.path.map(String), key].join('.'),
				code: issue.code,
				message: `Unknown field "${key}": remove it.`
			}));
		}
		const bound =
			issue.code === 'too_big'
				? { limit: Number(issue.maximum), origin: issue.origin }
				: issue.code === 'too_small'
					? { limit: Number(issue.minimum), origin: issue.origin }
					: {};
		return [
			{
				field: issue.path.map(String).join('.') || '(input)',
				code: reasonOf(issue),
				message: issue.message,
				...bound
			}
		];
	});
}

// Domain refinements put their reason (e.g. `check_digits`) in params; zod's own issues keep
// their code (`too_small`, `invalid_type`, ...).
function reasonOf(issue: ZodError['issues'][number]): string {
	if (issue.code === 'custom' && typeof issue.params?.reason === 'string') {
		return issue.params.reason;
	}
	return issue.code;
}

function describeIssues(issues: FieldIssue[]): string {
	return issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
}
