import { z } from 'zod';

/**
 * Keyset pagination: a cursor is the sort key of the last row of a page, base64url-encoded
 * JSON, so the next page starts right after it even when rows were added in between.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
	return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** A cursor input that decodes to a `[text, id]` key or fails validation on the field. */
// A name of 200 characters of four UTF-8 bytes each encodes to about 1100 characters.
export const textIdCursorSchema = z
	.string()
	.max(4096)
	.optional()
	.transform((value, ctx) => {
		if (value === undefined) return undefined;
		const key = decodeKey(value);
		if (!Array.isArray(key) || typeof key[0] !== 'string' || !Number.isSafeInteger(key[1])) {
			ctx.addIssue({
				code: 'custom',
				message: 'Invalid cursor: pass nextCursor from a previous page.'
			});
			return z.NEVER;
		}
		return { text: key[0] as string, id: key[1] as number };
	});

/** A cursor input that decodes to an `[id]` key or fails validation on the field. */
export const idCursorSchema = z
	.string()
	.max(100)
	.optional()
	.transform((value, ctx) => {
		if (value === undefined) return undefined;
		const key = decodeKey(value);
		if (!Array.isArray(key) || !Number.isSafeInteger(key[0])) {
			ctx.addIssue({
				code: 'custom',
				message: 'Invalid cursor: pass nextCursor from a previous page.'
			});
			return z.NEVER;
		}
		return { id: key[0] as number };
	});

function decodeKey(cursor: string): unknown {
	try {
		return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
	} catch {
		return null;
	}
}
