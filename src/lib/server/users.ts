import { and, asc, eq, ne } from 'drizzle-orm';
import { z } from 'zod';

// Relative imports only: the admin CLI runs this module under tsx, which does not resolve $lib.
import {
	cliActor,
	createdFields,
	recordAuditBy,
	recordChanges,
	USER_AUDIT_FIELDS,
	type AuditActor
} from './audit';
import { checkNewPassword, hashPassword, verifyPassword } from './auth/password';
import { invalidateUserSessions } from './auth/session';
import { writeTransaction, type Db } from './db';
import { sessions, USER_ROLES, users, type User, type UserRole } from './db/schema';

/** Maximum length of an email address in characters, the same as for client and person emails. */
export const MAX_EMAIL_LENGTH = 254;
/** Maximum length of a user's display name, in Unicode code points after trimming. */
export const MAX_NAME_LENGTH = 200;

/** A user row without its password hash and TOTP key, safe to print or send to the browser. */
export type UserSummary = Omit<User, 'passwordHash' | 'totpKey' | 'totpLastStep'>;

/** Form field that a UserError refers to. `userId` is the signed-in user, not a form field. */
export type UserErrorField =
	'email' | 'name' | 'role' | 'password' | 'currentPassword' | 'newPassword' | 'userId';

/**
 * Category of a UserError. `conflict` means that another request changed the same user
 * between the password check and the write.
 */
export type UserErrorReason = 'invalid' | 'duplicate' | 'not_found' | 'incorrect' | 'conflict';

/** A rejected user operation, with the field to show the English message next to. */
export class UserError extends Error {
	readonly field: UserErrorField;
	readonly reason: UserErrorReason;

	constructor(field: UserErrorField, reason: UserErrorReason, message: string) {
		super(message);
		this.name = 'UserError';
		this.field = field;
		this.reason = reason;
	}
}

export interface UserFields {
	email: string;
	name: string;
	role: string;
}

export interface NewUserInput extends UserFields {
	password: string;
}

const summaryColumns = {
	id: users.id,
	email: users.email,
	name: users.name,
	role: users.role,
	disabledAt: users.disabledAt,
	createdAt: users.createdAt,
	totpEnabledAt: users.totpEnabledAt
};

// Line breaks and other control characters in a name would break one-line displays such as
// the admin CLI's table.
const CONTROL_CHARACTERS = /[\p{Cc}\p{Zl}\p{Zp}]/u;

/** Trims and lower-cases an email address, the form in which users.email is stored. */
export function normalizeEmail(email: string): string {
	return email.trim().toLowerCase();
}

/**
 * Validates the email, name and role of a new user and returns them normalized: email trimmed
 * and lower-cased, name trimmed. Throws UserError with reason `invalid` on the first bad field.
 * Does not check for duplicates.
 */
export function validateUserFields(fields: UserFields): {
	email: string;
	name: string;
	role: UserRole;
} {
	const email = normalizeEmail(fields.email);
	if (email.length === 0) {
		throw new UserError('email', 'invalid', 'Email is required.');
	}
	if (email.length > MAX_EMAIL_LENGTH) {
		throw new UserError(
			'email',
			'invalid',
			`Email must have at most ${MAX_EMAIL_LENGTH} characters.`
		);
	}
	if (!z.email().safeParse(email).success) {
		throw new UserError(
			'email',
			'invalid',
			`Invalid email "${email}": expected an address such as name@example.com.`
		);
	}

	const name = fields.name.trim();
	const nameLength = [...name].length;
	if (nameLength === 0) {
		throw new UserError('name', 'invalid', 'Name is required.');
	}
	if (nameLength > MAX_NAME_LENGTH) {
		throw new UserError(
			'name',
			'invalid',
			`Name must have at most ${MAX_NAME_LENGTH} characters (it has ${nameLength}).`
		);
	}
	if (CONTROL_CHARACTERS.test(name)) {
		throw new UserError(
			'name',
			'invalid',
			'Name must not contain line breaks or control characters.'
		);
	}

	return { email, name, role: parseUserRole(fields.role) };
}

/** Returns `role` as a UserRole, or throws UserError with reason `invalid` on field `role`. */
export function parseUserRole(role: string): UserRole {
	if (!isUserRole(role)) {
		throw new UserError('role', 'invalid', `Invalid role "${role}": expected ${describeRoles()}.`);
	}
	return role;
}

/**
 * Returns the user with this email, compared case-insensitively, or null. The row includes
 * passwordHash for sign-in, so never send it to a client as is.
 */
export function findUserByEmail(db: Db, email: string): User | null {
	return (
		db
			.select()
			.from(users)
			.where(eq(users.email, normalizeEmail(email)))
			.get() ?? null
	);
}

/** Returns the user with this email, compared case-insensitively, or throws UserError. */
export function requireUserByEmail(db: Db, email: string): User {
	const user = findUserByEmail(db, email);
	if (!user) {
		throw new UserError('email', 'not_found', `No user has the email ${normalizeEmail(email)}.`);
	}
	return user;
}

