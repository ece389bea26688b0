import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { hashPassword, verifyPassword } from '../../src/lib/server/auth/password';
import { createSession, sessionIdOf } from '../../src/lib/server/auth/session';
import { openDatabase, type Db } from '../../src/lib/server/db';
import { sessions, users } from '../../src/lib/server/db/schema';
import {
	changeOwnPassword,
	createUser,
	disableUser,
	enableUser,
	findUserByEmail,
	listUsers,
	normalizeEmail,
	setPassword,
	UserError,
	type NewUserInput,
	type UserErrorField,
	type UserErrorReason
} from '../../src/lib/server/users';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../drizzle', import.meta.url));
const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'another long passphrase';

let tempDir: string;
let db: Db;

beforeEach(() => {
	tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'case-ledger-users-'));
	db = openDatabase(path.join(tempDir, 'ledger.db'), { migrationsDir: MIGRATIONS_DIR });
});

afterEach(() => {
	db.$client.close();
	fs.rmSync(tempDir, { recursive: true, force: true });
});

function newUser(overrides: Partial<NewUserInput> = {}): NewUserInput {
	return {
		email: 'ana@example.com',
		name: 'Ana Souza',
		role: 'staff',
		password: PASSWORD,
		...overrides
	};
}

/** Awaits `action` and returns the UserError it throws. Fails the test on success or another error. */
async function catchUserError(action: () => unknown): Promise<UserError> {
	try {
		await action();
	} catch (error) {
		expect(error).toBeInstanceOf(UserError);
		return error as UserError;
	}
	throw new Error('Expected a UserError, but the call succeeded.');
}

function storedHash(userId: number): string | undefined {
	return db.select().from(users).where(eq(users.id, userId)).get()?.passwordHash;
}

function sessionIdsOf(userId: number): string[] {
	return db
		.select({ id: sessions.id })
		.from(sessions)
		.where(eq(sessions.userId, userId))
		.all()
		.map((row) => row.id)
		.sort();
}

function openSessions(userId: number, count: number): string[] {
	const ids: string[] = [];
	for (let i = 0; i < count; i++) {
		ids.push(sessionIdOf(createSession(db, userId).token) ?? '');
	}
	return ids.sort();
}

describe('normalizeEmail', () => {
	it.each([
		['ana@example.com', 'ana@example.com'],
		['  Ana@Example.COM\t', 'ana@example.com'],
		['\nBEA@EXAMPLE.COM.BR ', 'bea@example.com.br']
	])('normalizes %j', (input, expected) => {
		expect(normalizeEmail(input)).toBe(expected);
	});
});

describe('createUser', () => {
	it('stores normalized fields and argon2id hash', async () => {
		const user = await createUser(
			db,
			newUser({ email: ' Ana@Example.com ', name: '  Ana Souza ', role: 'admin' })
		);

		expect(user.id).toBe(1);
		expect(user.email).toBe('ana@example.com');
		expect(user.name).toBe('Ana Souza');
		expect(user.role).toBe('admin');
		expect(user.disabledAt).toBeNull();
		expect(user.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/u);
		expect(user).not.toHaveProperty('passwordHash');

		const hash = storedHash(user.id) ?? '';
		expect(hash.startsWith('$argon2id$')).toBe(true);
		expect(await verifyPassword(hash, PASSWORD)).toBe(true);
	});

	it('rejects duplicate email in any case', async () => {
		await createUser(db, newUser());

		const error = await catchUserError(() =>
			createUser(db, newUser({ email: 'ANA@EXAMPLE.com', name: 'Other Ana' }))
		);

		expect(error.field).toBe('email');
		expect(error.reason).toBe('duplicate');
		expect(error.message).toBe('A user with the email ana@example.com already exists.');
		expect(listUsers(db).map((user) => user.name)).toEqual(['Ana Souza']);
	});

	it.each<{ case: string; input: Partial<NewUserInput>; field: UserErrorField; message: string }>([
		{
			case: 'blank email',
			input: { email: '  ' },
			field: 'email',
			message: 'Email is required.'
		},
		{
			case: 'email without domain',
			input: { email: 'ana@' },
			field: 'email',
			message: 'Invalid email "ana@": expected an address such as name@example.com.'
		},
		{
			case: 'overlong email',
			input: { email: `${'a'.repeat(243)}@example.com` },
			field: 'email',
			message: 'Email must have at most 254 characters.'
		},
		{ case: 'blank name', input: { name: ' \t ' }, field: 'name', message: 'Name is required.' },
		{
			case: 'overlong name',
			input: { name: 'é'.repeat(201) },
			field: 'name',
			message: 'Name must have at most 200 characters (it has 201).'
		},
		{
			case: 'name with newline',
			input: { name: 'Ana\nSouza' },
			field: 'name',
			message: 'Name must not contain line breaks or control characters.'
		},
		{
			case: 'unknown role',
			input: { role: 'owner' },
			field: 'role',
			message: 'Invalid role "owner": expected admin, staff or viewer.'
		},
		{
			case: 'short password',
			input: { password: 'eleven char' },
			field: 'password',
			message: 'Password must have at least 12 characters (it has 11).'
		},
		{
			case: 'overlong password',
			input: { password: 'x'.repeat(257) },
			field: 'password',
			message: 'Password must have at most 256 characters (it has 257).'
		}
	])('rejects $case', async ({ input, field, message }) => {
		const error = await catchUserError(() => createUser(db, newUser(input)));

		expect(error.field).toBe(field);
		expect(error.reason).toBe('invalid');
		expect(error.message).toBe(message);
		expect(listUsers(db)).toEqual([]);
	});

	it('accepts 200-character name', async () => {
		const user = await createUser(db, newUser({ name: 'é'.repeat(200) }));

		expect([...user.name]).toHaveLength(200);
	});
});

