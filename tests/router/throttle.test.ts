import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { verifyPassword } from '$lib/server/auth/password';
import {
	addressKey,
	DEFAULT_THROTTLE_POLICY,
	emailKey,
	Throttle,
	userKey,
	type GuardResult
} from '$lib/server/auth/throttle';
import { users } from '$lib/server/db/schema';
import { createUser } from '$lib/server/users';

import { callerFor, createTestDb, errorShapeOf, snapshot, type TestDb } from '../helpers/test-db';

const ANA = emailKey('ana@example.com');
const BIA = emailKey('bia@example.com');
const HOME = addressKey('198.51.100.1')!;
const CAFE = addressKey('198.51.100.2')!;
const RESET_AFTER_MS = DEFAULT_THROTTLE_POLICY.resetAfterMs;

let clock: number;
let throttle: Throttle;
let checks: number;

beforeEach(() => {
	clock = 1_000_000;
	throttle = new Throttle({}, () => clock);
	checks = 0;
});

/** Counts the call and fails, as a check of a wrong password does. */
function wrongPassword(): Promise<null> {
	checks += 1;
	return Promise.resolve(null);
}

/** Counts the call and succeeds, as a check of the right password does. */
function rightPassword(): Promise<{ userId: number }> {
	checks += 1;
	return Promise.resolve({ userId: 7 });
}

/** Resolves after pending promise callbacks have run, so queued checks have started. */
function settle(): Promise<void> {
	return new Promise((resolve) => setImmediate(resolve));
}

function signIn<T>(email: string, address: string, check: () => Promise<T | null>) {
	return throttle.guard([email, address], check, [email]);
}

async function failTimes(times: number, email: string, address: string): Promise<void> {
	for (let i = 0; i < times; i++) {
		const result = await signIn(email, address, wrongPassword);
		expect(result, `failure ${i + 1} should not be throttled`).toEqual({
			throttled: false,
			value: null
		});
	}
}

function retryAfter(result: GuardResult<unknown>): number | null {
	return result.throttled ? result.retryAfterSeconds : null;
}

describe('Throttle.delayAfter', () => {
	it.each([
		[0, 0],
		[4, 0],
		[5, 1000],
		[6, 2000],
		[7, 4000],
		[8, 8000],
		[13, 256_000],
		[14, 300_000],
		[15, 300_000],
		[10_000, 300_000]
	])('after %i failures waits %i ms', (failures, delayMs) => {
		expect(throttle.delayAfter(failures)).toBe(delayMs);
	});
});

