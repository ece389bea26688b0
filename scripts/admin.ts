/**
 * `pnpm admin <command>`: the command-line tool that creates and manages user accounts and
 * backs up and restores the database.
 * Run `pnpm admin help` for the commands. Exit codes: 0 success, 1 failure with nothing
 * changed, 2 invalid command line, 130 cancelled prompt.
 */
import { parseArgs } from 'node:util';

// Relative imports only, because tsx does not resolve SvelteKit's $lib alias.
import { openDatabase, type Db } from '../src/lib/server/db';
import { readEnv } from '../src/lib/server/env';
import { UserError } from '../src/lib/server/users';
import { COMMANDS, type Command, type OptionValues } from './admin/commands';
import {
	CommandError,
	HELP_HINT,
	HELP_TEXT,
	PromptCancelledError,
	UsageError
} from './admin/usage';

const HELP_ARGUMENTS = new Set(['help', '--help', '-h']);

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_CANCELLED = 130;

/** Runs one command line (without `node` and the script path) and returns the exit code. */
async function main(args: string[]): Promise<number> {
	let db: Db | undefined;

	try {
		const [commandName, ...commandArgs] = args;
		if (commandName === undefined || HELP_ARGUMENTS.has(commandName)) {
			process.stdout.write(HELP_TEXT);
			return 0;
		}

		const command = findCommand(commandName);
		const { options, positionals } = parseCommandOptions(commandName, command, commandArgs);
		if (options.help === true) {
			process.stdout.write(HELP_TEXT);
			return 0;
		}

		const database = (): Db => {
			const env = readEnv();
			db ??= openDatabase(env.DATABASE_PATH, { migrationsDir: env.MIGRATIONS_DIR });
			return db;
		};
		await command.run({ options, positionals, database });
		return 0;
	} catch (error) {
		return reportError(error);
	} finally {
		db?.$client.close();
	}
}

function findCommand(name: string): Command {
	if (name.startsWith('-')) {
		throw new UsageError(`Expected a command before the option ${name}.`);
	}

	const command = COMMANDS[name];
	if (!command) {
		throw new UsageError(`Unknown command "${name}".`);
	}
	return command;
}

/**
 * Parses the options of one command strictly: unknown options, positional arguments beyond the
 * command's `positionals`, missing values and repeated options are usage errors. Every command
 * also accepts --help and -h.
 */
function parseCommandOptions(
	commandName: string,
	command: Command,
	args: string[]
): { options: OptionValues; positionals: string[] } {
	rejectPasswordArgument(args);

	const options = { ...command.options, help: { type: 'boolean', short: 'h' } } as const;
	const allowPositionals = command.positionals !== undefined;
	let parsed;
	try {
		parsed = parseArgs({ args, options, strict: true, allowPositionals, tokens: true });
	} catch (error) {
		throw toUsageError(commandName, error);
	}

	const seen = new Set<string>();
	for (const token of parsed.tokens) {
		if (token.kind !== 'option') continue;
		if (seen.has(token.name)) {
			throw new UsageError(`Option --${token.name} is given more than once.`);
		}
		seen.add(token.name);
	}

	const values = parsed.values as OptionValues;
	if (values.help !== true) checkPositionals(commandName, command, parsed.positionals);
	return { options: values, positionals: parsed.positionals };
}

function checkPositionals(commandName: string, command: Command, positionals: string[]): void {
	const { names = [], required = 0 } = command.positionals ?? {};
	if (positionals.length < required) {
		throw new UsageError(
			`Missing required argument ${names[positionals.length]} for ${commandName}.`
		);
	}
	if (positionals.length > names.length) {
		throw new UsageError(`Unexpected argument "${positionals[names.length]}" for ${commandName}.`);
	}
}

function rejectPasswordArgument(args: string[]): void {
	const passwordArgument = args.find(
		(arg) => arg === '--password' || arg.startsWith('--password=')
	);
	if (passwordArgument === undefined) return;

	throw new UsageError(
		'Passwords are not accepted as arguments, because arguments are visible in shell history ' +
			'and in the process list. Leave out --password to type it at a hidden prompt, or pipe ' +
			'it in with --password-stdin.'
	);
}

function toUsageError(commandName: string, error: unknown): UsageError {
	if (!(error instanceof Error) || !('code' in error)) {
		throw error;
	}
	if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
		// Node's message suggests positional arguments, which no command takes.
		const option = /'([^']+)'/u.exec(error.message)?.[1] ?? 'given';
		return new UsageError(`Unknown option ${option} for ${commandName}.`);
	}
	if (typeof error.code === 'string' && error.code.startsWith('ERR_PARSE_ARGS_')) {
		// Some of Node's messages span several lines.
		return new UsageError(error.message.replace(/\s*\n\s*/gu, ' '));
	}
	throw error;
}

/** Prints the error on stderr as one line (plus a hint or stack) and returns the exit code. */
function reportError(error: unknown): number {
	if (error instanceof UsageError) {
		console.error(`Error: ${error.message}`);
		console.error(HELP_HINT);
		return EXIT_USAGE;
	}
	if (error instanceof PromptCancelledError) {
		console.error(error.message);
		return EXIT_CANCELLED;
	}
	if (error instanceof UserError || error instanceof CommandError) {
		console.error(`Error: ${error.message}`);
		return EXIT_FAILURE;
	}

	// A bug or an environment problem such as an unreadable database file or a failed
	// migration, so the stack is printed too. better-sqlite3 errors do not include the SQL
	// parameters, so no password hash reaches this output.
	console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
	if (error instanceof Error && error.stack) {
		console.error(error.stack);
	}
	return EXIT_FAILURE;
}

process.exitCode = await main(process.argv.slice(2));
