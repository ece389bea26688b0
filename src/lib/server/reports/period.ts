import { PassThrough, Readable } from 'node:stream';

import Database from 'better-sqlite3';
import { and, asc, between, count, eq, isNotNull, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { alias } from 'drizzle-orm/sqlite-core';
import ExcelJS from 'exceljs';
import { z } from 'zod';

import { formatCnj } from '$lib/domain/cnj';
import { addMonthsClamped, formatIsoDate, isIsoDate } from '$lib/domain/dates';
import { formatDocument } from '$lib/domain/document';
import type { ActionType, ValueType } from '$lib/domain/split';
import { m } from '$lib/paraglide/messages';
import type { Locale } from '$lib/paraglide/runtime';
import type { SessionUser } from '$lib/server/auth/session';
import { BUSY_TIMEOUT_MS, type Db } from '$lib/server/db';
import * as schema from '$lib/server/db/schema';
import { cases, clients, people, transactions } from '$lib/server/db/schema';
import type { Logger } from '$lib/server/log';
import { isoDateSchema } from '$lib/server/trpc/inputs';
import { receivedBetween, sumShares, type ShareTotals } from '$lib/server/trpc/ledger-queries';

// ---------------------------------------------------------------------------------------------
// Range

/** Maximum range of one report: 10 years, in months. */
export const MAX_PERIOD_MONTHS = 120;

/** The fields of a report's range: `from` and `to` are YYYY-MM-DD and both inclusive. */
export const periodRangeFields = { from: isoDateSchema, to: isoDateSchema };

/**
 * Adds an issue on `to` when it is before `from`, or not earlier than the same day 10 years
 * after `from`.
 */
export function refinePeriodRange(
	range: { from: string; to: string },
	ctx: z.RefinementCtx<{ from: string; to: string }>
): void {
	const problem = checkPeriodRange(range.from, range.to);
	if (!problem) return;

	ctx.addIssue({
		code: 'custom',
		path: ['to'],
		message: problem.message,
		params: { reason: problem.reason },
		input: range.to
	});
}

/** A report's range, as the downloads read it from the query string. */
export const periodInputSchema = z
	.object(periodRangeFields)
	.strict()
	.superRefine(refinePeriodRange);

export type PeriodInput = z.infer<typeof periodInputSchema>;

function checkPeriodRange(from: string, to: string): { reason: string; message: string } | null {
	// zod may run this refinement after a date failed its own check, so skip invalid dates.
	if (!isIsoDate(from) || !isIsoDate(to)) return null;

	if (to < from) {
		return { reason: 'before_from', message: `Must be on or after from (${from}).` };
	}

	// Past year 9999 no date can break the limit, and addMonthsClamped would throw.
	if (Number(from.slice(0, 4)) + MAX_PERIOD_MONTHS / 12 > 9999) return null;

	const firstTooLate = addMonthsClamped(from, MAX_PERIOD_MONTHS);
	if (to < firstTooLate) return null;

	return {
		reason: 'range_too_long',
		message: `Must be before ${firstTooLate}: a report covers at most 10 years.`
	};
}

// ---------------------------------------------------------------------------------------------
// Queries

/** One payment as reports list it, voided or not. Money is in integer cents. */
export interface PeriodRow {
	id: number;
	receivedOn: string;
	caseId: number;
	caseTitle: string;
	/** CNJ number formatted as NNNNNNN-DD.AAAA.J.TR.OOOO, or null while the case is not filed. */
	cnjNumber: string | null;
	actionType: ActionType;
	clientId: number;
	clientName: string;
	/** CPF or CNPJ with its punctuation. */
	clientDocument: string;
	/** The partner and consultant who received the shares when the payment was recorded. */
	partnerId: number;
	partnerName: string;
	consultantId: number | null;
	consultantName: string | null;
	valueType: ValueType;
	grossCents: number;
	clientCents: number;
	officeCents: number;
	partnerCents: number;
	consultantCents: number;
	notes: string | null;
	installmentNumber: number | null;
	installmentCount: number | null;
	voided: boolean;
	voidedAt: string | null;
	voidReason: string | null;
}

/** Sums of the non-voided payments of a range, plus the number of voided ones. */
export interface PeriodTotals extends ShareTotals {
	voidedCount: number;
}

/** Sort key of the last row of a page: the next page starts after it. */
export interface PeriodCursor {
	receivedOn: string;
	id: number;
}

export interface PeriodPage {
	after?: PeriodCursor;
	limit: number;
}

const periodPartner = alias(people, 'period_partner');
const periodConsultant = alias(people, 'period_consultant');

/**
 * Returns the payments received from `from` to `to` (inclusive), voided ones included,
 * ordered by received date and then id, or only one `page` of them. The range condition and
 * the order match the transactions_received_on_idx index, so SQLite reads the range from it
 * without sorting.
 */
export function queryPeriodRows(db: Db, from: string, to: string, page?: PeriodPage): PeriodRow[] {
	const inRange = between(transactions.receivedOn, from, to);
	const after = page?.after;
	const where = after
		? and(
				inRange,
				sql`(${transactions.receivedOn}, ${transactions.id}) > (${after.receivedOn}, ${after.id})`
			)
		: inRange;

	const query = db
		.select({
			id: transactions.id,
			receivedOn: transactions.receivedOn,
			caseId: transactions.caseId,
			caseTitle: cases.title,
			cnjNumber: cases.cnjNumber,
			actionType: cases.actionType,
			clientId: clients.id,
			clientName: clients.name,
			clientDocument: clients.document,
			partnerId: transactions.partnerId,
			partnerName: periodPartner.name,
			consultantId: transactions.consultantId,
			consultantName: periodConsultant.name,
			valueType: transactions.valueType,
			grossCents: transactions.grossCents,
			clientCents: transactions.clientCents,
			officeCents: transactions.officeCents,
			partnerCents: transactions.partnerCents,
			consultantCents: transactions.consultantCents,
			notes: transactions.notes,
			installmentNumber: transactions.installmentNumber,
			installmentCount: transactions.installmentCount,
			voidedAt: transactions.voidedAt,
			voidReason: transactions.voidReason
		})
		.from(transactions)
		.innerJoin(cases, eq(cases.id, transactions.caseId))
		.innerJoin(clients, eq(clients.id, cases.clientId))
		.innerJoin(periodPartner, eq(periodPartner.id, transactions.partnerId))
		.leftJoin(periodConsultant, eq(periodConsultant.id, transactions.consultantId))
		.where(where)
		.orderBy(asc(transactions.receivedOn), asc(transactions.id));
	const rows = page ? query.limit(page.limit).all() : query.all();

	return rows.map((row) => ({
		...row,
		cnjNumber: row.cnjNumber === null ? null : formatCnj(row.cnjNumber),
		clientDocument: formatDocument(row.clientDocument),
		voided: row.voidedAt !== null
	}));
}

/** Sums the non-voided payments of the range in SQL (exact integer cents). */
export function periodTotals(db: Db, from: string, to: string): PeriodTotals {
	const shares = sumShares(db, receivedBetween(from, to));

	const voided = db
		.select({ value: count() })
		.from(transactions)
		.where(and(between(transactions.receivedOn, from, to), isNotNull(transactions.voidedAt)))
		.get();

	return { ...shares, voidedCount: voided?.value ?? 0 };
}

/** Rows read per query while a download streams. */
const SNAPSHOT_PAGE_ROWS = 1000;

/**
 * A read transaction over one range on a connection of its own. `totals` are read when it
 * opens, and `rows` page by page as they are iterated (once), all from the same snapshot of
 * the database. Iterating to the end closes the connection, and `close()` stops sooner.
 */
export interface PeriodSnapshot {
	totals: PeriodTotals;
	rows: Iterable<PeriodRow>;
	close(): void;
}

/**
 * Opens a read-only connection to `db`'s file and starts a read transaction on it. Downloads
 * use it so that a large range is never in memory at once and cannot change between pages,
 * because in WAL mode the transaction keeps seeing the database as it was when `totals` were
 * read. The app's own connection cannot keep that transaction open, since requests share it.
 */
export function openPeriodSnapshot(db: Db, from: string, to: string): PeriodSnapshot {
	const connection = new Database(db.$client.name, { readonly: true, fileMustExist: true });
	const close = () => {
		if (connection.open) connection.close();
	};

	try {
		connection.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
		const reader = drizzle(connection, { schema }) as Db;
		connection.exec('BEGIN');
		const totals = periodTotals(reader, from, to);
		return { totals, rows: pageThrough(reader, from, to, close), close };
	} catch (error) {
		close();
		throw error;
	}
}

function* pageThrough(
	reader: Db,
	from: string,
	to: string,
	close: () => void
): Generator<PeriodRow> {
	try {
		let after: PeriodCursor | undefined;
		for (;;) {
			const page = queryPeriodRows(reader, from, to, { after, limit: SNAPSHOT_PAGE_ROWS });
			yield* page;

			const last = page.at(-1);
			if (!last || page.length < SNAPSHOT_PAGE_ROWS) return;
			after = { receivedOn: last.receivedOn, id: last.id };
		}
	} finally {
		close();
	}
}

// ---------------------------------------------------------------------------------------------
// Columns, shared by the CSV and the workbook

/** Excel number formats: reais with the R$ symbol, and day-first dates. */
const MONEY_FORMAT = '"R$" #,##0.00';
const DATE_FORMAT = 'dd/mm/yyyy';

type MoneyField = 'grossCents' | 'clientCents' | 'officeCents' | 'partnerCents' | 'consultantCents';

type Cell =
	{ kind: 'date'; iso: string } | { kind: 'money'; cents: number } | { kind: 'text'; text: string };

interface Column {
	header: (locale: Locale) => string;
	/** Width in Excel character units. */
	width: number;
	cell: (row: PeriodRow, locale: Locale) => Cell;
	/** The totals field summed in this column's cell of the totals row. */
	total?: MoneyField;
	/** Excel number format of the column's cells. */
	numFmt?: string;
}

type PlainMessage = (inputs: object, options: { locale: Locale }) => string;

const VALUE_TYPE_LABELS: Record<ValueType, PlainMessage> = {
	provided_amount: m.value_type_provided_amount,
	remaining_amount: m.value_type_remaining_amount,
	rpv: m.value_type_rpv,
	court_order: m.value_type_court_order,
	procedural_costs: m.value_type_procedural_costs,
	monthly_installment: m.value_type_monthly_installment
};

const ACTION_TYPE_LABELS: Record<ActionType, PlainMessage> = {
	civil: m.action_type_civil,
	labor: m.action_type_labor,
	administrative_social_security: m.action_type_administrative_social_security,
	social_security_back_pay: m.action_type_social_security_back_pay,
	social_security_rpv_court_order: m.action_type_social_security_rpv_court_order
};

function text(value: string | null): Cell {
	return { kind: 'text', text: value ?? '' };
}

function label(message: PlainMessage): (locale: Locale) => string {
	return (locale) => message({}, { locale });
}

function moneyColumn(header: PlainMessage, field: MoneyField): Column {
	return {
		header: label(header),
		width: 16,
		cell: (row) => ({ kind: 'money', cents: row[field] }),
		total: field,
		numFmt: MONEY_FORMAT
	};
}

/** Returns the notes cell: the installment position first, then the free-text notes. */
function notesText(row: PeriodRow, locale: Locale): string {
	const parts: string[] = [];

	if (row.installmentNumber !== null && row.installmentCount !== null) {
		const position = { number: row.installmentNumber, count: row.installmentCount };
		parts.push(m.report_installment(position, { locale }));
	}
	if (row.notes) parts.push(row.notes);

	return parts.join('; ');
}

const COLUMNS: readonly Column[] = [
	{
		header: label(m.report_column_date),
		width: 12,
		cell: (row) => ({ kind: 'date', iso: row.receivedOn }),
		numFmt: DATE_FORMAT
	},
	{ header: label(m.report_column_client), width: 32, cell: (row) => text(row.clientName) },
	{
		header: label(m.report_column_client_document),
		width: 21,
		cell: (row) => text(row.clientDocument)
	},
	{ header: label(m.report_column_case_number), width: 27, cell: (row) => text(row.cnjNumber) },
	{
		header: label(m.report_column_action_type),
		width: 30,
		cell: (row, locale) => text(ACTION_TYPE_LABELS[row.actionType]({}, { locale }))
	},
	{ header: label(m.report_column_partner), width: 24, cell: (row) => text(row.partnerName) },
	{
		header: label(m.report_column_consultant),
		width: 24,
		cell: (row) => text(row.consultantName)
	},
	{
		header: label(m.report_column_value_type),
		width: 22,
		cell: (row, locale) => text(VALUE_TYPE_LABELS[row.valueType]({}, { locale }))
	},
	moneyColumn(m.report_column_gross, 'grossCents'),
	moneyColumn(m.report_column_client_share, 'clientCents'),
	moneyColumn(m.report_column_office_share, 'officeCents'),
	moneyColumn(m.report_column_partner_share, 'partnerCents'),
	moneyColumn(m.report_column_consultant_share, 'consultantCents'),
	{
		header: label(m.report_column_notes),
		width: 40,
		cell: (row, locale) => text(notesText(row, locale))
	},
	{
		header: label(m.report_column_voided),
		width: 11,
		cell: (row, locale) =>
			text(row.voided ? m.report_yes({}, { locale }) : m.report_no({}, { locale }))
	},
	{ header: label(m.report_column_void_reason), width: 32, cell: (row) => text(row.voidReason) }
];

/** Returns the totals row: the word Total, the money sums, and empty text elsewhere. */
function totalsCells(totals: ShareTotals, locale: Locale): Cell[] {
	return COLUMNS.map((column, index) => {
		if (column.total) return { kind: 'money', cents: totals[column.total] };

		return text(index === 0 ? m.report_total({}, { locale }) : '');
	});
}

// ---------------------------------------------------------------------------------------------
// CSV

const CSV_SEPARATORS: Record<Locale, string> = { 'pt-BR': ';', en: ',' };
const DECIMAL_SEPARATORS: Record<Locale, string> = { 'pt-BR': ',', en: '.' };

/** Characters that make Excel and similar programs read a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Characters of CSV text gathered before a chunk goes to the stream. */
const CSV_CHUNK_CHARS = 64 * 1024;

/**
 * Writes the report as CSV (RFC 4180 quoting, CRLF line ends), as UTF-8 with a byte order
 * mark so that Excel reads accents right. pt-BR separates fields with `;` and decimals with
 * `,`, as Excel in Brazil expects; en uses `,` and `.`. Money is a plain decimal without the
 * currency symbol, and dates are dd/mm/yyyy. The last line contains the totals.
 */
export function writePeriodCsv(
	rows: Iterable<PeriodRow>,
	totals: ShareTotals,
	locale: Locale
): ReadableStream<Uint8Array> {
	const chunks = Readable.from(csvChunks(rows, totals, locale));
	return Readable.toWeb(chunks) as ReadableStream<Uint8Array>;
}

function* csvChunks(
	rows: Iterable<PeriodRow>,
	totals: ShareTotals,
	locale: Locale
): Generator<Buffer> {
	const headers = COLUMNS.map((column): Cell => text(column.header(locale)));
	let chunk = '\uFEFF' + csvLine(headers, locale);

	for (const row of rows) {
		chunk += csvLine(
			COLUMNS.map((column) => column.cell(row, locale)),
			locale
		);
		if (chunk.length < CSV_CHUNK_CHARS) continue;

		yield Buffer.from(chunk, 'utf8');
		chunk = '';
	}

	chunk += csvLine(totalsCells(totals, locale), locale);
	yield Buffer.from(chunk, 'utf8');
}

function csvLine(cells: Cell[], locale: Locale): string {
	return cells.map((cell) => csvField(cell, locale)).join(CSV_SEPARATORS[locale]) + '\r\n';
}

function csvField(cell: Cell, locale: Locale): string {
	switch (cell.kind) {
		case 'date':
			return formatIsoDate(cell.iso, locale);
		case 'money':
			return centsToDecimal(cell.cents, DECIMAL_SEPARATORS[locale]);
		case 'text':
			return quoteCsv(escapeFormula(cell.text), CSV_SEPARATORS[locale]);
	}
}

/** Prefixes `'` to text that a spreadsheet would otherwise run as a formula. */
function escapeFormula(value: string): string {
	return FORMULA_START.test(value) ? `'${value}` : value;
}

function quoteCsv(value: string, separator: string): string {
	if (!value.includes(separator) && !/["\r\n]/.test(value)) return value;

	return `"${value.replaceAll('"', '""')}"`;
}

/** Formats non-negative cents as 1234,56 or 1234.56 with string arithmetic (no grouping). */
function centsToDecimal(cents: number, decimalSeparator: string): string {
	const digits = String(cents).padStart(3, '0');
	return `${digits.slice(0, -2)}${decimalSeparator}${digits.slice(-2)}`;
}

// ---------------------------------------------------------------------------------------------
// Excel workbook

/** Rows committed between two pauses for the zip compressor and the reader. */
const XLSX_BATCH_ROWS = 500;

/**
 * Writes the report as an Excel workbook with one sheet: a bold, frozen header row with an
 * autofilter, one row per payment, and a bold totals row. Money cells are numbers in reais
 * formatted as BRL, and dates are Excel dates. The workbook is streamed: rows are pulled
 * from `rows` only as fast as the reader takes the file, and each one leaves memory once
 * committed, so a lazy `rows` (a PeriodSnapshot's) keeps memory use flat.
 */
export function writePeriodXlsx(
	rows: Iterable<PeriodRow>,
	totals: ShareTotals,
	locale: Locale
): ReadableStream<Uint8Array> {
	const output = new PassThrough();

	writeWorkbook(output, rows, totals, locale).catch((error: unknown) => {
		output.destroy(error instanceof Error ? error : new Error(String(error)));
	});
	return Readable.toWeb(output) as ReadableStream<Uint8Array>;
}

async function writeWorkbook(
	output: PassThrough,
	rows: Iterable<PeriodRow>,
	totals: ShareTotals,
	locale: Locale
): Promise<void> {
	const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
		stream: output,
		useStyles: true,
		// Shared strings would keep every distinct text in memory until the end.
		useSharedStrings: false
	});
	workbook.creator = m.app_name({}, { locale });
	const sheet = workbook.addWorksheet(m.report_sheet_name({}, { locale }), {
		views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }]
	});
	sheet.columns = COLUMNS.map((column) => ({
		width: column.width,
		style: column.numFmt ? { numFmt: column.numFmt } : {}
	}));

	const header = sheet.addRow(COLUMNS.map((column) => column.header(locale)));
	header.font = { bold: true };
	header.commit();

	let written = 0;
	for (const row of rows) {
		// The reader cancelled the download, so stop pulling rows.
		if (output.destroyed) return;

		sheet.addRow(COLUMNS.map((column) => xlsxValue(column.cell(row, locale)))).commit();
		written += 1;
		if (written % XLSX_BATCH_ROWS === 0) await waitForReader(output, sheet);
	}

	// The filter covers the header and the payments but not the totals row, so that sorting
	// the sheet keeps the totals last.
	sheet.autoFilter = {
		from: { row: 1, column: 1 },
		to: { row: written + 1, column: COLUMNS.length }
	};
	const totalsRow = sheet.addRow(totalsCells(totals, locale).map(xlsxValue));
	totalsRow.font = { bold: true };
	totalsRow.commit();

	sheet.commit();
	await workbook.commit();
}

