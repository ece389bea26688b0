import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
	callerFor,
	createTestDb,
	insertCase,
	insertClient,
	insertPerson,
	insertUser,
	makeCpf,
	type Caller,
	type TestDb
} from '../helpers/test-db';

let testDb: TestDb;
let api: Caller;

beforeEach(() => {
	testDb = createTestDb();
	api = callerFor(testDb.db, insertUser(testDb.db, 'staff'));
	const partner = insertPerson(testDb.db, 'partner');
	const names = ['Ana "Nena" Lima', 'NEAR Comércio', 'Bar*Baz Ltda', 'Caio: Souza', 'Dora Sá'];
	names.forEach((name, index) => {
		const client = insertClient(testDb.db, { name, document: makeCpf(index + 1) });
		insertCase(testDb.db, { clientId: client.id, partnerId: partner.id, title: `Caso ${name}` });
	});
});

afterEach(() => testDb.close());

describe('list search with FTS5 syntax', () => {
	it.each([
		['"nena"', ['Ana "Nena" Lima']],
		['near', ['NEAR Comércio']],
		['r*b', ['Bar*Baz Ltda']],
		['o: s', ['Caio: Souza']],
		['" OR "', []],
		['^dora', []],
		['sá', ['Dora Sá']]
	])('clients find %j literally', async (search, expected) => {
		const page = await api.clients.list({ search });

		expect(page.items.map((client) => client.name)).toEqual(expected);
	});

	it.each([
		['"nena"', ['Caso Ana "Nena" Lima']],
		['r*b', ['Caso Bar*Baz Ltda']],
		['NEAR(', []]
	])('cases find %j literally', async (search, expected) => {
		const page = await api.cases.list({ search });

		expect(page.items.map((item) => item.title)).toEqual(expected);
	});

	it('keeps index in step with updates', async () => {
		const [first] = (await api.clients.list({ search: 'nena' })).items;
		await api.clients.update({
			id: first!.id,
			kind: 'person',
			name: 'Ana Paula Lima',
			document: first!.document
		});

		expect((await api.clients.list({ search: 'nena' })).items).toEqual([]);
		expect((await api.clients.list({ search: 'paula' })).items.map((c) => c.id)).toEqual([
			first!.id
		]);
	});

	it('drops deleted client from index', async () => {
		const client = insertClient(testDb.db, { name: 'Zélia Prado', document: makeCpf(99) });
		await api.clients.delete({ id: client.id });

		expect((await api.clients.list({ search: 'zelia' })).items).toEqual([]);
	});
});
