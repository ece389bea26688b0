import type { SessionUser, ValidSession } from '$lib/server/auth/session';
import type { Logger } from '$lib/server/log';

declare global {
	namespace App {
		interface Error {
			message: string;
			/** Request id, also in the server log line for this error. */
			id?: string;
		}
		interface Locals {
			user: SessionUser | null;
			session: ValidSession | null;
			requestId: string;
			log: Logger;
		}
	}
}

export {};
