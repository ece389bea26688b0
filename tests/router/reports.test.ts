import { Writable } from 'node:stream';

import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Db } from '$lib/server/db';
import type { Case } from '$lib/server/db/schema';
import type { Logger } from '$lib/server/log';
import {
	openPeriodSnapshot,
	periodTotals,
	queryPeriodRows,
	respondWithPeriodFile,
	writePeriodCsv,
	writePeriodXlsx,
	type PeriodFormat,
	type PeriodRow
} from '$lib/server/reports/period';
import { encodeCursor } from '$lib/server/trpc/pagination';

import {
	callerFor,
	createTestDb,
	expectFailure,
	expectInvalid,
	insertCase,
	insertClient,
	insertPerson,
	insertUser,
	makeCnj,
	VALID_CNPJS,
	VALID_CPFS,
	type Caller,
	type TestDb
} from '../helpers/test-db';

const FROM = '2026-01-01';
const TO = '2026-01-31';
const CNJ = makeCnj(1);
const MONEY_FORMAT = '"R$" #,##0.00';

const PT_HEADERS = [
	'Data',
	'Cliente',
	'CPF/CNPJ do cliente',
	'Processo (CNJ)',
	'Tipo de ação',
	'Sócio',
	'Consultor',
	'Tipo de valor',
	'Valor bruto',
	'Parte do cliente',
	'Parte do escritório',
	'Parte do sócio',
	'Parte do consultor',
	'Observações',
	'Anulado',
	'Motivo da anulação'
];

const EN_HEADERS = [
	'Date',
	'Client',
	'Client CPF/CNPJ',
	'Case number (CNJ)',
	'Action type',
	'Partner',
	'Consultant',
	'Value type',
	'Gross amount',
	'Client share',
	'Office share',
	'Partner share',
	'Consultant share',
	'Notes',
	'Voided',
	'Void reason'
];

let testDb: TestDb;
let db: Db;
let api: Caller;
let civilCase: Case;
let backPayCase: Case;

beforeEach(() => {
	testDb = createTestDb();
	db = testDb.db;
	api = callerFor(db, insertUser(db, 'staff'));

	const person = insertClient(db, { name: 'Ana Souza', document: VALID_CPFS[0] });
	const company = insertClient(db, {
		kind: 'company',
		name: 'Padaria São João Ltda',
		document: VALID_CNPJS[0]
	});
	const partner = insertPerson(db, 'partner', { name: 'Paula Sócia' });
	const consultant = insertPerson(db, 'consultant', { name: 'Caio Consultor' });
	civilCase = insertCase(db, {
		clientId: person.id,
		partnerId: partner.id,
		consultantId: consultant.id,
		consultantCommissionBps: 1000,
		cnjNumber: CNJ.replace(/\D/g, '')
	});
	backPayCase = insertCase(db, {
		clientId: company.id,
		partnerId: partner.id,
		actionType: 'social_security_back_pay'
	});
});

afterEach(() => {
	testDb.close();
});

interface Recorded {
	first: number;
	voided: number;
	installment: number;
	large: number;
	costs: number;
}

/**
 * Records, out of date order, five January payments (one voided, one an installment) and
 * four outside January, through the real procedures.
 */
async function recordJanuary(): Promise<Recorded> {
	const pay = (
		receivedOn: string,
		valueType: 'provided_amount' | 'remaining_amount' | 'procedural_costs',
		grossCents: number,
		notes?: string
	) => api.transactions.create({ caseId: civilCase.id, receivedOn, valueType, grossCents, notes });

	const large = await pay('2026-01-20', 'provided_amount', 123456, 'Alvará; "levantado"');
	await pay('2025-12-31', 'provided_amount', 7000);
	const first = await pay('2026-01-05', 'remaining_amount', 50000);
	const costs = await pay('2026-01-20', 'procedural_costs', 10001);
	const voided = await pay('2026-01-10', 'provided_amount', 99999);
	await api.transactions.void({ id: voided.id, reason: 'Lançado em dobro' });
	await pay('2026-02-01', 'remaining_amount', 8000);
	const installments = await api.transactions.createInstallments({
		caseId: backPayCase.id,
		firstReceivedOn: '2025-12-15',
		count: 3,
		amountCents: 30000,
		notes: 'Acordo'
	});

	return {
		first: first.id,
		voided: voided.id,
		installment: installments[1]!.id,
		large: large.id,
		costs: costs.id
	};
}

