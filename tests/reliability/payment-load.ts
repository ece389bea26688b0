/**
 * Payment load for the reliability tests: HTTP clients that record payments with
 * idempotency keys and retries, and a read of the SQLite file to compare with what the
 * clients saw acknowledged.
 */
import Database from 'better-sqlite3';

import { expectData, sleep, trpcMutation, type TrpcResponse } from './app-server';

/** Largest random gross amount, in cents (R$ 100.000,00). */
export const MAX_LOAD_CENTS = 10_000_000;
/** Attempts per payment request, the first one included. */
const MAX_ATTEMPTS = 6;
/** Wait before the first retry, in milliseconds; it doubles with each further retry. */
const FIRST_BACKOFF_MS = 50;

/** Creates a partner, a consultant, a client and a civil case over HTTP; returns the case id. */
export async function createLoadCase(origin: string, cookie: string): Promise<number> {
	const call = async (procedurePath: string, input: unknown) =>
		expectData(
			await trpcMutation<{ id: number }>(origin, cookie, procedurePath, input),
			procedurePath
		);

	const partner = await call('people.create', { role: 'partner', name: 'Paula Sócia' });
	const consultant = await call('people.create', { role: 'consultant', name: 'Caio Consultor' });
	const client = await call('clients.create', {
		kind: 'person',
		name: 'Carla Cliente',
		document: '529.982.247-25'
	});
	const legalCase = await call('cases.create', {
		clientId: client.id,
		actionType: 'civil',
		title: 'Cobrança sob carga',
		partnerId: partner.id,
		consultantId: consultant.id,
		openedOn: '2026-01-10'
	});
	return legalCase.id;
}

/** The shares of a payment, in cents. */
export interface Shares {
	grossCents: number;
	clientCents: number;
	officeCents: number;
	partnerCents: number;
	consultantCents: number;
}

export interface AcknowledgedPayment extends Shares {
	key: string;
	id: number;
}

/** A request whose outcome the client never learned, because the server was killed. */
export interface UnresolvedPayment {
	key: string;
	/** The input as sent, to send again with the same key. */
	input: PaymentInput;
}

export interface LoadResult {
	/** HTTP requests sent, retries included. */
	requests: number;
	/** Requests sent again with the same key after a network error or a 5xx. */
	retries: number;
	/** Second copies sent with the same key at the same time as the first. */
	duplicates: number;
	/** Payments whose two copies returned different ids: each must return the same one. */
	duplicateMismatches: { key: string; ids: (number | undefined)[] }[];
	acknowledged: AcknowledgedPayment[];
	/** Payments that got no 200: in flight at a stop, or out of attempts. */
	unresolved: UnresolvedPayment[];
	/** Payments that got a 4xx, which are never retried. */
	rejected: { key: string; status: number; text: string }[];
	/** Count of non-200 responses by status, and of network errors under `network`. */
	errorsByStatus: Record<string, number>;
	/** Responses whose body mentioned SQLITE_BUSY or "database is locked". */
	busyResponses: string[];
	elapsedMs: number;
}

export interface LoadOptions {
	origin: string;
	/** One session cookie per client; each client sends its requests in sequence. */
	cookies: string[];
	caseId: number;
	/** Stop starting requests after this many milliseconds; leave out to run until stop(). */
	durationMs?: number;
	receivedOn?: string;
	/** Share (0 to 1) of payments sent twice at once with the same key; 0 by default. */
	duplicateShare?: number;
}

export interface RunningLoad {
	/** Stops new requests and retries; requests already sent finish or fail on their own. */
	stop(): void;
	done: Promise<LoadResult>;
}

/**
 * Starts one async loop per cookie. Each loop records payments of random amounts
 * (1 to MAX_LOAD_CENTS cents) on `caseId`, one at a time, each with its own idempotency key.
 * After a network error or a 5xx it sends the request again with the same key, up to
 * MAX_ATTEMPTS attempts with doubling waits. With `duplicateShare`, some payments also go out
 * twice at once, and both copies must return the same id.
 */
