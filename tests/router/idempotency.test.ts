import { createHash } from 'node:crypto';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SessionUser } from '$lib/server/auth/session';
import type { Db } from '$lib/server/db';
import { idempotencyKeys, transactions, type Case } from '$lib/server/db/schema';

import {
	callerFor,
	createTestDb,
	expectFailure,
	expectInvalid,
	insertCase,
	insertClient,
	insertPerson,
	insertUser,
	snapshot,
	type Caller,
	type TestDb
} from '../helpers/test-db';

// Single payments go to a civil case, installments to an administrative social security case,
// the action type that takes monthly installments.

const KEY = '0f8e4c1a-6b2d-4e7f-9a3c-5d1b2e8f7a64';
const OTHER_KEY = 'b7c1d9e2-3f4a-4b5c-8d6e-7f8091a2b3c4';
const CONFLICT_MESSAGE =
	`Idempotency key ${KEY} was already used for another request. ` +
	'Send a new key with each new payment.';

let testDb: TestDb;
let db: Db;
let user: SessionUser;
let api: Caller;
let legalCase: Case;
let installmentCase: Case;

beforeEach(() => {
	testDb = createTestDb();
	db = testDb.db;
	user = insertUser(db);
	api = callerFor(db, user);
	const clientId = insertClient(db).id;
	const partnerId = insertPerson(db, 'partner').id;
	legalCase = insertCase(db, { clientId, partnerId });
	installmentCase = insertCase(db, {
		clientId,
		partnerId,
		actionType: 'administrative_social_security'
	});
});

afterEach(() => {
	testDb.close();
});

function paymentInput(grossCents = 100_000) {
	return {
		caseId: legalCase.id,
		valueType: 'provided_amount' as const,
		grossCents,
		receivedOn: '2026-03-10',
		idempotencyKey: KEY
	};
}

function installmentsInput(amountCents = 50_000) {
	return {
		caseId: installmentCase.id,
		firstReceivedOn: '2026-01-31',
		count: 3,
		amountCents,
		idempotencyKey: KEY
	};
}

function transactionIds(): number[] {
	return db
		.select({ id: transactions.id })
		.from(transactions)
		.all()
		.map((row) => row.id);
}

function keyRows() {
	return db.select().from(idempotencyKeys).all();
}

describe('transactions.create with idempotency key', () => {
	it('repeat returns the same payment', async () => {
		const first = await api.transactions.create(paymentInput());
		const before = snapshot(db);

		const repeat = await api.transactions.create(paymentInput());

		expect(repeat).toEqual(first);
		expect(transactionIds()).toEqual([first.id]);
		expect(snapshot(db)).toEqual(before);
	});

	it('stores key with request hash', async () => {
		const created = await api.transactions.create(paymentInput());

		const rows = keyRows();
		expect(rows).toHaveLength(1);
		expect(rows[0]!.key).toBe(KEY);
		expect(rows[0]!.userId).toBe(user.id);
		expect(rows[0]!.procedure).toBe('transactions.create');
		expect(rows[0]!.transactionIds).toBe(`[${created.id}]`);
		expect(rows[0]!.requestHash).toMatch(/^[0-9a-f]{64}$/);
	});

	it('hash is SHA-256 of sorted input', async () => {
		await api.transactions.create(paymentInput());

		// The validated input: blank notes become null, and the key is left out.
		const canonical =
			`{"caseId":${legalCase.id},"grossCents":100000,"notes":null,` +
			'"receivedOn":"2026-03-10","valueType":"provided_amount"}';
		const expected = createHash('sha256').update(canonical).digest('hex');
		expect(keyRows()[0]!.requestHash).toBe(expected);
	});

	it('repeat with blank notes matches', async () => {
		const first = await api.transactions.create({ ...paymentInput(), notes: '   ' });

		const repeat = await api.transactions.create(paymentInput());

		expect(repeat.id).toBe(first.id);
		expect(transactionIds()).toEqual([first.id]);
	});

	it('repeat after voiding returns voided row', async () => {
		const first = await api.transactions.create(paymentInput());
		await api.transactions.void({ id: first.id, reason: 'Recorded on the wrong case' });

		const repeat = await api.transactions.create(paymentInput());

		expect(repeat.id).toBe(first.id);
		expect(repeat.voided).toBe(true);
		expect(transactionIds()).toEqual([first.id]);
	});

	it('different amount is CONFLICT', async () => {
		const first = await api.transactions.create(paymentInput());

		const error = await expectFailure(
			db,
			() => api.transactions.create(paymentInput(100_001)),
			'CONFLICT'
		);

		expect(error.message).toBe(CONFLICT_MESSAGE);
		expect(transactionIds()).toEqual([first.id]);
	});

	it('different notes is CONFLICT', async () => {
		await api.transactions.create(paymentInput());

		const error = await expectFailure(
			db,
			() => api.transactions.create({ ...paymentInput(), notes: 'Second instalment' }),
			'CONFLICT'
		);

		expect(error.message).toBe(CONFLICT_MESSAGE);
	});

	it('another user is CONFLICT', async () => {
		const first = await api.transactions.create(paymentInput());
		const otherApi = callerFor(db, insertUser(db));

		const error = await expectFailure(
			db,
			() => otherApi.transactions.create(paymentInput()),
			'CONFLICT'
		);

		expect(error.message).toBe(CONFLICT_MESSAGE);
		expect(transactionIds()).toEqual([first.id]);
	});

	it('new key records a new payment', async () => {
		const first = await api.transactions.create(paymentInput());

		const second = await api.transactions.create({ ...paymentInput(), idempotencyKey: OTHER_KEY });

		expect(second.id).not.toBe(first.id);
		expect(transactionIds()).toEqual([first.id, second.id]);
		expect(keyRows().map((row) => row.key)).toEqual([KEY, OTHER_KEY]);
	});

	it('without key records each call', async () => {
		const { idempotencyKey: _key, ...input } = paymentInput();

		const first = await api.transactions.create(input);
		const second = await api.transactions.create(input);

		expect(second.id).not.toBe(first.id);
		expect(transactionIds()).toEqual([first.id, second.id]);
		expect(keyRows()).toEqual([]);
	});

	it('failed request leaves key unused', async () => {
		await expectFailure(
			db,
			() => api.transactions.create({ ...paymentInput(), caseId: 999 }),
			'NOT_FOUND'
		);

		const created = await api.transactions.create(paymentInput());

		expect(transactionIds()).toEqual([created.id]);
		expect(keyRows().map((row) => row.transactionIds)).toEqual([`[${created.id}]`]);
	});
});

