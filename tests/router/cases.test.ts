import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { describeCnjError } from '$lib/domain/cnj';
import { todayIso } from '$lib/domain/dates';
import type { Db } from '$lib/server/db';
import { cases, type CaseStatus, type Client, type Person } from '$lib/server/db/schema';

import {
	callerFor,
	createTestDb,
	expectFailure,
	expectInvalid,
	insertCase,
	insertClient,
	insertPerson,
	insertUser,
	makeCnj,
	VALID_CPFS,
	type Caller,
	type TestDb
} from '../helpers/test-db';

// Inputs that break the declared types are cast with `as never`, because the point of those
// tests is what the server does with them at run time.

const CNJ = '0000001-39.2024.8.26.0100';
const CNJ_DIGITS = '00000013920248260100';
const OTHER_CNJ = '1234567-67.2019.4.03.0001';
const OTHER_CNJ_DIGITS = '12345676720194030001';

let testDb: TestDb;
let db: Db;
let api: Caller;
let client: Client;
let partner: Person;
let consultant: Person;

beforeEach(() => {
	testDb = createTestDb();
	db = testDb.db;
	api = callerFor(db, insertUser(db));
	client = insertClient(db, { name: 'Carla Reis', document: VALID_CPFS[0] });
	partner = insertPerson(db, 'partner', { name: 'Dr. Paulo' });
	consultant = insertPerson(db, 'consultant', { name: 'Rita Consultora' });
});

afterEach(() => {
	testDb.close();
});

function baseInput() {
	return {
		clientId: client.id,
		actionType: 'civil' as const,
		title: 'Ação de cobrança',
		partnerId: partner.id,
		openedOn: '2024-03-10'
	};
}

function caseRow(id: number) {
	return db.select().from(cases).where(eq(cases.id, id)).get();
}

describe('cases signed out', () => {
	const calls: [string, (signedOut: Caller, id: number) => Promise<unknown>][] = [
		['list', (signedOut) => signedOut.cases.list({})],
		['get', (signedOut, id) => signedOut.cases.get({ id })],
		['create', (signedOut) => signedOut.cases.create(baseInput())],
		['update', (signedOut, id) => signedOut.cases.update({ ...baseInput(), id })],
		['setStatus', (signedOut, id) => signedOut.cases.setStatus({ id, status: 'closed' })]
	];

	it.each(calls)('rejects %s as unauthorized', async (_name, call) => {
		const existing = insertCase(db, { clientId: client.id, partnerId: partner.id });
		const signedOut = callerFor(db, null);

		const error = await expectFailure(db, () => call(signedOut, existing.id), 'UNAUTHORIZED');

		expect(error.message).toBe('Sign in to continue.');
	});
});

