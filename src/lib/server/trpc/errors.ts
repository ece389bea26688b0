import { TRPCError } from '@trpc/server';
import { ZodRealError } from 'zod';

/**
 * Returns a BAD_REQUEST error about one input field, shaped like a zod validation error so
 * that the error formatter hands it to forms the same way.
 */
export function fieldError(field: string, reason: string, message: string): TRPCError {
	// zod 4's ZodError does not extend Error, and TRPCError turns a cause that is not an Error
	// into a plain copy, which the formatter's `instanceof ZodError` no longer matches.
	// ZodRealError extends Error and still passes `instanceof ZodError`.
	const cause = new ZodRealError([
		{ code: 'custom', path: field.split('.'), message, params: { reason }, input: undefined }
	]);
	return new TRPCError({ code: 'BAD_REQUEST', message: `${field}: ${message}`, cause });
}

export function notFound(entity: string, id: number): TRPCError {
	return new TRPCError({ code: 'NOT_FOUND', message: `${entity} ${id} does not exist.` });
}

export function conflict(message: string): TRPCError {
	return new TRPCError({ code: 'CONFLICT', message });
}

/**
 * Runs `write` and turns SQLite's unique-constraint failure into CONFLICT with `message`.
 * Callers check for duplicates inside their transaction first, which gives the precise
 * message; this catch covers a write from another process (the admin CLI, say).
 */
export function conflictOnUnique<T>(message: string, write: () => T): T {
	try {
		return write();
	} catch (error) {
		if (isUniqueViolation(error)) throw conflict(message);
		throw error;
	}
}

function isUniqueViolation(error: unknown): boolean {
	return (
		error instanceof Error &&
		'code' in error &&
		(error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
	);
}
