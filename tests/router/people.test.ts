import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Db } from '$lib/server/db';
import { people } from '$lib/server/db/schema';

import {
	callerFor,
	createTestDb,
	expectFailure,
	expectInvalid,
	insertClient,
	insertPerson,
	insertUser,
	VALID_CNPJS,
	VALID_CPFS,
	type Caller,
	type TestDb
} from '../helpers/test-db';

// Inputs that break the declared types are cast with `as never`, because the point of those
// tests is what the server does with them at run time.

let testDb: TestDb;
let db: Db;
let api: Caller;

beforeEach(() => {
	testDb = createTestDb();
	db = testDb.db;
	api = callerFor(db, insertUser(db));
});

afterEach(() => {
	testDb.close();
});

function personRow(id: number) {
	return db.select().from(people).where(eq(people.id, id)).get();
}

describe('people signed out', () => {
	const calls: [string, (signedOut: Caller, id: number) => Promise<unknown>][] = [
		['list', (signedOut) => signedOut.people.list({})],
		['create', (signedOut) => signedOut.people.create({ role: 'partner', name: 'Ana' })],
		['update', (signedOut, id) => signedOut.people.update({ id, name: 'Ana', active: true })]
	];

	it.each(calls)('rejects %s as unauthorized', async (_name, call) => {
		const person = insertPerson(db, 'partner');
		const signedOut = callerFor(db, null);

		const error = await expectFailure(db, () => call(signedOut, person.id), 'UNAUTHORIZED');

		expect(error.message).toBe('Sign in to continue.');
	});
});

describe('people.create', () => {
	it('applies defaults', async () => {
		const created = await api.people.create({ role: 'partner', name: '  Paulo Mendes ' });

		expect(created).toMatchObject({
			role: 'partner',
			name: 'Paulo Mendes',
			document: null,
			documentFormatted: null,
			email: null,
			active: true
		});
		expect(personRow(created.id)?.active).toBe(true);
	});

	it('stores CPF without punctuation', async () => {
		const created = await api.people.create({
			role: 'consultant',
			name: 'Rita',
			document: '529.982.247-25',
			email: 'Rita@Example.com',
			active: false
		});

		expect(created).toMatchObject({
			role: 'consultant',
			document: '52998224725',
			documentFormatted: '529.982.247-25',
			email: 'rita@example.com',
			active: false
		});
		expect(personRow(created.id)?.document).toBe('52998224725');
	});

	it('accepts company CNPJ', async () => {
		const created = await api.people.create({
			role: 'partner',
			name: 'Mendes Advocacia',
			document: '12.abc.345/01de-35'
		});

		expect(created.document).toBe('12ABC34501DE35');
		expect(created.documentFormatted).toBe('12.ABC.345/01DE-35');
	});

	it('turns blank document into null', async () => {
		const created = await api.people.create({ role: 'partner', name: 'Ana', document: '  ' });

		expect(created.document).toBeNull();
	});

	it.each([
		['529.982.247-24', 'check_digits', 'CPF check digits do not match'],
		['111.111.111-11', 'repeated', 'CPF cannot be one digit repeated 11 times'],
		['11.222.333/0001-82', 'check_digits', 'CNPJ check digits do not match'],
		['1234', 'length', 'Must be a CPF (11 digits) or a CNPJ (14 characters).'],
		['123456789012', 'length', 'Must be a CPF (11 digits) or a CNPJ (14 characters).'],
		['abc', 'length', 'Must be a CPF (11 digits) or a CNPJ (14 characters).']
	])('rejects document %j', async (document, code, message) => {
		const issues = await expectInvalid(db, () =>
			api.people.create({ role: 'partner', name: 'Ana', document })
		);

		expect(issues).toEqual([{ field: 'document', code, message }]);
	});

	it.each([
		['role', { role: 'client' }, 'invalid_value'],
		['role', { role: undefined }, 'invalid_value'],
		['name', { name: '' }, 'too_small'],
		['name', { name: 'n'.repeat(201) }, 'too_big'],
		['email', { email: 'rita@' }, 'email'],
		['active', { active: 'yes' }, 'invalid_type']
	])('rejects invalid %s %j', async (field, patch, code) => {
		const issues = await expectInvalid(db, () =>
			api.people.create({ role: 'partner', name: 'Ana', ...patch } as never)
		);

		expect(issues).toMatchObject([{ field, code }]);
	});

	it.each([
		['id', 3],
		['createdBy', 1],
		['createdAt', '2020-01-01T00:00:00.000Z']
	])('rejects extra key %s', async (key, value) => {
		const issues = await expectInvalid(db, () =>
			api.people.create({ role: 'partner', name: 'Ana', [key]: value } as never)
		);

		expect(issues).toHaveLength(1);
		expect(issues[0]).toMatchObject({ field: key, code: 'unrecognized_keys' });
		expect(issues[0]?.message).toContain(key);
	});

	it('rejects duplicate document', async () => {
		const first = await api.people.create({
			role: 'partner',
			name: 'Ana',
			document: VALID_CPFS[0]
		});

		const error = await expectFailure(
			db,
			() => api.people.create({ role: 'consultant', name: 'Bia', document: '529.982.247-25' }),
			'CONFLICT'
		);

		expect(error.message).toBe(`Person ${first.id} already has the document 529.982.247-25.`);
	});

	it('allows a client document', async () => {
		insertClient(db, { document: VALID_CPFS[0] });

		const created = await api.people.create({
			role: 'partner',
			name: 'Ana',
			document: VALID_CPFS[0]
		});

		expect(created.document).toBe(VALID_CPFS[0]);
	});

	it('allows many without document', async () => {
		await api.people.create({ role: 'partner', name: 'Ana' });
		await api.people.create({ role: 'partner', name: 'Bia' });

		const listed = await api.people.list({});

		expect(listed.map((person) => person.document)).toEqual([null, null]);
	});
});

