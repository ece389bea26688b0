import { TRPCClientError } from '@trpc/client';

import { m } from '$lib/paraglide/messages';

interface FieldIssue {
	field: string;
	code: string;
	message: string;
	limit?: number;
	origin?: string;
}

export interface FormErrors {
	/** Translated message per input field name. */
	fields: Record<string, string>;
	/** A message for the whole form, when the error is not about one field. */
	form: string | null;
}

/** Turns a failed tRPC call into translated messages for a form's fields and the form. */
export function toFormErrors(error: unknown): FormErrors {
	if (!(error instanceof TRPCClientError)) {
		return { fields: {}, form: m.error_network() };
	}

	const data = error.data as { code?: string; issues?: FieldIssue[] | null } | undefined;
	if (data?.issues?.length) {
		const fields: Record<string, string> = {};
		for (const issue of data.issues) fields[issue.field] ??= translateIssue(issue);
		return { fields, form: null };
	}

	switch (data?.code) {
		case 'UNAUTHORIZED':
			return { fields: {}, form: m.error_session_expired() };
		case 'TOO_MANY_REQUESTS':
			return { fields: {}, form: m.error_too_many_attempts() };
		case 'FORBIDDEN':
			return { fields: {}, form: m.error_forbidden() };
		case 'NOT_FOUND':
			return { fields: {}, form: m.error_not_found_record() };
		// Sent with HTTP 503 when the disk under the database is full or read-only.
		case 'STORAGE_UNAVAILABLE':
			return { fields: {}, form: m.error_storage_unavailable() };
		case 'CONFLICT':
			// The server's conflict message names the record in the way, e.g. the client that
			// already has a document; it is English and is shown as sent.
			return { fields: {}, form: error.message };
		default:
			return { fields: {}, form: m.error_generic() };
	}
}

function translateIssue(issue: FieldIssue): string {
	const isCnj = issue.field === 'cnjNumber';
	switch (issue.code) {
		case 'too_small':
			return translateTooSmall(issue);
		case 'too_big':
			return issue.origin === 'string'
				? m.issue_too_long({ max: String(issue.limit ?? '') })
				: m.issue_number_too_big({ max: String(issue.limit ?? '') });
		case 'empty':
		case 'required':
			return m.issue_required();
		case 'invalid_type':
		case 'invalid_value':
			return m.issue_invalid();
		case 'not_integer':
			return m.issue_whole_number();
		case 'email':
			return m.issue_email();
		case 'date':
			return m.issue_date();
		case 'length':
			return isCnj ? m.issue_cnj_length() : m.issue_document_length();
		case 'characters':
			return isCnj ? m.issue_cnj_characters() : m.issue_document_characters();
		case 'repeated':
			return m.issue_document_repeated();
		case 'check_digits':
			return isCnj ? m.issue_cnj_check_digits() : m.issue_document_check_digits();
		case 'branch':
			return m.issue_cnj_branch();
		case 'before_opened':
			return m.issue_closed_before_opened();
		case 'after_closed':
			return m.issue_opened_after_closed();
		case 'control_characters':
			return m.issue_control_characters();
		case 'archived':
			return m.issue_archived_client();
		case 'inactive':
			return m.issue_inactive_person();
		default:
			return issue.message;
	}
}

// A string below one character is a missing value; other minimums are stated with their limit.
function translateTooSmall(issue: FieldIssue): string {
	const min = String(issue.limit ?? '');
	if (issue.origin !== 'string') return m.issue_number_too_small({ min });
	return issue.limit === undefined || issue.limit <= 1
		? m.issue_required()
		: m.issue_too_short({ min });
}
