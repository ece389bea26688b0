import { ACTION_TYPES, VALUE_TYPES, type ActionType, type ValueType } from '$lib/domain/split';
import { m } from '$lib/paraglide/messages';
import type { CaseStatus, ClientKind, PersonRole } from '$lib/server/db/schema';

// Type-only imports from $lib/server are erased at build time, so this module is safe to load
// in the browser. The lists below repeat the server's enums in display order.

export { ACTION_TYPES, VALUE_TYPES };

export const CASE_STATUSES: readonly CaseStatus[] = ['open', 'suspended', 'closed'];

export const CLIENT_KINDS: readonly ClientKind[] = ['person', 'company'];

export const PERSON_ROLES: readonly PersonRole[] = ['partner', 'consultant'];

const actionTypeLabels: Record<ActionType, () => string> = {
	civil: m.action_type_civil,
	labor: m.action_type_labor,
	administrative_social_security: m.action_type_administrative_social_security,
	social_security_back_pay: m.action_type_social_security_back_pay,
	social_security_rpv_court_order: m.action_type_social_security_rpv_court_order
};

const valueTypeLabels: Record<ValueType, () => string> = {
	provided_amount: m.value_type_provided_amount,
	remaining_amount: m.value_type_remaining_amount,
	rpv: m.value_type_rpv,
	court_order: m.value_type_court_order,
	procedural_costs: m.value_type_procedural_costs,
	monthly_installment: m.value_type_monthly_installment
};

const caseStatusLabels: Record<CaseStatus, () => string> = {
	open: m.case_status_open,
	suspended: m.case_status_suspended,
	closed: m.case_status_closed
};

const clientKindLabels: Record<ClientKind, () => string> = {
	person: m.client_kind_person,
	company: m.client_kind_company
};

const personRoleLabels: Record<PersonRole, () => string> = {
	partner: m.person_role_partner,
	consultant: m.person_role_consultant
};

export function actionTypeLabel(value: ActionType): string {
	return actionTypeLabels[value]();
}

export function valueTypeLabel(value: ValueType): string {
	return valueTypeLabels[value]();
}

export function caseStatusLabel(value: CaseStatus): string {
	return caseStatusLabels[value]();
}

export function clientKindLabel(value: ClientKind): string {
	return clientKindLabels[value]();
}

export function personRoleLabel(value: PersonRole): string {
	return personRoleLabels[value]();
}

/** Returns the document's name for a client kind: CPF for a person, CNPJ for a company. */
export function documentLabel(kind: ClientKind): string {
	return kind === 'person' ? m.document_cpf() : m.document_cnpj();
}

export function isActionType(value: string | null): value is ActionType {
	return ACTION_TYPES.some((type) => type === value);
}

export function isCaseStatus(value: string | null): value is CaseStatus {
	return CASE_STATUSES.some((status) => status === value);
}