/** Inserts `copies` copies of a payment received on `receivedOn`, straight into the table. */
function copyPayment(templateId: number, receivedOn: string, copies: number): void {
	const insert = db.$client.prepare(
		`INSERT INTO transactions (case_id, received_on, value_type, gross_cents, client_cents,
			office_cents, partner_cents, consultant_cents, fee_bps, partner_share_bps,
			consultant_commission_bps, partner_id, created_by)
		SELECT case_id, ?, value_type, gross_cents, client_cents, office_cents,
			partner_cents, consultant_cents, fee_bps, partner_share_bps,
			consultant_commission_bps, partner_id, created_by
		FROM transactions WHERE id = ?`
	);
	db.$client.transaction(() => {
		for (let n = 0; n < copies; n++) insert.run(receivedOn, templateId);
	})();
}

/** Reads every row and the totals of January, as the downloads do. */
function readWholeRange() {
	return { rows: queryPeriodRows(db, FROM, TO), totals: periodTotals(db, FROM, TO) };
}

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
	return Buffer.from(await new Response(stream).arrayBuffer());
}

async function loadWorkbook(stream: ReadableStream<Uint8Array>): Promise<ExcelJS.Worksheet> {
	const workbook = new ExcelJS.Workbook();
	await workbook.xlsx.load((await bytesOf(stream)) as never);
	const sheet = workbook.worksheets[0];
	if (!sheet) throw new Error('The workbook has no sheet');
	return sheet;
}

async function csvText(rows: PeriodRow[], locale: 'pt-BR' | 'en'): Promise<string> {
	const totals = periodTotals(db, FROM, TO);
	return (await bytesOf(writePeriodCsv(rows, totals, locale))).toString('utf8');
}

function sqlSums(from: string, to: string) {
	return db.$client
		.prepare(
			`SELECT count(*) AS count, sum(gross_cents) AS gross, sum(client_cents) AS client,
				sum(office_cents) AS office, sum(partner_cents) AS partner,
				sum(consultant_cents) AS consultant
			FROM transactions
			WHERE received_on >= ? AND received_on <= ? AND voided_at IS NULL`
		)
		.get(from, to) as Record<string, number>;
}

/**
 * Returns the number of WAL frames that a passive checkpoint could not copy into the database
 * file. It stays above 0 while an older read transaction is open.
 */
function checkpointLag(): number {
	const [result] = db.$client.pragma('wal_checkpoint(PASSIVE)') as {
		log: number;
		checkpointed: number;
	}[];
	return result!.log - result!.checkpointed;
}

/** Records a payment outside January, so that the WAL has frames to checkpoint. */
async function recordLaterPayment(): Promise<void> {
	await api.transactions.create({
		caseId: civilCase.id,
		receivedOn: '2027-06-01',
		valueType: 'remaining_amount',
		grossCents: 100
	});
}

