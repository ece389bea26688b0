import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { hashPassword } from '$lib/server/auth/password';
import {
	awaitsTwoFactorCode,
	createSession,
	sessionIdOf,
	validateSessionToken,
	type SessionUser
} from '$lib/server/auth/session';
import { totpCodeForStep, totpStepAt } from '$lib/server/auth/totp';
import { completeTwoFactorSignIn } from '$lib/server/auth/two-factor';
import { resetTwoFactor } from '$lib/server/auth/two-factor-reset';
import { auditLog, recoveryCodes, sessions, settings, users } from '$lib/server/db/schema';
import { UserError } from '$lib/server/users';

import {
	callerFor,
	createTestDb,
	errorShapeOf,
	insertUser,
	type Caller,
	type TestDb
} from '../helpers/test-db';

const PASSWORD = 'correct horse battery staple';
// The middle of a 30-second step, so that the step does not change during a test.
const START = Date.UTC(2026, 11, 4, 12, 0, 15);
const STEP_MS = 30_000;

let t: TestDb;
let ana: SessionUser;
let sessionId: string;
let api: Caller;

beforeEach(async () => {
	vi.useFakeTimers({ toFake: ['Date'] });
	vi.setSystemTime(START);
	t = createTestDb();
	ana = insertUser(t.db, 'staff');
	t.db
		.update(users)
		.set({ passwordHash: await hashPassword(PASSWORD) })
		.where(eq(users.id, ana.id))
		.run();
	sessionId = sessionIdOf(createSession(t.db, ana.id).token)!;
	api = callerFor(t.db, ana, sessionId);
});

afterEach(() => {
	t.close();
	vi.useRealTimers();
});

function codeAt(key: Uint8Array, nowMs = Date.now()): string {
	return totpCodeForStep(key, totpStepAt(nowMs));
}

function userRow() {
	return t.db.select().from(users).where(eq(users.id, ana.id)).get()!;
}

function auditRows(action?: string) {
	const rows = t.db.select().from(auditLog).all();
	return action === undefined ? rows : rows.filter((row) => row.action === action);
}

function advanceSteps(count: number): void {
	vi.setSystemTime(Date.now() + count * STEP_MS);
}

/** Sets up two-factor sign-in through the router, as the account page does. */
async function enableTwoFactor(): Promise<{ key: Uint8Array; codes: string[] }> {
	const setup = await api.twoFactor.beginSetup();
	const key = decodeBase32IgnorePadding(setup.key.replaceAll(' ', ''));
	const { recoveryCodes: codes } = await api.twoFactor.confirmSetup({ code: codeAt(key) });
	return { key, codes };
}

async function rejectionOf(call: () => Promise<unknown>) {
	const error = await call().then(
		() => null,
		(reason: unknown) => reason
	);
	expect(error, 'the call should have failed').not.toBeNull();
	return error as Parameters<typeof errorShapeOf>[0];
}

