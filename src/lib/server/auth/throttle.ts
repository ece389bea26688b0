import { isIP } from 'node:net';

import { MAX_EMAIL_LENGTH, normalizeEmail } from '../users';

/**
 * Limits on password checks per key. A key may fail `threshold` times at full speed.
 * After that it must wait before each attempt: `baseDelayMs` after the threshold-th failure,
 * doubling with every further failure up to `maxDelayMs`. All times are in milliseconds.
 */
export interface ThrottlePolicy {
	threshold: number;
	baseDelayMs: number;
	maxDelayMs: number;
	/** A key whose last failure is this old starts again from zero failures. */
	resetAfterMs: number;
	/** Maximum number of idle keys kept; the key with the oldest last failure is evicted first. */
	maxEntries: number;
}

/** Sign-in and password-change limits: 5 failures, then 1 s, 2 s, 4 s ... up to 5 minutes. */
export const DEFAULT_THROTTLE_POLICY: Readonly<ThrottlePolicy> = {
	threshold: 5,
	baseDelayMs: 1000,
	maxDelayMs: 5 * 60 * 1000,
	resetAfterMs: 15 * 60 * 1000,
	// Estimated at a few MB: each entry is a small object plus a key of at most 262 characters.
	maxEntries: 10_000
};

/** Outcome of Throttle.guard: throttled without running the check, or the check's value. */
export type GuardResult<T> =
	| { throttled: true; retryAfterSeconds: number; key: string }
	| { throttled: false; value: T | null };

interface Entry {
	failures: number;
	/** Clock reading at the last failure, or at creation for a key that has not failed yet. */
	lastFailureAt: number;
	/** Checks that started on this key and have not finished yet. */
	inFlight: number;
	/** Callers waiting for a check in flight to finish; all are woken when one finishes. */
	waiters: Array<() => void>;
}

type Verdict =
	| { kind: 'allowed' }
	| { kind: 'throttled'; key: string; delayMs: number }
	| { kind: 'busy'; entry: Entry };

/**
 * Counts failed password checks per key (an email, a client address, a user id) and rejects
 * checks on a key while it must wait.
 *
 * The state lives in this process's memory: a restart forgets every count, and two server
 * processes would each count separately. That fits this app, which runs as one Node process
 * over one SQLite file. Memory is bounded: keys are forgotten `resetAfterMs` after their last
 * failure, and beyond `maxEntries` idle keys the one with the oldest last failure is evicted.
 *
 * NOTE: an attacker who creates more than `maxEntries` keys, from many emails and addresses,
 * evicts older keys and so resets their counts. Each new key still costs the attacker a full
 * password check on the server.
 */
export class Throttle {
	readonly #policy: ThrottlePolicy;
	readonly #now: () => number;
	// Idle entries are kept in the order of their last failure, oldest first, because a
	// failure deletes and re-inserts its entry. Sweeping and eviction rely on that order.
	readonly #entries = new Map<string, Entry>();

	/** `now` is a monotonic clock in milliseconds; tests pass a fake one. */
	constructor(policy: Partial<ThrottlePolicy> = {}, now: () => number = () => performance.now()) {
		this.#policy = { ...DEFAULT_THROTTLE_POLICY, ...policy };
		this.#now = now;
		if (this.#policy.resetAfterMs <= this.#policy.maxDelayMs) {
			throw new RangeError(
				`resetAfterMs (${this.#policy.resetAfterMs}) must be longer than maxDelayMs ` +
					`(${this.#policy.maxDelayMs}), or a key would be forgotten while it waits.`
			);
		}
	}

	/** Number of keys in memory, idle or with a check in flight. */
	get size(): number {
		return this.#entries.size;
	}

	/**
	 * Runs `check` unless one of `keys` must wait, and counts the outcome on every key. A null
	 * value is a failure. Any other value is a success, which resets the keys in
	 * `resetOnSuccess` and leaves the others as they were. A check that throws is not counted.
	 *
	 * Checks in flight count as possible failures. While they could bring a key to its
	 * threshold, further checks on that key queue until one finishes. So concurrent requests,
	 * or the calls of one tRPC batch, get no more checks than the same requests sent one after
	 * another. Concurrent successes are delayed but not rejected.
	 */
	async guard<T>(
		keys: readonly string[],
		check: () => Promise<T | null>,
		resetOnSuccess: readonly string[] = keys
	): Promise<GuardResult<T>> {
		const uniqueKeys = [...new Set(keys)];
		const blocked = await this.#acquire(uniqueKeys);
		if (blocked) {
			const retryAfterSeconds = Math.max(1, Math.ceil(blocked.delayMs / 1000));
			return { throttled: true, retryAfterSeconds, key: blocked.key };
		}

		let value: T | null;
		try {
			value = await check();
		} catch (error) {
			this.#finish(uniqueKeys, 'error', []);
			throw error;
		}

		this.#finish(uniqueKeys, value === null ? 'failure' : 'success', resetOnSuccess);
		return { throttled: false, value };
	}

	/** Returns the delay in ms after `failures` counted failures: 0 below the threshold. */
	delayAfter(failures: number): number {
		const { threshold, baseDelayMs, maxDelayMs } = this.#policy;
		if (failures < threshold) return 0;

		// Capping the exponent keeps 2 ** n finite for any count.
		const doublings = Math.min(failures - threshold, 32);
		return Math.min(baseDelayMs * 2 ** doublings, maxDelayMs);
	}