describe('reports.period', () => {
	it('lists rows in date order', async () => {
		const ids = await recordJanuary();

		const report = await api.reports.period({ from: FROM, to: TO });

		expect(report.from).toBe(FROM);
		expect(report.to).toBe(TO);
		expect(report.rows.map((row) => row.id)).toEqual([
			ids.first,
			ids.voided,
			ids.installment,
			ids.large,
			ids.costs
		]);
		expect(report.rows.map((row) => row.receivedOn)).toEqual([
			'2026-01-05',
			'2026-01-10',
			'2026-01-15',
			'2026-01-20',
			'2026-01-20'
		]);
	});

	it('returns names and formatted documents', async () => {
		const ids = await recordJanuary();

		const { rows } = await api.reports.period({ from: FROM, to: TO });
		const large = rows.find((row) => row.id === ids.large);
		const installment = rows.find((row) => row.id === ids.installment);

		expect(large).toMatchObject({
			caseId: civilCase.id,
			clientName: 'Ana Souza',
			clientDocument: '529.982.247-25',
			cnjNumber: CNJ,
			actionType: 'civil',
			partnerName: 'Paula Sócia',
			consultantName: 'Caio Consultor',
			valueType: 'provided_amount',
			grossCents: 123456,
			clientCents: 86419,
			officeCents: 6173,
			partnerCents: 18518,
			consultantCents: 12346,
			notes: 'Alvará; "levantado"',
			voided: false
		});
		expect(installment).toMatchObject({
			clientDocument: '11.222.333/0001-81',
			cnjNumber: null,
			consultantName: null,
			valueType: 'monthly_installment',
			installmentNumber: 2,
			installmentCount: 3
		});
	});

	it('lists voided rows without totalling them', async () => {
		const ids = await recordJanuary();

		const { rows, totals } = await api.reports.period({ from: FROM, to: TO });
		const voided = rows.find((row) => row.id === ids.voided);

		expect(voided?.voided).toBe(true);
		expect(voided?.voidReason).toBe('Lançado em dobro');
		expect(voided?.voidedAt).not.toBeNull();
		expect(totals.count).toBe(4);
		expect(totals.voidedCount).toBe(1);
		expect(totals.grossCents).toBe(50000 + 30000 + 123456 + 10001);
	});

	it('totals equal SQL sums', async () => {
		await recordJanuary();

		const { rows, totals } = await api.reports.period({ from: FROM, to: TO });
		const sums = sqlSums(FROM, TO);
		const listed = rows.filter((row) => !row.voided);

		expect(totals).toEqual({
			count: sums.count,
			grossCents: sums.gross,
			clientCents: sums.client,
			officeCents: sums.office,
			partnerCents: sums.partner,
			consultantCents: sums.consultant,
			voidedCount: 1
		});
		expect(totals.clientCents).toBe(listed.reduce((sum, row) => sum + row.clientCents, 0));
		expect(
			totals.clientCents + totals.officeCents + totals.partnerCents + totals.consultantCents
		).toBe(totals.grossCents);
	});

	it('returns empty range as no rows', async () => {
		await recordJanuary();

		const report = await api.reports.period({ from: '2026-03-01', to: '2026-03-31' });

		expect(report.rows).toEqual([]);
		expect(report.nextCursor).toBeNull();
		expect(report.count).toBe(0);
		expect(report.totals).toEqual({
			count: 0,
			grossCents: 0,
			clientCents: 0,
			officeCents: 0,
			partnerCents: 0,
			consultantCents: 0,
			voidedCount: 0
		});
	});

	it('accepts a single day', async () => {
		const ids = await recordJanuary();

		const { rows } = await api.reports.period({ from: '2026-01-20', to: '2026-01-20' });

		expect(rows.map((row) => row.id)).toEqual([ids.large, ids.costs]);
	});

	it('returns count and no next page', async () => {
		await recordJanuary();

		const report = await api.reports.period({ from: FROM, to: TO });

		expect(report.rows).toHaveLength(5);
		expect(report.count).toBe(5);
		expect(report.nextCursor).toBeNull();
	});

	it('pages concatenate to whole range', async () => {
		const ids = await recordJanuary();
		// Copies on the day of two existing payments, so that pages split that day.
		copyPayment(ids.first, '2026-01-20', 7);
		const expected = queryPeriodRows(db, FROM, TO).map((row) => row.id);
		const wholeTotals = periodTotals(db, FROM, TO);

		const pages = [];
		let cursor: string | undefined;
		do {
			const page = await api.reports.period({ from: FROM, to: TO, cursor, limit: 2 });
			pages.push(page);
			cursor = page.nextCursor ?? undefined;
		} while (cursor && pages.length < 20);
		const listed = pages.flatMap((page) => page.rows.map((row) => row.id));

		expect(expected).toHaveLength(12);
		expect(listed).toEqual(expected);
		expect(new Set(listed).size).toBe(12);
		expect(pages.map((page) => page.rows.length)).toEqual([2, 2, 2, 2, 2, 2]);
		expect(pages.at(-1)?.nextCursor).toBeNull();
		for (const page of pages) {
			expect(page.count).toBe(12);
			expect(page.totals).toEqual(wholeTotals);
		}
	});

	it('ends on an exactly full page', async () => {
		const ids = await recordJanuary();

		const full = await api.reports.period({ from: FROM, to: TO, limit: 5 });
		const first = await api.reports.period({ from: FROM, to: TO, limit: 4 });
		const second = await api.reports.period({
			from: FROM,
			to: TO,
			limit: 4,
			cursor: first.nextCursor!
		});

		expect(full.rows).toHaveLength(5);
		expect(full.nextCursor).toBeNull();
		expect(first.nextCursor).toBe(encodeCursor(['2026-01-20', ids.large]));
		expect(second.rows.map((row) => row.id)).toEqual([ids.costs]);
		expect(second.nextCursor).toBeNull();
	});

	it('keeps its place when rows are added', async () => {
		const ids = await recordJanuary();

		const first = await api.reports.period({ from: FROM, to: TO, limit: 2 });
		await api.transactions.create({
			caseId: civilCase.id,
			receivedOn: '2026-01-02',
			valueType: 'remaining_amount',
			grossCents: 500
		});
		const second = await api.reports.period({
			from: FROM,
			to: TO,
			limit: 2,
			cursor: first.nextCursor!
		});

		expect(second.rows.map((row) => row.id)).toEqual([ids.installment, ids.large]);
		expect(second.count).toBe(6);
	});

	it('defaults to 100 rows', async () => {
		const ids = await recordJanuary();
		copyPayment(ids.first, '2026-01-25', 100);

		const first = await api.reports.period({ from: FROM, to: TO });
		const second = await api.reports.period({ from: FROM, to: TO, cursor: first.nextCursor! });

		expect(first.rows).toHaveLength(100);
		expect(first.count).toBe(105);
		expect(first.nextCursor).not.toBeNull();
		expect(second.rows).toHaveLength(5);
		expect(second.nextCursor).toBeNull();
	});

	it.each([1, 500])('accepts limit %d', async (limit) => {
		await recordJanuary();

		const report = await api.reports.period({ from: FROM, to: TO, limit });

		expect(report.rows).toHaveLength(Math.min(limit, 5));
	});

	it.each([
		[0, 'too_small'],
		[501, 'too_big'],
		[2.5, 'invalid_type'],
		['10', 'invalid_type']
	])('rejects limit %j', async (limit, code) => {
		const issues = await expectInvalid(db, () =>
			api.reports.period({ from: FROM, to: TO, limit: limit as number })
		);

		expect(issues).toHaveLength(1);
		expect(issues[0]?.field).toBe('limit');
		expect(issues[0]?.code).toBe(code);
	});

	it.each([
		['not base64url', '%%%'],
		['not JSON', Buffer.from('{[').toString('base64url')],
		['an object', Buffer.from('{}').toString('base64url')],
		['a number date', encodeCursor([20260110, 3])],
		['no id', encodeCursor(['2026-01-10'])],
		['a fractional id', encodeCursor(['2026-01-10', 2.5])],
		['a text date', encodeCursor(['yesterday', 3])],
		['an impossible date', encodeCursor(['2026-01-32', 3])],
		['a date before the range', encodeCursor(['2025-12-31', 3])],
		['a date after the range', encodeCursor(['2026-02-01', 3])],
		['too long', 'A'.repeat(5000)]
	])('rejects cursor with %s', async (_name, cursor) => {
		const issues = await expectInvalid(db, () =>
			api.reports.period({ from: FROM, to: TO, cursor })
		);

		expect(issues).toHaveLength(1);
		expect(issues[0]?.field).toBe('cursor');
	});

	it.each([
		['whole month', FROM, TO],
		['partial months', '2025-12-15', '2026-01-20'],
		['whole and partial months', '2025-12-01', '2026-02-01'],
		['one day', '2026-01-10', '2026-01-10'],
		['no payments', '2026-03-01', '2026-03-31']
	])('totals match periodTotals for %s', async (_name, from, to) => {
		await recordJanuary();

		const report = await api.reports.period({ from, to, limit: 1 });
		const rows = queryPeriodRows(db, from, to);

		expect(report.totals).toEqual(periodTotals(db, from, to));
		expect(report.count).toBe(rows.length);
		expect(report.totals.voidedCount).toBe(rows.filter((row) => row.voided).length);
	});

	it('rejects from after to', async () => {
		const issues = await expectInvalid(db, () =>
			api.reports.period({ from: '2026-02-01', to: '2026-01-31' })
		);

		expect(issues).toEqual([
			{ field: 'to', code: 'before_from', message: 'Must be on or after from (2026-02-01).' }
		]);
	});

	it.each([
		['2016-01-01', '2026-01-01', '2026-01-01'],
		['2016-02-29', '2026-02-28', '2026-02-28'],
		['2000-06-15', '2030-06-15', '2010-06-15']
	])('rejects range %s to %s', async (from, to, limit) => {
		const issues = await expectInvalid(db, () => api.reports.period({ from, to }));

		expect(issues).toEqual([
			{
				field: 'to',
				code: 'range_too_long',
				message: `Must be before ${limit}: a report covers at most 10 years.`
			}
		]);
	});

	it('accepts ten years less a day', async () => {
		const report = await api.reports.period({ from: '2016-01-01', to: '2025-12-31' });

		expect(report.rows).toEqual([]);
	});

	it.each([
		['from', { from: '2026-02-30', to: TO }],
		['to', { from: FROM, to: '31/01/2026' }],
		['from', { to: TO }]
	])('rejects invalid %s', async (field, input) => {
		const issues = await expectInvalid(db, () => api.reports.period(input as never));

		expect(issues).toHaveLength(1);
		expect(issues[0]?.field).toBe(field);
	});

	it('rejects signed-out callers', async () => {
		await expectFailure(
			db,
			() => callerFor(db, null).reports.period({ from: FROM, to: TO }),
			'UNAUTHORIZED'
		);
	});

	it('allows admins', async () => {
		await recordJanuary();

		const admin = callerFor(db, insertUser(db, 'admin'));
		const report = await admin.reports.period({ from: FROM, to: TO });

		expect(report.rows).toHaveLength(5);
	});
});

