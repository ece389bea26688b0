import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SessionUser } from '$lib/server/auth/session';
import type { Db } from '$lib/server/db';
import type { Case, Person, Transaction } from '$lib/server/db/schema';

import {
	createTestDb,
	insertCase,
	insertClient,
	insertPerson,
	insertTransaction,
	insertUser,
	snapshot,
	type TestDb
} from '../helpers/test-db';

// These tests talk to SQLite directly, past the routers, because the triggers, CHECK
// constraints and foreign keys of the migrations must hold for any writer, including a
// plain SQLite shell.

const NO_DELETE = 'transactions are never deleted; void them instead';
const ONLY_VOID = 'a recorded transaction can only be voided, and only once';

let testDb: TestDb;
let db: Db;
let user: SessionUser;
let partner: Person;
let consultant: Person;
let legalCase: Case;
let payment: Transaction;

beforeEach(() => {
	testDb = createTestDb();
	db = testDb.db;
	user = insertUser(db);
	partner = insertPerson(db, 'partner');
	consultant = insertPerson(db, 'consultant');
	legalCase = insertCase(db, {
		clientId: insertClient(db).id,
		partnerId: partner.id,
		consultantId: consultant.id
	});
	payment = insertTransaction(db, {
		caseId: legalCase.id,
		partnerId: partner.id,
		consultantId: consultant.id,
		createdBy: user.id
	});
	// A second case and user give the column-change tests a different row to point at.
	insertCase(db, { clientId: legalCase.clientId, partnerId: partner.id });
	insertUser(db);
});

afterEach(() => {
	testDb.close();
});

function run(statement: string, ...params: unknown[]) {
	return db.$client.prepare(statement).run(...params);
}

function expectRejected(statement: string, params: unknown[], message: string | RegExp) {
	const before = snapshot(db);

	expect(() => run(statement, ...params)).toThrow(message);
	expect(snapshot(db)).toEqual(before);
}

const VOID_SQL =
	"UPDATE transactions SET voided_at = '2026-04-01T12:00:00.000Z', voided_by = ?, " +
	'void_reason = ? WHERE id = ?';

describe('transactions delete', () => {
	it('rejects deleting all rows', () => {
		expectRejected('DELETE FROM transactions', [], NO_DELETE);
	});

	it('rejects deleting one row', () => {
		expectRejected('DELETE FROM transactions WHERE id = ?', [payment.id], NO_DELETE);
	});

	it('rejects deleting voided row', () => {
		run(VOID_SQL, user.id, 'Duplicate', payment.id);

		expectRejected('DELETE FROM transactions WHERE id = ?', [payment.id], NO_DELETE);
	});
});

describe('transactions update', () => {
	it('rejects changing gross_cents', () => {
		expectRejected(
			'UPDATE transactions SET gross_cents = 20000, client_cents = 17000 WHERE id = ?',
			[payment.id],
			ONLY_VOID
		);
	});

	it('rejects changing notes', () => {
		expectRejected(
			"UPDATE transactions SET notes = 'edited' WHERE id = ?",
			[payment.id],
			ONLY_VOID
		);
	});

	// Each change rides along with a valid void, so only the trigger's check of that column
	// can reject it.
	it.each([
		['gross_cents', 'gross_cents = 20000, client_cents = 17000'],
		['client_cents', 'client_cents = 6999, office_cents = 1501'],
		['fee_bps', 'fee_bps = 4000'],
		['partner_share_bps', 'partner_share_bps = 4000'],
		['consultant_commission_bps', 'consultant_commission_bps = 500'],
		['received_on', "received_on = '2026-01-16'"],
		['value_type', "value_type = 'remaining_amount'"],
		['case_id', 'case_id = (SELECT max(id) FROM cases)'],
		['partner_id', 'partner_id = (SELECT max(id) FROM people)'],
		['consultant_id', 'consultant_id = NULL'],
		['notes', "notes = 'edited'"],
		[
			'installment fields',
			"installment_group = 'g', installment_number = 1, installment_count = 1"
		],
		['created_by', 'created_by = (SELECT max(id) FROM users)'],
		['created_at', "created_at = '2020-01-01T00:00:00.000Z'"],
		['id', 'id = id + 100']
	])('rejects changing %s while voiding', (_column, assignments) => {
		expectRejected(
			`${VOID_SQL.replace(' WHERE', `, ${assignments} WHERE`)}`,
			[user.id, 'Duplicate', payment.id],
			ONLY_VOID
		);
	});

	it('allows voiding once', () => {
		const result = run(VOID_SQL, user.id, 'Duplicate', payment.id);

		expect(result.changes).toBe(1);
		expect(db.$client.prepare('SELECT * FROM transactions').get()).toMatchObject({
			gross_cents: 10_000,
			voided_at: '2026-04-01T12:00:00.000Z',
			voided_by: user.id,
			void_reason: 'Duplicate'
		});
	});

	it('rejects un-voiding', () => {
		run(VOID_SQL, user.id, 'Duplicate', payment.id);

		expectRejected(
			'UPDATE transactions SET voided_at = NULL, voided_by = NULL, void_reason = NULL ' +
				'WHERE id = ?',
			[payment.id],
			ONLY_VOID
		);
	});

	it('rejects voiding twice', () => {
		run(VOID_SQL, user.id, 'Duplicate', payment.id);

		expectRejected(VOID_SQL, [user.id, 'Another reason', payment.id], ONLY_VOID);
	});

	it.each([
		[
			'blank reason',
			"voided_at = '2026-04-01T12:00:00.000Z', voided_by = created_by, void_reason = '  '"
		],
		['missing voider', "voided_at = '2026-04-01T12:00:00.000Z', void_reason = 'Duplicate'"]
	])('rejects void with %s', (_case, assignments) => {
		expectRejected(
			`UPDATE transactions SET ${assignments} WHERE id = ?`,
			[payment.id],
			'CHECK constraint failed: transactions_void_complete'
		);
	});

	// length(trim(NULL)) > 0 is NULL, which a CHECK lets through, so the constraint also tests
	// void_reason IS NOT NULL.
	it('rejects void with missing reason', () => {
		expectRejected(
			"UPDATE transactions SET voided_at = '2026-04-01T12:00:00.000Z', voided_by = created_by " +
				'WHERE id = ?',
			[payment.id],
			'CHECK constraint failed: transactions_void_complete'
		);
	});

	it('rejects voider that does not exist', () => {
		expectRejected(VOID_SQL, [999, 'Duplicate', payment.id], 'FOREIGN KEY constraint failed');
	});
});