	// Reserves a check on every key, after waiting for busy keys, or returns the key that must
	// wait. Evaluating and reserving happen in one synchronous step, so two callers cannot both
	// take the last check a key has left.
	async #acquire(keys: readonly string[]): Promise<{ key: string; delayMs: number } | null> {
		for (;;) {
			const now = this.#now();
			this.#sweep(now);

			const verdict = this.#evaluate(keys, now);
			if (verdict.kind === 'throttled') return verdict;
			if (verdict.kind === 'allowed') {
				for (const key of keys) this.#reserve(key, now);
				this.#evictOverflow();
				return null;
			}
			await new Promise<void>((resolve) => verdict.entry.waiters.push(resolve));
		}
	}

	// A key is throttled while its delay runs. It is busy when its checks in flight, if they all
	// failed, would reach the threshold: their outcome decides whether the next check may run.
	#evaluate(keys: readonly string[], now: number): Verdict {
		let busy: Entry | null = null;
		for (const key of keys) {
			const entry = this.#entries.get(key);
			if (!entry) continue;

			const failures = this.#currentFailures(entry, now);
			const remainingMs = entry.lastFailureAt + this.delayAfter(failures) - now;
			if (remainingMs > 0) return { kind: 'throttled', key, delayMs: remainingMs };

			const possibleFailures = failures + entry.inFlight;
			if (entry.inFlight > 0 && possibleFailures >= this.#policy.threshold) busy ??= entry;
		}
		return busy ? { kind: 'busy', entry: busy } : { kind: 'allowed' };
	}

	#currentFailures(entry: Entry, now: number): number {
		return now - entry.lastFailureAt >= this.#policy.resetAfterMs ? 0 : entry.failures;
	}

	#reserve(key: string, now: number): void {
		const entry = this.#entries.get(key);
		if (!entry) {
			this.#entries.set(key, { failures: 0, lastFailureAt: now, inFlight: 1, waiters: [] });
			return;
		}

		entry.failures = this.#currentFailures(entry, now);
		entry.inFlight += 1;
	}

	#finish(
		keys: readonly string[],
		outcome: 'success' | 'failure' | 'error',
		resetOnSuccess: readonly string[]
	): void {
		const now = this.#now();
		for (const key of keys) {
			// Entries with a check in flight are never swept or evicted, so this one exists.
			const entry = this.#entries.get(key);
			if (!entry) continue;

			entry.inFlight -= 1;
			// Waiters resume after this method returns, so they see the updated count.
			for (const wake of entry.waiters.splice(0)) wake();
			if (outcome === 'failure') {
				entry.failures += 1;
				entry.lastFailureAt = now;
				this.#entries.delete(key);
				this.#entries.set(key, entry);
				continue;
			}
			if (outcome === 'success' && resetOnSuccess.includes(key)) entry.failures = 0;
			if (entry.failures === 0 && entry.inFlight === 0) this.#entries.delete(key);
		}
	}

	// Drops idle entries whose last failure is older than resetAfterMs. They sit at the front
	// of the map, so the loop stops at the first idle entry that is still recent.
	#sweep(now: number): void {
		for (const [key, entry] of this.#entries) {
			if (entry.inFlight > 0) continue;
			if (now - entry.lastFailureAt < this.#policy.resetAfterMs) return;
			this.#entries.delete(key);
		}
	}

	#evictOverflow(): void {
		let excess = this.#entries.size - this.#policy.maxEntries;
		for (const [key, entry] of this.#entries) {
			if (excess <= 0) return;
			if (entry.inFlight > 0) continue;
			this.#entries.delete(key);
			excess -= 1;
		}
	}
}

/** Returns the throttle key of a submitted email, normalized as sign-in looks it up. */
export function emailKey(email: string): string {
	// No stored email is longer, so cutting longer input keeps keys small without merging
	// the keys of two real accounts.
	return `email:${normalizeEmail(email).slice(0, MAX_EMAIL_LENGTH)}`;
}

/** Returns the throttle key of a user id, for checks made by a signed-in user. */
export function userKey(userId: number): string {
	return `user:${userId}`;
}

/**
 * Returns the throttle key of a client address, or null when it is not an IP address.
 * An IPv4-mapped IPv6 address counts as its IPv4 address. Other IPv6 addresses count by their
 * /64 prefix, because one host usually controls a whole /64 and could rotate through it.
 */
export function addressKey(address: string | undefined): string | null {
	if (!address) return null;

	const withoutZone = address.replace(/%.*$/s, '');
	const version = isIP(withoutZone);
	if (version === 4) return `address:${withoutZone}`;
	if (version !== 6) return null;

	const mappedIpv4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(withoutZone);
	if (mappedIpv4) return `address:${mappedIpv4[1]}`;
	return `address:${ipv6Prefix64(withoutZone)}`;
}

// Expands the `::` of a valid IPv6 address and returns its first four groups, e.g.
// `2001:db8::1` gives `2001:db8:0:0::/64`. An embedded IPv4 tail counts as two groups.
function ipv6Prefix64(address: string): string {
	const [head, tail] = address.split('::');
	const headGroups = head ? head.split(':') : [];
	const tailGroups = tail ? tail.split(':') : [];
	const tailWidth = tailGroups.reduce((width, group) => width + (group.includes('.') ? 2 : 1), 0);
	const zeroGroups = tail === undefined ? 0 : 8 - headGroups.length - tailWidth;

	const groups = [...headGroups, ...Array<string>(zeroGroups).fill('0'), ...tailGroups];
	const prefix = groups.slice(0, 4).map((group) => parseInt(group, 16).toString(16));
	return `${prefix.join(':')}::/64`;
}
