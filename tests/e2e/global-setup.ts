import { E2E_USER, runAdmin } from './users';

/** Creates the signed-in user of the suite with the admin CLI, as an operator would. */
export default function globalSetup(): void {
	runAdmin(
		[
			'add-user',
			'--email',
			E2E_USER.email,
			'--name',
			E2E_USER.name,
			'--role',
			'admin',
			'--password-stdin'
		],
		`${E2E_USER.password}\n`
	);
}