describe('queryPeriodRows', () => {
	it('pages with a cursor', async () => {
		const ids = await recordJanuary();

		const first = queryPeriodRows(db, FROM, TO, { limit: 2 });
		const second = queryPeriodRows(db, FROM, TO, {
			after: { receivedOn: '2026-01-10', id: ids.voided },
			limit: 2
		});
		const last = queryPeriodRows(db, FROM, TO, {
			after: { receivedOn: '2026-01-20', id: ids.large },
			limit: 2
		});

		expect(first.map((row) => row.id)).toEqual([ids.first, ids.voided]);
		expect(second.map((row) => row.id)).toEqual([ids.installment, ids.large]);
		expect(last.map((row) => row.id)).toEqual([ids.costs]);
	});

	it.each([
		['all rows', undefined, [FROM, TO]],
		[
			'a page',
			{ after: { receivedOn: '2026-01-10', id: 3 }, limit: 2 },
			[FROM, TO, '2026-01-10', 3, 2]
		]
	])('reads the index for %s', async (_name, page, params) => {
		await recordJanuary();
		const prepare = vi.spyOn(db.$client, 'prepare');

		queryPeriodRows(db, FROM, TO, page);

		const query = String(prepare.mock.calls.at(-1)?.[0]);
		prepare.mockRestore();
		const plan = db.$client.prepare(`EXPLAIN QUERY PLAN ${query}`).all(...params) as {
			detail: string;
		}[];
		const details = plan.map((step) => step.detail).join('\n');

		expect(query).toContain('between');
		expect(details).toContain('transactions_received_on_idx');
		expect(details).not.toContain('TEMP B-TREE');
	});
});