describe('findUserByEmail and listUsers', () => {
	it('finds user ignoring case', async () => {
		const created = await createUser(db, newUser());

		expect(findUserByEmail(db, '  ANA@example.COM ')?.id).toBe(created.id);
		expect(findUserByEmail(db, 'bea@example.com')).toBeNull();
	});

	it('lists users by id without hashes', async () => {
		await createUser(db, newUser({ email: 'zoe@example.com', name: 'Zoe' }));
		await createUser(db, newUser({ email: 'ana@example.com', name: 'Ana', role: 'admin' }));

		const listed = listUsers(db);

		expect(listed.map((user) => [user.id, user.email, user.role])).toEqual([
			[1, 'zoe@example.com', 'staff'],
			[2, 'ana@example.com', 'admin']
		]);
		for (const user of listed) {
			expect(user).not.toHaveProperty('passwordHash');
		}
	});
});

describe('setPassword', () => {
	it('replaces hash and ends sessions', async () => {
		const ana = await createUser(db, newUser());
		const bea = await createUser(db, newUser({ email: 'bea@example.com' }));
		openSessions(ana.id, 2);
		const beaSessions = openSessions(bea.id, 1);

		const result = await setPassword(db, 'Ana@Example.com', NEW_PASSWORD);

		expect(result.sessionsEnded).toBe(2);
		expect(result.user.id).toBe(ana.id);
		expect(result.user).not.toHaveProperty('passwordHash');
		expect(await verifyPassword(storedHash(ana.id) ?? '', NEW_PASSWORD)).toBe(true);
		expect(await verifyPassword(storedHash(ana.id) ?? '', PASSWORD)).toBe(false);
		expect(sessionIdsOf(ana.id)).toEqual([]);
		expect(sessionIdsOf(bea.id)).toEqual(beaSessions);
	});

	it.each<{
		case: string;
		email: string;
		password: string;
		field: UserErrorField;
		reason: UserErrorReason;
	}>([
		{
			case: 'unknown email',
			email: 'ghost@example.com',
			password: NEW_PASSWORD,
			field: 'email',
			reason: 'not_found'
		},
		{
			case: 'short password',
			email: 'ana@example.com',
			password: 'short',
			field: 'password',
			reason: 'invalid'
		}
	])('rejects $case, changes nothing', async ({ email, password, field, reason }) => {
		const ana = await createUser(db, newUser());
		const hashBefore = storedHash(ana.id);
		const anaSessions = openSessions(ana.id, 1);

		const error = await catchUserError(() => setPassword(db, email, password));

		expect(error.field).toBe(field);
		expect(error.reason).toBe(reason);
		expect(storedHash(ana.id)).toBe(hashBefore);
		expect(sessionIdsOf(ana.id)).toEqual(anaSessions);
	});
});

describe('disableUser and enableUser', () => {
	it('disable sets disabledAt, ends sessions', async () => {
		const ana = await createUser(db, newUser());
		openSessions(ana.id, 3);

		const result = disableUser(db, 'ANA@example.com');

		expect(result.alreadyDisabled).toBe(false);
		expect(result.sessionsEnded).toBe(3);
		expect(result.user.disabledAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/u);
		expect(findUserByEmail(db, 'ana@example.com')?.disabledAt).toBe(result.user.disabledAt);
		expect(sessionIdsOf(ana.id)).toEqual([]);
	});

	it('disable twice keeps first disabledAt', async () => {
		const ana = await createUser(db, newUser());
		const first = disableUser(db, 'ana@example.com');
		// A session row written by a request that raced the first disable.
		openSessions(ana.id, 1);

		const second = disableUser(db, 'ana@example.com');

		expect(second.alreadyDisabled).toBe(true);
		expect(second.sessionsEnded).toBe(1);
		expect(second.user.disabledAt).toBe(first.user.disabledAt);
		expect(findUserByEmail(db, 'ana@example.com')?.disabledAt).toBe(first.user.disabledAt);
	});

	it('enable clears disabledAt', async () => {
		await createUser(db, newUser());
		disableUser(db, 'ana@example.com');

		const enabled = enableUser(db, 'ana@example.com');
		const again = enableUser(db, 'ana@example.com');

		expect(enabled.alreadyEnabled).toBe(false);
		expect(enabled.user.disabledAt).toBeNull();
		expect(again.alreadyEnabled).toBe(true);
		expect(findUserByEmail(db, 'ana@example.com')?.disabledAt).toBeNull();
	});

	it.each([
		['disableUser', () => disableUser(db, 'ghost@example.com')],
		['enableUser', () => enableUser(db, 'ghost@example.com')]
	])('%s rejects unknown email', async (_name, action) => {
		const error = await catchUserError(action);

		expect(error.field).toBe('email');
		expect(error.reason).toBe('not_found');
		expect(error.message).toBe('No user has the email ghost@example.com.');
	});
});