describe('people.list', () => {
	beforeEach(() => {
		insertPerson(db, 'partner', { name: 'Zélia' });
		insertPerson(db, 'consultant', { name: 'Bruno' });
		insertPerson(db, 'partner', { name: 'Ana' });
		insertPerson(db, 'partner', { name: 'Carlos', active: false });
		insertPerson(db, 'consultant', { name: 'Aldo', active: false });
	});

	it('lists active people by default', async () => {
		const listed = await api.people.list();

		expect(listed.map((person) => person.name)).toEqual(['Bruno', 'Ana', 'Zélia']);
		expect(listed.every((person) => person.active)).toBe(true);
	});

	it('filters by role', async () => {
		const partners = await api.people.list({ role: 'partner' });
		const consultants = await api.people.list({ role: 'consultant' });

		expect(partners.map((person) => person.name)).toEqual(['Ana', 'Zélia']);
		expect(consultants.map((person) => person.name)).toEqual(['Bruno']);
	});

	it('includes inactive on request', async () => {
		const all = await api.people.list({ includeInactive: true });
		const partners = await api.people.list({ role: 'partner', includeInactive: true });

		expect(all.map((person) => person.name)).toEqual(['Aldo', 'Bruno', 'Ana', 'Carlos', 'Zélia']);
		expect(partners.map((person) => person.name)).toEqual(['Ana', 'Carlos', 'Zélia']);
	});

	it.each([
		['role', { role: 'admin' }, 'invalid_value'],
		['includeInactive', { includeInactive: 1 }, 'invalid_type'],
		['search', { search: 'a' }, 'unrecognized_keys']
	])('rejects invalid %s', async (field, input, code) => {
		const issues = await expectInvalid(db, () => api.people.list(input as never));

		expect(issues).toMatchObject([{ field, code }]);
	});
});

describe('people.update', () => {
	it('replaces fields but not role', async () => {
		const person = insertPerson(db, 'consultant', { name: 'Old Name' });

		const updated = await api.people.update({
			id: person.id,
			name: 'New Name',
			document: '11.222.333/0001-81',
			email: 'New@Example.com',
			active: false
		});

		expect(updated).toMatchObject({
			id: person.id,
			role: 'consultant',
			name: 'New Name',
			document: '11222333000181',
			documentFormatted: '11.222.333/0001-81',
			email: 'new@example.com',
			active: false
		});
		expect(personRow(person.id)).toMatchObject({ role: 'consultant', active: false });
	});

	it('clears omitted document and email', async () => {
		const person = insertPerson(db, 'partner', {
			document: VALID_CPFS[0],
			email: 'ana@example.com'
		});

		const updated = await api.people.update({ id: person.id, name: 'Ana', active: true });

		expect(updated.document).toBeNull();
		expect(updated.email).toBeNull();
	});

	it('reactivates a person', async () => {
		const person = insertPerson(db, 'partner', { active: false });

		const updated = await api.people.update({ id: person.id, name: 'Ana', active: true });

		expect(updated.active).toBe(true);
		expect(personRow(person.id)?.active).toBe(true);
	});

	it('keeps its own document', async () => {
		const person = insertPerson(db, 'partner', { document: VALID_CNPJS[0] });

		const updated = await api.people.update({
			id: person.id,
			name: 'Ana',
			document: '11.222.333/0001-81',
			active: true
		});

		expect(updated.document).toBe(VALID_CNPJS[0]);
	});

	it('rejects another person document', async () => {
		const holder = insertPerson(db, 'partner', { document: VALID_CPFS[1] });
		const person = insertPerson(db, 'consultant');

		const error = await expectFailure(
			db,
			() =>
				api.people.update({
					id: person.id,
					name: 'Bia',
					document: VALID_CPFS[1],
					active: true
				}),
			'CONFLICT'
		);

		expect(error.message).toContain(`Person ${holder.id} already has`);
	});

	it('rejects role change', async () => {
		const person = insertPerson(db, 'consultant');

		const issues = await expectInvalid(db, () =>
			api.people.update({ id: person.id, name: 'Ana', active: true, role: 'partner' } as never)
		);

		expect(issues).toHaveLength(1);
		expect(issues[0]).toMatchObject({ field: 'role', code: 'unrecognized_keys' });
		expect(issues[0]?.message).toContain('role');
	});

	it('requires active flag', async () => {
		const person = insertPerson(db, 'partner', { active: false });

		const issues = await expectInvalid(db, () =>
			api.people.update({ id: person.id, name: 'Ana' } as never)
		);

		expect(issues).toMatchObject([{ field: 'active', code: 'invalid_type' }]);
	});

	it('rejects invalid document', async () => {
		const person = insertPerson(db, 'partner');

		const issues = await expectInvalid(db, () =>
			api.people.update({ id: person.id, name: 'Ana', document: '52998224724', active: true })
		);

		expect(issues).toMatchObject([{ field: 'document', code: 'check_digits' }]);
	});

	it('rejects unknown id', async () => {
		const error = await expectFailure(
			db,
			() => api.people.update({ id: 999, name: 'Ana', active: true }),
			'NOT_FOUND'
		);

		expect(error.message).toBe('Person 999 does not exist.');
	});

	it('rejects invalid id', async () => {
		const issues = await expectInvalid(db, () =>
			api.people.update({ id: 0, name: 'Ana', active: true })
		);

		expect(issues).toMatchObject([{ field: 'id', code: 'too_small', limit: 1 }]);
	});
});
