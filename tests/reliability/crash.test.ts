import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
	createUser,
	expectData,
	findFreePort,
	signIn,
	sleep,
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
	resendPayments,
	sharesOf,
	startPaymentLoad,
	sumShares,
	type AcknowledgedPayment,
	type DatabaseState,
	type Shares,
	type UnresolvedPayment
} from './payment-load';

// Each round starts the built app on the same database file, records payments from several
// clients for a random 1 to 4 seconds and kills the server with SIGKILL while requests are in
// flight. The file must then pass SQLite's checks and contain every payment acknowledged so
// far. A request in flight at the kill may be stored or not, but only as a whole row. After
// the restart the clients send those requests again with the same keys, and a stored one must
// come back as the same row.

const ROUNDS = 10;
const CLIENTS = 12;
const MIN_LOAD_MS = 1000;
const MAX_LOAD_MS = 4000;
/** This file's ports; the concurrency test uses 3650 to 3674. */
const PORTS = { from: 3675, to: 3699 };

let database: TempDatabase;
let server: AppServer | undefined;

beforeAll(async () => {
	database = tempDatabase('case-ledger-crash-');
	await createUser(database.path);
}, 60_000);

afterAll(async () => {
	await server?.kill();
	database?.remove();
});

/** Payments as the clients saw them in the rounds so far. */
interface Ledger {
	acknowledged: AcknowledgedPayment[];
	/** Requests that got no response, by idempotency key. */
	unresolved: Map<string, UnresolvedPayment>;
}

/**
 * Returns the problems of `state` compared with what the clients saw, one list per kind.
 * Every list is empty for a sound database.
 */
function findProblems(state: DatabaseState, ledger: Ledger) {
	const storedById = new Map(state.payments.map((row) => [row.id, row]));
	const missing = ledger.acknowledged.filter((payment) => !storedById.has(payment.id));
	const changed = ledger.acknowledged.filter((payment) => {
		const row = storedById.get(payment.id);
		return row !== undefined && !sameShares(row, payment);
	});

	const keyOfId = new Map<number, string>();
	for (const [key, ids] of state.idsByKey) {
		for (const id of ids) keyOfId.set(id, key);
	}
	const acknowledgedIds = new Set(ledger.acknowledged.map((payment) => payment.id));
	const unknown = state.payments.filter((row) => {
		const key = keyOfId.get(row.id);
		return !acknowledgedIds.has(row.id) && (key === undefined || !ledger.unresolved.has(key));
	});

	// A stored in-flight request must be one complete row with the amount that was sent.
	const partial = [...ledger.unresolved.values()].filter((request) => {
		const ids = state.idsByKey.get(request.key);
		if (ids === undefined) return false;
		const row = ids.length === 1 ? storedById.get(ids[0]!) : undefined;
		return row === undefined || row.grossCents !== request.input.grossCents || !addsUp(row);
	});
	return { missing, changed, unknown, partial };
}

function sameShares(left: Shares, right: Shares): boolean {
	return JSON.stringify(sharesOf(left)) === JSON.stringify(sharesOf(right));
}

function addsUp(row: Shares): boolean {
	const parts = row.clientCents + row.officeCents + row.partnerCents + row.consultantCents;
	return parts === row.grossCents;
}

/**
 * Sends the requests left unresolved by the last kill again with their own keys, as clients
 * do after a lost response, and moves the acknowledged ones into the ledger. A request stored
 * before the kill must come back as the same row, which `changedIds` lists otherwise.
 */
async function resendUnresolved(
	origin: string,
	cookie: string,
	ledger: Ledger,
	before: DatabaseState
) {
	const resent = await resendPayments(origin, cookie, [...ledger.unresolved.values()]);

	const changedIds = resent.acknowledged.filter((payment) => {
		const storedIds = before.idsByKey.get(payment.key);
		return storedIds !== undefined && JSON.stringify(storedIds) !== `[${payment.id}]`;
	});
	const wereStored = resent.acknowledged.filter((payment) => before.idsByKey.has(payment.key));
	for (const payment of resent.acknowledged) ledger.unresolved.delete(payment.key);
	ledger.acknowledged.push(...resent.acknowledged);
	return { resent, changedIds, wereStored: wereStored.length };
}

