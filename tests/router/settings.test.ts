import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SessionUser } from '$lib/server/auth/session';
import type { Db } from '$lib/server/db';

import { auditLog, settings, users, type Client, type Person } from '$lib/server/db/schema';

import {
	callerFor,
	createTestDb,
	expectFailure,
	expectInvalid,
	insertClient,
	insertPerson,
	insertUser,
	type Caller,
	type TestDb
} from '../helpers/test-db';

let testDb: TestDb;
let db: Db;
let admin: SessionUser;
let adminApi: Caller;
let staffApi: Caller;
let client: Client;
let partner: Person;
let consultant: Person;

beforeEach(() => {
	testDb = createTestDb();
	db = testDb.db;
	admin = insertUser(db, 'admin');
	adminApi = callerFor(db, admin);
	staffApi = callerFor(db, insertUser(db, 'staff'));
	client = insertClient(db);
	partner = insertPerson(db, 'partner');
	consultant = insertPerson(db, 'consultant');
});

afterEach(() => {
	testDb.close();
});

const NEW_DEFAULTS = {
	defaultFeeBps: 2500,
	defaultPartnerShareBps: 4000,
	defaultConsultantCommissionBps: 800
};

function caseInput(withConsultant: boolean) {
	return {
		clientId: client.id,
		actionType: 'civil' as const,
		title: 'Ação de cobrança',
		partnerId: partner.id,
		consultantId: withConsultant ? consultant.id : null,
		openedOn: '2025-06-02'
	};
}

function settingsRow() {
	return db.select().from(settings).all();
}