describe('transactions insert', () => {
	function insertWith(values: Partial<Transaction>) {
		return () =>
			insertTransaction(db, {
				caseId: legalCase.id,
				partnerId: partner.id,
				createdBy: user.id,
				...values
			});
	}

	it.each([
		['shares over gross', { clientCents: 7001 }, 'transactions_shares_add_up'],
		['shares under gross', { officeCents: 1499 }, 'transactions_shares_add_up'],
		['negative share', { clientCents: 8501, officeCents: -1 }, 'transactions_shares_non_negative'],
		[
			'zero gross',
			{ grossCents: 0, clientCents: 0, officeCents: 0, partnerCents: 0 },
			'transactions_gross_positive'
		],
		[
			'void without reason',
			{ voidedAt: '2026-04-01T12:00:00.000Z', voidReason: 'Duplicate' },
			'transactions_void_complete'
		]
	] as const)('rejects %s', (_case, values, constraint) => {
		const before = snapshot(db);

		expect(insertWith(values)).toThrow(`CHECK constraint failed: ${constraint}`);
		expect(snapshot(db)).toEqual(before);
	});

	it.each([
		['case', { caseId: 999 }],
		['partner', { partnerId: 999 }],
		['consultant', { consultantId: 999 }],
		['recorder', { createdBy: 999 }]
	])('rejects unknown %s', (_reference, values) => {
		const before = snapshot(db);

		expect(insertWith(values)).toThrow('FOREIGN KEY constraint failed');
		expect(snapshot(db)).toEqual(before);
	});

	it('accepts shares that add up', () => {
		const row = insertWith({
			grossCents: 333,
			clientCents: 233,
			officeCents: 17,
			partnerCents: 50,
			consultantCents: 33,
			consultantId: consultant.id
		})();

		expect(row).toMatchObject({ grossCents: 333, clientCents: 233, officeCents: 17 });
	});
});

describe('referenced rows delete', () => {
	it('rejects deleting paid case', () => {
		expectRejected(
			'DELETE FROM cases WHERE id = ?',
			[legalCase.id],
			'FOREIGN KEY constraint failed'
		);
	});

	it('rejects deleting recorder', () => {
		expectRejected('DELETE FROM users WHERE id = ?', [user.id], 'FOREIGN KEY constraint failed');
	});

	// The person is on a payment but on no case, as after the case changed hands, so only the
	// payment's foreign key blocks the delete.
	it.each(['partner', 'consultant'] as const)('rejects deleting paid %s', (role) => {
		const former = insertPerson(db, role);
		insertTransaction(db, {
			caseId: legalCase.id,
			partnerId: role === 'partner' ? former.id : partner.id,
			consultantId: role === 'consultant' ? former.id : null,
			createdBy: user.id
		});

		expectRejected('DELETE FROM people WHERE id = ?', [former.id], 'FOREIGN KEY constraint failed');
	});

	it('allows deleting case without payments', () => {
		const unpaid = insertCase(db, { clientId: legalCase.clientId, partnerId: partner.id });

		const result = run('DELETE FROM cases WHERE id = ?', unpaid.id);

		expect(result.changes).toBe(1);
	});
});