describe('twoFactor setup', () => {
	it('starts with two-factor off', async () => {
		expect(await api.twoFactor.status()).toEqual({
			enabled: false,
			enabledAt: null,
			setupStarted: false,
			recoveryCodesLeft: 0,
			required: false
		});
	});

	it('returns key, URI and QR code', async () => {
		const setup = await api.twoFactor.beginSetup();

		const key = decodeBase32IgnorePadding(setup.key.replaceAll(' ', ''));
		expect(Buffer.from(key).equals(userRow().totpKey!)).toBe(true);
		expect(setup.uri).toContain(`otpauth://totp/Case%20Ledger:${encodeURIComponent(ana.email)}`);
		expect(setup.qrCode).toMatch(/^data:image\/svg\+xml;base64,/);
		expect(Buffer.from(setup.qrCode.split(',')[1]!, 'base64').toString()).toContain('<svg');
		expect((await api.twoFactor.status()).setupStarted).toBe(true);
		expect(userRow().totpEnabledAt).toBeNull();
	});

	it('rejects wrong confirmation code', async () => {
		const setup = await api.twoFactor.beginSetup();
		const key = decodeBase32IgnorePadding(setup.key.replaceAll(' ', ''));
		const wrong = codeAt(key) === '000000' ? '111111' : '000000';

		const error = await rejectionOf(() => api.twoFactor.confirmSetup({ code: wrong }));

		expect(error.code).toBe('BAD_REQUEST');
		expect(errorShapeOf(error).data.issues).toMatchObject([{ field: 'code', code: 'incorrect' }]);
		expect(userRow().totpEnabledAt).toBeNull();
		expect(auditRows('two_factor_failed')).toMatchObject([
			{ actorId: ana.id, entity: 'user', entityId: String(ana.id) }
		]);
		expect(JSON.parse(auditRows('two_factor_failed')[0]!.details!)).toEqual({ stage: 'setup' });
	});

	it('enables with a valid code', async () => {
		const { codes } = await enableTwoFactor();

		expect(codes).toHaveLength(10);
		expect(userRow().totpEnabledAt).toBe(new Date(START).toISOString());
		expect(userRow().totpLastStep).toBe(totpStepAt(START));
		expect(await api.twoFactor.status()).toEqual({
			enabled: true,
			enabledAt: new Date(START).toISOString(),
			setupStarted: false,
			recoveryCodesLeft: 10,
			required: false
		});
		const row = t.db.select().from(sessions).where(eq(sessions.id, sessionId)).get();
		expect(row?.twoFactorVerified).toBe(true);
		expect(auditRows('two_factor_enabled')).toMatchObject([
			{ actorId: ana.id, source: 'app', entity: 'user', entityId: String(ana.id) }
		]);
	});

	it('stores only hashes of recovery codes', async () => {
		const { codes } = await enableTwoFactor();

		const stored = JSON.stringify(t.db.$client.prepare('SELECT * FROM recovery_codes').all());
		const rows = t.db.select().from(recoveryCodes).all();
		expect(rows).toHaveLength(10);
		for (const row of rows) expect(row.codeHash).toHaveLength(32);
		for (const code of codes) {
			expect(stored).not.toContain(code);
			expect(stored).not.toContain(code.replaceAll('-', ''));
		}
	});

	it('keeps key and codes out of audit', async () => {
		const { key, codes } = await enableTwoFactor();

		const trail = JSON.stringify(auditRows());
		const keyText = Buffer.from(key).toString('hex');
		expect(trail).not.toContain(keyText);
		for (const code of codes) expect(trail).not.toContain(code);
		expect(JSON.stringify(await api.twoFactor.status())).not.toMatch(/key/i);
	});

	it('rejects a second setup while on', async () => {
		await enableTwoFactor();

		const begin = await rejectionOf(() => api.twoFactor.beginSetup());
		const confirm = await rejectionOf(() => api.twoFactor.confirmSetup({ code: '123456' }));

		expect(begin.code).toBe('CONFLICT');
		expect(confirm.code).toBe('CONFLICT');
	});

	it('rejects confirmation without setup', async () => {
		const error = await rejectionOf(() => api.twoFactor.confirmSetup({ code: '123456' }));

		expect(error.code).toBe('CONFLICT');
		expect(error.message).toBe('No setup is in progress. Start the setup again to get a key.');
	});

	it('throttles wrong codes per user', async () => {
		await api.twoFactor.beginSetup();
		for (let attempt = 0; attempt < 5; attempt++) {
			const error = await rejectionOf(() => api.twoFactor.confirmSetup({ code: 'abcdef' }));
			expect(error.code, `attempt ${attempt + 1}`).toBe('BAD_REQUEST');
		}

		const throttled = await rejectionOf(() => api.twoFactor.confirmSetup({ code: 'abcdef' }));

		expect(throttled.code).toBe('TOO_MANY_REQUESTS');
		expect(throttled.message).toMatch(/^Too many incorrect codes\. Wait \d+ s and try again\.$/);
		expect(auditRows('two_factor_failed')).toHaveLength(5);
	});
});