/** Throws UserError when a user with this email exists, compared case-insensitively. */
export function assertEmailAvailable(db: Db, email: string): void {
	if (findUserByEmail(db, email)) {
		throw new UserError(
			'email',
			'duplicate',
			`A user with the email ${normalizeEmail(email)} already exists.`
		);
	}
}

/** Returns every user without password hashes, oldest first. */
export function listUsers(db: Db): UserSummary[] {
	return db.select(summaryColumns).from(users).orderBy(asc(users.id)).all();
}

// createUser, setPassword, disableUser, setUserRole, enableUser and revokeUserSessions write
// their audit row in the same transaction as the change. Their `actor` defaults to the admin
// CLI, the only caller that manages other users. A call that changes nothing writes no row.

/**
 * Validates the input, hashes the password and inserts the user. Throws UserError, and writes
 * nothing, when a field is invalid or another user has the same email in any letter case.
 */
export async function createUser(
	db: Db,
	input: NewUserInput,
	actor: AuditActor = cliActor()
): Promise<UserSummary> {
	const fields = validateUserFields(input);
	assertAcceptablePassword('password', input.password);

	const passwordHash = await hashPassword(input.password);

	return writeTransaction(db, (tx) => {
		assertEmailAvailable(tx, fields.email);
		const user = tx
			.insert(users)
			.values({ ...fields, passwordHash })
			.returning(summaryColumns)
			.get();
		recordAuditBy(tx, actor, {
			action: 'create',
			entity: 'user',
			entityId: user.id,
			changes: createdFields(user, USER_AUDIT_FIELDS)
		});
		return user;
	});
}

/**
 * Replaces a user's password and deletes all of that user's sessions, so every device must
 * sign in again. Returns the user and the number of sessions deleted.
 */
export async function setPassword(
	db: Db,
	email: string,
	password: string,
	actor: AuditActor = cliActor()
): Promise<{ user: UserSummary; sessionsEnded: number }> {
	assertAcceptablePassword('password', password);

	const passwordHash = await hashPassword(password);

	return writeTransaction(db, (tx) => {
		const user = requireUserByEmail(tx, email);
		tx.update(users).set({ passwordHash }).where(eq(users.id, user.id)).run();
		const sessionsEnded = invalidateUserSessions(tx, user.id);
		// Neither password nor hash goes into the row, because the action alone records the change.
		recordAuditBy(tx, actor, {
			action: 'password_set',
			entity: 'user',
			entityId: user.id,
			details: { sessionsEnded }
		});
		return { user: toSummary(user), sessionsEnded };
	});
}

/**
 * Blocks sign-in for a user by setting disabledAt, and deletes all of that user's sessions.
 * An already disabled user keeps the original disabledAt, and `alreadyDisabled` is true.
 */
export function disableUser(
	db: Db,
	email: string,
	actor: AuditActor = cliActor()
): { user: UserSummary; sessionsEnded: number; alreadyDisabled: boolean } {
	return writeTransaction(db, (tx) => {
		const user = requireUserByEmail(tx, email);
		const alreadyDisabled = user.disabledAt !== null;
		const disabledAt = user.disabledAt ?? new Date().toISOString();

		if (!alreadyDisabled) {
			tx.update(users).set({ disabledAt }).where(eq(users.id, user.id)).run();
		}
		// Deleted in both cases, because a session created before the user was disabled must
		// not outlive it.
		const sessionsEnded = invalidateUserSessions(tx, user.id);
		if (!alreadyDisabled) {
			recordAuditBy(tx, actor, {
				action: 'disable',
				entity: 'user',
				entityId: user.id,
				changes: { disabledAt: [null, disabledAt] },
				details: { sessionsEnded }
			});
		} else {
			recordSessionsRevoked(tx, actor, user.id, sessionsEnded);
		}
		return { user: toSummary({ ...user, disabledAt }), sessionsEnded, alreadyDisabled };
	});
}

/**
 * Gives a user another role and deletes all of that user's sessions, so that every device signs
 * in again under the new role. A user who already has `role` keeps their sessions, and
 * `unchanged` is true. Throws UserError for an invalid role or an unknown email.
 */
export function setUserRole(
	db: Db,
	email: string,
	role: string,
	actor: AuditActor = cliActor()
): { user: UserSummary; previousRole: UserRole; sessionsEnded: number; unchanged: boolean } {
	const newRole = parseUserRole(role);

	return writeTransaction(db, (tx) => {
		const user = requireUserByEmail(tx, email);
		if (user.role === newRole) {
			return { user: toSummary(user), previousRole: user.role, sessionsEnded: 0, unchanged: true };
		}

		tx.update(users).set({ role: newRole }).where(eq(users.id, user.id)).run();
		const sessionsEnded = invalidateUserSessions(tx, user.id);
		recordAuditBy(tx, actor, {
			action: 'role_set',
			entity: 'user',
			entityId: user.id,
			changes: { role: [user.role, newRole] },
			details: { sessionsEnded }
		});
		return {
			user: toSummary({ ...user, role: newRole }),
			previousRole: user.role,
			sessionsEnded,
			unchanged: false
		};
	});
}

