import { TRPCError } from '@trpc/server';
import { and, desc, eq, ne } from 'drizzle-orm';
import { z } from 'zod';

import { appActor, recordAuditBy } from '$lib/server/audit';
import {
	invalidateUserSessions,
	sessionAbsoluteLifetimeMs,
	sessionEndsAt
} from '$lib/server/auth/session';
import { writeTransaction } from '$lib/server/db';
import { sessions, type Session } from '$lib/server/db/schema';

import { noInputSchema } from './inputs';
import { authedProcedure, router } from './t';

/** Browser and operating system named by a User-Agent header. Each is null when not named. */
export interface DeviceSummary {
	browser: string | null;
	os: string | null;
}

/** One of the caller's sessions, as the sessions page lists it. Times are ISO 8601 UTC. */
export interface SessionItem {
	/** The public half of the token, never the secret. */
	id: string;
	createdAt: string;
	/** Updated at most once a minute, so it can be up to a minute old. */
	lastUsedAt: string;
	/** When the session ends unless renewed; never after createdAt plus SESSION_MAX_AGE_DAYS. */
	expiresAt: string;
	device: DeviceSummary;
	/** True for the session making this request. */
	current: boolean;
}

// Order matters: Edge and Opera also send "Chrome/", Chrome also sends "Safari/", and iOS
// browsers send "Mac OS X".
const BROWSER_PATTERNS: ReadonlyArray<[RegExp, string]> = [
	[/\b(?:Edg|EdgA|EdgiOS|Edge)\//, 'Edge'],
	[/\b(?:OPR|Opera)\//, 'Opera'],
	[/\bSamsungBrowser\//, 'Samsung Internet'],
	[/\b(?:Firefox|FxiOS)\//, 'Firefox'],
	[/\bChromium\//, 'Chromium'],
	[/\b(?:Chrome|CriOS|HeadlessChrome)\//, 'Chrome'],
	[/\bSafari\//, 'Safari']
];

const OS_PATTERNS: ReadonlyArray<[RegExp, string]> = [
	[/\bWindows\b/, 'Windows'],
	[/\b(?:iPhone|iPad|iPod)\b/, 'iOS'],
	[/\bAndroid\b/, 'Android'],
	[/\bCrOS\b/, 'ChromeOS'],
	[/\b(?:Macintosh|Mac OS X)\b/, 'macOS'],
	[/\bLinux\b/, 'Linux']
];

const NOT_FOUND_MESSAGE = 'No session of yours has this id. It may have ended already.';

export const sessionsRouter = router({
	/**
	 * Lists the caller's sessions that have not expired: the one making the request first, then
	 * the others, most recently used first.
	 */
	list: authedProcedure.input(noInputSchema).query(({ ctx }): SessionItem[] => {
		const now = Date.now();
		const absoluteLifetimeMs = sessionAbsoluteLifetimeMs();

		const rows = ctx.db
			.select()
			.from(sessions)
			.where(eq(sessions.userId, ctx.user.id))
			.orderBy(desc(sessions.lastUsedAt), desc(sessions.createdAt))
			.all();
		const items = rows
			.filter((row) => sessionEndsAt(row, absoluteLifetimeMs) > now)
			.map((row) => toSessionItem(row, absoluteLifetimeMs, ctx.sessionId));
		return [...items.filter((item) => item.current), ...items.filter((item) => !item.current)];
	}),

	/**
	 * Ends one of the caller's sessions. Another user's session id gets the same NOT_FOUND as
	 * an unknown one, so the response never confirms that an id exists. `current` is true when
	 * the caller ended the session making the request, which signs them out.
	 */
	revoke: authedProcedure
		.input(z.object({ id: z.string().min(1).max(64) }).strict())
		.mutation(({ ctx, input }) => {
			const userId = ctx.user.id;
			const current = input.id === ctx.sessionId;
			writeTransaction(ctx.db, (tx) => {
				const ended = tx
					.delete(sessions)
					.where(and(eq(sessions.id, input.id), eq(sessions.userId, userId)))
					.run().changes;
				if (ended === 0) throw new TRPCError({ code: 'NOT_FOUND', message: NOT_FOUND_MESSAGE });

				// The user id, never the session id: the session id is half of the cookie token.
				recordAuditBy(tx, appActor(userId, ctx.requestId), {
					action: 'session_revoked',
					entity: 'user',
					entityId: userId,
					details: { current }
				});
			});

			ctx.log.info({ userId: ctx.user.id, sessionId: input.id, current }, 'session ended');
			return { current };
		}),

	/**
	 * Ends every session of the caller except the one making the request. A call without a
	 * session, such as one from a test or script, ends all of them.
	 */
	revokeOthers: authedProcedure.input(noInputSchema).mutation(({ ctx }) => {
		const userId = ctx.user.id;
		const sessionId = ctx.sessionId;
		const sessionsEnded = writeTransaction(ctx.db, (tx) => {
			const ended =
				sessionId === null
					? invalidateUserSessions(tx, userId)
					: tx
							.delete(sessions)
							.where(and(eq(sessions.userId, userId), ne(sessions.id, sessionId)))
							.run().changes;
			if (ended > 0) {
				recordAuditBy(tx, appActor(userId, ctx.requestId), {
					action: 'other_sessions_revoked',
					entity: 'user',
					entityId: userId,
					details: { sessionsEnded: ended }
				});
			}
			return ended;
		});

		ctx.log.info({ userId: ctx.user.id, sessionsEnded }, 'other sessions ended');
		return { sessionsEnded };
	})
});

/**
 * Names the browser and operating system in a User-Agent header, such as Firefox and Windows.
 * Covers the common desktop and mobile browsers only, and ignores versions.
 */
export function describeUserAgent(userAgent: string | null): DeviceSummary {
	if (!userAgent) return { browser: null, os: null };

	return {
		browser: BROWSER_PATTERNS.find(([pattern]) => pattern.test(userAgent))?.[1] ?? null,
		os: OS_PATTERNS.find(([pattern]) => pattern.test(userAgent))?.[1] ?? null
	};
}

function toSessionItem(
	row: Session,
	absoluteLifetimeMs: number,
	currentSessionId: string | null
): SessionItem {
	return {
		id: row.id,
		createdAt: new Date(row.createdAt).toISOString(),
		lastUsedAt: new Date(row.lastUsedAt ?? row.createdAt).toISOString(),
		expiresAt: new Date(sessionEndsAt(row, absoluteLifetimeMs)).toISOString(),
		device: describeUserAgent(row.userAgent),
		current: row.id === currentSessionId
	};
}
