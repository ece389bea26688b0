import type { inferRouterOutputs } from '@trpc/server';

import { isIsoDate } from '$lib/domain/dates';
import { formatPercent } from '$lib/domain/percent';
import { formatDate, formatMoney, formatTimestampDate } from '$lib/format';
import {
	actionTypeLabel,
	caseStatusLabel,
	clientKindLabel,
	isActionType,
	isCaseStatus,
	personRoleLabel,
	VALUE_TYPES,
	valueTypeLabel
} from '$lib/labels';
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';
import type { AuditEntity } from '$lib/server/audit';
import type { AppRouter } from '$lib/server/trpc/router';

// Type-only imports from $lib/server are erased at build time, so the browser can load this.

export type AuditItem = inferRouterOutputs<AppRouter>['audit']['list']['items'][number];

/** The record types of the entity filter, in menu order. */
export const AUDIT_ENTITY_OPTIONS = [
	'client',
	'case',
	'transaction',
	'person',
	'user',
	'session',
	'settings'
] as const satisfies readonly AuditEntity[];

const entityLabels: Record<AuditEntity, () => string> = {
	user: m.audit_entity_user,
	session: m.audit_entity_session,
	client: m.audit_entity_client,
	person: m.audit_entity_person,
	case: m.audit_entity_case,
	transaction: m.audit_entity_transaction,
	settings: m.audit_entity_settings
};

const actionLabels: Record<string, () => string> = {
	create: m.audit_action_create,
	update: m.audit_action_update,
	archive: m.audit_action_archive,
	unarchive: m.audit_action_unarchive,
	delete: m.audit_action_delete,
	void: m.audit_action_void,
	status_set: m.audit_action_status_set,
	password_set: m.audit_action_password_set,
	role_set: m.audit_action_role_set,
	disable: m.audit_action_disable,
	enable: m.audit_action_enable,
	sessions_revoked: m.audit_action_sessions_revoked,
	sign_in: m.audit_action_sign_in,
	sign_in_failed: m.audit_action_sign_in_failed,
	sign_in_throttled: m.audit_action_sign_in_throttled,
	sign_out: m.audit_action_sign_out,
	password_change: m.audit_action_password_change,
	session_revoked: m.audit_action_session_revoked,
	other_sessions_revoked: m.audit_action_other_sessions_revoked,
	two_factor_enabled: m.audit_action_two_factor_enabled,
	two_factor_disabled: m.audit_action_two_factor_disabled,
	two_factor_failed: m.audit_action_two_factor_failed,
	two_factor_reset: m.audit_action_two_factor_reset,
	recovery_codes_regenerated: m.audit_action_recovery_codes_regenerated,
	recovery_code_used: m.audit_action_recovery_code_used
};

// Field names are shared by several entities (name, email, document), so one label each fits.
const fieldLabels: Record<string, () => string> = {
	kind: m.client_kind,
	name: m.client_name,
	document: m.client_document,
	email: m.client_email,
	phone: m.client_phone,
	notes: m.client_notes,
	archivedAt: m.client_archived_on,
	active: m.person_active,
	clientId: m.case_client,
	cnjNumber: m.case_cnj_number,
	actionType: m.case_action_type,
	title: m.case_title,
	court: m.case_court,
	partnerId: m.case_partner,
	consultantId: m.case_consultant,
	status: m.case_status,
	openedOn: m.case_opened_on,
	closedOn: m.case_closed_on,
	feeBps: m.agreement_fee,
	partnerShareBps: m.agreement_partner_share,
	consultantCommissionBps: m.agreement_consultant_commission,
	defaultFeeBps: m.agreement_fee,
	defaultPartnerShareBps: m.agreement_partner_share,
	defaultConsultantCommissionBps: m.agreement_consultant_commission,
	caseId: m.reports_case,
	receivedOn: m.payment_received_on,
	valueType: m.payment_value_type,
	grossCents: m.share_gross,
	clientCents: m.share_client,
	officeCents: m.share_office,
	partnerCents: m.share_partner,
	consultantCents: m.share_consultant,
	installmentGroup: m.audit_field_installment_group,
	installmentNumber: m.audit_field_installment_number,
	installmentCount: m.audit_field_installment_count,
	voidedAt: m.audit_field_voided_at,
	voidedBy: m.audit_field_voided_by,
	voidReason: m.payment_void_reason,
	disabledAt: m.audit_field_disabled_at
};

// Fields that hold the id of another record, shown as "#id".
const REFERENCE_FIELDS = new Set(['clientId', 'partnerId', 'consultantId', 'caseId', 'voidedBy']);