function xlsxValue(cell: Cell): ExcelJS.CellValue {
	switch (cell.kind) {
		case 'date':
			// UTC midnight, which exceljs stores as a whole Excel day number.
			return new Date(`${cell.iso}T00:00:00.000Z`);
		case 'money':
			// cents / 100 is the double nearest to the exact amount in reais, as Excel stores it.
			return cell.cents / 100;
		case 'text':
			// A blank cell rather than an empty string, which Excel counts as a value.
			return cell.text === '' ? null : cell.text;
	}
}

/**
 * Pauses the row loop until the zip compressor and the HTTP reader have caught up. exceljs
 * writes committed rows without backpressure, so without this pause a fast loop would buffer
 * the whole uncompressed sheet in memory before the compressor read any of it.
 */
async function waitForReader(output: PassThrough, sheet: ExcelJS.Worksheet): Promise<void> {
	await new Promise((resolve) => setImmediate(resolve));

	// NOTE: exceljs 4.4 exposes no backpressure, so this reads its internals: the sheet's
	// `stream` pipes into archiver's input stream (readable-stream, without writableNeedDrain).
	// If they change, only the setImmediate above paces the loop and memory use grows again.
	const internals = sheet as unknown as { stream?: { pipes?: LegacyWritable[] } };
	const compressorInput = internals.stream?.pipes?.[0];
	if (compressorInput?._writableState?.needDrain) await drained(compressorInput, output);

	if (output.writableNeedDrain) await drained(output, output);
}

