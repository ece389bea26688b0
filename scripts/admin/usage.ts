/** A malformed command line, such as an unknown command or option or a missing value. Exit code 2. */
export class UsageError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'UsageError';
	}
}

/** A command that ran but failed before changing anything, such as mismatched passwords. */
export class CommandError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'CommandError';
	}
}

/** The operator cancelled a password prompt with Ctrl+C or Ctrl+D. */
export class PromptCancelledError extends Error {
	constructor() {
		super('Cancelled. Nothing was changed.');
		this.name = 'PromptCancelledError';
	}
}

export const HELP_HINT = 'Run "pnpm admin help" to see the commands and their options.';

export const HELP_TEXT = `Usage: pnpm admin <command> [options]

Manages the users of Case Ledger and backs up and restores its database. The app has no
sign-up page, so accounts are created here.

Commands:
  add-user --email EMAIL --name NAME [--role admin|staff|viewer] [--password-stdin]
      Create a user. The role defaults to staff. An admin may do everything, including
      changing the office's fee defaults. Staff may create and change clients, cases,
      people and payments. A viewer may read everything but change only their own
      password and sessions.
  list-users
      Show every user: id, email, name, role, status (active or disabled), whether
      two-factor sign-in is on, and creation time in UTC.
  set-password --email EMAIL [--password-stdin]
      Replace a user's password and end all sessions of that user.
  set-role --email EMAIL --role admin|staff|viewer
      Give a user another role and end all sessions of that user, so that they sign in
      again under the new role. Nothing changes when the user already has the role.
  disable-user --email EMAIL
      Block sign-in for a user and end all sessions of that user.
  enable-user --email EMAIL
      Allow a disabled user to sign in again.
  revoke-sessions --email EMAIL
      End all sessions of a user, for a lost or shared device, and print how many
      ended. The user can sign in again at once; use disable-user to block that.
  reset-2fa --email EMAIL
      Turn off two-factor sign-in for a user who lost their authenticator: delete the
      TOTP key and the recovery codes, end all sessions of that user, and print what
      changed. The user then signs in with the password alone and sets it up again.
  backup [FILE]
      Copy the database to FILE while the app keeps running, check the copy with
      integrity_check and foreign_key_check, and print its size and row counts. FILE
      defaults to backups/case-ledger-<UTC time>.db in the database's folder and must
      not exist yet.
  restore FILE
      Replace the database with a copy of FILE. FILE is checked first (integrity,
      foreign keys, the app's tables). Refused while the app is running with the database.
      The replaced database is kept as backups/replaced-<UTC time>.db.
  help
      Show this help. "--help" or "-h" after any command does the same.

Passwords:
  add-user and set-password ask for the password twice at a prompt that does not echo.
  With --password-stdin they read it from standard input instead, as one line, and
  remove only the trailing newline. A password must have 12 to 256 characters.
  Passwords are never accepted as arguments, because arguments are visible in shell
  history and in the process list.

Environment:
  DATABASE_PATH   SQLite database file (default ./data/case-ledger.db), created and
                  migrated if missing, the same file the app uses
  MIGRATIONS_DIR  folder of drizzle migrations (default ./drizzle)

Exit status: 0 on success, 1 when the command failed and nothing was changed,
2 for an unknown command or invalid options, 130 when a prompt was cancelled.

Example, the first administrator:
  pnpm admin add-user --email you@example.com --name "Your Name" --role admin
`;