export function startPaymentLoad(options: LoadOptions): RunningLoad {
	const started = Date.now();
	const deadline = options.durationMs === undefined ? Infinity : started + options.durationMs;
	let stopped = false;
	const running = () => !stopped && Date.now() < deadline;

	const result: LoadResult = {
		requests: 0,
		retries: 0,
		duplicates: 0,
		duplicateMismatches: [],
		acknowledged: [],
		unresolved: [],
		rejected: [],
		errorsByStatus: {},
		busyResponses: [],
		elapsedMs: 0
	};

	const loops = options.cookies.map(async (cookie) => {
		while (running()) {
			await recordPayment(options, cookie, result, () => !stopped);
		}
	});
	const done = Promise.all(loops).then(() => {
		result.elapsedMs = Date.now() - started;
		return result;
	});

	return {
		stop: () => {
			stopped = true;
		},
		done
	};
}

/** Input of `transactions.create` as the load sends it. */
export interface PaymentInput {
	caseId: number;
	receivedOn: string;
	valueType: 'provided_amount';
	grossCents: number;
	idempotencyKey: string;
}

async function recordPayment(
	options: LoadOptions,
	cookie: string,
	result: LoadResult,
	mayRetry: () => boolean
): Promise<void> {
	const input: PaymentInput = {
		caseId: options.caseId,
		receivedOn: options.receivedOn ?? '2026-02-01',
		valueType: 'provided_amount',
		grossCents: 1 + Math.floor(Math.random() * MAX_LOAD_CENTS),
		idempotencyKey: crypto.randomUUID()
	};
	const isDuplicated = Math.random() < (options.duplicateShare ?? 0);
	const duplicate = isDuplicated ? sendDuplicate(options.origin, cookie, input, result) : null;

	const acknowledged = await sendWithRetries(options.origin, cookie, input, result, mayRetry);
	const duplicateResponse = await duplicate;
	if (acknowledged && duplicateResponse?.status === 200) {
		const duplicateId = duplicateResponse.data?.id;
		if (duplicateId !== acknowledged.id) {
			result.duplicateMismatches.push({
				key: input.idempotencyKey,
				ids: [acknowledged.id, duplicateId]
			});
		}
	}
}

/**
 * Sends `input` until a 200 or a 4xx, retrying network errors and 5xx with the same key.
 * Records the outcome in `result` and returns the acknowledged payment, or null.
 */
async function sendWithRetries(
	origin: string,
	cookie: string,
	input: PaymentInput,
	result: LoadResult,
	mayRetry: () => boolean
): Promise<AcknowledgedPayment | null> {
	for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
		if (attempt > 1) {
			if (!mayRetry()) break;
			result.retries += 1;
			await sleep(FIRST_BACKOFF_MS * 2 ** (attempt - 2));
		}

		const response = await sendCounted(origin, cookie, input, result);
		if (response === null) continue;

		if (response.status === 200 && response.data) {
			const acknowledged = {
				key: input.idempotencyKey,
				id: response.data.id,
				...sharesOf(response.data)
			};
			result.acknowledged.push(acknowledged);
			return acknowledged;
		}
		if (response.status < 500) {
			result.rejected.push({
				key: input.idempotencyKey,
				status: response.status,
				text: response.text.slice(0, 300)
			});
			return null;
		}
	}
	result.unresolved.push({ key: input.idempotencyKey, input });
	return null;
}

/**
 * Sends a second copy of `input` with the same key at the same time as the first, as a client
 * does that retries while its first request is still being served.
 */
function sendDuplicate(
	origin: string,
	cookie: string,
	input: PaymentInput,
	result: LoadResult
): Promise<PaymentResponse | null> {
	result.duplicates += 1;
	return sendCounted(origin, cookie, input, result);
}

/** Sends one request and counts it, its error status and any SQLITE_BUSY in its body. */
async function sendCounted(
	origin: string,
	cookie: string,
	input: PaymentInput,
	result: LoadResult
): Promise<PaymentResponse | null> {
	result.requests += 1;
	const response = await sendPayment(origin, cookie, input);
	if (response === null) {
		count(result.errorsByStatus, 'network');
		return null;
	}

	if (/SQLITE_BUSY|database is locked/i.test(response.text)) {
		result.busyResponses.push(response.text.slice(0, 300));
	}
	if (response.status !== 200) count(result.errorsByStatus, String(response.status));
	return response;
}

type PaymentResponse = TrpcResponse<Shares & { id: number }>;

