/**
 * The benchmark's baseline: a plain node:http server that reads the same rows as each timed
 * tRPC procedure with prepared better-sqlite3 statements and returns them as JSON, with no
 * SvelteKit, tRPC, session check, validation or logging. The benchmark divides the app's
 * latency by this server's, which shows what those layers cost.
 *
 * Usage: tsx scripts/bench/baseline-server.ts --db FILE --port N. It listens on 127.0.0.1 and
 * prints `listening` once ready. /dashboard.summary reads whole months only. Routes: /cases.get?id=, /clients.list?search=,
 * /cases.list?status=&partnerId=, /dashboard.summary?from=&to=, /reports.period?from=&to=.
 * /reports.period reads the first page of 100 rows and the totals of whole months only.
 */
import http from 'node:http';
import { parseArgs } from 'node:util';

import Database from 'better-sqlite3';

type Route = (params: URLSearchParams) => unknown;

const { values } = parseArgs({
	options: { db: { type: 'string' }, port: { type: 'string' } }
});
if (!values.db || !values.port) {
	console.error('Usage: tsx scripts/bench/baseline-server.ts --db FILE --port N');
	process.exit(2);
}

const sqlite = new Database(values.db, { readonly: true, fileMustExist: true });

// The payments of one case with the names the app shows, newest received first.
const caseTransactions = sqlite.prepare(`
	SELECT t.*, c.title AS case_title, cl.id AS client_id, cl.name AS client_name,
		recorder.name AS recorded_by_name, voider.name AS voided_by_name,
		partner.name AS partner_name, consultant.name AS consultant_name
	FROM transactions t
	JOIN cases c ON c.id = t.case_id
	JOIN clients cl ON cl.id = c.client_id
	JOIN users recorder ON recorder.id = t.created_by
	LEFT JOIN users voider ON voider.id = t.voided_by
	JOIN people partner ON partner.id = t.partner_id
	LEFT JOIN people consultant ON consultant.id = t.consultant_id
	WHERE t.case_id = ?
	ORDER BY t.received_on DESC, t.id DESC`);

// One page of active clients whose name contains the fragment, through the trigram index.
const clientsByName = sqlite.prepare(`
	SELECT * FROM clients
	WHERE archived_at IS NULL
		AND id IN (SELECT rowid FROM clients_search WHERE clients_search MATCH ?)
		AND name_search LIKE ? ESCAPE '\\'
	ORDER BY name_search, id
	LIMIT 26`);

// One page of cases with a status and partner, newest first, with names.
const casesByStatusAndPartner = sqlite.prepare(`
	SELECT c.*, cl.name AS client_name, cl.document AS client_document,
		partner.name AS partner_name, consultant.name AS consultant_name
	FROM cases c
	JOIN clients cl ON cl.id = c.client_id
	JOIN people partner ON partner.id = c.partner_id
	LEFT JOIN people consultant ON consultant.id = c.consultant_id
	WHERE c.status = ? AND c.partner_id = ?
	ORDER BY c.id DESC
	LIMIT 26`);

// The sums of whole months per partner and consultant pair, from the monthly sums that the
// app's dashboard.summary reads for whole months. The benchmark requests whole months only.
const monthSums = sqlite.prepare(`
	SELECT partner_id, consultant_id, sum(count) AS count, sum(gross_cents) AS gross_cents,
		sum(client_cents) AS client_cents, sum(office_cents) AS office_cents,
		sum(partner_cents) AS partner_cents, sum(consultant_cents) AS consultant_cents
	FROM payment_month_totals
	WHERE month BETWEEN substr(?, 1, 7) AND substr(?, 1, 7)
	GROUP BY partner_id, consultant_id`);