interface LegacyWritable extends NodeJS.EventEmitter {
	_writableState?: { needDrain: boolean };
}

/** Resolves when `stream` drains or when the download is cancelled (`output` closes). */
function drained(stream: NodeJS.EventEmitter, output: PassThrough): Promise<void> {
	if (output.destroyed) return Promise.resolve();

	return new Promise<void>((resolve) => {
		const done = () => {
			stream.off('drain', done);
			output.off('close', done);
			resolve();
		};
		stream.on('drain', done);
		output.on('close', done);
	});
}

// ---------------------------------------------------------------------------------------------
// Downloads

export type PeriodFormat = 'csv' | 'xlsx';

const CONTENT_TYPES: Record<PeriodFormat, string> = {
	csv: 'text/csv; charset=utf-8',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
};

/** Excel's row limit (1,048,576) minus the header and totals rows. */
export const MAX_XLSX_PAYMENTS = 1_048_574;

export interface PeriodDownloadRequest {
	db: Db;
	user: SessionUser | null;
	log: Logger;
	url: URL;
	locale: Locale;
}

/**
 * Returns the download of the payments received from `?from=` to `?to=` (YYYY-MM-DD), streamed
 * from a PeriodSnapshot. Errors are short text/plain responses: 401 when signed out, 400 for
 * an invalid range, 404 when the range has no payment at all.
 */
