import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
	createUser,
	expectData,
	findFreePort,
	signIn,
	startApp,
	tempDatabase,
	TEST_USER,
	trpcQuery,
	type AppServer,
	type TempDatabase
} from './app-server';
import {
	createLoadCase,
	readDatabase,
	sharesOf,
	startPaymentLoad,
	sumShares,
	type LoadResult,
	type Shares
} from './payment-load';

// 20 clients, each with its own session, record payments on one case for 30 seconds through
// the built app, then the SQLite file must contain exactly what the clients saw acknowledged.
// One payment in ten goes out twice at once with the same key, as after a lost response.

const CLIENTS = 20;
const DURATION_MS = 30_000;
const DUPLICATE_SHARE = 0.1;
/** This file's ports; the crash test uses 3675 to 3699. */
const PORTS = { from: 3650, to: 3674 };

let database: TempDatabase;
let server: AppServer | undefined;

beforeAll(async () => {
	database = tempDatabase('case-ledger-concurrency-');
	await createUser(database.path);
}, 60_000);

afterAll(async () => {
	await server?.kill();
	database?.remove();
});

function printFigures(result: LoadResult): void {
	const seconds = result.elapsedMs / 1000;
	console.log(
		[
			`concurrency: ${CLIENTS} clients for ${seconds.toFixed(1)} s`,
			`  requests: ${result.requests} (${(result.requests / seconds).toFixed(1)} per second)`,
			`  acknowledged payments: ${result.acknowledged.length}`,
			`  retries: ${result.retries}`,
			`  sent twice at once: ${result.duplicates}`,
			`  errors by status: ${JSON.stringify(result.errorsByStatus)}`,
			`  unresolved: ${result.unresolved.length}, rejected: ${result.rejected.length}`
		].join('\n')
	);
}

describe('concurrent payment clients', () => {
	it('store every acknowledged payment once', async () => {
		const port = await findFreePort(PORTS.from, PORTS.to);
		server = await startApp({ databasePath: database.path, port });
		const { origin } = server;
		const cookies = await Promise.all(
			Array.from({ length: CLIENTS }, () => signIn(origin, TEST_USER.email, TEST_USER.password))
		);
		const caseId = await createLoadCase(origin, cookies[0]!);

		const result = await startPaymentLoad({
			origin,
			cookies,
			caseId,
			durationMs: DURATION_MS,
			duplicateShare: DUPLICATE_SHARE
		}).done;
		printFigures(result);

		const caseResponse = await trpcQuery<{ totals: Shares & { count: number } }>(
			origin,
			cookies[0]!,
			'cases.get',
			{ id: caseId },
			{ timeoutMs: 60_000 }
		);
		const caseTotals = expectData(caseResponse, 'cases.get').totals;
		await server.stop();
		const stored = readDatabase(database.path);

		const acknowledged = result.acknowledged;
		expect(acknowledged.length, 'acknowledged payments').toBeGreaterThan(100);
		expect(result.errorsByStatus['500'] ?? 0, '500 responses').toBe(0);
		expect(result.busyResponses, 'responses that mention SQLITE_BUSY').toEqual([]);
		expect(result.unresolved, 'payments never acknowledged').toEqual([]);
		expect(result.rejected, 'payments rejected with a 4xx').toEqual([]);
		expect(result.duplicates, 'payments sent twice').toBeGreaterThan(0);
		expect(result.duplicateMismatches, 'copies that returned another id').toEqual([]);

		const acknowledgedIds = new Set(acknowledged.map((payment) => payment.id));
		expect(acknowledgedIds.size, 'distinct acknowledged ids').toBe(acknowledged.length);

		const storedById = new Map(stored.payments.map((row) => [row.id, row]));
		const missing = acknowledged.filter((payment) => !storedById.has(payment.id));
		const changed = acknowledged.filter((payment) => {
			const row = storedById.get(payment.id);
			return row !== undefined && !sameShares(row, payment);
		});
		const extra = stored.payments.filter((row) => !acknowledgedIds.has(row.id));
		expect(missing, 'acknowledged payments missing from the database').toEqual([]);
		expect(changed, 'acknowledged payments stored with other shares').toEqual([]);
		expect(extra, 'stored payments nobody saw acknowledged').toEqual([]);
		expect(stored.payments.filter((row) => row.caseId !== caseId)).toEqual([]);

		const wrongKeys = acknowledged.filter(
			(payment) => JSON.stringify(stored.idsByKey.get(payment.key)) !== `[${payment.id}]`
		);
		expect(wrongKeys, 'idempotency keys not stored with their payment').toEqual([]);
		expect(stored.idsByKey.size, 'idempotency keys stored').toBe(acknowledged.length);

		expect(caseTotals, 'case totals from cases.get').toEqual(sumShares(acknowledged));
		expect(stored.integrity).toEqual(['ok']);
		expect(stored.foreignKeyProblems).toEqual([]);
	}, 180_000);
});

function sameShares(left: Shares, right: Shares): boolean {
	return JSON.stringify(sharesOf(left)) === JSON.stringify(sharesOf(right));
}
