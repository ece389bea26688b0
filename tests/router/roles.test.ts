import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SessionUser } from '$lib/server/auth/session';
import type { Db } from '$lib/server/db';
import type { Case, Client, Person, Transaction } from '$lib/server/db/schema';
import { appRouter } from '$lib/server/trpc/router';

import {
	callerFor,
	createTestDb,
	expectFailure,
	insertCase,
	insertClient,
	insertPerson,
	insertTransaction,
	insertUser,
	VALID_CPFS,
	type Caller,
	type TestDb
} from '../helpers/test-db';
import { ACCESS, OWN_ACCOUNT, type CallerRole } from '../helpers/procedure-access';

/** Records that the inputs below refer to, inserted into each test's own database. */
interface Fixture {
	users: Record<Exclude<CallerRole, 'signedOut'>, SessionUser>;
	client: Client;
	/** A client without cases, which clients.delete can remove. */
	spareClient: Client;
	partner: Person;
	legalCase: Case;
	payment: Transaction;
}

/**
 * Valid inputs, so that an allowed call succeeds (apart from EXPECTED_ERRORS) and a missing
 * role check would write and show up in the snapshot. A procedure without a line here is
 * called without input. That still tests its access, because roles are checked before input is
 * parsed, but an allowed call may then end in BAD_REQUEST.
 */
const INPUTS: Record<string, (fixture: Fixture) => unknown> = {
	'account.changePassword': () => ({
		currentPassword: 'not the current password',
		newPassword: 'another long passphrase'
	}),
	'sessions.revoke': () => ({ id: 'no-such-session' }),
	'twoFactor.confirmSetup': () => ({ code: '123456' }),
	'twoFactor.disable': () => ({ currentPassword: 'not the current password', code: '123456' }),
	'twoFactor.regenerateRecoveryCodes': () => ({ code: '123456' }),
	'clients.list': () => ({}),
	'clients.get': ({ client }) => ({ id: client.id }),
	'clients.create': () => ({ kind: 'person', name: 'Nova Cliente', document: VALID_CPFS[0] }),
	'clients.update': ({ client }) => ({
		id: client.id,
		kind: 'person',
		name: 'Cliente Renomeada',
		document: VALID_CPFS[1]
	}),
	'clients.archive': ({ client }) => ({ id: client.id }),
	'clients.delete': ({ spareClient }) => ({ id: spareClient.id }),
	'people.list': () => ({}),
	'people.create': () => ({ role: 'partner', name: 'Nova Sócia' }),
	'people.update': ({ partner }) => ({ id: partner.id, name: 'Sócia Renomeada', active: false }),
	'cases.list': () => ({}),
	'cases.get': ({ legalCase }) => ({ id: legalCase.id }),
	'cases.create': ({ client, partner }) => ({
		clientId: client.id,
		actionType: 'civil',
		title: 'Ação de cobrança',
		partnerId: partner.id,
		openedOn: '2026-02-02'
	}),
	'cases.update': ({ client, partner, legalCase }) => ({
		id: legalCase.id,
		clientId: client.id,
		actionType: legalCase.actionType,
		title: 'Título novo',
		partnerId: partner.id,
		openedOn: legalCase.openedOn
	}),
	'cases.setStatus': ({ legalCase }) => ({ id: legalCase.id, status: 'suspended' }),
	'dashboard.summary': () => ({}),
	'settings.update': () => ({
		defaultFeeBps: 2500,
		defaultPartnerShareBps: 4000,
		defaultConsultantCommissionBps: 800
	}),
	'reports.period': () => ({ from: '2026-01-01', to: '2026-01-31' }),
	'transactions.preview': ({ legalCase }) => ({
		caseId: legalCase.id,
		valueType: 'procedural_costs',
		grossCents: 10_000
	}),
	'transactions.create': ({ legalCase }) => ({
		caseId: legalCase.id,
		valueType: 'procedural_costs',
		grossCents: 10_000,
		receivedOn: '2026-02-02'
	}),
	'transactions.createInstallments': ({ legalCase }) => ({
		caseId: legalCase.id,
		firstReceivedOn: '2026-02-02',
		count: 2,
		amountCents: 5000
	}),
	'transactions.void': ({ payment }) => ({ id: payment.id, reason: 'Lançado em duplicidade' }),
	'audit.list': ({ client }) => ({ entity: 'client', entityId: String(client.id) })
};

/** Error codes that allowed calls with the INPUTS above end in, because they change nothing. */
const EXPECTED_ERRORS: Record<string, TRPC_ERROR_CODE_KEY> = {
	// insertUser stores no real hash, so no current password matches.
	'account.changePassword': 'BAD_REQUEST',
	// The test users have no sessions.
	'sessions.revoke': 'NOT_FOUND',
	// The test users have not started a setup, so there is no key to check a code against.
	'twoFactor.confirmSetup': 'CONFLICT',
	// Two-factor sign-in is off for the test users, so there is nothing to turn off or renew.
	'twoFactor.disable': 'CONFLICT',
	'twoFactor.regenerateRecoveryCodes': 'CONFLICT'
};