describe('two-factor sign-in', () => {
	function pendingSession() {
		const { token } = createSession(t.db, ana.id);
		return { id: sessionIdOf(token)!, token, userId: ana.id };
	}

	it('marks new session as awaiting code', async () => {
		await enableTwoFactor();
		const session = pendingSession();

		const validated = validateSessionToken(t.db, session.token)!;

		expect(validated.session.twoFactorEnabled).toBe(true);
		expect(validated.session.twoFactorVerified).toBe(false);
		expect(awaitsTwoFactorCode(validated.session)).toBe(true);
	});

	it('verifies session with next code', async () => {
		const { key } = await enableTwoFactor();
		const session = pendingSession();
		advanceSteps(1);

		const factor = completeTwoFactorSignIn(t.db, session, codeAt(key), '203.0.113.9');

		expect(factor).toMatchObject({ method: 'totp', step: totpStepAt(START) + 1 });
		expect(validateSessionToken(t.db, session.token)).toBeNull();
		const replacement = validateSessionToken(t.db, factor!.session.token)!;
		expect(replacement.session.id).not.toBe(session.id);
		expect(awaitsTwoFactorCode(replacement.session)).toBe(false);
		const signIn = auditRows('sign_in');
		expect(signIn).toMatchObject([{ actorId: ana.id, entity: 'user', entityId: String(ana.id) }]);
		expect(JSON.parse(signIn[0]!.details!)).toEqual({
			address: '203.0.113.9',
			secondFactor: 'totp'
		});
	});

	it('never accepts a step twice', async () => {
		const { key } = await enableTwoFactor();
		const session = pendingSession();

		// The setup consumed the current step.
		expect(completeTwoFactorSignIn(t.db, session, codeAt(key), '203.0.113.9')).toBeNull();
		advanceSteps(1);
		const code = codeAt(key);
		expect(completeTwoFactorSignIn(t.db, session, code, '203.0.113.9')).not.toBeNull();
		expect(completeTwoFactorSignIn(t.db, pendingSession(), code, '203.0.113.9')).toBeNull();
		expect(userRow().totpLastStep).toBe(totpStepAt(START) + 1);
	});

	it('accepts drift of one step only', async () => {
		const { key } = await enableTwoFactor();
		advanceSteps(3);
		const now = Date.now();

		expect(
			completeTwoFactorSignIn(t.db, pendingSession(), codeAt(key, now - 2 * STEP_MS), 'a')
		).toBeNull();
		expect(
			completeTwoFactorSignIn(t.db, pendingSession(), codeAt(key, now - STEP_MS), 'a')
		).not.toBeNull();
		expect(
			completeTwoFactorSignIn(t.db, pendingSession(), codeAt(key, now + STEP_MS), 'a')
		).not.toBeNull();
		expect(
			completeTwoFactorSignIn(t.db, pendingSession(), codeAt(key, now + 2 * STEP_MS), 'a')
		).toBeNull();
	});

	it('accepts a recovery code once', async () => {
		const { codes } = await enableTwoFactor();
		const typed = codes[3]!.toLowerCase().replaceAll('-', ' ');

		const first = completeTwoFactorSignIn(t.db, pendingSession(), typed, '203.0.113.9');
		const second = completeTwoFactorSignIn(t.db, pendingSession(), codes[3]!, '203.0.113.9');

		expect(first).toMatchObject({ method: 'recovery_code', recoveryCodesLeft: 9 });
		expect(second).toBeNull();
		expect((await api.twoFactor.status()).recoveryCodesLeft).toBe(9);
		expect(auditRows('recovery_code_used')).toHaveLength(1);
		expect(JSON.parse(auditRows('recovery_code_used')[0]!.details!)).toEqual({
			address: '203.0.113.9',
			recoveryCodesLeft: 9
		});
	});

	it('rejects another user recovery code', async () => {
		const { codes } = await enableTwoFactor();
		const bea = insertUser(t.db);
		t.db
			.update(users)
			.set({ totpKey: Buffer.alloc(20), totpEnabledAt: new Date().toISOString() })
			.where(eq(users.id, bea.id))
			.run();
		const { token } = createSession(t.db, bea.id);

		const factor = completeTwoFactorSignIn(
			t.db,
			{ id: sessionIdOf(token)!, userId: bea.id },
			codes[0]!,
			'203.0.113.9'
		);

		expect(factor).toBeNull();
	});
});

describe('twoFactor.regenerateRecoveryCodes', () => {
	it('replaces every code', async () => {
		const { key, codes } = await enableTwoFactor();
		advanceSteps(1);

		const { recoveryCodes: fresh } = await api.twoFactor.regenerateRecoveryCodes({
			code: codeAt(key)
		});

		expect(fresh).toHaveLength(10);
		expect(fresh.filter((code) => codes.includes(code))).toEqual([]);
		expect(
			completeTwoFactorSignIn(t.db, { id: sessionId, userId: ana.id }, codes[0]!, 'a')
		).toBeNull();
		expect(
			completeTwoFactorSignIn(t.db, { id: sessionId, userId: ana.id }, fresh[0]!, 'a')
		).not.toBeNull();
		expect(auditRows('recovery_codes_regenerated')).toHaveLength(1);
	});

	it('rejects reused code', async () => {
		const { key } = await enableTwoFactor();

		const error = await rejectionOf(() =>
			api.twoFactor.regenerateRecoveryCodes({ code: codeAt(key) })
		);

		expect(error.code).toBe('BAD_REQUEST');
		expect(auditRows('recovery_codes_regenerated')).toEqual([]);
		expect(auditRows('two_factor_failed')).toHaveLength(1);
	});
});

