import type { ParseArgsConfig } from 'node:util';

import type { Db } from '../../src/lib/server/db';
import {
	assertEmailAvailable,
	createUser,
	disableUser,
	enableUser,
	listUsers,
	requireUserByEmail,
	setPassword,
	validateUserFields,
	type UserSummary
} from '../../src/lib/server/users';
import { readNewPassword } from './password-input';
import { UsageError } from './usage';

/** Option values as node:util parseArgs returns them for string and boolean options. */
export type OptionValues = Record<string, string | boolean | undefined>;

export interface CommandContext {
	options: OptionValues;
	/** Opens the database on first call. Commands validate their options before calling it. */
	database(): Db;
}

export interface Command {
	options: NonNullable<ParseArgsConfig['options']>;
	run(context: CommandContext): Promise<void> | void;
}

const emailOption = { email: { type: 'string' } } as const;
const passwordStdinOption = { 'password-stdin': { type: 'boolean' } } as const;

/** The commands of `pnpm admin`, by name. `help` is handled before dispatch. */
export const COMMANDS: Record<string, Command> = {
	'add-user': {
		options: {
			...emailOption,
			name: { type: 'string' },
			role: { type: 'string' },
			...passwordStdinOption
		},
		run: addUser
	},
	'list-users': { options: {}, run: printUserList },
	'set-password': { options: { ...emailOption, ...passwordStdinOption }, run: changePassword },
	'disable-user': { options: emailOption, run: disableUserCommand },
	'enable-user': { options: emailOption, run: enableUserCommand }
};

async function addUser({ options, database }: CommandContext): Promise<void> {
	const fields = validateUserFields({
		email: requireOption(options, 'email'),
		name: requireOption(options, 'name'),
		role: optionalString(options, 'role') ?? 'staff'
	});
	const db = database();

	// Checked before the prompt so the operator does not type a password for nothing.
	// createUser checks again inside its transaction.
	assertEmailAvailable(db, fields.email);

	const password = await readNewPassword(options['password-stdin'] === true);
	const user = await createUser(db, { ...fields, password });
	console.log(`Created ${user.role} user ${user.email} (id ${user.id}).`);
}

function printUserList({ database }: CommandContext): void {
	const users = listUsers(database());
	if (users.length === 0) {
		console.log('No users yet. Create the first administrator with:');
		console.log('  pnpm admin add-user --email you@example.com --name "Your Name" --role admin');
		return;
	}

	const header = ['ID', 'EMAIL', 'NAME', 'ROLE', 'STATUS', 'CREATED (UTC)'];
	console.log(formatTable(header, users.map(toTableRow)));
}

async function changePassword({ options, database }: CommandContext): Promise<void> {
	const email = requireOption(options, 'email');
	const db = database();

	// Checked before the prompt, like the email of add-user.
	requireUserByEmail(db, email);

	const password = await readNewPassword(options['password-stdin'] === true);
	const { user, sessionsEnded } = await setPassword(db, email, password);
	console.log(
		`Changed the password of ${user.email} (id ${user.id}) and ended ${countSessions(sessionsEnded)}.`
	);
}

function disableUserCommand({ options, database }: CommandContext): void {
	const email = requireOption(options, 'email');

	const { user, sessionsEnded, alreadyDisabled } = disableUser(database(), email);
	const ended = countSessions(sessionsEnded);
	if (alreadyDisabled) {
		console.log(`User ${user.email} (id ${user.id}) was already disabled. Ended ${ended}.`);
	} else {
		console.log(`Disabled user ${user.email} (id ${user.id}) and ended ${ended}.`);
	}
}

function enableUserCommand({ options, database }: CommandContext): void {
	const email = requireOption(options, 'email');

	const { user, alreadyEnabled } = enableUser(database(), email);
	if (alreadyEnabled) {
		console.log(`User ${user.email} (id ${user.id}) is already enabled, so nothing changed.`);
	} else {
		console.log(`Enabled user ${user.email} (id ${user.id}).`);
	}
}

function requireOption(options: OptionValues, name: string): string {
	const value = optionalString(options, name);
	if (value === undefined) {
		throw new UsageError(`Missing required option --${name}.`);
	}
	return value;
}

function optionalString(options: OptionValues, name: string): string | undefined {
	const value = options[name];
	return typeof value === 'string' ? value : undefined;
}

function countSessions(count: number): string {
	return count === 1 ? '1 session' : `${count} sessions`;
}

function toTableRow(user: UserSummary): string[] {
	return [
		String(user.id),
		user.email,
		user.name,
		user.role,
		user.disabledAt === null ? 'active' : 'disabled',
		// Drops the milliseconds of the stored ISO timestamp: 2026-12-04T16:37:25Z.
		user.createdAt.replace(/\.\d+Z$/u, 'Z')
	];
}

/** Lays out rows in columns padded to the widest cell, counting code points. */
function formatTable(header: string[], rows: string[][]): string {
	const widths = header.map((title, column) =>
		Math.max(codePointLength(title), ...rows.map((row) => codePointLength(row[column] ?? '')))
	);
	const formatRow = (cells: string[]): string =>
		cells
			.map((cell, column) => cell + ' '.repeat((widths[column] ?? 0) - codePointLength(cell)))
			.join('  ')
			.trimEnd();

	return [header, ...rows].map(formatRow).join('\n');
}

function codePointLength(text: string): number {
	return [...text].length;
}
