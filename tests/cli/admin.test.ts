import { describe, it } from 'vitest';

import { verifyPassword } from '../../src/lib/server/auth/password';
import { PASSWORD, Sandbox } from './admin-sandbox';

const OTHER_PASSWORD = 'another long passphrase';
const HELP_HINT = 'Run "pnpm admin help" to see the commands and their options.';

describe.concurrent('admin add-user', () => {
	it('creates user shown by list-users', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);

		const added = await sandbox.addUser('ana@example.com', 'Ana Souza', ['--role', 'admin']);

		expect(added.stderr).toBe('');
		expect(added.status).toBe(0);
		expect(added.stdout).toBe('Created admin user ana@example.com (id 1).\n');

		const listed = await sandbox.admin(['list-users']);
		expect(listed.status).toBe(0);
		const lines = listed.stdout.trimEnd().split('\n');
		expect(lines).toHaveLength(2);
		expect(lines[0]?.split(/\s{2,}/u)).toEqual([
			'ID',
			'EMAIL',
			'NAME',
			'ROLE',
			'STATUS',
			'2FA',
			'CREATED (UTC)'
		]);
		const cells = lines[1]?.split(/\s{2,}/u) ?? [];
		expect(cells.slice(0, 6)).toEqual([
			'1',
			'ana@example.com',
			'Ana Souza',
			'admin',
			'active',
			'off'
		]);
		expect(cells[6]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/u);
	});

	it('stores argon2id hash, never the password', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);

		const added = await sandbox.addUser('  Bea@Example.COM ', '  Bea Lima  ');

		expect(added.status).toBe(0);
		expect(added.stdout).toBe('Created staff user bea@example.com (id 1).\n');
		expect(added.stdout).not.toContain(PASSWORD);
		expect(added.stderr).not.toContain(PASSWORD);

		const user = sandbox.readUser('bea@example.com');
		expect(user?.name).toBe('Bea Lima');
		expect(user?.role).toBe('staff');
		expect(user?.disabled_at).toBeNull();
		expect(user?.password_hash.startsWith('$argon2id$')).toBe(true);
		expect(user?.password_hash).not.toContain(PASSWORD);
		expect(await verifyPassword(user?.password_hash ?? '', PASSWORD)).toBe(true);
	});

	it('creates viewer with --role viewer', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);

		const added = await sandbox.addUser('vera@example.com', 'Vera Leitora', ['--role', 'viewer']);

		expect(added.stderr).toBe('');
		expect(added.status).toBe(0);
		expect(added.stdout).toBe('Created viewer user vera@example.com (id 1).\n');
		expect(sandbox.readUser('vera@example.com')?.role).toBe('viewer');

		const listed = await sandbox.admin(['list-users']);
		expect(listed.stdout).toMatch(/vera@example\.com\s+Vera Leitora\s+viewer\s+active/u);
	});

	it('runs first-administrator command via pnpm', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);

		const result = await sandbox.shell(
			'pnpm admin add-user --email you@example.com --name "Your Name" --role admin --password-stdin',
			`${PASSWORD}\n`
		);

		expect(result.stderr).toBe('');
		expect(result.status).toBe(0);
		expect(result.stdout).toContain('Created admin user you@example.com (id 1).');
		expect(sandbox.readUser('you@example.com')?.name).toBe('Your Name');
	});

	it('rejects duplicate email in other case', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		expect((await sandbox.addUser('ana@example.com', 'Ana Souza')).status).toBe(0);
		const hashBefore = sandbox.readUser('ana@example.com')?.password_hash;

		const duplicate = await sandbox.addUser('ANA@example.com', 'Another Ana');

		expect(duplicate.status).toBe(1);
		expect(duplicate.stderr).toBe('Error: A user with the email ana@example.com already exists.\n');
		expect(duplicate.stdout).toBe('');
		const users = sandbox.readUsers();
		expect(users).toHaveLength(1);
		expect(users[0]?.name).toBe('Ana Souza');
		expect(users[0]?.password_hash).toBe(hashBefore);
	});

	it.for([
		{
			case: 'short password',
			args: ['--email', 'ana@example.com', '--name', 'Ana'],
			stdin: 'short\n',
			message: 'Error: Password must have at least 12 characters (it has 5).\n'
		},
		{
			case: 'invalid email',
			args: ['--email', 'ana.example.com', '--name', 'Ana'],
			stdin: `${PASSWORD}\n`,
			message:
				'Error: Invalid email "ana.example.com": expected an address such as name@example.com.\n'
		},
		{
			case: 'blank name',
			args: ['--email', 'ana@example.com', '--name', '   '],
			stdin: `${PASSWORD}\n`,
			message: 'Error: Name is required.\n'
		},
		{
			case: 'unknown role',
			args: ['--email', 'ana@example.com', '--name', 'Ana', '--role', 'owner'],
			stdin: `${PASSWORD}\n`,
			message: 'Error: Invalid role "owner": expected admin, staff or viewer.\n'
		},
		{
			case: 'empty stdin',
			args: ['--email', 'ana@example.com', '--name', 'Ana'],
			stdin: '',
			message: 'Error: Standard input is empty. Pipe in the password as one line.\n'
		},
		{
			case: 'two stdin lines',
			args: ['--email', 'ana@example.com', '--name', 'Ana'],
			stdin: `${PASSWORD}\n${PASSWORD}\n`,
			message:
				'Error: Standard input has more than one line. Pipe in only the password, as one line.\n'
		}
	])(
		'rejects $case, writes no row',
		async ({ args, stdin, message }, { expect, onTestFinished }) => {
			const sandbox = new Sandbox(onTestFinished);

			const result = await sandbox.admin(['add-user', ...args, '--password-stdin'], stdin);

			expect(result.stderr).toBe(message);
			expect(result.status).toBe(1);
			expect(result.stdout).toBe('');
			expect(sandbox.readUsers()).toEqual([]);
		}
	);

	it('keeps spaces, strips only newline', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		const password = '  spaced passphrase  ';

		const result = await sandbox.admin(
			['add-user', '--email', 'ana@example.com', '--name', 'Ana', '--password-stdin'],
			`${password}\r\n`
		);

		expect(result.status).toBe(0);
		const hash = sandbox.readUser('ana@example.com')?.password_hash ?? '';
		expect(await verifyPassword(hash, password)).toBe(true);
		expect(await verifyPassword(hash, password.trim())).toBe(false);
	});

	it.for([['--password', 'hunter2hunter2'], ['--password=hunter2hunter2']])(
		'rejects %s argument',
		async (passwordArgs, { expect, onTestFinished }) => {
			const sandbox = new Sandbox(onTestFinished);

			const result = await sandbox.admin(
				['add-user', '--email', 'ana@example.com', '--name', 'Ana', ...passwordArgs],
				`${PASSWORD}\n`
			);

			expect(result.status).toBe(2);
			expect(result.stderr).toContain('Passwords are not accepted as arguments');
			expect(result.stderr).toContain('--password-stdin');
			expect(result.stderr).not.toContain('hunter2');
			expect(sandbox.databaseExists()).toBe(false);
		}
	);

	it('requires --password-stdin without terminal', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);

		const result = await sandbox.admin(['add-user', '--email', 'ana@example.com', '--name', 'Ana']);

		expect(result.status).toBe(2);
		expect(result.stderr).toContain('Pipe it in with --password-stdin.');
		expect(sandbox.readUsers()).toEqual([]);
	});
});

