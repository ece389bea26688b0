import { formatCnpj, validateCnpj } from './cnpj';
import { formatCpf, validateCpf } from './cpf';

/** Client kind: a person is identified by a CPF, a company by a CNPJ. */
export type DocumentKind = 'person' | 'company';

/** Reason why a CPF or CNPJ was rejected, checked in the order listed. */
export type DocumentError = 'empty' | 'length' | 'characters' | 'repeated' | 'check_digits';

/** Validation outcome. `value` is the normalized document: no separators, letters upper case. */
export type DocumentResult = { ok: true; value: string } | { ok: false; reason: DocumentError };

/** Validates `input` as a CPF for a person or as a CNPJ for a company. */
export function validateDocument(kind: DocumentKind, input: string): DocumentResult {
	if (kind === 'person') return validateCpf(input);

	return validateCnpj(input);
}

/** Formats a normalized document by its length: 11 as a CPF, 14 as a CNPJ, else unchanged. */
export function formatDocument(value: string): string {
	if (value.length === 11) return formatCpf(value);

	if (value.length === 14) return formatCnpj(value);

	return value;
}

const CPF_MESSAGES: Record<DocumentError, string> = {
	empty: 'CPF is required',
	length: 'CPF must have 11 digits',
	characters: 'CPF may contain only digits, with optional dots and a hyphen',
	repeated: 'CPF cannot be one digit repeated 11 times',
	check_digits: 'CPF check digits do not match'
};

const CNPJ_MESSAGES: Record<DocumentError, string> = {
	empty: 'CNPJ is required',
	length: 'CNPJ must have 14 characters: 12 letters or digits, then 2 digits',
	characters: 'CNPJ may contain only letters A to Z and digits, and must end with 2 digits',
	repeated: 'CNPJ cannot be one character repeated 14 times',
	check_digits: 'CNPJ check digits do not match'
};

/** Describes a validation error in English, naming the document type and what it allows. */
export function describeDocumentError(kind: DocumentKind, reason: DocumentError): string {
	if (kind === 'person') return CPF_MESSAGES[reason];

	return CNPJ_MESSAGES[reason];
}