export function respondWithPeriodFile(
	request: PeriodDownloadRequest,
	format: PeriodFormat
): Response {
	const { user, locale } = request;
	if (!user) return textResponse(401, 'Sign in to download reports.');

	const parsed = parsePeriodParams(request.url.searchParams);
	if (!parsed.ok) return textResponse(400, parsed.message);

	const { from, to } = parsed.range;
	const snapshot = openPeriodSnapshot(request.db, from, to);
	const rowCount = snapshot.totals.count + snapshot.totals.voidedCount;
	if (rowCount === 0) {
		snapshot.close();
		const range = { from: formatIsoDate(from, locale), to: formatIsoDate(to, locale) };
		return textResponse(404, m.report_empty(range, { locale }));
	}
	if (format === 'xlsx' && rowCount > MAX_XLSX_PAYMENTS) {
		snapshot.close();
		return textResponse(
			400,
			`The range has ${rowCount} payments, more than an Excel sheet can contain ` +
				`(${MAX_XLSX_PAYMENTS}). Choose a shorter range or download CSV.`
		);
	}

	request.log.info({ userId: user.id, from, to, format, rowCount }, 'period report download');

	const write = format === 'csv' ? writePeriodCsv : writePeriodXlsx;
	const body = write(snapshot.rows, snapshot.totals, locale);
	const finish = (error?: unknown) => {
		snapshot.close();
		if (error === undefined) return;

		const fields = { err: error, userId: user.id, from, to, format };
		request.log.error(fields, 'period report download failed');
	};
	return new Response(closeWhenDone(body, finish), {
		headers: {
			'content-type': CONTENT_TYPES[format],
			'content-disposition': `attachment; filename="payments-${from}-to-${to}.${format}"`,
			'cache-control': 'no-store'
		}
	});
}