describe('cases.create', () => {
	it('creates case without CNJ', async () => {
		const created = await api.cases.create(baseInput());

		expect(created).toMatchObject({
			clientId: client.id,
			clientName: 'Carla Reis',
			clientDocumentFormatted: '529.982.247-25',
			cnjNumber: null,
			cnjNumberFormatted: null,
			actionType: 'civil',
			title: 'Ação de cobrança',
			court: null,
			partnerId: partner.id,
			partnerName: 'Dr. Paulo',
			consultantId: null,
			consultantName: null,
			status: 'open',
			openedOn: '2024-03-10',
			closedOn: null
		});
		expect(caseRow(created.id)?.titleSearch).toBe('acao de cobranca');
	});

	it('stores CNJ as 20 digits', async () => {
		const created = await api.cases.create({
			...baseInput(),
			cnjNumber: ` ${CNJ} `,
			court: ' 2ª Vara Cível de São Paulo ',
			consultantId: consultant.id
		});

		expect(created.cnjNumber).toBe(CNJ_DIGITS);
		expect(created.cnjNumberFormatted).toBe(CNJ);
		expect(created.court).toBe('2ª Vara Cível de São Paulo');
		expect(created.consultantName).toBe('Rita Consultora');
		expect(caseRow(created.id)?.cnjNumber).toBe(CNJ_DIGITS);
	});

	it.each([
		[OTHER_CNJ_DIGITS, OTHER_CNJ],
		[makeCnj(94), '0000094-02.2024.8.26.0100'],
		[makeCnj(10), '0000010-98.2024.8.26.0100'],
		[makeCnj(7654321, 2023), makeCnj(7654321, 2023)]
	])('accepts CNJ %s', async (cnjNumber, formatted) => {
		const created = await api.cases.create({ ...baseInput(), cnjNumber });

		expect(created.cnjNumberFormatted).toBe(formatted);
		expect(created.cnjNumber).toBe(formatted.replace(/\D/g, ''));
	});

	it('turns blank CNJ into null', async () => {
		const created = await api.cases.create({ ...baseInput(), cnjNumber: '  ' });

		expect(created.cnjNumber).toBeNull();
	});

	it.each([
		['0000001-38.2024.8.26.0100', 'check_digits'],
		// DD 01 passes "mod 97 equals 1" in place of 98, but courts never issue it.
		['0000010-01.2024.8.26.0100', 'check_digits'],
		['0000001-39.2024.8.26.010', 'length'],
		['0000001-39.2024.8.26.01OO', 'characters'],
		['0000001-39.2024.0.26.0100', 'branch']
	] as const)('rejects CNJ %s', async (cnjNumber, code) => {
		const issues = await expectInvalid(db, () => api.cases.create({ ...baseInput(), cnjNumber }));

		expect(issues).toEqual([{ field: 'cnjNumber', code, message: describeCnjError(code) }]);
	});

	it('rejects duplicate CNJ', async () => {
		const first = await api.cases.create({ ...baseInput(), cnjNumber: CNJ });

		const error = await expectFailure(
			db,
			() => api.cases.create({ ...baseInput(), title: 'Other', cnjNumber: CNJ_DIGITS }),
			'CONFLICT'
		);

		expect(error.message).toBe(`Case ${first.id} already has the CNJ number ${CNJ}.`);
	});

	it('allows many without CNJ', async () => {
		const first = await api.cases.create(baseInput());
		const second = await api.cases.create(baseInput());

		expect(second.id).not.toBe(first.id);
		expect(second.cnjNumber).toBeNull();
	});

	it('creates closed case', async () => {
		const created = await api.cases.create({
			...baseInput(),
			status: 'closed',
			closedOn: '2024-03-10'
		});

		expect(created.status).toBe('closed');
		expect(created.closedOn).toBe('2024-03-10');
	});

	it('creates suspended case', async () => {
		const created = await api.cases.create({ ...baseInput(), status: 'suspended' });

		expect(created.status).toBe('suspended');
		expect(created.closedOn).toBeNull();
	});

	it.each([
		['open', '2024-04-01', 'not_closed'],
		['suspended', '2024-04-01', 'not_closed'],
		['closed', null, 'required'],
		['closed', '2024-03-09', 'before_opened']
	] as const)('rejects %s with closedOn %s', async (status, closedOn, code) => {
		const issues = await expectInvalid(db, () =>
			api.cases.create({ ...baseInput(), status, closedOn })
		);

		expect(issues).toMatchObject([{ field: 'closedOn', code }]);
	});

	it('rejects unknown client', async () => {
		const issues = await expectInvalid(db, () =>
			api.cases.create({ ...baseInput(), clientId: 999 })
		);

		expect(issues).toEqual([
			{ field: 'clientId', code: 'not_found', message: 'Client 999 does not exist.' }
		]);
	});

	it('rejects archived client', async () => {
		const archived = insertClient(db, { archivedAt: '2026-02-01T10:00:00.000Z' });

		const issues = await expectInvalid(db, () =>
			api.cases.create({ ...baseInput(), clientId: archived.id })
		);

		expect(issues).toEqual([
			{ field: 'clientId', code: 'archived', message: `Client ${archived.id} is archived.` }
		]);
	});

	const personCases: [string, 'partnerId' | 'consultantId', () => number, string][] = [
		['unknown partner', 'partnerId', () => 999, 'not_found'],
		['consultant as partner', 'partnerId', () => consultant.id, 'wrong_role'],
		[
			'inactive partner',
			'partnerId',
			() => insertPerson(db, 'partner', { active: false }).id,
			'inactive'
		],
		['unknown consultant', 'consultantId', () => 999, 'not_found'],
		['partner as consultant', 'consultantId', () => partner.id, 'wrong_role'],
		[
			'inactive consultant',
			'consultantId',
			() => insertPerson(db, 'consultant', { active: false }).id,
			'inactive'
		]
	];

	it.each(personCases)('rejects %s', async (_label, field, makeId, code) => {
		const id = makeId();

		const issues = await expectInvalid(db, () => api.cases.create({ ...baseInput(), [field]: id }));

		expect(issues).toMatchObject([{ field, code }]);
		expect(issues[0]?.message).toContain(`Person ${id}`);
	});

	it.each([
		['title', { title: '  ' }, 'too_small'],
		['title', { title: 't'.repeat(301) }, 'too_big'],
		['court', { court: 'c'.repeat(201) }, 'too_big'],
		['cnjNumber', { cnjNumber: '1'.repeat(41) }, 'too_big'],
		['openedOn', { openedOn: '2024-02-30' }, 'date'],
		['openedOn', { openedOn: '10/03/2024' }, 'date'],
		['closedOn', { status: 'closed', closedOn: '2024-13-01' }, 'date'],
		['actionType', { actionType: 'criminal' }, 'invalid_value'],
		['status', { status: 'archived' }, 'invalid_value'],
		['clientId', { clientId: 0 }, 'too_small'],
		['partnerId', { partnerId: undefined }, 'invalid_type'],
		['consultantId', { consultantId: '3' }, 'invalid_type']
	])('rejects invalid %s %j', async (field, patch, code) => {
		const issues = await expectInvalid(db, () =>
			api.cases.create({ ...baseInput(), ...patch } as never)
		);

		expect(issues).toHaveLength(1);
		expect(issues[0]).toMatchObject({ field, code });
	});

	it.each([
		['id', 1],
		['createdBy', 1],
		['titleSearch', 'x'],
		['clientName', 'Carla']
	])('rejects extra key %s', async (key, value) => {
		const issues = await expectInvalid(db, () =>
			api.cases.create({ ...baseInput(), [key]: value } as never)
		);

		expect(issues).toHaveLength(1);
		expect(issues[0]).toMatchObject({ field: key, code: 'unrecognized_keys' });
		expect(issues[0]?.message).toContain(key);
	});
});