/** Clears disabledAt so the user can sign in again. `alreadyEnabled` is true if it was null. */
export function enableUser(
	db: Db,
	email: string,
	actor: AuditActor = cliActor()
): { user: UserSummary; alreadyEnabled: boolean } {
	return writeTransaction(db, (tx) => {
		const user = requireUserByEmail(tx, email);
		const alreadyEnabled = user.disabledAt === null;

		if (!alreadyEnabled) {
			tx.update(users).set({ disabledAt: null }).where(eq(users.id, user.id)).run();
			recordChanges(
				tx,
				actor,
				{ action: 'enable', entity: 'user', entityId: user.id },
				user,
				{ disabledAt: null },
				['disabledAt']
			);
		}
		return { user: toSummary({ ...user, disabledAt: null }), alreadyEnabled };
	});
}

/**
 * Deletes all sessions of the user with this email, so every device must sign in again.
 * Returns the user and the number of sessions deleted. Throws UserError for an unknown email.
 */
export function revokeUserSessions(
	db: Db,
	email: string,
	actor: AuditActor = cliActor()
): { user: UserSummary; sessionsEnded: number } {
	return writeTransaction(db, (tx) => {
		const user = requireUserByEmail(tx, email);
		const sessionsEnded = invalidateUserSessions(tx, user.id);
		recordSessionsRevoked(tx, actor, user.id, sessionsEnded);
		return { user: toSummary(user), sessionsEnded };
	});
}

// A user without sessions had nothing revoked, so no row is written for them.
function recordSessionsRevoked(
	tx: Db,
	actor: AuditActor,
	userId: number,
	sessionsEnded: number
): void {
	if (sessionsEnded === 0) return;
	recordAuditBy(tx, actor, {
		action: 'sessions_revoked',
		entity: 'user',
		entityId: userId,
		details: { sessionsEnded }
	});
}

/**
 * Changes the signed-in user's password after verifying the current one, then deletes the
 * user's other sessions. The session `keepSessionId` (the one making the request) survives.
 * Throws UserError on `currentPassword` when it does not match, and on `newPassword` when the
 * new one is too short or too long. Nothing is written when it throws.
 */
export async function changeOwnPassword(
	db: Db,
	userId: number,
	currentPassword: string,
	newPassword: string,
	keepSessionId?: string,
	// Runs inside the transaction after the write, so the caller's audit row commits with it.
	onChanged?: (tx: Db) => void
): Promise<{ sessionsEnded: number }> {
	const user = db.select().from(users).where(eq(users.id, userId)).get();
	if (!user) {
		throw new UserError('userId', 'not_found', `User ${userId} does not exist.`);
	}
	if (!(await verifyPassword(user.passwordHash, currentPassword))) {
		throw new UserError('currentPassword', 'incorrect', 'Current password is incorrect.');
	}
	assertAcceptablePassword('newPassword', newPassword);

	const passwordHash = await hashPassword(newPassword);

	return writeTransaction(db, (tx) => {
		// The hash was verified outside the transaction, so compare it again: if an administrator
		// set a new password meanwhile, the verified current password is no longer current.
		const stored = tx
			.select({ passwordHash: users.passwordHash })
			.from(users)
			.where(eq(users.id, userId))
			.get();
		if (!stored) {
			throw new UserError('userId', 'not_found', `User ${userId} does not exist.`);
		}
		if (stored.passwordHash !== user.passwordHash) {
			throw new UserError(
				'currentPassword',
				'conflict',
				'The password was changed by another request. Enter the new current password.'
			);
		}

		tx.update(users).set({ passwordHash }).where(eq(users.id, userId)).run();
		const sessionsEnded = deleteOtherSessions(tx, userId, keepSessionId);
		onChanged?.(tx);
		return { sessionsEnded };
	});
}

function deleteOtherSessions(db: Db, userId: number, keepSessionId: string | undefined): number {
	if (keepSessionId === undefined) {
		return invalidateUserSessions(db, userId);
	}
	return db
		.delete(sessions)
		.where(and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)))
		.run().changes;
}

function assertAcceptablePassword(field: 'password' | 'newPassword', password: string): void {
	const problem = checkNewPassword(password);
	if (problem) {
		throw new UserError(field, 'invalid', problem);
	}
}

function isUserRole(role: string): role is UserRole {
	return (USER_ROLES as readonly string[]).includes(role);
}

/** Lists the roles for messages: `admin, staff or viewer`. */
function describeRoles(): string {
	return `${USER_ROLES.slice(0, -1).join(', ')} or ${USER_ROLES.at(-1)}`;
}

function toSummary(user: User): UserSummary {
	const { id, email, name, role, disabledAt, createdAt, totpEnabledAt } = user;
	return { id, email, name, role, disabledAt, createdAt, totpEnabledAt };
}
