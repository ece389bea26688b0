/**
 * Shared setup of the attack tests. Each test file starts one built app on a temporary
 * database, with an admin, a staff member and a viewer signed in. Raw HTTP requests and
 * snapshots of the database show whether an attack changed anything.
 */
import { createHash } from 'node:crypto';

import Database from 'better-sqlite3';

import { appRouter } from '$lib/server/trpc/router';

import {
	createUser,
	signIn,
	startApp,
	tempDatabase,
	type AppServer,
	type TempDatabase
} from '../reliability/app-server';

export const SIGNED_IN_ROLES = ['admin', 'staff', 'viewer'] as const;
export type SignedInRole = (typeof SIGNED_IN_ROLES)[number];

/** The accounts every attack app starts with, one per role. */
export const ATTACK_USERS: Record<SignedInRole, { email: string; name: string; password: string }> =
	{
		admin: {
			email: 'attack.admin@example.com',
			name: 'Ana Administradora',
			password: 'admin passphrase for attacks'
		},
		staff: {
			email: 'attack.staff@example.com',
			name: 'Sérgio Equipe',
			password: 'staff passphrase for attacks'
		},
		viewer: {
			email: 'attack.viewer@example.com',
			name: 'Vera Leitora',
			password: 'viewer passphrase for attacks'
		}
	};

/**
 * The tables whose rows are the office's data. Sessions and the audit trail are left out
 * because every request may touch them: a session's lastUsedAt, a sign-in's audit row.
 */
export const BUSINESS_TABLES = [
	'clients',
	'cases',
	'people',
	'transactions',
	'users',
	'settings',
	'idempotency_keys',
	'recovery_codes'
] as const;

/** Audit actions that describe a sign-in attempt or a sign-out rather than a change of data. */
export const SIGN_IN_AUDIT_ACTIONS = ['sign_in', 'sign_in_failed', 'sign_out'];

export interface AttackApp {
	server: AppServer;
	origin: string;
	database: TempDatabase;
	/** A connection of the test process to the app's SQLite file, for snapshots and setup. */
	db: Database.Database;
	/** `session=...` Cookie header of each role's user, signed in once at start. */
	cookies: Record<SignedInRole, string>;
	stop(): Promise<void>;
}

export interface AttackAppOptions {
	/** Prefix of the temporary folder, to tell the files of each test file apart. */
	prefix: string;
	/** Extra environment variables for the server, such as LOG_LEVEL. */
	env?: Record<string, string>;
}

/** Creates the three users with the admin CLI, starts `node build` and signs each user in. */
export async function startAttackApp(options: AttackAppOptions): Promise<AttackApp> {
	const database = tempDatabase(options.prefix);
	let server: AppServer | undefined;
	try {
		for (const role of SIGNED_IN_ROLES) {
			await createUser(database.path, { ...ATTACK_USERS[role], role });
		}
		server = await startApp({ databasePath: database.path, env: options.env });
		const cookies = {} as Record<SignedInRole, string>;
		for (const role of SIGNED_IN_ROLES) {
			const user = ATTACK_USERS[role];
			cookies[role] = await signIn(server.origin, user.email, user.password);
		}
		return attackApp(server, database, cookies);
	} catch (error) {
		await server?.kill();
		database.remove();
		throw error;
	}
}

function attackApp(
	server: AppServer,
	database: TempDatabase,
	cookies: Record<SignedInRole, string>
): AttackApp {
	const db = new Database(database.path, { fileMustExist: true });
	db.pragma('busy_timeout = 5000');
	return {
		server,
		origin: server.origin,
		database,
		db,
		cookies,
		stop: async () => {
			db.close();
			await server.kill();
			database.remove();
		}
	};
}

/** SHA-256 (hex) of every row of BUSINESS_TABLES, in rowid order. */
export function snapshotBusinessTables(db: Database.Database): string {
	const hash = createHash('sha256');
	for (const table of BUSINESS_TABLES) {
		const rows = db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all();
		hash.update(`${table}\n${JSON.stringify(rows, encodeBlob)}\n`);
	}
	return hash.digest('hex');
}

// JSON.stringify applies Buffer's toJSON before calling the replacer, so the holder's raw value
// is read to turn blobs into hex.
function encodeBlob(this: Record<string, unknown>, key: string, value: unknown): unknown {
	const raw = this[key];
	return raw instanceof Uint8Array ? Buffer.from(raw).toString('hex') : value;
}

/** Returns the highest audit_log id so far, or 0 when the table is empty. */
export function lastAuditId(db: Database.Database): number {
	const row = db.prepare('SELECT max(id) AS id FROM audit_log').get() as { id: number | null };
	return row.id ?? 0;
}

/** Returns the `action` of every audit row written after the row with id `afterId`, in order. */
export function auditActionsSince(db: Database.Database, afterId: number): string[] {
	const rows = db.prepare('SELECT action FROM audit_log WHERE id > ? ORDER BY id').all(afterId) as {
		action: string;
	}[];
	return rows.map((row) => row.action);
}