describe('openPeriodSnapshot', () => {
	it('keeps the state at opening', async () => {
		const ids = await recordJanuary();

		const snapshot = openPeriodSnapshot(db, FROM, TO);
		await api.transactions.void({ id: ids.large, reason: 'Valor errado' });
		await api.transactions.create({
			caseId: civilCase.id,
			receivedOn: '2026-01-02',
			valueType: 'remaining_amount',
			grossCents: 500
		});
		const rows = [...snapshot.rows];

		expect(rows.map((row) => row.id)).toEqual([
			ids.first,
			ids.voided,
			ids.installment,
			ids.large,
			ids.costs
		]);
		expect(rows.find((row) => row.id === ids.large)?.voided).toBe(false);
		expect(snapshot.totals.count).toBe(4);
		expect(snapshot.totals.grossCents).toBe(213457);
		expect(readWholeRange().rows).toHaveLength(6);
	});

	it('reads more than one page', async () => {
		await recordJanuary();
		copyPayment(readWholeRange().rows[0]!.id, '2026-01-25', 2500);

		const snapshot = openPeriodSnapshot(db, FROM, TO);
		const ids = [...snapshot.rows].map((row) => row.id);

		expect(ids).toHaveLength(2505);
		expect(new Set(ids).size).toBe(2505);
		expect(ids).toEqual(readWholeRange().rows.map((row) => row.id));
	});

	it('closes after the last row', async () => {
		await recordJanuary();

		const snapshot = openPeriodSnapshot(db, FROM, TO);
		await recordLaterPayment();
		const lagWhileOpen = checkpointLag();
		const rows = [...snapshot.rows];
		await recordLaterPayment();

		expect(rows).toHaveLength(5);
		expect(lagWhileOpen).toBeGreaterThan(0);
		expect(checkpointLag()).toBe(0);
	});
});