describe.concurrent('admin user changes', () => {
	it.for([
		{ command: 'set-password', extraArgs: ['--password-stdin'] },
		{ command: 'disable-user', extraArgs: [] },
		{ command: 'enable-user', extraArgs: [] },
		{ command: 'set-role', extraArgs: ['--role', 'viewer'] }
	])(
		'$command rejects unknown user',
		async ({ command, extraArgs }, { expect, onTestFinished }) => {
			const sandbox = new Sandbox(onTestFinished);
			expect((await sandbox.addUser('ana@example.com', 'Ana')).status).toBe(0);
			const before = sandbox.readUsers();

			const result = await sandbox.admin(
				[command, '--email', 'ghost@example.com', ...extraArgs],
				`${OTHER_PASSWORD}\n`
			);

			expect(result.stderr).toBe('Error: No user has the email ghost@example.com.\n');
			expect(result.status).toBe(1);
			expect(result.stdout).toBe('');
			expect(sandbox.readUsers()).toEqual(before);
		}
	);

	it('disable-user sets disabled_at, ends sessions', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		expect((await sandbox.addUser('ana@example.com', 'Ana')).status).toBe(0);
		expect((await sandbox.addUser('bea@example.com', 'Bea')).status).toBe(0);
		sandbox.insertSessions(1, ['ana-laptop', 'ana-phone']);
		sandbox.insertSessions(2, ['bea-laptop']);

		const result = await sandbox.admin(['disable-user', '--email', 'ANA@example.com']);

		expect(result.stderr).toBe('');
		expect(result.status).toBe(0);
		expect(result.stdout).toBe('Disabled user ana@example.com (id 1) and ended 2 sessions.\n');
		expect(sandbox.readUser('ana@example.com')?.disabled_at).toMatch(
			/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/u
		);
		expect(sandbox.readUser('bea@example.com')?.disabled_at).toBeNull();
		expect(sandbox.countSessions(1)).toBe(0);
		expect(sandbox.countSessions(2)).toBe(1);

		const listed = await sandbox.admin(['list-users']);
		expect(listed.stdout).toMatch(/ana@example\.com\s+Ana\s+staff\s+disabled/u);
		expect(listed.stdout).toMatch(/bea@example\.com\s+Bea\s+staff\s+active/u);
	});

	it('enable-user clears disabled_at', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		expect((await sandbox.addUser('ana@example.com', 'Ana')).status).toBe(0);
		expect((await sandbox.admin(['disable-user', '--email', 'ana@example.com'])).status).toBe(0);
		expect(sandbox.readUser('ana@example.com')?.disabled_at).not.toBeNull();

		const result = await sandbox.admin(['enable-user', '--email', 'ana@example.com']);

		expect(result.stderr).toBe('');
		expect(result.status).toBe(0);
		expect(result.stdout).toBe('Enabled user ana@example.com (id 1).\n');
		expect(sandbox.readUser('ana@example.com')?.disabled_at).toBeNull();
	});

	it('revoke-sessions ends sessions of one user', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		expect((await sandbox.addUser('ana@example.com', 'Ana')).status).toBe(0);
		expect((await sandbox.addUser('bea@example.com', 'Bea')).status).toBe(0);
		sandbox.insertSessions(1, ['ana-laptop', 'ana-phone', 'ana-tablet']);
		sandbox.insertSessions(2, ['bea-laptop']);

		const result = await sandbox.admin(['revoke-sessions', '--email', 'ANA@example.com']);

		expect(result.stderr).toBe('');
		expect(result.status).toBe(0);
		expect(result.stdout).toBe('Ended 3 sessions of ana@example.com (id 1).\n');
		expect(sandbox.countSessions(1)).toBe(0);
		expect(sandbox.countSessions(2)).toBe(1);
		expect(sandbox.readUser('ana@example.com')?.disabled_at).toBeNull();
	});

	it('set-password replaces hash, ends sessions', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		expect((await sandbox.addUser('ana@example.com', 'Ana')).status).toBe(0);
		const hashBefore = sandbox.readUser('ana@example.com')?.password_hash;
		sandbox.insertSessions(1, ['ana-laptop', 'ana-phone']);

		const result = await sandbox.admin(
			['set-password', '--email', 'ana@example.com', '--password-stdin'],
			`${OTHER_PASSWORD}\n`
		);

		expect(result.stderr).toBe('');
		expect(result.status).toBe(0);
		expect(result.stdout).toBe(
			'Changed the password of ana@example.com (id 1) and ended 2 sessions.\n'
		);
		const hashAfter = sandbox.readUser('ana@example.com')?.password_hash ?? '';
		expect(hashAfter).not.toBe(hashBefore);
		expect(hashAfter.startsWith('$argon2id$')).toBe(true);
		expect(await verifyPassword(hashAfter, OTHER_PASSWORD)).toBe(true);
		expect(await verifyPassword(hashAfter, PASSWORD)).toBe(false);
		expect(sandbox.countSessions(1)).toBe(0);
	});

	it('set-role changes role, ends sessions', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		expect((await sandbox.addUser('ana@example.com', 'Ana', ['--role', 'admin'])).status).toBe(0);
		expect((await sandbox.addUser('bea@example.com', 'Bea')).status).toBe(0);
		sandbox.insertSessions(1, ['ana-laptop', 'ana-phone']);
		sandbox.insertSessions(2, ['bea-laptop']);

		const result = await sandbox.admin([
			'set-role',
			'--email',
			'ANA@example.com',
			'--role',
			'viewer'
		]);

		expect(result.stderr).toBe('');
		expect(result.status).toBe(0);
		expect(result.stdout).toBe(
			'Changed the role of ana@example.com (id 1) from admin to viewer and ended 2 sessions.\n'
		);
		expect(sandbox.readUser('ana@example.com')?.role).toBe('viewer');
		expect(sandbox.readUser('bea@example.com')?.role).toBe('staff');
		expect(sandbox.countSessions(1)).toBe(0);
		expect(sandbox.countSessions(2)).toBe(1);
	});

	it('set-role keeps same role and sessions', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		expect((await sandbox.addUser('ana@example.com', 'Ana')).status).toBe(0);
		sandbox.insertSessions(1, ['ana-laptop']);

		const result = await sandbox.admin([
			'set-role',
			'--email',
			'ana@example.com',
			'--role',
			'staff'
		]);

		expect(result.stderr).toBe('');
		expect(result.status).toBe(0);
		expect(result.stdout).toBe(
			'User ana@example.com (id 1) already has the role staff, so nothing changed.\n'
		);
		expect(sandbox.readUser('ana@example.com')?.role).toBe('staff');
		expect(sandbox.countSessions(1)).toBe(1);
	});

	it('set-role rejects unknown role', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		expect((await sandbox.addUser('ana@example.com', 'Ana')).status).toBe(0);
		sandbox.insertSessions(1, ['ana-laptop']);
		const before = sandbox.readUsers();

		const result = await sandbox.admin([
			'set-role',
			'--email',
			'ana@example.com',
			'--role',
			'owner'
		]);

		expect(result.stderr).toBe('Error: Invalid role "owner": expected admin, staff or viewer.\n');
		expect(result.status).toBe(1);
		expect(result.stdout).toBe('');
		expect(sandbox.readUsers()).toEqual(before);
		expect(sandbox.countSessions(1)).toBe(1);
	});

	it('set-password rejects short password', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		expect((await sandbox.addUser('ana@example.com', 'Ana')).status).toBe(0);
		const hashBefore = sandbox.readUser('ana@example.com')?.password_hash;
		sandbox.insertSessions(1, ['ana-laptop']);

		const result = await sandbox.admin(
			['set-password', '--email', 'ana@example.com', '--password-stdin'],
			'short\n'
		);

		expect(result.stderr).toBe('Error: Password must have at least 12 characters (it has 5).\n');
		expect(result.status).toBe(1);
		expect(sandbox.readUser('ana@example.com')?.password_hash).toBe(hashBefore);
		expect(sandbox.countSessions(1)).toBe(1);
	});

	it('set-password rejects common password', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);
		expect((await sandbox.addUser('ana@example.com', 'Ana')).status).toBe(0);
		const hashBefore = sandbox.readUser('ana@example.com')?.password_hash;
		sandbox.insertSessions(1, ['ana-laptop']);

		// "qwerty123456" in common-passwords.txt, typed with capitals.
		const result = await sandbox.admin(
			['set-password', '--email', 'ana@example.com', '--password-stdin'],
			'Qwerty123456\n'
		);

		expect(result.stderr).toBe(
			'Error: This password is among the most common passwords; choose another.\n'
		);
		expect(result.status).toBe(1);
		expect(sandbox.readUser('ana@example.com')?.password_hash).toBe(hashBefore);
		expect(sandbox.countSessions(1)).toBe(1);
	});
});