describe('settings.get', () => {
	it('returns office defaults', async () => {
		const current = await staffApi.settings.get();

		expect(current).toMatchObject({
			defaultFeeBps: 3000,
			defaultPartnerShareBps: 5000,
			defaultConsultantCommissionBps: 1000,
			maxConsultantCommissionBps: 1500,
			requireTwoFactor: false
		});
		expect(current.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
	});

	it('rejects signed-out user', async () => {
		const error = await expectFailure(db, () => callerFor(db, null).settings.get(), 'UNAUTHORIZED');

		expect(error.message).toBe('Sign in to continue.');
	});
});

describe('settings.update', () => {
	it('rejects staff user', async () => {
		const error = await expectFailure(
			db,
			() => staffApi.settings.update(NEW_DEFAULTS),
			'FORBIDDEN'
		);

		expect(error.message).toBe('Only administrators can do this.');
	});

	it('rejects signed-out user', async () => {
		await expectFailure(
			db,
			() => callerFor(db, null).settings.update(NEW_DEFAULTS),
			'UNAUTHORIZED'
		);
	});

	it('stores admin defaults', async () => {
		const updated = await adminApi.settings.update(NEW_DEFAULTS);

		expect(updated).toMatchObject({ ...NEW_DEFAULTS, maxConsultantCommissionBps: 1500 });
		expect(await staffApi.settings.get()).toEqual(updated);
		expect(settingsRow()).toEqual([
			expect.objectContaining({ id: 1, ...NEW_DEFAULTS, updatedBy: admin.id })
		]);
	});

	it('applies defaults to new cases only', async () => {
		const earlier = await staffApi.cases.create(caseInput(true));

		await adminApi.settings.update(NEW_DEFAULTS);
		const later = await staffApi.cases.create(caseInput(true));
		const laterWithoutConsultant = await staffApi.cases.create(caseInput(false));

		expect(await staffApi.cases.get({ id: earlier.id })).toMatchObject({
			feeBps: 3000,
			partnerShareBps: 5000,
			consultantCommissionBps: 1000
		});
		expect(later).toMatchObject({
			feeBps: 2500,
			partnerShareBps: 4000,
			consultantCommissionBps: 800
		});
		expect(laterWithoutConsultant).toMatchObject({
			feeBps: 2500,
			partnerShareBps: 4000,
			consultantCommissionBps: 0
		});
	});

	it('keeps payments on earlier cases', async () => {
		const earlier = await staffApi.cases.create(caseInput(true));

		await adminApi.settings.update(NEW_DEFAULTS);
		const payment = await staffApi.transactions.create({
			caseId: earlier.id,
			valueType: 'provided_amount',
			grossCents: 100_000,
			receivedOn: '2026-03-10'
		});

		expect(payment).toMatchObject({
			clientCents: 70_000,
			officeCents: 5000,
			partnerCents: 15_000,
			consultantCents: 10_000,
			feeBps: 3000
		});
	});

	it('splits payments on later cases', async () => {
		await adminApi.settings.update(NEW_DEFAULTS);
		const later = await staffApi.cases.create(caseInput(true));

		const payment = await staffApi.transactions.create({
			caseId: later.id,
			valueType: 'provided_amount',
			grossCents: 100_000,
			receivedOn: '2026-03-10'
		});

		// 25% fee = 25000; partner 40% of it = 10000; commission 8% of the gross = 8000.
		expect(payment).toMatchObject({
			clientCents: 75_000,
			officeCents: 7000,
			partnerCents: 10_000,
			consultantCents: 8000
		});
	});

	it('keeps explicit agreement over defaults', async () => {
		await adminApi.settings.update(NEW_DEFAULTS);

		const created = await staffApi.cases.create({
			...caseInput(true),
			feeBps: 2000,
			consultantCommissionBps: 500
		});

		expect(created).toMatchObject({
			feeBps: 2000,
			partnerShareBps: 4000,
			consultantCommissionBps: 500
		});
	});

	it.each([
		['defaultFeeBps', 10_001, 'too_big'],
		['defaultFeeBps', -1, 'too_small'],
		['defaultFeeBps', 12.5, 'invalid_type'],
		['defaultPartnerShareBps', 10_001, 'too_big'],
		['defaultPartnerShareBps', '5000', 'invalid_type'],
		['defaultConsultantCommissionBps', -5, 'too_small'],
		['defaultConsultantCommissionBps', null, 'invalid_type']
	])('rejects %s of %j', async (field, value, code) => {
		const issues = await expectInvalid(db, () =>
			adminApi.settings.update({ ...NEW_DEFAULTS, [field]: value as never })
		);

		expect(issues).toMatchObject([{ field, code }]);
	});

	it('rejects commission over office share', async () => {
		const issues = await expectInvalid(db, () =>
			adminApi.settings.update({
				defaultFeeBps: 3000,
				defaultPartnerShareBps: 5000,
				defaultConsultantCommissionBps: 1501
			})
		);

		expect(issues).toEqual([
			{
				field: 'defaultConsultantCommissionBps',
				code: 'office_share_negative',
				message:
					"consultantCommissionBps 1501 (15.01%) would make the office's share negative. " +
					'With a 30% fee and a 50% partner share the commission may be at most 1500 (15%).'
			}
		]);
	});

	it('accepts commission at limit', async () => {
		const updated = await adminApi.settings.update({
			defaultFeeBps: 3000,
			defaultPartnerShareBps: 5000,
			defaultConsultantCommissionBps: 1500
		});

		expect(updated.defaultConsultantCommissionBps).toBe(1500);
	});

	it('rejects extra key', async () => {
		const issues = await expectInvalid(db, () =>
			adminApi.settings.update({ ...NEW_DEFAULTS, updatedBy: 1 } as never)
		);

		expect(issues).toEqual([
			{
				field: 'updatedBy',
				code: 'unrecognized_keys',
				message: 'Unknown field "updatedBy": remove it.'
			}
		]);
	});
});

describe('settings.update audit', () => {
	function auditRows() {
		return db.select().from(auditLog).all();
	}

	it('records changed fields only', async () => {
		await adminApi.settings.update({ ...NEW_DEFAULTS, defaultPartnerShareBps: 5000 });

		const rows = auditRows();
		expect(rows).toMatchObject([
			{ actorId: admin.id, source: 'app', action: 'update', entity: 'settings', entityId: null }
		]);
		expect(JSON.parse(rows[0]!.changes!)).toEqual({
			defaultFeeBps: [3000, 2500],
			defaultConsultantCommissionBps: [1000, 800]
		});
	});

	it('writes nothing when nothing changed', async () => {
		await adminApi.settings.update({
			defaultFeeBps: 3000,
			defaultPartnerShareBps: 5000,
			defaultConsultantCommissionBps: 1000
		});

		expect(auditRows()).toEqual([]);
	});

	it('writes nothing on rejected input', async () => {
		await expectInvalid(db, () =>
			adminApi.settings.update({ ...NEW_DEFAULTS, defaultConsultantCommissionBps: 9000 })
		);

		expect(auditRows()).toEqual([]);
	});
});

describe('settings.update requireTwoFactor', () => {
	function enableOwnTwoFactor(userId: number) {
		db.update(users)
			.set({ totpKey: Buffer.alloc(20), totpEnabledAt: '2026-01-01T00:00:00.000Z' })
			.where(eq(users.id, userId))
			.run();
	}

	it('rejects admin without own two-factor', async () => {
		const issues = await expectInvalid(db, () =>
			adminApi.settings.update({ ...NEW_DEFAULTS, requireTwoFactor: true })
		);

		expect(issues).toMatchObject([{ field: 'requireTwoFactor', code: 'own_two_factor_missing' }]);
		expect(settingsRow()[0]?.requireTwoFactor).toBe(false);
	});

	it('stores and audits the requirement', async () => {
		enableOwnTwoFactor(admin.id);

		const updated = await adminApi.settings.update({ ...NEW_DEFAULTS, requireTwoFactor: true });

		expect(updated.requireTwoFactor).toBe(true);
		expect(settingsRow()[0]?.requireTwoFactor).toBe(true);
		const changes = JSON.parse(db.select().from(auditLog).get()!.changes!);
		expect(changes.requireTwoFactor).toEqual([false, true]);
	});

	it('keeps the requirement when left out', async () => {
		enableOwnTwoFactor(admin.id);
		await adminApi.settings.update({ ...NEW_DEFAULTS, requireTwoFactor: true });

		const updated = await adminApi.settings.update({ ...NEW_DEFAULTS, defaultFeeBps: 2000 });

		expect(updated.requireTwoFactor).toBe(true);
	});

	it('lets admin without two-factor turn it off', async () => {
		db.update(settings).set({ requireTwoFactor: true }).run();

		const updated = await adminApi.settings.update({ ...NEW_DEFAULTS, requireTwoFactor: false });

		expect(updated.requireTwoFactor).toBe(false);
	});

	it('alone leaves the fee defaults as stored', async () => {
		enableOwnTwoFactor(admin.id);
		await adminApi.settings.update(NEW_DEFAULTS);

		const updated = await adminApi.settings.update({ requireTwoFactor: true });

		expect(updated.requireTwoFactor).toBe(true);
		expect(updated.defaultFeeBps).toBe(NEW_DEFAULTS.defaultFeeBps);
		expect(updated.defaultPartnerShareBps).toBe(NEW_DEFAULTS.defaultPartnerShareBps);
		expect(updated.defaultConsultantCommissionBps).toBe(
			NEW_DEFAULTS.defaultConsultantCommissionBps
		);
	});

	it('rejects non-boolean value', async () => {
		const issues = await expectInvalid(db, () =>
			adminApi.settings.update({ ...NEW_DEFAULTS, requireTwoFactor: 'yes' as never })
		);

		expect(issues).toMatchObject([{ field: 'requireTwoFactor', code: 'invalid_type' }]);
	});
});

describe('settings.update partial fee defaults', () => {
	it('checks one default against the stored others', async () => {
		await adminApi.settings.update({ defaultFeeBps: 2000, defaultPartnerShareBps: 5000 });

		const issues = await expectInvalid(db, () =>
			adminApi.settings.update({ defaultConsultantCommissionBps: 9000 })
		);

		expect(issues[0]?.field).toBe('defaultConsultantCommissionBps');
		expect(settingsRow()[0]?.defaultConsultantCommissionBps).not.toBe(9000);
	});

	it('changes only the default sent', async () => {
		await adminApi.settings.update(NEW_DEFAULTS);

		const updated = await adminApi.settings.update({ defaultPartnerShareBps: 4500 });

		expect(updated.defaultFeeBps).toBe(NEW_DEFAULTS.defaultFeeBps);
		expect(updated.defaultPartnerShareBps).toBe(4500);
		expect(updated.defaultConsultantCommissionBps).toBe(
			NEW_DEFAULTS.defaultConsultantCommissionBps
		);
	});
});
