/** The page where a session that waits for its two-factor code enters it. */
export const CODE_PAGE = '/login/two-factor';
/** The page where a user sets up two-factor sign-in, the only page open while it is required. */
export const SETUP_PAGE = '/account/two-factor';

/**
 * Why a signed-in session is held at one page: `code` while it waits for its two-factor code,
 * `setup` while the office requires two-factor sign-in and the user has not set it up.
 */
export type GateState = 'code' | 'setup';

/** Gate outcome for a request: let it through, redirect a page, or reject a tRPC call. */
export type GateDecision =
	| { kind: 'allow' }
	| { kind: 'redirect'; location: string }
	| { kind: 'reject'; code: 'UNAUTHORIZED' | 'FORBIDDEN'; message: string; paths: string[] };

const ALWAYS_OPEN = new Set(['/logout', '/healthz']);
const OPEN_PAGES: Record<GateState, ReadonlySet<string>> = {
	code: new Set(['/login', CODE_PAGE]),
	setup: new Set([SETUP_PAGE])
};
// The procedures the setup page calls. Everything else, including the account page's other
// calls, waits until two-factor sign-in is on.
const OPEN_PROCEDURES: Record<GateState, ReadonlySet<string>> = {
	code: new Set(),
	setup: new Set(['twoFactor.status', 'twoFactor.beginSetup', 'twoFactor.confirmSetup'])
};

export const GATE_MESSAGES: Record<GateState, string> = {
	code: `Enter the code from your authenticator app at ${CODE_PAGE} to finish signing in.`,
	setup: `The office requires two-factor sign-in. Set it up at ${SETUP_PAGE} to continue.`
};

/**
 * Decides what happens to a request of a session held by `state`. Pages and their
 * `__data.json` requests outside the open set are redirected to the state's page. tRPC calls
 * are rejected unless every procedure of the batch is open.
 */
export function decideGate(state: GateState, url: URL, trpcPrefix: string): GateDecision {
	const isDataRequest = url.pathname.endsWith('/__data.json');
	const path = url.pathname.replace(/\/__data\.json$/, '') || '/';
	if (ALWAYS_OPEN.has(path) || OPEN_PAGES[state].has(path)) return { kind: 'allow' };

	if (path === trpcPrefix || path.startsWith(`${trpcPrefix}/`)) {
		const paths = path.slice(trpcPrefix.length + 1).split(',');
		if (paths.every((procedure) => OPEN_PROCEDURES[state].has(procedure))) {
			return { kind: 'allow' };
		}
		const code = state === 'code' ? 'UNAUTHORIZED' : 'FORBIDDEN';
		return { kind: 'reject', code, message: GATE_MESSAGES[state], paths };
	}

	if (state === 'setup') return { kind: 'redirect', location: SETUP_PAGE };
	// The query of a __data.json request belongs to SvelteKit, not to the page.
	const target = isDataRequest ? path : url.pathname + url.search;
	const query = target === '/' ? '' : `?redirectTo=${encodeURIComponent(target)}`;
	return { kind: 'redirect', location: `${CODE_PAGE}${query}` };
}