describe.concurrent('admin usage', () => {
	const COMMAND_NAMES = [
		'add-user',
		'list-users',
		'set-password',
		'set-role',
		'disable-user',
		'enable-user',
		'help'
	];

	it.for([
		{ label: 'no command', args: [] },
		{ label: 'help', args: ['help'] },
		{ label: '--help', args: ['--help'] },
		{ label: 'add-user -h', args: ['add-user', '-h'] }
	])('$label prints help, exits 0', async ({ args }, { expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);

		const result = await sandbox.admin(args);

		expect(result.stderr).toBe('');
		expect(result.status).toBe(0);
		expect(result.stdout.startsWith('Usage: pnpm admin <command> [options]\n')).toBe(true);
		for (const name of COMMAND_NAMES) {
			expect(result.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'mu'));
		}
		expect(sandbox.databaseExists()).toBe(false);
	});

	it.for([
		{ args: ['frob'], message: 'Error: Unknown command "frob".' },
		{ args: ['list-users', '--all'], message: 'Error: Unknown option --all for list-users.' },
		{ args: ['disable-user'], message: 'Error: Missing required option --email.' },
		{
			args: ['set-role', '--email', 'a@example.com'],
			message: 'Error: Missing required option --role.'
		},
		{
			args: ['enable-user', '--email', 'a@example.com', '--email', 'b@example.com'],
			message: 'Error: Option --email is given more than once.'
		},
		{ args: ['--version'], message: 'Error: Expected a command before the option --version.' }
	])('exits 2 for $args', async ({ args, message }, { expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);

		const result = await sandbox.admin(args);

		expect(result.stderr).toBe(`${message}\n${HELP_HINT}\n`);
		expect(result.status).toBe(2);
		expect(result.stdout).toBe('');
		expect(sandbox.databaseExists()).toBe(false);
	});

	it('list-users hints when empty', async ({ expect, onTestFinished }) => {
		const sandbox = new Sandbox(onTestFinished);

		const result = await sandbox.admin(['list-users']);

		expect(result.status).toBe(0);
		expect(result.stdout).toBe(
			'No users yet. Create the first administrator with:\n' +
				'  pnpm admin add-user --email you@example.com --name "Your Name" --role admin\n'
		);
	});
});