/**
 * Passes `body` through and calls `close` once it ends, fails (with the error) or is
 * cancelled. A cancelled CSV body may never have started its row iterator, whose own cleanup
 * then never runs.
 */
function closeWhenDone(
	body: ReadableStream<Uint8Array>,
	close: (error?: unknown) => void
): ReadableStream<Uint8Array> {
	const reader = body.getReader();

	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			try {
				const chunk = await reader.read();
				if (chunk.done) {
					close();
					controller.close();
					return;
				}
				controller.enqueue(chunk.value);
			} catch (error) {
				close(error);
				controller.error(error);
			}
		},
		async cancel(reason) {
			await reader.cancel(reason);
			close();
		}
	});
}

/** Validates `from` and `to` query parameters with the tRPC procedure's schema. */
export function parsePeriodParams(
	params: URLSearchParams
): { ok: true; range: PeriodInput } | { ok: false; message: string } {
	const result = periodInputSchema.safeParse({
		from: params.get('from') ?? '',
		to: params.get('to') ?? ''
	});
	if (result.success) return { ok: true, range: result.data };

	const problems = result.error.issues.map(
		(issue) => `Invalid query parameter ${issue.path.join('.')}: ${issue.message}`
	);
	return {
		ok: false,
		message: `${problems.join('\n')}\nExpected ?from=YYYY-MM-DD&to=YYYY-MM-DD.`
	};
}

function textResponse(status: number, message: string): Response {
	return new Response(message, {
		status,
		headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }
	});
}