describe('Throttle.guard', () => {
	it('allows five failures then waits', async () => {
		await failTimes(5, ANA, HOME);

		const sixth = await signIn(ANA, HOME, wrongPassword);

		expect(sixth).toEqual({ throttled: true, retryAfterSeconds: 1, key: ANA });
		expect(checks).toBe(5);
	});

	it('refuses the right password while waiting', async () => {
		await failTimes(5, ANA, HOME);
		clock += 999;

		const result = await signIn(ANA, HOME, rightPassword);

		expect(retryAfter(result)).toBe(1);
		expect(checks).toBe(5);
	});

	it('allows one check once the wait ends', async () => {
		await failTimes(5, ANA, HOME);
		clock += 1000;

		const result = await signIn(ANA, HOME, rightPassword);

		expect(result).toEqual({ throttled: false, value: { userId: 7 } });
		expect(checks).toBe(6);
	});

	it('doubles the wait up to 300 s', async () => {
		await failTimes(5, ANA, HOME);
		const waits: number[] = [];

		for (let i = 0; i < 11; i++) {
			const early = await signIn(ANA, HOME, wrongPassword);
			const waitSeconds = retryAfter(early)!;
			waits.push(waitSeconds);
			clock += waitSeconds * 1000;
			await signIn(ANA, HOME, wrongPassword);
		}

		expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
		expect(checks).toBe(16);
	});

	it('reports the remaining wait', async () => {
		await failTimes(5, ANA, HOME);
		clock += 1000;
		await signIn(ANA, HOME, wrongPassword);

		clock += 500;
		const halfway = await signIn(ANA, CAFE, rightPassword);
		clock += 600;
		const nearlyDone = await signIn(ANA, CAFE, rightPassword);

		// Six failures mean 2 s: 1.5 s remain, rounded up, then 0.9 s.
		expect(retryAfter(halfway)).toBe(2);
		expect(retryAfter(nearlyDone)).toBe(1);
	});

	it('success resets the email only', async () => {
		await failTimes(4, ANA, HOME);
		await signIn(ANA, HOME, rightPassword);

		// The email starts again from zero: four more failures are free.
		await failTimes(4, ANA, CAFE);
		// The address kept its four failures, so one more failure makes it wait.
		await failTimes(1, BIA, HOME);
		const fromHome = await signIn(emailKey('cid@example.com'), HOME, rightPassword);

		expect(fromHome).toEqual({ throttled: true, retryAfterSeconds: 1, key: HOME });
		expect(checks).toBe(10);
	});

	it('email wait covers every address', async () => {
		for (let i = 1; i <= 5; i++) {
			await failTimes(1, ANA, addressKey(`203.0.113.${i}`)!);
		}

		const elsewhere = await signIn(ANA, CAFE, rightPassword);

		expect(elsewhere).toEqual({ throttled: true, retryAfterSeconds: 1, key: ANA });
	});

	it('other emails and addresses unaffected', async () => {
		for (let i = 1; i <= 5; i++) {
			await failTimes(1, ANA, addressKey(`203.0.113.${i}`)!);
		}

		const otherUser = await signIn(BIA, addressKey('203.0.113.1')!, rightPassword);

		expect(otherUser).toEqual({ throttled: false, value: { userId: 7 } });
	});

	it('address wait covers every email', async () => {
		for (let i = 1; i <= 5; i++) {
			await failTimes(1, emailKey(`spray${i}@example.com`), HOME);
		}

		const sameAddress = await signIn(BIA, HOME, rightPassword);
		const otherAddress = await signIn(BIA, CAFE, rightPassword);

		expect(sameAddress).toEqual({ throttled: true, retryAfterSeconds: 1, key: HOME });
		expect(otherAddress).toEqual({ throttled: false, value: { userId: 7 } });
	});

	it('forgets failures after 15 minutes', async () => {
		await failTimes(4, ANA, HOME);
		clock += RESET_AFTER_MS;

		await failTimes(4, ANA, HOME);
		const fifth = await signIn(ANA, HOME, wrongPassword);
		const sixth = await signIn(ANA, HOME, wrongPassword);

		expect(fifth.throttled).toBe(false);
		expect(retryAfter(sixth)).toBe(1);
	});

	it('keeps failures just under 15 minutes', async () => {
		await failTimes(4, ANA, HOME);
		clock += RESET_AFTER_MS - 1;

		await failTimes(1, ANA, HOME);

		expect(retryAfter(await signIn(ANA, HOME, wrongPassword))).toBe(1);
	});

	it('does not count a check that throws', async () => {
		for (let i = 0; i < 8; i++) {
			const failing = signIn(ANA, HOME, () => Promise.reject(new Error('database locked')));
			await expect(failing).rejects.toThrow('database locked');
		}

		expect(throttle.size).toBe(0);
		expect((await signIn(ANA, HOME, rightPassword)).throttled).toBe(false);
	});

	it('concurrent checks stop at five', async () => {
		const pending: Array<(value: null) => void> = [];
		const slowWrongPassword = () => {
			checks += 1;
			return new Promise<null>((resolve) => pending.push(resolve));
		};

		const attempts = Array.from({ length: 10 }, (_, i) =>
			signIn(ANA, addressKey(`203.0.113.${i + 1}`)!, slowWrongPassword)
		);
		await settle();
		const checksStarted = checks;
		for (const resolve of pending) resolve(null);
		const results = await Promise.all(attempts);

		expect(checksStarted).toBe(5);
		expect(checks).toBe(5);
		expect(results.filter((result) => !result.throttled)).toHaveLength(5);
		expect(results.map(retryAfter).filter((seconds) => seconds !== null)).toEqual([1, 1, 1, 1, 1]);
		expect(retryAfter(await signIn(ANA, CAFE, rightPassword))).toBe(1);
	});

	it('concurrent successes all pass', async () => {
		const pending: Array<(value: { userId: number }) => void> = [];
		let running = 0;
		let maxRunning = 0;
		const slowRightPassword = () => {
			running += 1;
			maxRunning = Math.max(maxRunning, running);
			return new Promise<{ userId: number }>((resolve) => pending.push(resolve));
		};

		const attempts = Array.from({ length: 20 }, () => signIn(ANA, HOME, slowRightPassword));
		// Each round lets the queued checks start, then finishes the running ones.
		for (let round = 0; round < 10; round++) {
			await settle();
			for (const resolve of pending.splice(0)) {
				running -= 1;
				resolve({ userId: 7 });
			}
		}
		const results = await Promise.all(attempts);

		expect(results.every((result) => !result.throttled && result.value?.userId === 7)).toBe(true);
		expect(maxRunning).toBe(5);
		expect(throttle.size).toBe(0);
	});

	it('past threshold runs one check at a time', async () => {
		await failTimes(5, ANA, HOME);
		clock += 1000;
		let finish: (value: null) => void = () => {};
		const first = signIn(ANA, HOME, () => new Promise<null>((resolve) => (finish = resolve)));
		const second = signIn(ANA, CAFE, rightPassword);

		await settle();
		const checksWhileFirstRuns = checks;
		finish(null);

		// The first check failed, so the queued one meets the delay after six failures: 2 s.
		expect(checksWhileFirstRuns).toBe(5);
		expect((await first).throttled).toBe(false);
		expect(await second).toEqual({ throttled: true, retryAfterSeconds: 2, key: ANA });
		expect(checks).toBe(5);
	});

	it('queued check runs after a success', async () => {
		await failTimes(5, ANA, HOME);
		clock += 1000;
		let finish: (value: { userId: number }) => void = () => {};
		const first = signIn(
			ANA,
			HOME,
			() => new Promise<{ userId: number }>((resolve) => (finish = resolve))
		);
		const second = signIn(ANA, CAFE, rightPassword);

		await settle();
		finish({ userId: 7 });

		expect(await first).toEqual({ throttled: false, value: { userId: 7 } });
		expect(await second).toEqual({ throttled: false, value: { userId: 7 } });
		expect(checks).toBe(6);
	});

	it('drops keys idle for 15 minutes', async () => {
		await failTimes(1, ANA, HOME);
		await failTimes(1, BIA, CAFE);
		expect(throttle.size).toBe(4);

		clock += RESET_AFTER_MS;
		await failTimes(1, emailKey('cid@example.com'), HOME);

		expect(throttle.size).toBe(2);
	});

	it('success leaves no new key', async () => {
		await signIn(ANA, HOME, rightPassword);

		expect(throttle.size).toBe(0);
	});

	it('evicts the oldest key beyond maxEntries', async () => {
		const small = new Throttle({ threshold: 1, maxEntries: 3 }, () => clock);
		const keys = ['a', 'b', 'c', 'd'];

		for (const key of keys) await small.guard([key], wrongPassword);

		expect(small.size).toBe(3);
		expect((await small.guard(['a'], wrongPassword)).throttled).toBe(false);
		expect(await small.guard(['d'], wrongPassword)).toEqual({
			throttled: true,
			retryAfterSeconds: 1,
			key: 'd'
		});
	});

	it('never evicts a key in flight', async () => {
		const small = new Throttle({ threshold: 1, maxEntries: 1 }, () => clock);
		let finish: (value: null) => void = () => {};
		const slow = small.guard(['a'], () => new Promise<null>((resolve) => (finish = resolve)));

		await small.guard(['b'], wrongPassword);
		await small.guard(['c'], wrongPassword);
		finish(null);
		await slow;

		// The cap is enforced when a check starts, so 'a' and 'c' remain until the next one.
		expect(small.size).toBe(2);
		expect(retryAfter(await small.guard(['a'], wrongPassword))).toBe(1);
		expect((await small.guard(['b'], wrongPassword)).throttled).toBe(false);
	});

	it('rejects resetAfterMs within maxDelayMs', () => {
		expect(() => new Throttle({ maxDelayMs: 60_000, resetAfterMs: 60_000 })).toThrow(
			'resetAfterMs (60000) must be longer than maxDelayMs (60000)'
		);
	});
});