describe('transactions.createInstallments with idempotency key', () => {
	it('repeat returns the same installments', async () => {
		const first = await api.transactions.createInstallments(installmentsInput());
		const before = snapshot(db);

		const repeat = await api.transactions.createInstallments(installmentsInput());

		expect(first.map((row) => row.installmentNumber)).toEqual([1, 2, 3]);
		expect(first.map((row) => row.receivedOn)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31']);
		expect(repeat).toEqual(first);
		expect(transactionIds()).toEqual(first.map((row) => row.id));
		expect(snapshot(db)).toEqual(before);
	});

	it('stores the ids of all rows', async () => {
		const created = await api.transactions.createInstallments(installmentsInput());

		const rows = keyRows();
		expect(rows).toHaveLength(1);
		expect(rows[0]!.procedure).toBe('transactions.createInstallments');
		expect(JSON.parse(rows[0]!.transactionIds)).toEqual(created.map((row) => row.id));
	});

	it('different count is CONFLICT', async () => {
		await api.transactions.createInstallments(installmentsInput());

		const error = await expectFailure(
			db,
			() => api.transactions.createInstallments({ ...installmentsInput(), count: 4 }),
			'CONFLICT'
		);

		expect(error.message).toBe(CONFLICT_MESSAGE);
		expect(transactionIds()).toHaveLength(3);
	});

	it('another user is CONFLICT', async () => {
		await api.transactions.createInstallments(installmentsInput());
		const otherApi = callerFor(db, insertUser(db));

		const error = await expectFailure(
			db,
			() => otherApi.transactions.createInstallments(installmentsInput()),
			'CONFLICT'
		);

		expect(error.message).toBe(CONFLICT_MESSAGE);
	});

	it('key of a single payment is CONFLICT', async () => {
		await api.transactions.create(paymentInput());

		const error = await expectFailure(
			db,
			() => api.transactions.createInstallments(installmentsInput()),
			'CONFLICT'
		);

		expect(error.message).toBe(CONFLICT_MESSAGE);
		expect(transactionIds()).toHaveLength(1);
	});
});

describe('idempotency key format', () => {
	const invalidKeys: [string, unknown][] = [
		['15 characters', 'a'.repeat(15)],
		['101 characters', 'a'.repeat(101)],
		['empty', ''],
		['space inside', 'abcdefgh ijklmnop'],
		['dot inside', 'abcdefgh.ijklmnop'],
		['accented letter', 'ação-0123456789ab'],
		['number', 1234567890123456]
	];

	it.each(invalidKeys)('create rejects %s', async (_name, key) => {
		const issues = await expectInvalid(db, () =>
			api.transactions.create({ ...paymentInput(), idempotencyKey: key as never })
		);

		expect(issues).toHaveLength(1);
		expect(issues[0]!.field).toBe('idempotencyKey');
	});

	it('regex message names the format', async () => {
		const issues = await expectInvalid(db, () =>
			api.transactions.createInstallments({ ...installmentsInput(), idempotencyKey: 'short' })
		);

		expect(issues).toEqual([
			{
				field: 'idempotencyKey',
				code: 'invalid_format',
				message: 'Must be 16 to 100 characters of letters, digits, "-" and "_", such as a UUID.'
			}
		]);
	});

	it.each([
		['16 characters', 'A'.repeat(16)],
		['100 characters', 'z_-9'.repeat(25)]
	])('create accepts %s', async (_name, key) => {
		const created = await api.transactions.create({ ...paymentInput(), idempotencyKey: key });

		expect(keyRows().map((row) => row.key)).toEqual([key]);
		expect(transactionIds()).toEqual([created.id]);
	});
});
