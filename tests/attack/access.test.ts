import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ACCESS, type CallerRole } from '../helpers/procedure-access';
import { createFixture, validInput, type Fixture } from './fixture';
import {
	callProcedure,
	lastAuditId,
	PROCEDURE_PATHS,
	snapshotBusinessTables,
	startAttackApp,
	trpcErrorCode,
	unexpectedAuditActions,
	type AttackApp
} from './harness';

// Every procedure called over HTTP by every role, against the table the router tests use, and
// ids of records that do not exist. Roles run from the least to the most privileged, so the
// writes of allowed calls happen after every forbidden call of the same procedure.

const ROLES_IN_ORDER: CallerRole[] = ['signedOut', 'viewer', 'staff', 'admin'];

/** Ids that name no record: unknown, out of range, not integers, not numbers. */
const MISSING_IDS: unknown[] = [999_999, -1, 0, 2 ** 53, 1.5, '1', 'abc', null, true, [1], {}];

let app: AttackApp;
let fixture: Fixture;

beforeAll(async () => {
	app = await startAttackApp({ prefix: 'case-ledger-attack-access-' });
	fixture = await createFixture(app);
}, 90_000);

afterAll(async () => {
	await app?.stop();
});

describe('access table over HTTP', () => {
	it('names every procedure of the router', () => {
		const missing = PROCEDURE_PATHS.filter((path) => !Object.hasOwn(ACCESS, path));

		expect(missing).toEqual([]);
	});
});

describe.for(PROCEDURE_PATHS)('%s over HTTP', (path) => {
	it.for(ROLES_IN_ORDER)('as %s', async (role) => {
		const access = ACCESS[path];
		expect(access, `${path} has no line in ACCESS`).toBeDefined();
		const cookie = role === 'signedOut' ? null : app.cookies[role];
		const before = snapshotBusinessTables(app.db);
		const auditBefore = lastAuditId(app.db);

		const response = await callProcedure(app.origin, cookie, path, validInput(path, fixture));

		expect(response.status).toBeLessThan(500);
		if (access![role]) {
			expect(response.status).not.toBe(401);
			expect(response.status).not.toBe(403);
			return;
		}
		const expectedStatus = role === 'signedOut' ? 401 : 403;
		expect(response.status).toBe(expectedStatus);
		expect(trpcErrorCode(response)).toBe(role === 'signedOut' ? 'UNAUTHORIZED' : 'FORBIDDEN');
		expect(snapshotBusinessTables(app.db)).toBe(before);
		expect(unexpectedAuditActions(app.db, auditBefore)).toEqual([]);
	});
});

/** Procedures whose valid input has a numeric `id` of a record. */
const PATHS_WITH_RECORD_ID = PROCEDURE_PATHS.filter((path) => {
	const input = validInput(path, {
		clientId: 1,
		spareClientId: 1,
		partnerId: 1,
		caseId: 1,
		paymentId: 1
	});
	return (
		typeof input === 'object' &&
		input !== null &&
		typeof (input as { id?: unknown }).id === 'number'
	);
});

describe('ids of missing records', () => {
	it('covers every get, update and void', () => {
		expect(PATHS_WITH_RECORD_ID).toEqual(
			expect.arrayContaining([
				'cases.get',
				'cases.setStatus',
				'cases.update',
				'clients.archive',
				'clients.delete',
				'clients.get',
				'clients.update',
				'people.update',
				'transactions.void'
			])
		);
	});

	it.for(PATHS_WITH_RECORD_ID)('%s rejects every missing id', async (path) => {
		const before = snapshotBusinessTables(app.db);
		const auditBefore = lastAuditId(app.db);

		for (const id of MISSING_IDS) {
			const input = { ...(validInput(path, fixture) as object), id };
			const response = await callProcedure(app.origin, app.cookies.admin, path, input);

			const label = `${path} with id ${JSON.stringify(id)}`;
			expect([400, 404], label).toContain(response.status);
			expect(['BAD_REQUEST', 'NOT_FOUND'], label).toContain(trpcErrorCode(response));
		}
		expect(snapshotBusinessTables(app.db)).toBe(before);
		expect(unexpectedAuditActions(app.db, auditBefore)).toEqual([]);
	});

	it('names the missing id in NOT_FOUND', async () => {
		const response = await callProcedure(app.origin, app.cookies.admin, 'clients.get', {
			id: 999_999
		});

		expect(response.status).toBe(404);
		expect(JSON.parse(response.text).error.message).toBe('Client 999999 does not exist.');
	});
});