describe('changeOwnPassword', () => {
	it('rejects wrong current password', async () => {
		const ana = await createUser(db, newUser());
		const hashBefore = storedHash(ana.id);
		const anaSessions = openSessions(ana.id, 2);

		const error = await catchUserError(() =>
			changeOwnPassword(db, ana.id, 'not the password', NEW_PASSWORD, anaSessions[0])
		);

		expect(error.field).toBe('currentPassword');
		expect(error.reason).toBe('incorrect');
		expect(error.message).toBe('Current password is incorrect.');
		expect(storedHash(ana.id)).toBe(hashBefore);
		expect(sessionIdsOf(ana.id)).toEqual(anaSessions);
	});

	it('rejects short new password', async () => {
		const ana = await createUser(db, newUser());
		const hashBefore = storedHash(ana.id);

		const error = await catchUserError(() => changeOwnPassword(db, ana.id, PASSWORD, 'short'));

		expect(error.field).toBe('newPassword');
		expect(error.reason).toBe('invalid');
		expect(storedHash(ana.id)).toBe(hashBefore);
	});

	it('keeps the current session only', async () => {
		const ana = await createUser(db, newUser());
		const bea = await createUser(db, newUser({ email: 'bea@example.com' }));
		const anaSessions = openSessions(ana.id, 3);
		const beaSessions = openSessions(bea.id, 1);
		const current = anaSessions[1] ?? '';

		const result = await changeOwnPassword(db, ana.id, PASSWORD, NEW_PASSWORD, current);

		expect(result.sessionsEnded).toBe(2);
		expect(sessionIdsOf(ana.id)).toEqual([current]);
		expect(sessionIdsOf(bea.id)).toEqual(beaSessions);
		expect(await verifyPassword(storedHash(ana.id) ?? '', NEW_PASSWORD)).toBe(true);
	});

	it('ends all sessions without keepSessionId', async () => {
		const ana = await createUser(db, newUser());
		openSessions(ana.id, 2);

		const result = await changeOwnPassword(db, ana.id, PASSWORD, NEW_PASSWORD);

		expect(result.sessionsEnded).toBe(2);
		expect(sessionIdsOf(ana.id)).toEqual([]);
	});

	it('rejects password changed meanwhile', async () => {
		const ana = await createUser(db, newUser());
		const adminHash = await hashPassword(NEW_PASSWORD);
		const anaSessions = openSessions(ana.id, 1);

		// changeOwnPassword reads the hash synchronously, then awaits the Argon2 check, so this
		// update lands between that read and its write transaction.
		const pending = changeOwnPassword(db, ana.id, PASSWORD, 'third long passphrase');
		db.update(users).set({ passwordHash: adminHash }).where(eq(users.id, ana.id)).run();
		const error = await catchUserError(() => pending);

		expect(error.field).toBe('currentPassword');
		expect(error.reason).toBe('conflict');
		expect(storedHash(ana.id)).toBe(adminHash);
		expect(sessionIdsOf(ana.id)).toEqual(anaSessions);
	});

	it('rejects unknown user id', async () => {
		const error = await catchUserError(() => changeOwnPassword(db, 99, PASSWORD, NEW_PASSWORD));

		expect(error.field).toBe('userId');
		expect(error.reason).toBe('not_found');
	});
});

describe('failed password write', () => {
	it('error message omits hash', async () => {
		const ana = await createUser(db, newUser());
		const hashBefore = storedHash(ana.id);
		db.$client.exec(
			"CREATE TRIGGER fail_update BEFORE UPDATE ON users BEGIN SELECT RAISE(ABORT, 'simulated failure'); END"
		);

		const failure = await setPassword(db, 'ana@example.com', NEW_PASSWORD).then(
			() => null,
			(error: unknown) => error
		);

		expect(failure).toBeInstanceOf(Error);
		expect((failure as Error).message).toBe('simulated failure');
		expect(failure).not.toHaveProperty('params');
		expect(String((failure as Error).stack)).not.toContain('$argon2id$');
		expect(storedHash(ana.id)).toBe(hashBefore);
	});
});