describe('cases.get', () => {
	it('returns case with names', async () => {
		const created = await api.cases.create({
			...baseInput(),
			cnjNumber: CNJ,
			consultantId: consultant.id
		});

		const fetched = await api.cases.get({ id: created.id });

		expect(fetched).toMatchObject(created);
		expect(fetched.transactions).toEqual([]);
		expect(fetched.totals.grossCents).toBe(0);
		expect(fetched.consultantName).toBe('Rita Consultora');
	});

	it('rejects unknown id', async () => {
		const error = await expectFailure(db, () => api.cases.get({ id: 999 }), 'NOT_FOUND');

		expect(error.message).toBe('Case 999 does not exist.');
	});

	it('rejects invalid id', async () => {
		const issues = await expectInvalid(db, () => api.cases.get({ id: -3 }));

		expect(issues).toMatchObject([{ field: 'id', code: 'too_small', limit: 1 }]);
	});
});

describe('cases.list filters', () => {
	interface Seeded {
		id: number;
		clientId: number;
		partnerId: number;
		status: CaseStatus;
		actionType: 'civil' | 'labor';
	}

	let otherClient: Client;
	let otherPartner: Person;
	let seeded: Seeded[];

	// Every combination of two clients, two partners, two statuses and two action types.
	beforeEach(() => {
		otherClient = insertClient(db, { name: 'Other Client' });
		otherPartner = insertPerson(db, 'partner', { name: 'Dra. Lia' });
		seeded = [];
		for (const clientId of [client.id, otherClient.id]) {
			for (const partnerId of [partner.id, otherPartner.id]) {
				for (const status of ['open', 'suspended'] as const) {
					for (const actionType of ['civil', 'labor'] as const) {
						const row = insertCase(db, { clientId, partnerId, status, actionType });
						seeded.push({ id: row.id, clientId, partnerId, status, actionType });
					}
				}
			}
		}
	});

	function expectedIds(keep: (row: Seeded) => boolean): number[] {
		return seeded
			.filter(keep)
			.map((row) => row.id)
			.sort((a, b) => b - a);
	}

	it('lists newest first', async () => {
		const page = await api.cases.list({});

		expect(page.items.map((item) => item.id)).toEqual(expectedIds(() => true));
		expect(page.nextCursor).toBeNull();
	});

	it('filters by status', async () => {
		const page = await api.cases.list({ status: 'suspended' });

		expect(page.items.map((item) => item.id)).toEqual(
			expectedIds((row) => row.status === 'suspended')
		);
		expect(page.items).toHaveLength(8);
	});

	it('filters by action type', async () => {
		const page = await api.cases.list({ actionType: 'labor' });

		expect(page.items.map((item) => item.id)).toEqual(
			expectedIds((row) => row.actionType === 'labor')
		);
	});

	it('filters by client', async () => {
		const page = await api.cases.list({ clientId: otherClient.id });

		expect(page.items.map((item) => item.id)).toEqual(
			expectedIds((row) => row.clientId === otherClient.id)
		);
		expect(page.items.every((item) => item.clientName === 'Other Client')).toBe(true);
	});

	it('filters by partner', async () => {
		const page = await api.cases.list({ partnerId: otherPartner.id });

		expect(page.items.map((item) => item.id)).toEqual(
			expectedIds((row) => row.partnerId === otherPartner.id)
		);
		expect(page.items.every((item) => item.partnerName === 'Dra. Lia')).toBe(true);
	});

	it('combines all filters', async () => {
		const page = await api.cases.list({
			status: 'open',
			actionType: 'civil',
			clientId: client.id,
			partnerId: otherPartner.id
		});

		const expected = expectedIds(
			(row) =>
				row.status === 'open' &&
				row.actionType === 'civil' &&
				row.clientId === client.id &&
				row.partnerId === otherPartner.id
		);
		expect(expected).toHaveLength(1);
		expect(page.items.map((item) => item.id)).toEqual(expected);
	});

	it('returns empty for no match', async () => {
		const page = await api.cases.list({ status: 'closed' });

		expect(page.items).toEqual([]);
		expect(page.nextCursor).toBeNull();
	});

	it('pages by id', async () => {
		const ids: number[] = [];
		const sizes: number[] = [];
		let cursor: string | undefined;

		do {
			const page = await api.cases.list({ status: 'open', limit: 3, cursor });
			ids.push(...page.items.map((item) => item.id));
			sizes.push(page.items.length);
			cursor = page.nextCursor ?? undefined;
		} while (cursor !== undefined && sizes.length < 10);

		expect(sizes).toEqual([3, 3, 2]);
		expect(ids).toEqual(expectedIds((row) => row.status === 'open'));
	});

	it('ignores rows added before cursor', async () => {
		const first = await api.cases.list({ limit: 4 });
		insertCase(db, { clientId: client.id, partnerId: partner.id });

		const second = await api.cases.list({ limit: 4, cursor: first.nextCursor! });

		expect(second.items.map((item) => item.id)).toEqual(expectedIds(() => true).slice(4, 8));
	});

	it.each([
		['garbage', 'not-a-cursor'],
		['name cursor', Buffer.from('["maria", 3]').toString('base64url')],
		['fractional id', Buffer.from('[1.5]').toString('base64url')],
		['too long', 'a'.repeat(101)]
	])('rejects cursor: %s', async (_label, cursor) => {
		const issues = await expectInvalid(db, () => api.cases.list({ cursor }));

		expect(issues).toHaveLength(1);
		expect(issues[0]?.field).toBe('cursor');
	});

	it.each([
		['status', { status: 'archived' }, 'invalid_value'],
		['actionType', { actionType: 'tax' }, 'invalid_value'],
		['clientId', { clientId: 0 }, 'too_small'],
		['partnerId', { partnerId: 'x' }, 'invalid_type'],
		['limit', { limit: 101 }, 'too_big'],
		['consultantId', { consultantId: 1 }, 'unrecognized_keys']
	])('rejects invalid %s', async (field, input, code) => {
		const issues = await expectInvalid(db, () => api.cases.list(input as never));

		expect(issues).toMatchObject([{ field, code }]);
	});
});

