/**
 * Which roles may call each procedure of appRouter. The router tests (callers) and the attack
 * tests (HTTP on the built app) both check the router against this one table.
 */

export type CallerRole = 'admin' | 'staff' | 'viewer' | 'signedOut';

/** Which callers may run a procedure. Nothing is open to signed-out callers. */
export interface Access {
	admin: boolean;
	staff: boolean;
	viewer: boolean;
	signedOut: false;
}

export const READ: Access = { admin: true, staff: true, viewer: true, signedOut: false };
export const WRITE: Access = { admin: true, staff: true, viewer: false, signedOut: false };
export const ADMIN_ONLY: Access = { admin: true, staff: false, viewer: false, signedOut: false };
// Mutations that change only the caller's own password or sessions, so viewers may run them.
export const OWN_ACCOUNT: Access = { admin: true, staff: true, viewer: true, signedOut: false };

/**
 * The decision for every procedure of appRouter. A procedure added to the router without a
 * line here fails the suite, and so does a line whose procedure no longer exists.
 */
export const ACCESS: Record<string, Access> = {
	'account.changePassword': OWN_ACCOUNT,
	'sessions.list': READ,
	'sessions.revoke': OWN_ACCOUNT,
	'sessions.revokeOthers': OWN_ACCOUNT,
	'twoFactor.status': READ,
	'twoFactor.beginSetup': OWN_ACCOUNT,
	'twoFactor.confirmSetup': OWN_ACCOUNT,
	'twoFactor.disable': OWN_ACCOUNT,
	'twoFactor.regenerateRecoveryCodes': OWN_ACCOUNT,
	'clients.list': READ,
	'clients.get': READ,
	'clients.create': WRITE,
	'clients.update': WRITE,
	'clients.archive': WRITE,
	'clients.delete': WRITE,
	'people.list': READ,
	'people.create': WRITE,
	'people.update': WRITE,
	'cases.list': READ,
	'cases.get': READ,
	'cases.create': WRITE,
	'cases.update': WRITE,
	'cases.setStatus': WRITE,
	'dashboard.summary': READ,
	'settings.get': READ,
	'settings.update': ADMIN_ONLY,
	'reports.period': READ,
	'transactions.preview': READ,
	'transactions.create': WRITE,
	'transactions.createInstallments': WRITE,
	'transactions.void': WRITE,
	'audit.list': ADMIN_ONLY,
	'audit.actors': ADMIN_ONLY
};
