import { describe, expect, it } from 'vitest';

import {
	describeDocumentError,
	formatDocument,
	validateDocument,
	type DocumentError
} from '../../src/lib/domain/document';

describe('validateDocument', () => {
	it('validates person as CPF', () => {
		expect(validateDocument('person', '529.982.247-25')).toEqual({
			ok: true,
			value: '52998224725'
		});
	});

	it('validates company as CNPJ', () => {
		expect(validateDocument('company', '12.abc.345/01de-35')).toEqual({
			ok: true,
			value: '12ABC34501DE35'
		});
	});

	it('rejects CNPJ for person', () => {
		expect(validateDocument('person', '11.222.333/0001-81')).toEqual({
			ok: false,
			reason: 'length'
		});
	});

	it('rejects CPF for company', () => {
		expect(validateDocument('company', '529.982.247-25')).toEqual({
			ok: false,
			reason: 'length'
		});
	});

	it('rejects letters for person', () => {
		expect(validateDocument('person', '12ABC34501D')).toEqual({
			ok: false,
			reason: 'characters'
		});
	});
});

describe('formatDocument', () => {
	it.each([
		['52998224725', '529.982.247-25'],
		['11222333000181', '11.222.333/0001-81'],
		['12ABC34501DE35', '12.ABC.345/01DE-35'],
		['', ''],
		['123', '123'],
		['112223330001', '112223330001']
	])('formats %j', (value, expected) => {
		expect(formatDocument(value)).toBe(expected);
	});
});

describe('describeDocumentError', () => {
	it.each<[DocumentError, string]>([
		['empty', 'CPF is required'],
		['length', 'CPF must have 11 digits'],
		['characters', 'CPF may contain only digits, with optional dots and a hyphen'],
		['repeated', 'CPF cannot be one digit repeated 11 times'],
		['check_digits', 'CPF check digits do not match']
	])('describes CPF %s', (reason, message) => {
		expect(describeDocumentError('person', reason)).toBe(message);
	});

	it.each<[DocumentError, string]>([
		['empty', 'CNPJ is required'],
		['length', 'CNPJ must have 14 characters: 12 letters or digits, then 2 digits'],
		['characters', 'CNPJ may contain only letters A to Z and digits, and must end with 2 digits'],
		['repeated', 'CNPJ cannot be one character repeated 14 times'],
		['check_digits', 'CNPJ check digits do not match']
	])('describes CNPJ %s', (reason, message) => {
		expect(describeDocumentError('company', reason)).toBe(message);
	});
});
