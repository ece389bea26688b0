import { error } from '@sveltejs/kit';

import { STORAGE_UNAVAILABLE_MESSAGE, storageFailureCode } from '../storage-errors';

/**
 * Runs a database write of a sign-in form action. On a full or read-only disk the request
 * ends with 503 and the storage message instead of a 500; other errors are rethrown.
 */
export function writeOrReject<T>(locals: App.Locals, write: () => T): T {
	try {
		return write();
	} catch (cause) {
		const sqliteCode = storageFailureCode(cause);
		if (!sqliteCode) throw cause;

		locals.log.error({ sqliteCode }, 'sign-in failed: database storage failed');
		error(503, { message: STORAGE_UNAVAILABLE_MESSAGE, id: locals.requestId });
	}
}