describe('writePeriodXlsx', () => {
	it('writes header, cells and totals', async () => {
		await recordJanuary();
		const report = readWholeRange();

		const sheet = await loadWorkbook(writePeriodXlsx(report.rows, report.totals, 'pt-BR'));

		expect(sheet.name).toBe('Pagamentos');
		expect(sheet.rowCount).toBe(7);
		expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(PT_HEADERS);
		expect(sheet.getCell('A1').font?.bold).toBe(true);
		expect(sheet.getCell('P1').font?.bold).toBe(true);
	});

	it('writes dates as Excel dates', async () => {
		await recordJanuary();
		const report = readWholeRange();

		const sheet = await loadWorkbook(writePeriodXlsx(report.rows, report.totals, 'pt-BR'));
		const date = sheet.getCell('A2');

		expect(date.value).toBeInstanceOf(Date);
		expect((date.value as Date).toISOString()).toBe('2026-01-05T00:00:00.000Z');
		expect(date.numFmt).toBe('dd/mm/yyyy');
	});

	it('writes money as BRL numbers', async () => {
		await recordJanuary();
		const report = readWholeRange();

		const sheet = await loadWorkbook(writePeriodXlsx(report.rows, report.totals, 'pt-BR'));
		const large = sheet.getRow(5);

		expect(large.getCell(9).value).toBe(1234.56);
		expect(large.getCell(10).value).toBe(864.19);
		expect(large.getCell(11).value).toBe(61.73);
		expect(large.getCell(12).value).toBe(185.18);
		expect(large.getCell(13).value).toBe(123.46);
		for (let column = 9; column <= 13; column++) {
			expect(large.getCell(column).numFmt).toBe(MONEY_FORMAT);
		}
	});

	it('writes text columns translated', async () => {
		const ids = await recordJanuary();
		const report = readWholeRange();

		const sheet = await loadWorkbook(writePeriodXlsx(report.rows, report.totals, 'pt-BR'));
		const values = (row: number) => (sheet.getRow(row).values as unknown[]).slice(2, 9);

		expect(report.rows[3]?.id).toBe(ids.large);
		expect(values(5)).toEqual([
			'Ana Souza',
			'529.982.247-25',
			CNJ,
			'Cível',
			'Paula Sócia',
			'Caio Consultor',
			'Valor disponibilizado'
		]);
		expect(sheet.getCell('N5').value).toBe('Alvará; "levantado"');
		expect(sheet.getCell('O5').value).toBe('Não');
		expect(sheet.getCell('D4').value).toBeNull();
		expect(sheet.getCell('H4').value).toBe('Parcela mensal');
		expect(sheet.getCell('N4').value).toBe('Parcela 2 de 3; Acordo');
	});

	it('marks voided rows', async () => {
		await recordJanuary();
		const report = readWholeRange();

		const sheet = await loadWorkbook(writePeriodXlsx(report.rows, report.totals, 'pt-BR'));

		expect(sheet.getCell('A3').value).toEqual(new Date('2026-01-10T00:00:00.000Z'));
		expect(sheet.getCell('I3').value).toBe(999.99);
		expect(sheet.getCell('O3').value).toBe('Sim');
		expect(sheet.getCell('P3').value).toBe('Lançado em dobro');
	});

	it('writes totals without voided rows', async () => {
		await recordJanuary();
		const report = readWholeRange();

		const sheet = await loadWorkbook(writePeriodXlsx(report.rows, report.totals, 'pt-BR'));
		const totals = sheet.getRow(7);

		expect(totals.getCell(1).value).toBe('Total');
		expect(totals.getCell(1).font?.bold).toBe(true);
		expect(totals.getCell(9).value).toBe(2134.57);
		expect(totals.getCell(9).numFmt).toBe(MONEY_FORMAT);
		expect(totals.getCell(10).value).toBe(1214.19);
		expect(totals.getCell(11).value).toBe(336.73);
		expect(totals.getCell(12).value).toBe(460.19);
		expect(totals.getCell(13).value).toBe(123.46);
		expect(totals.getCell(15).value).toBeNull();
	});

	it('freezes and filters the header', async () => {
		await recordJanuary();
		const report = readWholeRange();

		const sheet = await loadWorkbook(writePeriodXlsx(report.rows, report.totals, 'pt-BR'));

		expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
		expect(sheet.autoFilter).toBe('A1:P6');
		expect(sheet.getColumn(1).width).toBe(12);
		expect(sheet.getColumn(2).width).toBe(32);
		expect(sheet.getColumn(9).width).toBe(16);
	});

	it('writes English labels', async () => {
		await recordJanuary();
		const report = readWholeRange();

		const sheet = await loadWorkbook(writePeriodXlsx(report.rows, report.totals, 'en'));

		expect(sheet.name).toBe('Payments');
		expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(EN_HEADERS);
		expect(sheet.getCell('N4').value).toBe('Installment 2 of 3; Acordo');
		expect(sheet.getCell('O3').value).toBe('Yes');
		expect(sheet.getCell('A7').value).toBe('Total');
	});
	it('stops after the reader cancels', async () => {
		await recordJanuary();
		const report = readWholeRange();
		const row = report.rows[0]!;
		let pulled = 0;
		function* manyRows() {
			for (let id = 1; id <= 50_000; id++) {
				pulled += 1;
				yield { ...row, id };
			}
		}

		const reader = writePeriodXlsx(manyRows(), report.totals, 'pt-BR').getReader();
		const first = await reader.read();
		await reader.cancel();
		await new Promise((resolve) => setTimeout(resolve, 200));
		const pulledAfterCancel = pulled;
		await new Promise((resolve) => setTimeout(resolve, 200));

		expect(first.done).toBe(false);
		expect(pulledAfterCancel).toBeLessThan(50_000);
		expect(pulled).toBe(pulledAfterCancel);
	});
});

