import type { Db } from '../db';
import { Throttle } from './throttle';

// Wrong two-factor codes per user, with the sign-in limits, counted together for the sign-in
// code page and the account page. Kept per database handle because user ids are unique only
// within one database: the app opens one handle, and router tests open one per test.
const throttles = new WeakMap<Db, Throttle>();

/** Returns the throttle of two-factor code checks for this database. Keys are userKey(id). */
export function twoFactorThrottleFor(db: Db): Throttle {
	let throttle = throttles.get(db);
	if (!throttle) {
		throttle = new Throttle();
		throttles.set(db, throttle);
	}
	return throttle;
}