/** Sends one attempt; returns null on a network error or timeout. */
async function sendPayment(
	origin: string,
	cookie: string,
	input: PaymentInput
): Promise<PaymentResponse | null> {
	try {
		return await trpcMutation<Shares & { id: number }>(
			origin,
			cookie,
			'transactions.create',
			input
		);
	} catch {
		return null;
	}
}

function count(counts: Record<string, number>, name: string): void {
	counts[name] = (counts[name] ?? 0) + 1;
}

export interface ResendResult {
	acknowledged: AcknowledgedPayment[];
	/** Requests that got no 200 again: the status (0 for a network error) and the body. */
	failed: { key: string; status: number; text: string }[];
}

/**
 * Sends each unresolved request once more with its own key and input, all at once, as clients
 * do once the server is back. Returns the acknowledged payments and the requests that failed
 * again, without retrying them.
 */
export async function resendPayments(
	origin: string,
	cookie: string,
	requests: UnresolvedPayment[]
): Promise<ResendResult> {
	const result: ResendResult = { acknowledged: [], failed: [] };

	await Promise.all(
		requests.map(async ({ key, input }) => {
			const response = await sendPayment(origin, cookie, input);
			if (response?.status === 200 && response.data) {
				result.acknowledged.push({ key, id: response.data.id, ...sharesOf(response.data) });
				return;
			}
			const status = response?.status ?? 0;
			result.failed.push({ key, status, text: response?.text.slice(0, 300) ?? 'network error' });
		})
	);
	return result;
}

/** Sums the amounts and shares of `payments`, in cents. */
export function sumShares(payments: Shares[]): Shares & { count: number } {
	const totals = {
		count: 0,
		grossCents: 0,
		clientCents: 0,
		officeCents: 0,
		partnerCents: 0,
		consultantCents: 0
	};
	for (const payment of payments) {
		totals.count += 1;
		totals.grossCents += payment.grossCents;
		totals.clientCents += payment.clientCents;
		totals.officeCents += payment.officeCents;
		totals.partnerCents += payment.partnerCents;
		totals.consultantCents += payment.consultantCents;
	}
	return totals;
}

export interface StoredPayment extends Shares {
	id: number;
	caseId: number;
	voided: boolean;
}

export interface DatabaseState {
	/** `PRAGMA integrity_check` rows; `['ok']` for a sound file. */
	integrity: string[];
	/** `PRAGMA foreign_key_check` rows; empty when every reference resolves. */
	foreignKeyProblems: unknown[];
	payments: StoredPayment[];
	/** Transaction ids stored for each idempotency key. */
	idsByKey: Map<string, number[]>;
}

/**
 * Opens the SQLite file read-only, after the app stopped or was killed, and returns its
 * integrity check, foreign key check, payments and idempotency keys.
 */
export function readDatabase(databasePath: string): DatabaseState {
	const db = new Database(databasePath, { readonly: true, fileMustExist: true });
	try {
		const integrity = db
			.prepare('PRAGMA integrity_check')
			.all()
			.map((row) => String((row as { integrity_check: string }).integrity_check));
		const foreignKeyProblems = db.prepare('PRAGMA foreign_key_check').all();
		const payments = db
			.prepare(
				`SELECT id, case_id AS caseId, gross_cents AS grossCents, client_cents AS clientCents,
					office_cents AS officeCents, partner_cents AS partnerCents,
					consultant_cents AS consultantCents, voided_at IS NOT NULL AS voided
				FROM transactions ORDER BY id`
			)
			.all() as (Omit<StoredPayment, 'voided'> & { voided: number })[];
		const keys = db.prepare('SELECT key, transaction_ids AS ids FROM idempotency_keys').all() as {
			key: string;
			ids: string;
		}[];

		return {
			integrity,
			foreignKeyProblems,
			payments: payments.map((row) => ({ ...row, voided: row.voided === 1 })),
			idsByKey: new Map(keys.map((row) => [row.key, JSON.parse(row.ids) as number[]]))
		};
	} finally {
		db.close();
	}
}

/** Copies the five money fields of `row`, to compare rows of different shapes. */
export function sharesOf(row: Shares): Shares {
	return {
		grossCents: row.grossCents,
		clientCents: row.clientCents,
		officeCents: row.officeCents,
		partnerCents: row.partnerCents,
		consultantCents: row.consultantCents
	};
}
