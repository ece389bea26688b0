import type { RequestEvent } from '@sveltejs/kit';

import type { SessionUser } from '$lib/server/auth/session';
import type { Db } from '$lib/server/db';
import { getAppDb } from '$lib/server/runtime';
import type { Logger } from '$lib/server/log';

export interface Context {
	db: Db;
	user: SessionUser | null;
	/** Id of the session making the request (never its secret), or null when signed out. */
	sessionId: string | null;
	requestId: string;
	log: Logger;
}

/** Builds the tRPC context from what hooks.server.ts put in `event.locals`. */
export function createContext(event: RequestEvent): Context {
	return {
		db: getAppDb(),
		user: event.locals.user,
		sessionId: event.locals.session?.id ?? null,
		requestId: event.locals.requestId,
		log: event.locals.log
	};
}
