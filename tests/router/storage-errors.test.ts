import { TRPCError } from '@trpc/server';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SessionUser } from '$lib/server/auth/session';
import type { Db } from '$lib/server/db';
import { transactions } from '$lib/server/db/schema';
import { STORAGE_UNAVAILABLE_MESSAGE, storageFailureCode } from '$lib/server/storage-errors';
import { appRouter } from '$lib/server/trpc/router';
import {
	createCallerFactory,
	STORAGE_UNAVAILABLE,
	StorageUnavailableError
} from '$lib/server/trpc/t';

import {
	createTestDb,
	errorShapeOf,
	insertCase,
	insertClient,
	insertPerson,
	insertUser,
	snapshot,
	type TestDb
} from '../helpers/test-db';

// Two per-connection SQLite settings stand in for failing storage. `max_page_count` at the
// current page count makes any growth of the file fail with SQLITE_FULL, and `query_only`
// makes every write fail with SQLITE_READONLY.

describe('storageFailureCode', () => {
	const sqliteCases: Array<[code: string, expected: string | null]> = [
		['SQLITE_FULL', 'SQLITE_FULL'],
		['SQLITE_READONLY', 'SQLITE_READONLY'],
		['SQLITE_READONLY_DBMOVED', 'SQLITE_READONLY_DBMOVED'],
		['SQLITE_IOERR', 'SQLITE_IOERR'],
		['SQLITE_IOERR_WRITE', 'SQLITE_IOERR_WRITE'],
		['SQLITE_IOERR_FSYNC', 'SQLITE_IOERR_FSYNC'],
		['SQLITE_CANTOPEN', 'SQLITE_CANTOPEN'],
		['SQLITE_BUSY', null],
		['SQLITE_CONSTRAINT_UNIQUE', null],
		['SQLITE_ERROR', null],
		['SQLITE_FULLNESS', null]
	];

	it.each(sqliteCases)('SqliteError %s gives %s', (code, expected) => {
		const error = new Database.SqliteError('storage test', code);

		expect(storageFailureCode(error)).toBe(expected);
	});

	it('finds code in cause chain', () => {
		const sqlite = new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
		const wrapped = new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: sqlite });

		expect(storageFailureCode(new Error('outer', { cause: wrapped }))).toBe('SQLITE_FULL');
	});

	it('ignores errors that are not SqliteError', () => {
		const lookalike = Object.assign(new Error('disk full'), { code: 'SQLITE_FULL' });

		expect(storageFailureCode(lookalike)).toBeNull();
		expect(storageFailureCode('SQLITE_FULL')).toBeNull();
		expect(storageFailureCode(null)).toBeNull();
	});

	it('stops on cyclic cause chain', () => {
		const first = new Error('first');
		const second = new Error('second', { cause: first });
		first.cause = second;

		expect(storageFailureCode(first)).toBeNull();
	});
});