describe('throttle keys', () => {
	it.each([
		['203.0.113.7', 'address:203.0.113.7'],
		['::ffff:203.0.113.7', 'address:203.0.113.7'],
		['2001:db8:1:2:3:4:5:6', 'address:2001:db8:1:2::/64'],
		['2001:db8:1:2::9', 'address:2001:db8:1:2::/64'],
		['2001:DB8:0001::', 'address:2001:db8:1:0::/64'],
		['2001:db8::', 'address:2001:db8:0:0::/64'],
		['::1', 'address:0:0:0:0::/64'],
		['fe80::1%eth0', 'address:fe80:0:0:0::/64'],
		['64:ff9b::203.0.113.7', 'address:64:ff9b:0:0::/64'],
		['unknown', null],
		['203.0.113.7, 198.51.100.1', null],
		['', null],
		[undefined, null]
	])('addressKey(%j) is %j', (address, key) => {
		expect(addressKey(address)).toBe(key);
	});

	it('emailKey normalizes like sign-in', () => {
		expect(emailKey('  Ana@Example.COM ')).toBe('email:ana@example.com');
		expect(emailKey(`${'a'.repeat(300)}@example.com`)).toBe(`email:${'a'.repeat(254)}`);
	});

	it('userKey names the user id', () => {
		expect(userKey(42)).toBe('user:42');
	});
});