describe('cases.list search', () => {
	let ids: Record<string, number>;

	beforeEach(() => {
		const make = (title: string, cnjNumber: string | null = null) =>
			insertCase(db, { clientId: client.id, partnerId: partner.id, title, cnjNumber }).id;
		ids = {
			cobranca: make('Ação de Cobrança', CNJ_DIGITS),
			aposentadoria: make('Revisão de aposentadoria', OTHER_CNJ_DIGITS),
			trabalhista: make('Reclamação trabalhista'),
			percent: make('Cobrança 50%_off')
		};
	});

	it.each([
		['acao', ['trabalhista', 'cobranca']],
		['ACAO DE', ['cobranca']],
		['COBRANÇA', ['percent', 'cobranca']],
		['revisao de', ['aposentadoria']],
		['%', ['percent']],
		['_', ['percent']],
		['0000001-39', ['cobranca']],
		[CNJ, ['cobranca']],
		['2019.4.03', ['aposentadoria']],
		['20248260100', ['cobranca']],
		['nothing here', []]
	])('finds %j', async (search, keys) => {
		const page = await api.cases.list({ search });

		expect(page.items.map((item) => item.id)).toEqual(keys.map((key) => ids[key]));
	});

	it('combines search and filter', async () => {
		db.update(cases).set({ status: 'suspended' }).where(eq(cases.id, ids.percent!)).run();

		const page = await api.cases.list({ search: 'cobranca', status: 'open' });

		expect(page.items.map((item) => item.id)).toEqual([ids.cobranca]);
	});
});