describe('writePeriodCsv', () => {
	it('starts with a byte order mark', async () => {
		await recordJanuary();
		const report = readWholeRange();

		const bytes = await bytesOf(writePeriodCsv(report.rows, report.totals, 'pt-BR'));

		expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
	});

	it('uses semicolons for pt-BR', async () => {
		await recordJanuary();
		const { rows } = readWholeRange();

		const lines = (await csvText(rows, 'pt-BR')).split('\r\n');

		expect(lines[0]).toBe('\uFEFF' + PT_HEADERS.join(';'));
		expect(lines[6]).toBe('Total;;;;;;;;2134,57;1214,19;336,73;460,19;123,46;;;');
		expect(lines[7]).toBe('');
		expect(lines).toHaveLength(8);
	});

	it('writes a pt-BR payment row', async () => {
		await recordJanuary();
		const { rows } = readWholeRange();

		const lines = (await csvText(rows, 'pt-BR')).split('\r\n');

		expect(lines[4]).toBe(
			`20/01/2026;Ana Souza;529.982.247-25;${CNJ};Cível;Paula Sócia;Caio Consultor;` +
				'Valor disponibilizado;1234,56;864,19;61,73;185,18;123,46;' +
				'"Alvará; ""levantado""";Não;'
		);
		expect(lines[2]).toBe(
			`10/01/2026;Ana Souza;529.982.247-25;${CNJ};Cível;Paula Sócia;Caio Consultor;` +
				'Valor disponibilizado;999,99;699,99;50,00;150,00;100,00;;Sim;Lançado em dobro'
		);
	});

	it('uses commas for English', async () => {
		await recordJanuary();
		const { rows } = readWholeRange();

		const lines = (await csvText(rows, 'en')).split('\r\n');

		expect(lines[0]).toBe('\uFEFF' + EN_HEADERS.join(','));
		expect(lines[3]).toBe(
			'15/01/2026,Padaria São João Ltda,11.222.333/0001-81,,' +
				'"Social security, back pay",Paula Sócia,,Monthly installment,' +
				'300.00,0.00,150.00,150.00,0.00,Installment 2 of 3; Acordo,No,'
		);
		expect(lines[4]).toContain(',1234.56,864.19,61.73,185.18,123.46,"Alvará; ""levantado""",No,');
		expect(lines[6]).toMatch(/^Total,,,,,,,,2134\.57,/);
	});

	it.each([
		['=SUM(A1:A9)', "'=SUM(A1:A9)"],
		['+5511999990000', "'+5511999990000"],
		['-2+3', "'-2+3"],
		['@cmd', "'@cmd"],
		['\tsecret', "'\tsecret"],
		['\r=1', `"'\r=1"`],
		['Plain note', 'Plain note'],
		['a=b', 'a=b']
	])('escapes notes %j', async (notes, expected) => {
		await recordJanuary();
		const row = readWholeRange().rows[0]!;

		const lines = (await csvText([{ ...row, notes }], 'pt-BR')).split('\r\n');

		expect(lines[1]).toContain(`;0,00;${expected};Não;`);
	});

	it('escapes formulas in names', async () => {
		await recordJanuary();
		const row = readWholeRange().rows[0]!;

		const text = await csvText([{ ...row, clientName: '=HYPERLINK("http://x")' }], 'en');

		expect(text.split('\r\n')[1]).toMatch(/^05\/01\/2026,"'=HYPERLINK\(""http:\/\/x""\)",/);
	});

	it('quotes line breaks', async () => {
		await recordJanuary();
		const row = readWholeRange().rows[0]!;

		const text = await csvText([{ ...row, notes: 'first\nsecond', voidReason: null }], 'en');

		expect(text).toContain(',"first\nsecond",No,\r\n');
	});
});