describe('account.changePassword throttle', () => {
	const PASSWORD = 'correct horse battery staple';
	let t: TestDb;

	beforeEach(() => (t = createTestDb()));
	afterEach(() => t.close());

	async function createAccount(email: string) {
		const user = await createUser(t.db, { email, name: 'Ana', role: 'staff', password: PASSWORD });
		return { id: user.id, email: user.email, name: user.name, role: user.role };
	}

	function changePassword(user: Awaited<ReturnType<typeof createAccount>>, current: string) {
		return callerFor(t.db, user)
			.account.changePassword({ currentPassword: current, newPassword: 'a brand new passphrase' })
			.then(
				(result) => ({ ok: result.ok, code: null, message: null }),
				(error: TRPCError) => ({ ok: false, code: error.code, message: error.message })
			);
	}

	it('batch of ten checks only five', async () => {
		const ana = await createAccount('ana@example.com');
		const before = snapshot(t.db);

		const results = await Promise.all(
			Array.from({ length: 10 }, (_, i) => changePassword(ana, `wrong guess ${i}`))
		);

		const codes = results.map((result) => result.code).sort();
		expect(codes).toEqual([
			...Array<string>(5).fill('BAD_REQUEST'),
			...Array<string>(5).fill('TOO_MANY_REQUESTS')
		]);
		expect(results.find((result) => result.code === 'TOO_MANY_REQUESTS')?.message).toBe(
			'Too many incorrect current passwords. Wait 1 s and try again.'
		);
		expect(snapshot(t.db)).toEqual(before);
	});

	it('refuses the right password while waiting', async () => {
		const ana = await createAccount('ana@example.com');
		for (let i = 0; i < 5; i++) await changePassword(ana, `wrong guess ${i}`);

		const result = await changePassword(ana, PASSWORD);

		expect(result.code).toBe('TOO_MANY_REQUESTS');
		const row = t.db.select().from(users).where(eq(users.id, ana.id)).get();
		expect(await verifyPassword(row!.passwordHash, PASSWORD)).toBe(true);
	});

	it('incorrect password keeps its field issue', async () => {
		const ana = await createAccount('ana@example.com');

		const error = await callerFor(t.db, ana)
			.account.changePassword({ currentPassword: 'wrong guess', newPassword: 'a brand new one!' })
			.catch((reason: TRPCError) => reason);

		expect(errorShapeOf(error as TRPCError).data.issues).toEqual([
			{ field: 'currentPassword', code: 'incorrect', message: 'Current password is incorrect.' }
		]);
	});

	it('other users unaffected', async () => {
		const ana = await createAccount('ana@example.com');
		const bia = await createAccount('bia@example.com');
		for (let i = 0; i < 5; i++) await changePassword(ana, `wrong guess ${i}`);

		const result = await changePassword(bia, PASSWORD);

		expect(result).toEqual({ ok: true, code: null, message: null });
	});

	it('invalid new password not counted', async () => {
		const ana = await createAccount('ana@example.com');

		for (let i = 0; i < 6; i++) {
			const error = await callerFor(t.db, ana)
				.account.changePassword({ currentPassword: PASSWORD, newPassword: 'short' })
				.catch((reason: TRPCError) => reason);
			expect((error as TRPCError).code).toBe('BAD_REQUEST');
		}

		expect((await changePassword(ana, PASSWORD)).ok).toBe(true);
	});
});