const CALLER_ROLES: CallerRole[] = ['admin', 'staff', 'viewer', 'signedOut'];

const procedures = appRouter._def.procedures as Record<
	string,
	{ _def: { query?: boolean; mutation?: boolean; subscription?: boolean } }
>;
const PROCEDURE_PATHS = Object.keys(procedures).sort();

function insertFixture(db: Db): Fixture {
	const admin = insertUser(db, 'admin');
	const client = insertClient(db);
	const partner = insertPerson(db, 'partner');
	// This action type accepts single payments and installments, so both create calls succeed.
	const legalCase = insertCase(db, {
		clientId: client.id,
		partnerId: partner.id,
		actionType: 'social_security_back_pay'
	});
	return {
		users: { admin, staff: insertUser(db, 'staff'), viewer: insertUser(db, 'viewer') },
		client,
		spareClient: insertClient(db),
		partner,
		legalCase,
		payment: insertTransaction(db, {
			caseId: legalCase.id,
			partnerId: partner.id,
			createdBy: admin.id,
			valueType: 'procedural_costs'
		})
	};
}

/** Calls the procedure at a dotted `path`, such as `clients.create`, through the caller. */
function callProcedure(caller: Caller, path: string, input: unknown): Promise<unknown> {
	const procedure = path
		.split('.')
		.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
	return (procedure as (input: unknown) => Promise<unknown>)(input);
}

describe('access table', () => {
	it('names every procedure of the router', () => {
		const missing = PROCEDURE_PATHS.filter((path) => !Object.hasOwn(ACCESS, path));

		expect(missing).toEqual([]);
	});

	it('names no procedure the router lacks', () => {
		const unknown = Object.keys(ACCESS).filter((path) => !Object.hasOwn(procedures, path));

		expect(unknown).toEqual([]);
	});

	it('has inputs only for existing procedures', () => {
		const unknown = Object.keys(INPUTS).filter((path) => !Object.hasOwn(procedures, path));

		expect(unknown).toEqual([]);
	});

	it('gives viewers only own-account mutations', () => {
		const viewerMutations = PROCEDURE_PATHS.filter(
			(path) => procedures[path]?._def.mutation === true && ACCESS[path]?.viewer === true
		);

		expect(viewerMutations).toEqual([
			'account.changePassword',
			'sessions.revoke',
			'sessions.revokeOthers',
			'twoFactor.beginSetup',
			'twoFactor.confirmSetup',
			'twoFactor.disable',
			'twoFactor.regenerateRecoveryCodes'
		]);
		for (const path of viewerMutations) expect(ACCESS[path]).toBe(OWN_ACCOUNT);
	});
});

describe('procedure access by role', () => {
	let testDb: TestDb;
	let db: Db;
	let fixture: Fixture;

	beforeEach(() => {
		testDb = createTestDb();
		db = testDb.db;
		fixture = insertFixture(db);
	});

	afterEach(() => {
		testDb.close();
	});

	describe.for(PROCEDURE_PATHS)('%s', (path) => {
		it.for(CALLER_ROLES)('as %s', async (role) => {
			const access = ACCESS[path];
			expect(access, `${path} has no line in ACCESS`).toBeDefined();

			const user = role === 'signedOut' ? null : fixture.users[role];
			const caller = callerFor(db, user);
			const input = INPUTS[path]?.(fixture);
			const call = () => callProcedure(caller, path, input);

			if (!access![role]) {
				await expectFailure(db, call, role === 'signedOut' ? 'UNAUTHORIZED' : 'FORBIDDEN');
				return;
			}

			const outcome = await call().then(
				() => 'ok',
				(reason: unknown) => (reason instanceof TRPCError ? reason.code : reason)
			);
			expect(outcome).not.toBe('FORBIDDEN');
			expect(outcome).not.toBe('UNAUTHORIZED');
			if (Object.hasOwn(INPUTS, path)) expect(outcome).toBe(EXPECTED_ERRORS[path] ?? 'ok');
		});
	});
});

describe('write access for viewers', () => {
	it('names the rule in FORBIDDEN message', async () => {
		const testDb = createTestDb();
		try {
			const viewer = insertUser(testDb.db, 'viewer');

			const error = await expectFailure(
				testDb.db,
				() =>
					callerFor(testDb.db, viewer).clients.create({
						kind: 'person',
						name: 'Nova Cliente',
						document: VALID_CPFS[0]!
					}),
				'FORBIDDEN'
			);

			expect(error.message).toBe('Only administrators and staff can change records.');
		} finally {
			testDb.close();
		}
	});

	it('rejects viewer before parsing input', async () => {
		const testDb = createTestDb();
		try {
			const viewer = insertUser(testDb.db, 'viewer');

			const error = await expectFailure(
				testDb.db,
				() => callProcedure(callerFor(testDb.db, viewer), 'clients.create', { bogus: true }),
				'FORBIDDEN'
			);

			// Input parsing would have ended in BAD_REQUEST and named the unknown field.
			expect(error.message).toBe('Only administrators and staff can change records.');
		} finally {
			testDb.close();
		}
	});
});