describe('server killed under load', () => {
	it('keeps every acknowledged payment', async () => {
		const port = await findFreePort(PORTS.from, PORTS.to);
		const ledger: Ledger = { acknowledged: [], unresolved: new Map() };
		let cookies: string[] = [];
		let caseId = 0;
		let state: DatabaseState | undefined;

		for (let round = 1; round <= ROUNDS; round++) {
			server = await startApp({ databasePath: database.path, port });
			const { origin } = server;
			let resendNote = '';
			if (state === undefined) {
				// Sessions are rows in the database, so the cookies stay valid after each restart.
				cookies = await Promise.all(
					Array.from({ length: CLIENTS }, () => signIn(origin, TEST_USER.email, TEST_USER.password))
				);
				caseId = await createLoadCase(origin, cookies[0]!);
			} else {
				const resend = await resendUnresolved(origin, cookies[0]!, ledger, state);
				resendNote = `; resent ${resend.resent.acknowledged.length} (${resend.wereStored} stored)`;
				expect(resend.resent.failed, `round ${round} resent requests failed`).toEqual([]);
				expect(resend.changedIds, `round ${round} resent requests got new rows`).toEqual([]);
			}

			const loadMs = MIN_LOAD_MS + Math.floor(Math.random() * (MAX_LOAD_MS - MIN_LOAD_MS));
			const load = startPaymentLoad({ origin, cookies, caseId });
			await sleep(loadMs);
			load.stop();
			const exit = await server.kill();
			server = undefined;
			const result = await load.done;

			ledger.acknowledged.push(...result.acknowledged);
			for (const request of result.unresolved) ledger.unresolved.set(request.key, request);
			state = readDatabase(database.path);
			const storedInFlight = result.unresolved.filter((request) =>
				state!.idsByKey.has(request.key)
			);
			console.log(
				`crash round ${round}${resendNote}; killed after ${loadMs} ms; ` +
					`acknowledged so far ${ledger.acknowledged.length}, ` +
					`rows in the database ${state.payments.length}, ` +
					`in flight at the kill ${result.unresolved.length} (${storedInFlight.length} stored)`
			);

			expect(exit.signal, `round ${round} exit signal`).toBe('SIGKILL');
			expect(result.acknowledged.length, `round ${round} acknowledged`).toBeGreaterThan(0);
			expect(result.errorsByStatus['500'] ?? 0, `round ${round} 500 responses`).toBe(0);
			expect(result.busyResponses, `round ${round} SQLITE_BUSY responses`).toEqual([]);
			expect(result.rejected, `round ${round} 4xx responses`).toEqual([]);
			expect(state.integrity, `round ${round} integrity_check`).toEqual(['ok']);
			expect(state.foreignKeyProblems, `round ${round} foreign_key_check`).toEqual([]);
			const problems = findProblems(state, ledger);
			expect(problems.missing, `round ${round} acknowledged payments missing`).toEqual([]);
			expect(problems.changed, `round ${round} acknowledged payments changed`).toEqual([]);
			expect(problems.unknown, `round ${round} rows no client sent`).toEqual([]);
			expect(problems.partial, `round ${round} in-flight rows incomplete`).toEqual([]);
		}

		server = await startApp({ databasePath: database.path, port });
		const resend = await resendUnresolved(server.origin, cookies[0]!, ledger, state!);
		const caseResponse = await trpcQuery<{ totals: Shares & { count: number } }>(
			server.origin,
			cookies[0]!,
			'cases.get',
			{ id: caseId },
			{ timeoutMs: 60_000 }
		);
		await server.stop();
		server = undefined;
		const final = readDatabase(database.path);
		const problems = findProblems(final, ledger);

		expect(resend.resent.failed, 'last resent requests failed').toEqual([]);
		expect(resend.changedIds, 'last resent requests got new rows').toEqual([]);
		expect(ledger.unresolved.size, 'requests never acknowledged').toBe(0);
		expect(problems.missing, 'acknowledged payments missing at the end').toEqual([]);
		expect(problems.unknown, 'rows no client saw acknowledged').toEqual([]);
		expect(final.payments.length, 'rows at the end').toBe(ledger.acknowledged.length);
		expect(final.integrity).toEqual(['ok']);
		const totals = expectData(caseResponse, 'cases.get after the last restart').totals;
		expect(totals, 'case totals after the last restart').toEqual(sumShares(ledger.acknowledged));
	}, 150_000);
});
