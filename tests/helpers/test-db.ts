import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import pino from 'pino';
import { expect } from 'vitest';
import { ZodError } from 'zod';

import { computeCnjCheckDigits } from '$lib/domain/cnj';
import { validateCpf } from '$lib/domain/cpf';
import { normalizeSearchText } from '$lib/domain/search-text';
import { openDatabase, type Db } from '$lib/server/db';
import { cases, clients, people, transactions, users, type UserRole } from '$lib/server/db/schema';
import type { SessionUser } from '$lib/server/auth/session';
import { createCallerFactory, type FieldIssue } from '$lib/server/trpc/t';
import { appRouter } from '$lib/server/trpc/router';

export const MIGRATIONS_DIR = path.resolve('drizzle');

export interface TestDb {
	db: Db;
	file: string;
	close(): void;
}

/** Opens a new, migrated SQLite file in a temporary folder; close() removes it. */
export function createTestDb(): TestDb {
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'case-ledger-test-'));
	const file = path.join(folder, 'test.db');
	const db = openDatabase(file, { migrationsDir: MIGRATIONS_DIR });
	return {
		db,
		file,
		close() {
			db.$client.close();
			fs.rmSync(folder, { recursive: true, force: true });
		}
	};
}

const silentLog = pino({ level: 'silent' });
const createCaller = createCallerFactory(appRouter);

/** A tRPC caller that runs the real routers as `user` (or signed out when null). */
export function callerFor(db: Db, user: SessionUser | null, sessionId: string | null = null) {
	return createCaller({ db, user, sessionId, requestId: 'test', log: silentLog });
}

export type Caller = ReturnType<typeof callerFor>;

let sequence = 0;
function next(): number {
	sequence += 1;
	return sequence;
}

/** Inserts a user row directly (no Argon2 cost) and returns it as a session user. */
export function insertUser(db: Db, role: UserRole = 'staff'): SessionUser {
	const n = next();
	const row = db
		.insert(users)
		.values({ email: `user${n}@example.com`, name: `User ${n}`, passwordHash: 'x', role })
		.returning()
		.get();
	return { id: row.id, email: row.email, name: row.name, role: row.role };
}

/** Valid CPFs, for factories that need distinct documents. */
export const VALID_CPFS = ['52998224725', '11144477735', '39053344705', '12345678909'];
/** Valid CNPJs, numeric and alphanumeric. */
export const VALID_CNPJS = ['11222333000181', '12ABC34501DE35'];

export function insertClient(
	db: Db,
	values: Partial<typeof clients.$inferInsert> = {}
): typeof clients.$inferSelect {
	const n = next();
	const name = values.name ?? `Client ${n}`;
	return db
		.insert(clients)
		.values({
			kind: 'person',
			name,
			nameSearch: normalizeSearchText(name),
			document: String(10_000_000_000 + n),
			...values
		})
		.returning()
		.get();
}

export function insertPerson(
	db: Db,
	role: 'partner' | 'consultant',
	values: Partial<typeof people.$inferInsert> = {}
): typeof people.$inferSelect {
	return db
		.insert(people)
		.values({ role, name: `${role} ${next()}`, ...values })
		.returning()
		.get();
}

export function insertCase(
	db: Db,
	values: Partial<typeof cases.$inferInsert> & { clientId: number; partnerId: number }
): typeof cases.$inferSelect {
	const title = values.title ?? `Case ${next()}`;
	return db
		.insert(cases)
		.values({
			actionType: 'civil',
			title,
			titleSearch: normalizeSearchText(title),
			openedOn: '2026-01-15',
			...values
		})
		.returning()
		.get();
}

/**
 * Inserts a payment row directly, without the router. The defaults are a valid split of
 * R$ 100,00 at a 30% fee and a 50% partner share, without a consultant, received on
 * 2026-01-15. Tests that change the gross also pass shares that add up to it.
 */
export function insertTransaction(
	db: Db,
	values: Partial<typeof transactions.$inferInsert> & {
		caseId: number;
		partnerId: number;
		createdBy: number;
	}
): typeof transactions.$inferSelect {
	return db
		.insert(transactions)
		.values({
			receivedOn: '2026-01-15',
			valueType: 'provided_amount',
			grossCents: 10_000,
			clientCents: 7000,
			officeCents: 1500,
			partnerCents: 1500,
			consultantCents: 0,
			feeBps: 3000,
			partnerShareBps: 5000,
			consultantCommissionBps: 0,
			...values
		})
		.returning()
		.get();
}

/** Returns every row of every app table, to assert that a failed call changed nothing. */
export function snapshot(db: Db): Record<string, unknown[]> {
	const tables = db.$client
		.prepare(
			"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name"
		)
		.all() as { name: string }[];
	return Object.fromEntries(
		tables.map(({ name }) => [name, db.$client.prepare(`SELECT * FROM "${name}"`).all()])
	);
}

/**
 * Returns a valid CPF whose first 9 digits are `seed` padded with zeros, so distinct seeds
 * give distinct CPFs. Throws RangeError for a seed of one repeated digit (111111111, say).
 */
export function makeCpf(seed: number): string {
	const base = String(seed).padStart(9, '0');

	for (let check = 0; check < 100; check++) {
		const cpf = base + String(check).padStart(2, '0');
		if (validateCpf(cpf).ok) return cpf;
	}
	throw new RangeError(`No valid CPF starts with ${base}`);
}

/** Returns a valid, formatted CNJ number with `sequence` (up to 7 digits) filed in `year`. */
export function makeCnj(sequence: number, year = 2024): string {
	const padded = String(sequence).padStart(7, '0');
	const checkDigits = computeCnjCheckDigits(padded, year, 8, 26, 100);
	return `${padded}-${checkDigits}.${year}.8.26.0100`;
}

/**
 * Runs `call`, expects it to reject with a TRPCError of `code`, and checks that no table
 * changed. Returns the error for further checks.
 */
export async function expectFailure(
	db: Db,
	call: () => Promise<unknown>,
	code: TRPC_ERROR_CODE_KEY
): Promise<TRPCError> {
	const before = snapshot(db);

	const error = await call().then(
		() => null,
		(reason: unknown) => reason
	);

	expect(error, 'the call should have failed').toBeInstanceOf(TRPCError);
	expect((error as TRPCError).code).toBe(code);
	expect(snapshot(db)).toEqual(before);
	return error as TRPCError;
}

/**
 * Expects `call` to fail validation without writing, and returns the `data.issues` that the
 * app's error formatter puts on the response.
 */
export async function expectInvalid(db: Db, call: () => Promise<unknown>): Promise<FieldIssue[]> {
	const error = await expectFailure(db, call, 'BAD_REQUEST');

	expect(error.cause).toBeInstanceOf(ZodError);
	return errorShapeOf(error).data.issues ?? [];
}

/** Formats `error` with the app's error formatter, as an HTTP response would carry it. */
export function errorShapeOf(error: TRPCError) {
	return appRouter.getErrorShape({
		error,
		type: 'unknown',
		path: undefined,
		input: undefined,
		ctx: undefined
	});
}