describe('cases.update', () => {
	it('replaces fields', async () => {
		const created = await api.cases.create({ ...baseInput(), cnjNumber: CNJ });
		const otherClient = insertClient(db, { name: 'Beto Lima' });
		const otherPartner = insertPerson(db, 'partner', { name: 'Dra. Lia' });

		const updated = await api.cases.update({
			id: created.id,
			clientId: otherClient.id,
			cnjNumber: OTHER_CNJ,
			actionType: 'labor',
			title: 'Reclamação trabalhista',
			court: 'TRT-2',
			partnerId: otherPartner.id,
			consultantId: consultant.id,
			openedOn: '2023-05-02'
		});

		expect(updated).toMatchObject({
			id: created.id,
			clientId: otherClient.id,
			clientName: 'Beto Lima',
			cnjNumber: OTHER_CNJ_DIGITS,
			cnjNumberFormatted: OTHER_CNJ,
			actionType: 'labor',
			title: 'Reclamação trabalhista',
			court: 'TRT-2',
			partnerName: 'Dra. Lia',
			consultantName: 'Rita Consultora',
			status: 'open',
			openedOn: '2023-05-02',
			closedOn: null
		});
		expect(caseRow(created.id)?.titleSearch).toBe('reclamacao trabalhista');
	});

	it('clears omitted optional fields', async () => {
		const created = await api.cases.create({
			...baseInput(),
			cnjNumber: CNJ,
			court: 'TJSP',
			consultantId: consultant.id
		});

		const updated = await api.cases.update({ ...baseInput(), id: created.id });

		expect(updated.cnjNumber).toBeNull();
		expect(updated.court).toBeNull();
		expect(updated.consultantId).toBeNull();
	});

	it('keeps status and closedOn', async () => {
		const created = await api.cases.create({
			...baseInput(),
			status: 'closed',
			closedOn: '2024-06-01'
		});

		const updated = await api.cases.update({ ...baseInput(), id: created.id, title: 'New' });

		expect(updated.status).toBe('closed');
		expect(updated.closedOn).toBe('2024-06-01');
	});

	it('keeps its own CNJ', async () => {
		const created = await api.cases.create({ ...baseInput(), cnjNumber: CNJ });

		const updated = await api.cases.update({
			...baseInput(),
			id: created.id,
			cnjNumber: CNJ_DIGITS
		});

		expect(updated.cnjNumber).toBe(CNJ_DIGITS);
	});

	it('rejects another case CNJ', async () => {
		const holder = await api.cases.create({ ...baseInput(), cnjNumber: CNJ });
		const created = await api.cases.create(baseInput());

		const error = await expectFailure(
			db,
			() => api.cases.update({ ...baseInput(), id: created.id, cnjNumber: CNJ }),
			'CONFLICT'
		);

		expect(error.message).toBe(`Case ${holder.id} already has the CNJ number ${CNJ}.`);
	});

	it('keeps references since archived', async () => {
		const created = await api.cases.create({ ...baseInput(), consultantId: consultant.id });
		db.$client
			.prepare('UPDATE clients SET archived_at = ? WHERE id = ?')
			.run('2026-01-01', client.id);
		db.$client.prepare('UPDATE people SET active = 0').run();

		const updated = await api.cases.update({
			...baseInput(),
			id: created.id,
			consultantId: consultant.id,
			title: 'Still editable'
		});

		expect(updated.title).toBe('Still editable');
	});

	it('rejects moving to archived client', async () => {
		const created = await api.cases.create(baseInput());
		const archived = insertClient(db, { archivedAt: '2026-02-01T10:00:00.000Z' });

		const issues = await expectInvalid(db, () =>
			api.cases.update({ ...baseInput(), id: created.id, clientId: archived.id })
		);

		expect(issues).toMatchObject([{ field: 'clientId', code: 'archived' }]);
	});

	it('rejects new inactive partner', async () => {
		const created = await api.cases.create(baseInput());
		const inactive = insertPerson(db, 'partner', { active: false });

		const issues = await expectInvalid(db, () =>
			api.cases.update({ ...baseInput(), id: created.id, partnerId: inactive.id })
		);

		expect(issues).toMatchObject([{ field: 'partnerId', code: 'inactive' }]);
	});

	it('rejects wrong consultant role', async () => {
		const created = await api.cases.create(baseInput());

		const issues = await expectInvalid(db, () =>
			api.cases.update({ ...baseInput(), id: created.id, consultantId: partner.id })
		);

		expect(issues).toMatchObject([{ field: 'consultantId', code: 'wrong_role' }]);
	});

	it('rejects opening after closing', async () => {
		const created = await api.cases.create({
			...baseInput(),
			status: 'closed',
			closedOn: '2024-06-01'
		});

		const issues = await expectInvalid(db, () =>
			api.cases.update({ ...baseInput(), id: created.id, openedOn: '2024-06-02' })
		);

		expect(issues).toMatchObject([{ field: 'openedOn', code: 'after_closed' }]);
	});

	it('rejects invalid CNJ', async () => {
		const created = await api.cases.create(baseInput());

		const issues = await expectInvalid(db, () =>
			api.cases.update({ ...baseInput(), id: created.id, cnjNumber: '0000001-38.2024.8.26.0100' })
		);

		expect(issues).toMatchObject([{ field: 'cnjNumber', code: 'check_digits' }]);
	});

	it('rejects unknown id', async () => {
		const error = await expectFailure(
			db,
			() => api.cases.update({ ...baseInput(), id: 999 }),
			'NOT_FOUND'
		);

		expect(error.message).toBe('Case 999 does not exist.');
	});

	it.each([
		['status', 'closed'],
		['closedOn', '2024-06-01'],
		['createdBy', 1]
	])('rejects extra key %s', async (key, value) => {
		const created = await api.cases.create(baseInput());

		const issues = await expectInvalid(db, () =>
			api.cases.update({ ...baseInput(), id: created.id, [key]: value } as never)
		);

		expect(issues).toMatchObject([{ field: key, code: 'unrecognized_keys' }]);
		expect(issues[0]?.message).toContain(key);
	});
});

