import { checkNewPassword } from '../../src/lib/server/auth/password';
import { CommandError, PromptCancelledError, UsageError } from './usage';

/**
 * Maximum bytes read with --password-stdin. It bounds memory when a large file is piped in by
 * mistake and is far above the longest valid password, so the length check reports the rest.
 */
const MAX_STDIN_BYTES = 65_536;

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';
const BACKSPACE = '\b';
const DELETE = '\u007f';

// CSI and SS3 sequences that arrow, Home and function keys send in raw mode.
const ESCAPE_SEQUENCE = /\u001b(?:\[[0-9;?]*[ -/]*[@-~]|O.|.)?/gu;
const CONTROL_CHARACTER = /\p{Cc}/u;

/**
 * Reads a new password from standard input (`fromStdin`) or from two hidden prompts on the
 * terminal. Throws CommandError when the prompted passwords differ or are too short or too
 * long, and UsageError when the chosen input does not fit how standard input is connected.
 */
export async function readNewPassword(fromStdin: boolean): Promise<string> {
	if (fromStdin) {
		return readPasswordFromStdin();
	}
	if (!process.stdin.isTTY) {
		throw new UsageError(
			'Standard input is not a terminal, so the password cannot be typed at a prompt. ' +
				'Pipe it in with --password-stdin.'
		);
	}

	const password = await promptHidden('New password: ');
	const problem = checkNewPassword(password);
	if (problem) {
		throw new CommandError(problem);
	}

	const confirmation = await promptHidden('Repeat the new password: ');
	if (confirmation !== password) {
		throw new CommandError('The two passwords do not match. Nothing was changed.');
	}
	return password;
}

async function readPasswordFromStdin(): Promise<string> {
	if (process.stdin.isTTY) {
		throw new UsageError(
			'--password-stdin expects the password to be piped in, but standard input is a ' +
				'terminal. Leave out --password-stdin to type it at a hidden prompt.'
		);
	}

	const bytes = await readAllStdin();
	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		throw new CommandError('Standard input is not valid UTF-8 text.');
	}

	// One trailing line break, LF or CRLF, ends the line and is not part of the password.
	const password = text.replace(/\r?\n$/u, '');
	if (password.length === 0) {
		throw new CommandError('Standard input is empty. Pipe in the password as one line.');
	}
	if (/[\r\n]/u.test(password)) {
		throw new CommandError(
			'Standard input has more than one line. Pipe in only the password, as one line.'
		);
	}
	return password;
}

async function readAllStdin(): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let total = 0;

	for await (const chunk of process.stdin) {
		const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
		total += buffer.length;
		if (total > MAX_STDIN_BYTES) {
			throw new CommandError(
				`Standard input is longer than ${MAX_STDIN_BYTES} bytes. ` +
					'Pipe in only the password, as one line.'
			);
		}
		chunks.push(buffer);
	}
	return Buffer.concat(chunks);
}

/**
 * Writes `prompt` to stderr and reads one line from the terminal in raw mode, so nothing
 * typed is echoed. Backspace deletes the last character, Ctrl+U clears the line, and
 * Ctrl+C or Ctrl+D on an empty line rejects with PromptCancelledError.
 */
function promptHidden(prompt: string): Promise<string> {
	const input = process.stdin;
	process.stderr.write(prompt);

	return new Promise((resolve, reject) => {
		let characters: string[] = [];

		const finish = (error?: Error): void => {
			input.off('data', onData);
			input.off('end', onEnd);
			input.setRawMode(false);
			input.pause();
			process.stderr.write('\n');
			if (error) {
				reject(error);
			} else {
				resolve(characters.join(''));
			}
		};

		const onEnd = (): void => finish(new PromptCancelledError());

		const onData = (chunk: string): void => {
			// Iterating a string yields code points, so Backspace never leaves half a surrogate pair.
			for (const character of chunk.replace(ESCAPE_SEQUENCE, '')) {
				if (character === '\r' || character === '\n') {
					finish();
					return;
				}
				if (character === CTRL_C || (character === CTRL_D && characters.length === 0)) {
					finish(new PromptCancelledError());
					return;
				}
				if (character === BACKSPACE || character === DELETE) {
					characters.pop();
				} else if (character === CTRL_U) {
					characters = [];
				} else if (!CONTROL_CHARACTER.test(character)) {
					characters.push(character);
				}
			}
		};

		input.setRawMode(true);
		input.setEncoding('utf8');
		input.on('data', onData);
		input.on('end', onEnd);
		input.resume();
	});
}