/** Returns the audit actions since `afterId` that are not in `allowed`, which an attack caused. */
export function unexpectedAuditActions(
	db: Database.Database,
	afterId: number,
	allowed: readonly string[] = SIGN_IN_AUDIT_ACTIONS
): string[] {
	return auditActionsSince(db, afterId).filter((action) => !allowed.includes(action));
}

export interface RawResponse {
	status: number;
	headers: Headers;
	text: string;
}

/**
 * Sends one request to the app with exactly the given headers and body, without following
 * redirects. Resolves with any status; rejects only on a network error or timeout.
 */
export async function send(
	origin: string,
	path: string,
	init: RequestInit = {}
): Promise<RawResponse> {
	const response = await fetch(`${origin}${path}`, {
		redirect: 'manual',
		signal: AbortSignal.timeout(15_000),
		...init
	});
	return { status: response.status, headers: response.headers, text: await response.text() };
}

/**
 * Returns the signs of a leaked stack trace or server path found in a response body: a
 * `stack` key, an `at file:line` frame, a source or build path. Empty when there is none.
 */
export function stackTraceMarkers(text: string): string[] {
	const patterns: [string, RegExp][] = [
		['stack key', /"stack"\s*:/],
		['stack frame', /\bat \S+ \(?[^\s()]+:\d+:\d+\)?/],
		['node_modules path', /node_modules[\\/]/],
		['source file path', /[\w-]+\.(?:ts|js|svelte):\d+/],
		['absolute build path', /\/(?:build|src|tmp|work|app)\/[\w./-]+\.(?:js|ts)\b/]
	];
	return patterns.filter(([, pattern]) => pattern.test(text)).map(([name]) => name);
}

/** Returns a valid CPF (11 digits) built from the 9-digit `base`, with its two check digits. */
export function validCpf(base: number): string {
	const digits = String(base).padStart(9, '0').split('').map(Number);
	for (const length of [9, 10]) {
		const sum = digits
			.slice(0, length)
			.reduce((total, digit, i) => total + digit * (length + 1 - i), 0);
		const remainder = (sum * 10) % 11;
		digits.push(remainder === 10 ? 0 : remainder);
	}
	return digits.join('');
}

interface ProcedureDef {
	query?: boolean;
	mutation?: boolean;
	inputs: { safeParse(input: unknown): { success: boolean } }[];
}

const procedures = appRouter._def.procedures as unknown as Record<string, { _def: ProcedureDef }>;

/** Every procedure path of appRouter, sorted, such as `clients.create`. */
export const PROCEDURE_PATHS = Object.keys(procedures).sort();

/** Every mutation path of appRouter, sorted. */
export const MUTATION_PATHS = PROCEDURE_PATHS.filter((path) => isMutation(path));

export function isMutation(path: string): boolean {
	return procedures[path]?._def.mutation === true;
}

/** True when the procedure declares an input schema. Without one, tRPC ignores the input. */
export function hasInputSchema(path: string): boolean {
	return (procedures[path]?._def.inputs.length ?? 0) > 0;
}

/**
 * True when the procedure's own input schema accepts `input`. The malformed-input tests send a
 * variant only when this is false, so a variant that happens to be valid is never expected to
 * fail.
 */
export function inputSchemaAccepts(path: string, input: unknown): boolean {
	const parsers = procedures[path]?._def.inputs ?? [];
	return parsers.every((parser) => parser.safeParse(input).success);
}

/**
 * Calls the procedure at `path` over HTTP the way the app's own client does: a POST with JSON
 * for a mutation, a GET with `?input=` for a query.
 */
export function callProcedure(
	origin: string,
	cookie: string | null,
	path: string,
	input: unknown
): Promise<RawResponse> {
	const headers: Record<string, string> = cookie ? { cookie } : {};
	if (isMutation(path)) {
		return send(origin, `/trpc/${path}`, {
			method: 'POST',
			headers: { ...headers, origin, 'content-type': 'application/json' },
			body: input === undefined ? '' : JSON.stringify(input)
		});
	}
	const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
	return send(origin, `/trpc/${path}${query}`, { headers });
}

/** Parses a tRPC response body and returns `result.data`; throws with the body otherwise. */
export function dataOf<T>(response: RawResponse, label: string): T {
	const body = JSON.parse(response.text) as { result?: { data?: T } };
	if (response.status !== 200 || body.result?.data === undefined) {
		throw new Error(
			`${label} failed with status ${response.status}: ${response.text.slice(0, 500)}`
		);
	}
	return body.result.data;
}

/** Returns the tRPC error code (`NOT_FOUND`, `BAD_REQUEST`, ...) of a response, or null. */
export function trpcErrorCode(response: RawResponse): string | null {
	try {
		const body = JSON.parse(response.text) as { error?: { data?: { code?: string } } };
		return body.error?.data?.code ?? null;
	} catch {
		return null;
	}
}