describe('cases.setStatus', () => {
	it('closes today without a date', async () => {
		const created = await api.cases.create(baseInput());

		const closed = await api.cases.setStatus({ id: created.id, status: 'closed' });

		expect(closed.status).toBe('closed');
		expect(closed.closedOn).toBe(todayIso());
		expect(caseRow(created.id)?.closedOn).toBe(todayIso());
	});

	it('closes on the given date', async () => {
		const created = await api.cases.create(baseInput());

		const closed = await api.cases.setStatus({
			id: created.id,
			status: 'closed',
			closedOn: '2024-03-10'
		});

		expect(closed.closedOn).toBe('2024-03-10');
	});

	it.each(['open', 'suspended'] as const)('clears closedOn when %s', async (status) => {
		const created = await api.cases.create({
			...baseInput(),
			status: 'closed',
			closedOn: '2024-06-01'
		});

		const reopened = await api.cases.setStatus({ id: created.id, status });

		expect(reopened.status).toBe(status);
		expect(reopened.closedOn).toBeNull();
		expect(caseRow(created.id)?.closedOn).toBeNull();
	});

	it('rejects closing before opening', async () => {
		const created = await api.cases.create(baseInput());

		const issues = await expectInvalid(db, () =>
			api.cases.setStatus({ id: created.id, status: 'closed', closedOn: '2024-03-09' })
		);

		expect(issues).toEqual([
			{
				field: 'closedOn',
				code: 'before_opened',
				message: 'The closing date 2024-03-09 is before the opening date 2024-03-10.'
			}
		]);
	});

	it('rejects closedOn when not closing', async () => {
		const created = await api.cases.create(baseInput());

		const issues = await expectInvalid(db, () =>
			api.cases.setStatus({ id: created.id, status: 'suspended', closedOn: '2024-06-01' })
		);

		expect(issues).toMatchObject([{ field: 'closedOn', code: 'not_closed' }]);
	});

	it('rejects unknown id', async () => {
		await expectFailure(db, () => api.cases.setStatus({ id: 999, status: 'closed' }), 'NOT_FOUND');
	});

	it.each([
		['status', { status: 'archived' }, 'invalid_value'],
		['closedOn', { status: 'closed', closedOn: '2024-02-30' }, 'date'],
		['reason', { status: 'closed', reason: 'won' }, 'unrecognized_keys']
	])('rejects invalid %s', async (field, patch, code) => {
		const created = await api.cases.create(baseInput());

		const issues = await expectInvalid(db, () =>
			api.cases.setStatus({ id: created.id, ...patch } as never)
		);

		expect(issues).toMatchObject([{ field, code }]);
	});
});