describe('procedures on failing storage', () => {
	const NOTE = 'Private note that must stay out of the log';

	let testDb: TestDb;
	let db: Db;
	let user: SessionUser;
	let caseId: number;
	let logLines: Array<Record<string, unknown>>;

	beforeEach(() => {
		testDb = createTestDb();
		db = testDb.db;
		user = insertUser(db, 'admin');
		const client = insertClient(db);
		const partner = insertPerson(db, 'partner');
		caseId = insertCase(db, {
			clientId: client.id,
			partnerId: partner.id,
			// Accepts both one-off payments (procedural_costs) and monthly installments.
			actionType: 'social_security_rpv_court_order'
		}).id;
		logLines = [];
	});

	afterEach(() => {
		testDb.close();
	});

	function caller(requestId = 'request-1') {
		const log = pino(
			{ level: 'info' },
			{ write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) }
		);
		return createCallerFactory(appRouter)({ db, user, sessionId: null, requestId, log });
	}

	function paymentInput(notes?: string) {
		return {
			caseId,
			receivedOn: '2026-02-01',
			valueType: 'procedural_costs' as const,
			grossCents: 123_456,
			notes
		};
	}

	function installmentsInput(count: number) {
		return { caseId, firstReceivedOn: '2026-02-01', count, amountCents: 50_000, notes: NOTE };
	}

	// Caps the file at its current size, after VACUUM has emptied the free-page list that
	// would otherwise absorb the first new pages.
	function capDatabaseSize(): number {
		db.$client.exec('VACUUM');
		const pageCount = db.$client.pragma('page_count', { simple: true }) as number;
		db.$client.pragma(`max_page_count = ${pageCount}`);
		return pageCount;
	}

	function uncapDatabaseSize(): void {
		db.$client.pragma('max_page_count = 1073741823');
	}

	async function failureOf(call: () => Promise<unknown>): Promise<unknown> {
		return call().then(
			() => null,
			(reason: unknown) => reason
		);
	}

	function storageErrorLines() {
		return logLines.filter((line) => line.msg === 'database storage failed; nothing was written');
	}

	it('create on read-only connection', async () => {
		db.$client.pragma('query_only = ON');
		const before = snapshot(db);

		const error = await failureOf(() => caller().transactions.create(paymentInput()));

		expect(error).toBeInstanceOf(StorageUnavailableError);
		expect(storageFailureCode(error)).toBe('SQLITE_READONLY');
		expect((error as TRPCError).message).toBe(STORAGE_UNAVAILABLE_MESSAGE);
		expect(snapshot(db)).toEqual(before);
	});

	it('maps failure to HTTP 503 shape', async () => {
		db.$client.pragma('query_only = ON');

		const error = await failureOf(() => caller().transactions.create(paymentInput()));
		const shape = errorShapeOf(error as TRPCError);

		expect(shape.message).toBe(STORAGE_UNAVAILABLE_MESSAGE);
		expect(shape.data.code).toBe(STORAGE_UNAVAILABLE);
		expect(shape.data.httpStatus).toBe(503);
		expect(shape.data.issues).toBeNull();
		expect(JSON.stringify(shape)).not.toContain('stack');
	});

	it('120 installments on full database', async () => {
		const pageCount = capDatabaseSize();
		const before = snapshot(db);

		const error = await failureOf(() =>
			caller().transactions.createInstallments(installmentsInput(120))
		);

		expect(error).toBeInstanceOf(StorageUnavailableError);
		expect(storageFailureCode(error)).toBe('SQLITE_FULL');
		expect(snapshot(db)).toEqual(before);
		expect(db.select().from(transactions).all()).toHaveLength(0);
		expect(db.$client.pragma('page_count', { simple: true })).toBe(pageCount);
		expect(db.$client.inTransaction).toBe(false);
	});

	it('create on full database', async () => {
		capDatabaseSize();
		const note = 'n'.repeat(2000);
		let error: unknown = null;
		let recorded = 0;

		// Each payment with a 2000-character note takes about half a page, so the capped file
		// runs out within a few calls. The failing call is the one under test.
		while (error === null && recorded < 50) {
			const before = snapshot(db);
			error = await failureOf(() => caller().transactions.create(paymentInput(note)));
			if (error === null) {
				recorded += 1;
				continue;
			}
			expect(snapshot(db)).toEqual(before);
		}

		expect(error).toBeInstanceOf(StorageUnavailableError);
		expect(storageFailureCode(error)).toBe('SQLITE_FULL');
		expect(db.select().from(transactions).all()).toHaveLength(recorded);
	});

	it('logs failure once without parameters', async () => {
		capDatabaseSize();

		await failureOf(() =>
			caller('request-42').transactions.createInstallments(installmentsInput(120))
		);
		const lines = storageErrorLines();

		expect(lines).toHaveLength(1);
		expect(lines[0]).toMatchObject({
			level: 50,
			requestId: 'request-42',
			userId: user.id,
			path: 'transactions.createInstallments',
			sqliteCode: 'SQLITE_FULL'
		});
		expect(JSON.stringify(logLines)).not.toContain(NOTE);
		expect(JSON.stringify(logLines)).not.toContain('INSERT');
	});

	it('recovers on same connection', async () => {
		capDatabaseSize();
		const failed = await failureOf(() =>
			caller().transactions.createInstallments(installmentsInput(120))
		);
		expect(failed).toBeInstanceOf(StorageUnavailableError);

		uncapDatabaseSize();
		const rows = await caller().transactions.createInstallments(installmentsInput(120));

		expect(rows).toHaveLength(120);
		expect(db.select().from(transactions).all()).toHaveLength(120);
		expect(db.$client.pragma('integrity_check', { simple: true })).toBe('ok');
	});

	it('reads work on full database', async () => {
		await caller().transactions.create(paymentInput());
		capDatabaseSize();

		const legalCase = await caller().cases.get({ id: caseId });

		expect(legalCase.id).toBe(caseId);
		expect(storageErrorLines()).toHaveLength(0);
	});

	it('other errors stay unmapped', async () => {
		const error = await failureOf(() =>
			caller().transactions.create({ ...paymentInput(), caseId: 999_999 })
		);

		expect(error).toBeInstanceOf(TRPCError);
		expect(error).not.toBeInstanceOf(StorageUnavailableError);
		expect((error as TRPCError).code).toBe('NOT_FOUND');
		expect(errorShapeOf(error as TRPCError).data.httpStatus).toBe(404);
	});
});