export function entityLabel(entity: string): string {
	return entityLabels[entity as AuditEntity]?.() ?? entity;
}

/** Returns the action's label, or its stored name for an action this page does not know. */
export function actionLabel(action: string): string {
	return actionLabels[action]?.() ?? action;
}

export function fieldLabel(entity: string, field: string): string {
	// A user's role is admin, staff or viewer, and a person's is partner or consultant.
	if (field === 'role' && entity === 'user') return m.audit_field_user_role();
	if (field === 'role') return m.person_role();
	return fieldLabels[field]?.() ?? field;
}

/** Formats one before or after value of `field` for reading: money, percent, date or label. */
export function formatFieldValue(field: string, value: unknown): string {
	if (value === null || value === undefined) return m.common_none();
	if (typeof value === 'boolean') return value ? m.report_yes() : m.report_no();
	if (typeof value === 'number') return formatNumberField(field, value);
	if (typeof value !== 'string') return JSON.stringify(value);
	return formatTextField(field, value);
}

function formatNumberField(field: string, value: number): string {
	if (field.endsWith('Cents')) return formatMoney(value);
	if (field.endsWith('Bps')) return formatPercent(value, getLocale());
	if (REFERENCE_FIELDS.has(field)) return `#${value}`;
	return String(value);
}

function formatTextField(field: string, value: string): string {
	if (field.endsWith('At')) return formatTimestamp(value);
	if (field.endsWith('On') && isIsoDate(value)) return formatDate(value);
	if (field === 'actionType' && isActionType(value)) return actionTypeLabel(value);
	if (field === 'status' && isCaseStatus(value)) return caseStatusLabel(value);
	if (field === 'valueType') {
		const valueType = VALUE_TYPES.find((type) => type === value);
		if (valueType) return valueTypeLabel(valueType);
	}
	if (field === 'kind' && (value === 'person' || value === 'company')) {
		return clientKindLabel(value);
	}
	if (field === 'role' && (value === 'partner' || value === 'consultant')) {
		return personRoleLabel(value);
	}
	return value;
}

// 24-hour time in both languages, so that the date part can follow the app's dd/mm/yyyy.
const SAO_PAULO_TIME = new Intl.DateTimeFormat('en-GB', {
	timeZone: 'America/Sao_Paulo',
	hour: '2-digit',
	minute: '2-digit',
	second: '2-digit',
	hourCycle: 'h23'
});

/**
 * Formats an ISO timestamp as the São Paulo date, written like every other date of the app
 * (dd/mm/yyyy in both languages), and the 24-hour time to the second.
 */
export function formatTimestamp(iso: string): string {
	const instant = new Date(iso);
	if (Number.isNaN(instant.getTime())) return iso;
	return `${formatTimestampDate(iso)} ${SAO_PAULO_TIME.format(instant)}`;
}

/**
 * Returns the readable lines of an entry's details, without the request id (kept for log
 * searches) and the OS user (shown as who acted).
 */
export function describeDetails(details: Record<string, unknown> | null): string[] {
	if (!details) return [];
	const lines: string[] = [];
	for (const [key, value] of Object.entries(details)) {
		if (key === 'requestId' || key === 'osUser') continue;
		if (key === 'sessionsEnded') {
			lines.push(m.audit_detail_sessions_ended({ count: String(value) }));
		} else if (key === 'reason') {
			lines.push(m.audit_detail_reason({ reason: String(value) }));
		} else {
			lines.push(`${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
		}
	}
	return lines;
}

/** Returns who acted: the user's name and email, or the command line and its OS user. */
export function describeActor(item: AuditItem): string {
	if (item.actor) return `${item.actor.name} (${item.actor.email})`;
	if (item.source !== 'cli') return m.common_none();
	const osUser = item.details?.osUser;
	return typeof osUser === 'string' ? m.audit_cli_as({ user: osUser }) : m.audit_cli();
}

/**
 * Returns the page of the record an entry describes, or null when it has none: users and
 * sessions have no page, and a deleted client is gone.
 */
export function recordHref(item: AuditItem): string | null {
	const id = item.entityId;
	switch (item.entity) {
		case 'client':
			return id && item.action !== 'delete' ? `/clients/${id}` : null;
		case 'case':
			return id ? `/cases/${id}` : null;
		case 'transaction':
			return item.caseId === null ? null : `/cases/${item.caseId}`;
		case 'person':
			return '/people';
		case 'settings':
			return '/settings';
		default:
			return null;
	}
}
