import { TRPCClientError } from '@trpc/client';

import { toFormErrors, type FormErrors } from '$lib/form-errors';
import { m } from '$lib/paraglide/messages';

/**
 * Translates a rejected two-factor call. The server's reasons for a wrong code or password
 * (`incorrect` on `code` or `currentPassword`) and its throttle get messages of their own.
 */
export function toTwoFactorErrors(error: unknown): FormErrors {
	const errors = toFormErrors(error);
	if (!(error instanceof TRPCClientError)) return errors;

	const data = error.data as
		{ code?: string; issues?: { field: string; code: string }[] | null } | undefined;
	if (data?.code === 'TOO_MANY_REQUESTS') {
		return { fields: {}, form: m.two_factor_error_too_many() };
	}
	for (const issue of data?.issues ?? []) {
		if (issue.field === 'code' && issue.code === 'incorrect') {
			errors.fields.code = m.two_factor_error_invalid();
		} else if (issue.field === 'currentPassword' && issue.code === 'incorrect') {
			errors.fields.currentPassword = m.account_current_incorrect();
		}
	}
	return errors;
}
