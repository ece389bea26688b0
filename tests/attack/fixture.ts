/**
 * Records that the attack tests refer to, created through tRPC as the admin, and a valid input
 * for each procedure, so that an attack that got through would write something visible.
 */
import { callProcedure, dataOf, validCpf, type AttackApp } from './harness';

export interface Fixture {
	clientId: number;
	/** A client without cases, which clients.delete can remove. */
	spareClientId: number;
	partnerId: number;
	caseId: number;
	paymentId: number;
}

let nextCpfBase = 200_000_000;

/** Returns a CPF that no earlier call in this process returned. */
export function freshCpf(): string {
	nextCpfBase += 1;
	return validCpf(nextCpfBase);
}

/** Creates a client, a spare client, a partner, a case and one payment as the admin. */
export async function createFixture(app: AttackApp): Promise<Fixture> {
	const call = async <T>(path: string, input: unknown): Promise<T> =>
		dataOf<T>(await callProcedure(app.origin, app.cookies.admin, path, input), path);

	const client = await call<{ id: number }>('clients.create', {
		kind: 'person',
		name: 'Cliente do Ataque',
		document: freshCpf()
	});
	const spareClient = await call<{ id: number }>('clients.create', {
		kind: 'person',
		name: 'Cliente Avulsa',
		document: freshCpf()
	});
	const partner = await call<{ id: number }>('people.create', {
		role: 'partner',
		name: 'Sócia do Ataque'
	});
	// This action type accepts single payments and installments.
	const legalCase = await call<{ id: number }>('cases.create', {
		clientId: client.id,
		actionType: 'social_security_back_pay',
		title: 'Aposentadoria por idade',
		partnerId: partner.id,
		openedOn: '2026-01-05'
	});
	const payments = await call<{ id: number } | { id: number }[]>('transactions.create', {
		caseId: legalCase.id,
		valueType: 'procedural_costs',
		grossCents: 12_345,
		receivedOn: '2026-01-10'
	});
	const payment = Array.isArray(payments) ? payments[0]! : payments;

	return {
		clientId: client.id,
		spareClientId: spareClient.id,
		partnerId: partner.id,
		caseId: legalCase.id,
		paymentId: payment.id
	};
}

/**
 * A valid input for each procedure that takes one. A procedure without a line is called
 * without input, so a new procedure is still attacked, though an allowed call of it may then
 * end in BAD_REQUEST.
 */
export const VALID_INPUTS: Record<string, (fixture: Fixture) => unknown> = {
	'account.changePassword': () => ({
		currentPassword: 'not the current password',
		newPassword: 'another long passphrase'
	}),
	'sessions.revoke': () => ({ id: 'no-such-session' }),
	'twoFactor.confirmSetup': () => ({ code: '000000' }),
	'twoFactor.disable': () => ({ currentPassword: 'not the current password', code: '000000' }),
	'twoFactor.regenerateRecoveryCodes': () => ({ code: '000000' }),
	'audit.list': (f) => ({ entity: 'client', entityId: String(f.clientId) }),
	'clients.list': () => ({}),
	'clients.get': (f) => ({ id: f.clientId }),
	'clients.create': () => ({ kind: 'person', name: 'Nova Cliente', document: freshCpf() }),
	'clients.update': (f) => ({
		id: f.clientId,
		kind: 'person',
		name: 'Cliente Renomeada',
		document: freshCpf()
	}),
	'clients.archive': (f) => ({ id: f.clientId }),
	'clients.delete': (f) => ({ id: f.spareClientId }),
	'people.list': () => ({}),
	'people.create': () => ({ role: 'partner', name: 'Nova Sócia' }),
	'people.update': (f) => ({ id: f.partnerId, name: 'Sócia Renomeada', active: true }),
	'cases.list': () => ({}),
	'cases.get': (f) => ({ id: f.caseId }),
	'cases.create': (f) => ({
		clientId: f.clientId,
		actionType: 'civil',
		title: 'Ação de cobrança',
		partnerId: f.partnerId,
		openedOn: '2026-02-02'
	}),
	'cases.update': (f) => ({
		id: f.caseId,
		clientId: f.clientId,
		actionType: 'social_security_back_pay',
		title: 'Título novo',
		partnerId: f.partnerId,
		openedOn: '2026-01-05'
	}),
	'cases.setStatus': (f) => ({ id: f.caseId, status: 'suspended' }),
	'dashboard.summary': () => ({}),
	'settings.update': () => ({
		defaultFeeBps: 2500,
		defaultPartnerShareBps: 4000,
		defaultConsultantCommissionBps: 800
	}),
	'reports.period': () => ({ from: '2026-01-01', to: '2026-01-31' }),
	'transactions.preview': (f) => ({
		caseId: f.caseId,
		valueType: 'procedural_costs',
		grossCents: 10_000
	}),
	'transactions.create': (f) => ({
		caseId: f.caseId,
		valueType: 'procedural_costs',
		grossCents: 10_000,
		receivedOn: '2026-02-02'
	}),
	'transactions.createInstallments': (f) => ({
		caseId: f.caseId,
		firstReceivedOn: '2026-02-02',
		count: 2,
		amountCents: 5000
	}),
	'transactions.void': (f) => ({ id: f.paymentId, reason: 'Lançado em duplicidade' })
};

/** Returns the valid input of `path` for `fixture`, or undefined for a procedure without a line. */
export function validInput(path: string, fixture: Fixture): unknown {
	return VALID_INPUTS[path]?.(fixture);
}