// The first page of a period's payments with the columns of the period report, plus one row
// that shows whether another page follows, as reports.period reads it at its default limit.
const PERIOD_PAGE_ROWS = 100;
const periodPage = sqlite.prepare(`
	SELECT t.id, t.received_on, t.case_id, c.title AS case_title, c.cnj_number, c.action_type,
		cl.id AS client_id, cl.name AS client_name, cl.document AS client_document,
		t.partner_id, partner.name AS partner_name, t.consultant_id,
		consultant.name AS consultant_name, t.value_type, t.gross_cents, t.client_cents,
		t.office_cents, t.partner_cents, t.consultant_cents, t.notes, t.installment_number,
		t.installment_count, t.voided_at, t.void_reason
	FROM transactions t
	JOIN cases c ON c.id = t.case_id
	JOIN clients cl ON cl.id = c.client_id
	JOIN people partner ON partner.id = t.partner_id
	LEFT JOIN people consultant ON consultant.id = t.consultant_id
	WHERE t.received_on BETWEEN ? AND ?
	ORDER BY t.received_on, t.id
	LIMIT ${PERIOD_PAGE_ROWS + 1}`);

// The number of payments of a period, voided ones included, from the received_on index.
const periodCount = sqlite
	.prepare('SELECT count(*) FROM transactions WHERE received_on BETWEEN ? AND ?')
	.pluck();

// The sums of the non-voided payments of whole months, as reports.period reads them for a range
// of whole months, the only kind the benchmark requests.
const periodMonthTotals = sqlite.prepare(`
	SELECT sum(count) AS count, sum(gross_cents) AS gross_cents,
		sum(client_cents) AS client_cents, sum(office_cents) AS office_cents,
		sum(partner_cents) AS partner_cents, sum(consultant_cents) AS consultant_cents
	FROM payment_month_totals
	WHERE month BETWEEN substr(?, 1, 7) AND substr(?, 1, 7)`);

/** Reads what reports.period returns for its first page, in one read transaction. */
const readPeriodFirstPage = sqlite.transaction((from: string, to: string) => {
	const rows = periodPage.all(from, to);
	const count = periodCount.get(from, to) as number;
	const totals = periodMonthTotals.get(from, to) as { count: number | null };
	const voidedCount = count - (totals.count ?? 0);
	return {
		rows: rows.slice(0, PERIOD_PAGE_ROWS),
		more: rows.length > PERIOD_PAGE_ROWS,
		count,
		totals: { ...totals, voidedCount }
	};
});

function required(params: URLSearchParams, name: string): string {
	const value = params.get(name);
	if (value === null) throw new Error(`Missing query parameter ${name}.`);
	return value;
}

const ROUTES: Record<string, Route> = {
	'/cases.get': (params) => caseTransactions.all(Number(required(params, 'id'))),
	'/clients.list': (params) => {
		const fragment = required(params, 'search');
		const phrase = `name_search : "${fragment.replaceAll('"', '""')}"`;
		const pattern = `%${fragment.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
		return clientsByName.all(phrase, pattern);
	},
	'/cases.list': (params) =>
		casesByStatusAndPartner.all(required(params, 'status'), Number(required(params, 'partnerId'))),
	'/dashboard.summary': (params) => monthSums.all(required(params, 'from'), required(params, 'to')),
	'/reports.period': (params) =>
		readPeriodFirstPage(required(params, 'from'), required(params, 'to'))
};

const server = http.createServer((request, response) => {
	const url = new URL(request.url ?? '/', 'http://127.0.0.1');
	const route = ROUTES[url.pathname];
	if (!route) {
		response.writeHead(404, { 'content-type': 'text/plain' }).end(`No route ${url.pathname}.`);
		return;
	}
	try {
		const body = JSON.stringify({ result: { data: route(url.searchParams) } });
		response.writeHead(200, { 'content-type': 'application/json' }).end(body);
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		response.writeHead(400, { 'content-type': 'text/plain' }).end(message);
	}
});

server.listen(Number(values.port), '127.0.0.1', () => console.log('listening'));

process.on('SIGTERM', () => {
	server.close();
	sqlite.close();
	process.exit(0);
});
