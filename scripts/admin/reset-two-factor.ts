// Relative imports only, because tsx does not resolve SvelteKit's $lib alias.
import { resetTwoFactor } from '../../src/lib/server/auth/two-factor-reset';
import type { CommandContext } from './commands';
import { UsageError } from './usage';

/**
 * `reset-2fa --email EMAIL`: turns off two-factor sign-in for a user who lost their
 * authenticator, ends their sessions and prints what changed. An unknown email fails with
 * exit code 1 through UserError.
 */
export function resetTwoFactorCommand({ options, database }: CommandContext): void {
	const email = options.email;
	if (typeof email !== 'string') {
		throw new UsageError('Missing required option --email.');
	}

	const reset = resetTwoFactor(database(), email);
	const { user } = reset;
	const twoFactor =
		reset.previousEnabledAt === null
			? 'two-factor sign-in was already off'
			: `turned off two-factor sign-in (on since ${reset.previousEnabledAt})`;
	const key = reset.keyCleared ? 'deleted the TOTP key' : 'no TOTP key was stored';
	console.log(
		`Reset two-factor sign-in of ${user.email} (id ${user.id}): ${twoFactor}, ${key}, ` +
			`deleted ${plural(reset.recoveryCodesDeleted, 'recovery code')} and ended ` +
			`${plural(reset.sessionsEnded, 'session')}. They sign in with their password alone ` +
			'and can set up two-factor sign-in again on the account page.'
	);
}

function plural(count: number, noun: string): string {
	return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