describe('respondWithPeriodFile', () => {
	let logLines: Record<string, unknown>[];
	let log: Logger;

	beforeEach(() => {
		// Each test's logger writes to its own array, so a late line cannot reach another test.
		const lines: Record<string, unknown>[] = [];
		logLines = lines;
		const sink = new Writable({
			write(chunk: Buffer, _encoding, callback) {
				lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
				callback();
			}
		});
		log = pino({ level: 'info' }, sink) as unknown as Logger;
	});

	function download(query: string, format: PeriodFormat = 'xlsx', signedIn = true) {
		const user = signedIn
			? { id: 7, email: 'staff@example.com', name: 'Staff', role: 'staff' as const }
			: null;
		const url = new URL(`http://localhost/reports/period.${format}${query}`);
		return respondWithPeriodFile({ db, user, log, url, locale: 'pt-BR' }, format);
	}

	it('sends the workbook', async () => {
		await recordJanuary();

		const response = download(`?from=${FROM}&to=${TO}`);

		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe(
			'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
		);
		expect(response.headers.get('content-disposition')).toBe(
			'attachment; filename="payments-2026-01-01-to-2026-01-31.xlsx"'
		);
		expect(response.headers.get('cache-control')).toBe('no-store');
		const sheet = await loadWorkbook(response.body!);
		expect(sheet.getCell('I7').value).toBe(2134.57);
	});

	it('sends the CSV', async () => {
		await recordJanuary();

		const response = download(`?from=${FROM}&to=${TO}`, 'csv');

		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
		expect(response.headers.get('content-disposition')).toBe(
			'attachment; filename="payments-2026-01-01-to-2026-01-31.csv"'
		);
		expect(response.headers.get('cache-control')).toBe('no-store');
		const text = await response.text();
		expect(text.split('\r\n')).toHaveLength(8);
	});

	it('streams the state at request', async () => {
		const ids = await recordJanuary();

		const response = download(`?from=${FROM}&to=${TO}`);
		await api.transactions.void({ id: ids.large, reason: 'Valor errado' });
		const sheet = await loadWorkbook(response.body!);

		expect(sheet.getCell('O5').value).toBe('Não');
		expect(sheet.getCell('I7').value).toBe(2134.57);
	});

	it.each(['xlsx', 'csv'] as const)('releases the snapshot after %s', async (format) => {
		await recordJanuary();

		const response = download(`?from=${FROM}&to=${TO}`, format);
		await bytesOf(response.body!);
		await recordLaterPayment();

		expect(checkpointLag()).toBe(0);
	});

	it.each(['xlsx', 'csv'] as const)('releases the snapshot on cancel of %s', async (format) => {
		await recordJanuary();

		const response = download(`?from=${FROM}&to=${TO}`, format);
		await response.body!.cancel();
		await recordLaterPayment();

		expect(checkpointLag()).toBe(0);
	});

	it('releases the snapshot on 404', async () => {
		const response = download('?from=2026-03-01&to=2026-03-31');
		await recordLaterPayment();

		expect(response.status).toBe(404);
		expect(checkpointLag()).toBe(0);
	});

	it('logs one line per download', async () => {
		await recordJanuary();

		const response = download(`?from=${FROM}&to=${TO}`, 'csv');
		await response.body!.cancel();

		expect(logLines).toHaveLength(1);
		expect(logLines[0]).toMatchObject({
			userId: 7,
			from: FROM,
			to: TO,
			format: 'csv',
			rowCount: 5,
			msg: 'period report download'
		});
	});

	it.each(['xlsx', 'csv'] as const)('logs a failed %s stream', async (format) => {
		await recordJanuary();
		const prepare = Database.prototype.prepare;
		const failing = vi.spyOn(Database.prototype, 'prepare').mockImplementation(function (
			this: Database.Database,
			source: string
		) {
			if (source.includes('period_partner') && source.includes('limit')) {
				throw new Error('disk I/O error');
			}
			return prepare.call(this, source);
		});

		const response = download(`?from=${FROM}&to=${TO}`, format);
		const failure = await bytesOf(response.body!).then(
			() => null,
			(error: unknown) => error
		);
		failing.mockRestore();
		await recordLaterPayment();

		expect(failure).toBeInstanceOf(Error);
		expect(logLines.map((line) => line.msg)).toEqual([
			'period report download',
			'period report download failed'
		]);
		expect(logLines[1]).toMatchObject({ userId: 7, from: FROM, to: TO, format });
		expect(logLines[1]?.err).toMatchObject({ message: 'disk I/O error' });
		expect(checkpointLag()).toBe(0);
	});

	it('rejects signed-out requests', async () => {
		const response = download(`?from=${FROM}&to=${TO}`, 'xlsx', false);

		expect(response.status).toBe(401);
		expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
		expect(await response.text()).toBe('Sign in to download reports.');
	});

	it.each([
		[
			'?to=2026-01-31',
			'Invalid query parameter from: Expected a real calendar date as YYYY-MM-DD.'
		],
		[
			'?from=2026-01-01&to=2026-13-01',
			'Invalid query parameter to: Expected a real calendar date as YYYY-MM-DD.'
		],
		[
			'?from=2026-02-01&to=2026-01-31',
			'Invalid query parameter to: Must be on or after from (2026-02-01).'
		]
	])('rejects query %s', async (query, problem) => {
		const response = download(query, 'csv');

		expect(response.status).toBe(400);
		expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
		expect(await response.text()).toBe(`${problem}\nExpected ?from=YYYY-MM-DD&to=YYYY-MM-DD.`);
		expect(logLines).toHaveLength(0);
	});

	it.each(['xlsx', 'csv'] as const)('answers 404 for empty %s', async (format) => {
		await recordJanuary();

		const response = download('?from=2026-03-01&to=2026-03-31', format);

		expect(response.status).toBe(404);
		expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
		expect(await response.text()).toBe('Nenhum pagamento recebido de 01/03/2026 a 31/03/2026.');
		expect(logLines).toHaveLength(0);
	});
});
