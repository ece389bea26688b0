import { z } from 'zod';

import { isIsoDate } from '$lib/domain/dates';

/**
 * A database id: a positive integer. With `min(1)` a too_small issue reports limit 1, the
 * smallest valid id, where `positive()` would report the exclusive bound 0.
 */
export const idSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/**
 * The input of a procedure that takes none. Without it tRPC ignores whatever a caller sends,
 * so a request with stray fields such as `{"role":"admin"}` would succeed as if they meant
 * something.
 */
export const noInputSchema = z.undefined({
	error: 'This procedure takes no input: send none.'
});

/** Page size of list procedures: 25 by default, at most 100. */
export const limitSchema = z.number().int().min(1).max(100).default(25);

/** A calendar date as YYYY-MM-DD that exists in the calendar. */
export const isoDateSchema = z.string().refine(isIsoDate, {
	message: 'Expected a real calendar date as YYYY-MM-DD.',
	params: { reason: 'date' }
});

// Control characters (NUL, BEL, ESC, ...) end up raw in CSV exports and terminals, so text
// fields reject them. Free text keeps tab and line breaks; names and titles are one line.
const CONTROL_CHARACTERS = /[\p{Cc}]/u;
const CONTROL_CHARACTERS_EXCEPT_WHITESPACE = /[^\P{Cc}\t\n\r]/u;
// Text made only of spaces and invisible format characters (zero-width space, direction
// marks) shows as blank, so it does not count as a value.
const VISIBLE_CHARACTER = /[^\s\p{Cf}]/u;

/** Free text that may be left out: undefined, null and blank all become null. */
export function optionalText(maxLength: number) {
	return z
		.string()
		.trim()
		.max(maxLength, { message: `Must be at most ${maxLength} characters.` })
		.refine((value) => !CONTROL_CHARACTERS_EXCEPT_WHITESPACE.test(value), {
			message: 'Must not contain control characters.',
			params: { reason: 'control_characters' }
		})
		.nullish()
		.transform((value) => (value && VISIBLE_CHARACTER.test(value) ? value : null));
}

/** Required single-line text, trimmed, with at least one visible character. */
export function requiredText(maxLength: number, missingMessage = 'Required.') {
	return z
		.string()
		.trim()
		.min(1, { message: missingMessage })
		.max(maxLength, { message: `Must be at most ${maxLength} characters.` })
		.refine((value) => !CONTROL_CHARACTERS.test(value), {
			message: 'Must be one line without control characters.',
			params: { reason: 'control_characters' }
		})
		.refine((value) => value === '' || VISIBLE_CHARACTER.test(value), {
			message: `${missingMessage} Invisible characters alone are not a value.`,
			params: { reason: 'required' }
		});
}

/** An optional email address, stored lower-cased; blank becomes null. */
export const optionalEmailSchema = z
	.string()
	.trim()
	.max(254, { message: 'Must be at most 254 characters.' })
	.nullish()
	.transform((value) => (value ? value.toLowerCase() : null))
	.refine((value) => value === null || z.email().safeParse(value).success, {
		message: 'Must be an email address such as name@example.com.',
		params: { reason: 'email' }
	});

/** Search text for list procedures; blank means no search. */
export const searchSchema = z
	.string()
	.trim()
	.max(200, { message: 'Must be at most 200 characters.' })
	.optional()
	.transform((value) => (value ? value : undefined));
