import { error } from '@sveltejs/kit';

import { addressKey } from './throttle';

const CLIENT_ADDRESS_MISSING_MESSAGE =
	'Sign-in is unavailable because the server could not determine your address. ' +
	'Tell your administrator.';

/**
 * Returns the client's address and its throttle key, or ends the request with 500.
 * adapter-node's getClientAddress throws when ADDRESS_HEADER names a header that the request
 * lacks, and returns undefined on a Unix socket. With ADDRESS_HEADER set, a request without
 * that header bypassed the proxy, or the proxy is misconfigured. Neither may sign in under an
 * address that no proxy vouches for.
 */
export function clientAddressOrReject(
	getClientAddress: () => string,
	locals: App.Locals
): { address: string; key: string } {
	let address: string | undefined;
	let failure: string | undefined;
	try {
		address = getClientAddress();
	} catch (cause) {
		failure = cause instanceof Error ? cause.message : String(cause);
	}

	const key = addressKey(address);
	if (address && key) return { address, key };

	const reason = failure ?? (address ? 'not an IP address' : 'no address');
	locals.log.error(
		{ address: address?.slice(0, 100), reason },
		'sign-in rejected: client address unavailable; check ADDRESS_HEADER and XFF_DEPTH'
	);
	error(500, { message: CLIENT_ADDRESS_MISSING_MESSAGE, id: locals.requestId });
}

/** Returns the client's address, or null when adapter-node cannot determine it. */
export function clientAddressOrNull(getClientAddress: () => string): string | null {
	try {
		return getClientAddress() || null;
	} catch {
		return null;
	}
}
