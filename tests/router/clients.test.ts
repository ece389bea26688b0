import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { normalizeSearchText } from '$lib/domain/search-text';
import type { Db } from '$lib/server/db';
import { clients } from '$lib/server/db/schema';

import {
	callerFor,
	createTestDb,
	errorShapeOf,
	expectFailure,
	expectInvalid,
	insertCase,
	insertClient,
	insertPerson,
	insertUser,
	makeCpf,
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

const PERSON_INPUT = {
	kind: 'person',
	name: 'José da Silva',
	document: '529.982.247-25',
	email: null,
	phone: null,
	notes: null
} as const;

function clientRow(id: number) {
	return db.select().from(clients).where(eq(clients.id, id)).get();
}

function namesOf(items: { name: string }[]): string[] {
	return items.map((item) => item.name);
}

describe('clients signed out', () => {
	const calls: [string, (signedOut: Caller, id: number) => Promise<unknown>][] = [
		['list', (signedOut) => signedOut.clients.list({})],
		['get', (signedOut, id) => signedOut.clients.get({ id })],
		['create', (signedOut) => signedOut.clients.create(PERSON_INPUT)],
		[
			'update',
			(signedOut, id) => signedOut.clients.update({ ...PERSON_INPUT, id, name: 'Changed' })
		],
		['archive', (signedOut, id) => signedOut.clients.archive({ id, archived: true })],
		['delete', (signedOut, id) => signedOut.clients.delete({ id })]
	];

	it.each(calls)('rejects %s as unauthorized', async (_name, call) => {
		const client = insertClient(db);
		const signedOut = callerFor(db, null);

		const error = await expectFailure(db, () => call(signedOut, client.id), 'UNAUTHORIZED');

		expect(error.message).toBe('Sign in to continue.');
	});

	it('checks sign-in before input', async () => {
		const signedOut = callerFor(db, null);

		await expectFailure(
			db,
			() => signedOut.clients.create({ kind: 'robot' } as never),
			'UNAUTHORIZED'
		);
	});
});

describe('clients.create', () => {
	it('stores CPF without punctuation', async () => {
		const created = await api.clients.create(PERSON_INPUT);

		expect(created.document).toBe('52998224725');
		expect(created.documentFormatted).toBe('529.982.247-25');
		expect(created.kind).toBe('person');
		expect(created.archivedAt).toBeNull();

		const row = clientRow(created.id);
		expect(row?.document).toBe('52998224725');
		expect(row?.nameSearch).toBe('jose da silva');
	});

	it('upper-cases alphanumeric CNPJ', async () => {
		const created = await api.clients.create({
			...PERSON_INPUT,
			kind: 'company',
			name: 'Acme Comércio Ltda',
			document: '12.abc.345/01de-35'
		});

		expect(created.document).toBe('12ABC34501DE35');
		expect(created.documentFormatted).toBe('12.ABC.345/01DE-35');
		expect(clientRow(created.id)?.document).toBe('12ABC34501DE35');
	});

	it('trims text and lower-cases email', async () => {
		const created = await api.clients.create({
			...PERSON_INPUT,
			name: '  Maria Souza  ',
			email: '  Maria.Souza@Example.COM ',
			phone: '   ',
			notes: ''
		});

		expect(created.name).toBe('Maria Souza');
		expect(created.email).toBe('maria.souza@example.com');
		expect(created.phone).toBeNull();
		expect(created.notes).toBeNull();
	});

	it('accepts omitted optional fields', async () => {
		const created = await api.clients.create({
			kind: 'person',
			name: 'Ana',
			document: VALID_CPFS[1]!
		});

		expect(created.email).toBeNull();
		expect(created.phone).toBeNull();
		expect(created.notes).toBeNull();
	});

	it.each([
		['person', '529.982.247-24', 'check_digits', 'CPF check digits do not match'],
		['person', '111.111.111-11', 'repeated', 'CPF cannot be one digit repeated 11 times'],
		['person', '5299822472', 'length', 'CPF must have 11 digits'],
		[
			'person',
			'529.982.247-2X',
			'characters',
			'CPF may contain only digits, with optional dots and a hyphen'
		],
		['person', VALID_CNPJS[0]!, 'length', 'CPF must have 11 digits'],
		['company', '11.222.333/0001-82', 'check_digits', 'CNPJ check digits do not match'],
		['company', VALID_CPFS[0]!, 'length', expect.stringContaining('CNPJ must have 14')],
		['company', '12.ABC.345/01DE-3X', 'characters', expect.stringContaining('CNPJ may contain')]
	] as const)('rejects %s document %s', async (kind, document, code, message) => {
		const issues = await expectInvalid(db, () =>
			api.clients.create({ ...PERSON_INPUT, kind, document })
		);

		expect(issues).toEqual([{ field: 'document', code, message }]);
	});

	it('puts the reason in the message', async () => {
		const error = await expectFailure(
			db,
			() => api.clients.create({ ...PERSON_INPUT, document: '529.982.247-24' }),
			'BAD_REQUEST'
		);

		expect(errorShapeOf(error).message).toBe('document: CPF check digits do not match');
	});

	it.each([
		['name', { name: '   ' }, 'too_small', 1],
		['name', { name: 'x'.repeat(201) }, 'too_big', 200],
		['document', { document: '' }, 'too_small', 1],
		['email', { email: 'not-an-email' }, 'email', undefined],
		['phone', { phone: '9'.repeat(41) }, 'too_big', 40],
		['notes', { notes: 'n'.repeat(4001) }, 'too_big', 4000],
		['kind', { kind: 'trust' }, 'invalid_value', undefined],
		['name', { name: 42 }, 'invalid_type', undefined]
	])('rejects invalid %s %j', async (field, patch, code, limit) => {
		const issues = await expectInvalid(db, () =>
			api.clients.create({ ...PERSON_INPUT, ...patch } as never)
		);

		expect(issues).toHaveLength(1);
		expect(issues[0]).toMatchObject({ field, code });
		expect(issues[0]?.limit).toBe(limit);
	});

	it('names every missing field', async () => {
		const issues = await expectInvalid(db, () => api.clients.create({} as never));

		expect(issues).toMatchObject([
			{ field: 'kind', code: 'invalid_value' },
			{ field: 'name', code: 'invalid_type' },
			{ field: 'document', code: 'invalid_type' }
		]);
	});

	it.each([
		['id', 5],
		['createdBy', 1],
		['archivedAt', '2026-01-01T00:00:00.000Z'],
		['nameSearch', 'x']
	])('rejects extra key %s', async (key, value) => {
		const issues = await expectInvalid(db, () =>
			api.clients.create({ ...PERSON_INPUT, [key]: value } as never)
		);

		expect(issues).toHaveLength(1);
		expect(issues[0]).toMatchObject({ field: key, code: 'unrecognized_keys' });
		expect(issues[0]?.message).toContain(key);
	});

	it('rejects duplicate document', async () => {
		const first = await api.clients.create(PERSON_INPUT);

		const error = await expectFailure(
			db,
			() => api.clients.create({ ...PERSON_INPUT, name: 'Other', document: '52998224725' }),
			'CONFLICT'
		);

		expect(error.message).toBe(`Client ${first.id} already has the document 529.982.247-25.`);
	});

	it('rejects duplicate alphanumeric CNPJ', async () => {
		const company = { ...PERSON_INPUT, kind: 'company', document: '12ABC34501DE35' } as const;
		await api.clients.create(company);

		await expectFailure(
			db,
			() => api.clients.create({ ...company, name: 'Copy', document: '12.abc.345/01de-35' }),
			'CONFLICT'
		);
	});
});

describe('clients.list search', () => {
	beforeEach(() => {
		insertClient(db, { name: 'José Ávila', document: VALID_CPFS[0] });
		insertClient(db, { name: 'JOSEFA Lima', document: VALID_CPFS[1] });
		insertClient(db, { name: 'Maria Souza', document: VALID_CPFS[2] });
		insertClient(db, { kind: 'company', name: 'Acme Ltda', document: VALID_CNPJS[1] });
	});

	it.each([
		['jose', ['José Ávila', 'JOSEFA Lima']],
		['JOSÉ', ['José Ávila', 'JOSEFA Lima']],
		['avila', ['José Ávila']],
		['  souza ', ['Maria Souza']],
		['nobody', []]
	])('finds name %j', async (search, expected) => {
		const page = await api.clients.list({ search });

		expect(namesOf(page.items)).toEqual(expected);
		expect(page.nextCursor).toBeNull();
	});

	it.each([
		['52998224725', ['José Ávila']],
		['529.982.247-25', ['José Ávila']],
		['982.247', ['José Ávila']],
		['12ABC34501DE35', ['Acme Ltda']],
		['12.abc.345/01de-35', ['Acme Ltda']],
		['01de', ['Acme Ltda']]
	])('finds document %j', async (search, expected) => {
		const page = await api.clients.list({ search });

		expect(namesOf(page.items)).toEqual(expected);
	});

	it('treats blank search as none', async () => {
		const page = await api.clients.list({ search: '   ' });

		expect(page.items).toHaveLength(4);
	});

	it('rejects too long search', async () => {
		const issues = await expectInvalid(db, () => api.clients.list({ search: 'a'.repeat(201) }));

		expect(issues).toMatchObject([{ field: 'search', code: 'too_big', limit: 200 }]);
	});
});

describe('clients.list wildcards', () => {
	beforeEach(() => {
		insertClient(db, { name: '100% Legal' });
		insertClient(db, { name: '1000 Legal' });
		insertClient(db, { name: 'A_B Comércio' });
		insertClient(db, { name: 'AXB Comércio' });
		insertClient(db, { name: 'C\\D Serviços' });
		insertClient(db, { name: 'CD Serviços' });
	});

	it.each([
		['%', ['100% Legal']],
		['0%', ['100% Legal']],
		['_', ['A_B Comércio']],
		['a_b', ['A_B Comércio']],
		['\\', ['C\\D Serviços']]
	])('matches %j literally', async (search, expected) => {
		const page = await api.clients.list({ search });

		expect(namesOf(page.items)).toEqual(expected);
	});
});

describe('clients.list pagination', () => {
	// Folded names decide the order, so 'Álvaro' sorts before 'Bruno'. The 12 equal names
	// cross a page boundary, where only the id breaks the tie.
	const NAMES = [
		'Álvaro Dias',
		'Bruno Prado',
		'bruna Reis',
		'Célia Mota',
		'Zuleica Nunes',
		'Ênio Castro',
		'Otávio Lima',
		'Íris Gomes',
		...Array.from({ length: 12 }, () => 'Maria Silva'),
		...Array.from({ length: 10 }, (_, i) => `Pedro ${String.fromCharCode(74 - i)}`)
	];

	async function createAll(): Promise<number[]> {
		const ids: number[] = [];
		for (const [index, name] of NAMES.entries()) {
			const created = await api.clients.create({
				kind: 'person',
				name,
				document: makeCpf(100_000 + index)
			});
			ids.push(created.id);
		}
		return ids;
	}

	async function listAll(limit: number): Promise<{ ids: number[]; pages: number }> {
		const ids: number[] = [];
		let cursor: string | undefined;
		let pages = 0;

		do {
			const page = await api.clients.list({ cursor, limit });
			expect(page.items.length).toBeLessThanOrEqual(limit);
			ids.push(...page.items.map((item) => item.id));
			pages += 1;
			cursor = page.nextCursor ?? undefined;
		} while (cursor !== undefined && pages < 20);

		return { ids, pages };
	}

	it('returns each client once', async () => {
		const created = await createAll();

		const { ids, pages } = await listAll(10);

		expect(NAMES).toHaveLength(30);
		expect(pages).toBe(3);
		expect(ids).toHaveLength(30);
		expect(new Set(ids)).toEqual(new Set(created));
	});

	it('orders by folded name then id', async () => {
		const created = await createAll();
		const keyed = created.map((id, index) => ({ id, key: normalizeSearchText(NAMES[index]!) }));
		keyed.sort((a, b) => {
			if (a.key !== b.key) return a.key < b.key ? -1 : 1;
			return a.id - b.id;
		});
		const expected = keyed.map((entry) => entry.id);

		const { ids } = await listAll(10);

		expect(ids).toEqual(expected);
		expect(clientRow(ids[0]!)?.name).toBe('Álvaro Dias');
		expect(clientRow(ids.at(-1)!)?.name).toBe('Zuleica Nunes');
	});

	it('ends without a cursor', async () => {
		await createAll();

		const page = await api.clients.list({ limit: 30 });

		expect(page.items).toHaveLength(30);
		expect(page.nextCursor).toBeNull();
	});

	it('ignores rows added before cursor', async () => {
		await createAll();
		const first = await api.clients.list({ limit: 10 });
		insertClient(db, { name: 'Aaron Alves' });

		const second = await api.clients.list({ limit: 10, cursor: first.nextCursor! });

		const firstIds = new Set(first.items.map((item) => item.id));
		expect(second.items.some((item) => firstIds.has(item.id))).toBe(false);
		expect(namesOf(second.items)).not.toContain('Aaron Alves');
	});

	it('pages within a search', async () => {
		await createAll();

		const first = await api.clients.list({ search: 'maria', limit: 5 });
		const second = await api.clients.list({ search: 'maria', limit: 5, cursor: first.nextCursor! });
		const third = await api.clients.list({ search: 'maria', limit: 5, cursor: second.nextCursor! });

		expect(first.items).toHaveLength(5);
		expect(second.items).toHaveLength(5);
		expect(third.items).toHaveLength(2);
		expect(third.nextCursor).toBeNull();
	});

	it.each([
		['not base64 JSON', 'not-a-cursor'],
		['id cursor', Buffer.from('[3]').toString('base64url')],
		['wrong types', Buffer.from('[1, "a"]').toString('base64url')],
		['unsafe id', Buffer.from('["a", 1e300]').toString('base64url')],
		['object', Buffer.from('{"text":"a","id":1}').toString('base64url')]
	])('rejects cursor: %s', async (_label, cursor) => {
		const issues = await expectInvalid(db, () => api.clients.list({ cursor }));

		expect(issues).toEqual([
			{
				field: 'cursor',
				code: 'custom',
				message: 'Invalid cursor: pass nextCursor from a previous page.'
			}
		]);
	});

	it.each([
		[0, 'too_small', 1],
		[101, 'too_big', 100]
	])('rejects limit %i', async (limit, code, bound) => {
		const issues = await expectInvalid(db, () => api.clients.list({ limit }));

		expect(issues).toMatchObject([{ field: 'limit', code, limit: bound }]);
	});

	it('defaults limit to 25', async () => {
		await createAll();

		const page = await api.clients.list();

		expect(page.items).toHaveLength(25);
		expect(page.nextCursor).not.toBeNull();
	});
});

describe('clients.list archived', () => {
	it('hides archived by default', async () => {
		insertClient(db, { name: 'Active One' });
		insertClient(db, { name: 'Archived One', archivedAt: '2026-02-01T10:00:00.000Z' });

		const page = await api.clients.list({});

		expect(namesOf(page.items)).toEqual(['Active One']);
	});

	it('lists only archived on request', async () => {
		insertClient(db, { name: 'Active One' });
		insertClient(db, { name: 'Archived One', archivedAt: '2026-02-01T10:00:00.000Z' });

		const page = await api.clients.list({ archived: true });

		expect(namesOf(page.items)).toEqual(['Archived One']);
		expect(page.items[0]?.archivedAt).toBe('2026-02-01T10:00:00.000Z');
	});

	it('searches archived clients', async () => {
		insertClient(db, { name: 'José Archived', archivedAt: '2026-02-01T10:00:00.000Z' });
		insertClient(db, { name: 'José Active' });

		const archived = await api.clients.list({ search: 'jose', archived: true });
		const active = await api.clients.list({ search: 'jose' });

		expect(namesOf(archived.items)).toEqual(['José Archived']);
		expect(namesOf(active.items)).toEqual(['José Active']);
	});

	it('rejects extra list key', async () => {
		const issues = await expectInvalid(db, () => api.clients.list({ kind: 'person' } as never));

		expect(issues).toMatchObject([{ field: 'kind', code: 'unrecognized_keys' }]);
	});
});

describe('clients.get', () => {
	it('includes the client cases', async () => {
		const client = insertClient(db, { name: 'Carla Reis', document: VALID_CPFS[0] });
		const other = insertClient(db);
		const partner = insertPerson(db, 'partner', { name: 'Dr. Paulo' });
		const older = insertCase(db, { clientId: client.id, partnerId: partner.id, title: 'Older' });
		const newer = insertCase(db, { clientId: client.id, partnerId: partner.id, title: 'Newer' });
		insertCase(db, { clientId: other.id, partnerId: partner.id, title: 'Not hers' });

		const result = await api.clients.get({ id: client.id });

		expect(result.name).toBe('Carla Reis');
		expect(result.documentFormatted).toBe('529.982.247-25');
		expect(result.cases.map((item) => item.id)).toEqual([newer.id, older.id]);
		expect(result.cases[0]).toMatchObject({
			title: 'Newer',
			clientName: 'Carla Reis',
			partnerName: 'Dr. Paulo',
			consultantName: null
		});
	});

	it('returns no cases when none', async () => {
		const client = insertClient(db);

		const result = await api.clients.get({ id: client.id });

		expect(result.cases).toEqual([]);
	});

	it('returns archived clients', async () => {
		const client = insertClient(db, { archivedAt: '2026-02-01T10:00:00.000Z' });

		const result = await api.clients.get({ id: client.id });

		expect(result.archivedAt).toBe('2026-02-01T10:00:00.000Z');
	});

	it('rejects unknown id', async () => {
		const error = await expectFailure(db, () => api.clients.get({ id: 999 }), 'NOT_FOUND');

		expect(error.message).toBe('Client 999 does not exist.');
	});

	it.each([
		[0, 'too_small'],
		[-1, 'too_small'],
		[1.5, 'invalid_type'],
		['1', 'invalid_type']
	])('rejects id %j', async (id, code) => {
		const issues = await expectInvalid(db, () => api.clients.get({ id } as never));

		expect(issues).toMatchObject([{ field: 'id', code }]);
	});
});

describe('clients.update', () => {
	it('replaces fields and document', async () => {
		const created = await api.clients.create(PERSON_INPUT);

		const updated = await api.clients.update({
			id: created.id,
			kind: 'company',
			name: 'Silva Ávila Ltda',
			document: '11.222.333/0001-81',
			email: 'Contato@Silva.com.br',
			phone: '+55 11 3333-4444',
			notes: 'Pays by boleto.'
		});

		expect(updated).toMatchObject({
			id: created.id,
			kind: 'company',
			name: 'Silva Ávila Ltda',
			document: '11222333000181',
			documentFormatted: '11.222.333/0001-81',
			email: 'contato@silva.com.br',
			phone: '+55 11 3333-4444',
			notes: 'Pays by boleto.'
		});
		expect(clientRow(created.id)?.nameSearch).toBe('silva avila ltda');
		expect(updated.updatedAt >= created.updatedAt).toBe(true);
	});

	it('finds the new name', async () => {
		const created = await api.clients.create(PERSON_INPUT);
		await api.clients.update({ ...PERSON_INPUT, id: created.id, name: 'Conceição Araújo' });

		const page = await api.clients.list({ search: 'conceicao' });

		expect(page.items.map((item) => item.id)).toEqual([created.id]);
	});

	it('keeps its own document', async () => {
		const created = await api.clients.create(PERSON_INPUT);

		const updated = await api.clients.update({
			...PERSON_INPUT,
			id: created.id,
			document: '52998224725'
		});

		expect(updated.document).toBe('52998224725');
	});

	it('rejects another client document', async () => {
		const first = await api.clients.create(PERSON_INPUT);
		const second = await api.clients.create({ ...PERSON_INPUT, document: VALID_CPFS[1]! });

		const error = await expectFailure(
			db,
			() => api.clients.update({ ...PERSON_INPUT, id: second.id }),
			'CONFLICT'
		);

		expect(error.message).toContain(`Client ${first.id} already has`);
	});

	it('requires CNPJ for company', async () => {
		const created = await api.clients.create(PERSON_INPUT);

		const issues = await expectInvalid(db, () =>
			api.clients.update({ ...PERSON_INPUT, id: created.id, kind: 'company' })
		);

		expect(issues).toMatchObject([{ field: 'document', code: 'length' }]);
	});

	it('rejects unknown id', async () => {
		await expectFailure(db, () => api.clients.update({ ...PERSON_INPUT, id: 999 }), 'NOT_FOUND');
	});

	it.each([
		['createdBy', 1],
		['archivedAt', null],
		['createdAt', '2020-01-01T00:00:00.000Z']
	])('rejects extra key %s', async (key, value) => {
		const created = await api.clients.create(PERSON_INPUT);

		const issues = await expectInvalid(db, () =>
			api.clients.update({ ...PERSON_INPUT, id: created.id, [key]: value } as never)
		);

		expect(issues).toMatchObject([{ field: key, code: 'unrecognized_keys' }]);
	});

	it('requires the id', async () => {
		const issues = await expectInvalid(db, () => api.clients.update(PERSON_INPUT as never));

		expect(issues).toMatchObject([{ field: 'id', code: 'invalid_type' }]);
	});
});

describe('clients.archive', () => {
	it('archives and restores', async () => {
		const client = insertClient(db);

		const archived = await api.clients.archive({ id: client.id, archived: true });
		expect(archived.archivedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
		expect(clientRow(client.id)?.archivedAt).toBe(archived.archivedAt);

		const restored = await api.clients.archive({ id: client.id, archived: false });
		expect(restored.archivedAt).toBeNull();
		expect(clientRow(client.id)?.archivedAt).toBeNull();
	});

	it('keeps the first archive time', async () => {
		const client = insertClient(db, { archivedAt: '2026-02-01T10:00:00.000Z' });

		const result = await api.clients.archive({ id: client.id, archived: true });

		expect(result.archivedAt).toBe('2026-02-01T10:00:00.000Z');
	});

	it('archives when flag omitted', async () => {
		const client = insertClient(db);

		const result = await api.clients.archive({ id: client.id });

		expect(result.archivedAt).not.toBeNull();
	});

	it('rejects unknown id', async () => {
		await expectFailure(db, () => api.clients.archive({ id: 999, archived: true }), 'NOT_FOUND');
	});

	it('rejects non-boolean flag', async () => {
		const client = insertClient(db);

		const issues = await expectInvalid(db, () =>
			api.clients.archive({ id: client.id, archived: 'yes' } as never)
		);

		expect(issues).toMatchObject([{ field: 'archived', code: 'invalid_type' }]);
	});
});

describe('clients.delete', () => {
	it('deletes client without cases', async () => {
		const client = insertClient(db);
		const kept = insertClient(db);

		const result = await api.clients.delete({ id: client.id });

		expect(result).toEqual({ id: client.id });
		expect(clientRow(client.id)).toBeUndefined();
		expect(clientRow(kept.id)?.id).toBe(kept.id);
	});

	it('rejects client with cases', async () => {
		const client = insertClient(db);
		const partner = insertPerson(db, 'partner');
		insertCase(db, { clientId: client.id, partnerId: partner.id });
		insertCase(db, { clientId: client.id, partnerId: partner.id });

		const error = await expectFailure(db, () => api.clients.delete({ id: client.id }), 'CONFLICT');

		expect(error.message).toBe(
			`Client ${client.id} has 2 case(s) and cannot be deleted; archive it instead.`
		);
	});

	it('rejects unknown id', async () => {
		insertClient(db);

		const error = await expectFailure(db, () => api.clients.delete({ id: 999 }), 'NOT_FOUND');

		expect(error.message).toBe('Client 999 does not exist.');
	});

	it('rejects extra key', async () => {
		const client = insertClient(db);

		const issues = await expectInvalid(db, () =>
			api.clients.delete({ id: client.id, force: true } as never)
		);

		expect(issues).toMatchObject([{ field: 'force', code: 'unrecognized_keys' }]);
	});
});
