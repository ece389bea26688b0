import { createTRPCClient, type TRPCClientInit } from 'trpc-sveltekit';

import type { AppRouter } from '$lib/server/trpc/router';

let browserClient: ReturnType<typeof createTRPCClient<AppRouter>> | undefined;

/**
 * Returns a typed tRPC client. Pass the load event in `load` functions so that server-side
 * rendering calls the router in-process with the visitor's cookie; in components call it
 * without arguments to get the shared browser client.
 */
export function trpc(init?: TRPCClientInit) {
	const isBrowser = typeof window !== 'undefined';
	if (isBrowser && !init) {
		browserClient ??= createTRPCClient<AppRouter>();
		return browserClient;
	}
	return createTRPCClient<AppRouter>({ init });
}