describe('twoFactor.disable', () => {
	it('turns off with password and code', async () => {
		const { key } = await enableTwoFactor();
		advanceSteps(1);

		await api.twoFactor.disable({ currentPassword: PASSWORD, code: codeAt(key) });

		expect(userRow()).toMatchObject({ totpKey: null, totpEnabledAt: null, totpLastStep: null });
		expect(t.db.select().from(recoveryCodes).all()).toEqual([]);
		expect(auditRows('two_factor_disabled')).toMatchObject([
			{ actorId: ana.id, entityId: String(ana.id) }
		]);
	});

	it('ends sessions still waiting for a code', async () => {
		const { key } = await enableTwoFactor();
		const waiting = sessionIdOf(createSession(t.db, ana.id).token)!;
		advanceSteps(1);

		await api.twoFactor.disable({ currentPassword: PASSWORD, code: codeAt(key) });

		const remaining = t.db.select({ id: sessions.id }).from(sessions).all();
		expect(remaining.map((row) => row.id)).toEqual([sessionId]);
		expect(remaining.map((row) => row.id)).not.toContain(waiting);
		const [row] = auditRows('two_factor_disabled');
		expect(JSON.parse(row!.details!)).toMatchObject({ waitingSessionsEnded: 1 });
	});

	it.each([
		['currentPassword', 'not the password', true],
		['code', PASSWORD, false]
	])('rejects wrong %s', async (field, password, validCode) => {
		const { key } = await enableTwoFactor();
		advanceSteps(1);
		const code = validCode ? codeAt(key) : 'AAAA-AAAA-AAAA-AAAA';

		const error = await rejectionOf(() =>
			api.twoFactor.disable({ currentPassword: password, code })
		);

		expect(errorShapeOf(error).data.issues).toMatchObject([{ field, code: 'incorrect' }]);
		expect(userRow().totpEnabledAt).not.toBeNull();
		expect(t.db.select().from(recoveryCodes).all()).toHaveLength(10);
	});

	it('is refused while office requires it', async () => {
		const { key } = await enableTwoFactor();
		t.db.update(settings).set({ requireTwoFactor: true }).run();
		advanceSteps(1);

		const error = await rejectionOf(() =>
			api.twoFactor.disable({ currentPassword: PASSWORD, code: codeAt(key) })
		);
		const regenerated = await api.twoFactor.regenerateRecoveryCodes({ code: codeAt(key) });

		expect(error.code).toBe('FORBIDDEN');
		expect(error.message).toMatch(/^The office requires two-factor sign-in/);
		expect(regenerated.recoveryCodes).toHaveLength(10);
		expect(userRow().totpEnabledAt).not.toBeNull();
	});
});

describe('resetTwoFactor', () => {
	it('clears key, codes and sessions', async () => {
		await enableTwoFactor();
		createSession(t.db, ana.id);

		const reset = resetTwoFactor(t.db, ana.email.toUpperCase());

		expect(reset).toMatchObject({
			previousEnabledAt: new Date(START).toISOString(),
			keyCleared: true,
			recoveryCodesDeleted: 10,
			sessionsEnded: 2
		});
		expect(userRow()).toMatchObject({ totpKey: null, totpEnabledAt: null, totpLastStep: null });
		expect(t.db.select().from(sessions).all()).toEqual([]);
		const [row] = auditRows('two_factor_reset');
		expect(row).toMatchObject({ actorId: null, source: 'cli', entityId: String(ana.id) });
		expect(JSON.parse(row!.changes!)).toEqual({
			totpEnabledAt: [new Date(START).toISOString(), null]
		});
	});

	it('rejects unknown email', () => {
		expect(() => resetTwoFactor(t.db, 'nobody@example.com')).toThrow(UserError);
		expect(auditRows('two_factor_reset')).toEqual([]);
	});
});
