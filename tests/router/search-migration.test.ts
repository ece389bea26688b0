/**
 * Migrations 0005_search_index and 0006_payment_month_totals on a database that already has
 * clients, cases and payments: both must index or sum the rows written before them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openDatabase, type Db } from '$lib/server/db';
import { callerFor, insertUser, MIGRATIONS_DIR } from '../helpers/test-db';

const FIRST_NEW_MIGRATION = '0005_search_index';

let folder: string;

beforeEach(() => {
	folder = fs.mkdtempSync(path.join(os.tmpdir(), 'case-ledger-search-migration-'));
});

afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

/** Copies the migrations folder with its journal cut before the entry `tag`. */
function migrationsBefore(tag: string): string {
	const target = path.join(folder, 'drizzle-old');
	fs.cpSync(MIGRATIONS_DIR, target, { recursive: true });
	const journalPath = path.join(target, 'meta', '_journal.json');
	const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as {
		entries: { tag: string }[];
	};
	const cut = journal.entries.findIndex((entry) => entry.tag === tag);
	journal.entries = journal.entries.slice(0, cut);
	fs.writeFileSync(journalPath, JSON.stringify(journal));
	return target;
}

/** Writes rows with the columns of migration 0004, the last one before the new ones. */
function insertOldRows(db: Db): void {
	const sqlite = db.$client;
	sqlite.exec(`
		INSERT INTO users (id, email, name, password_hash, role) VALUES (1, 'a@example.com', 'A', 'x', 'admin');
		INSERT INTO people (id, role, name) VALUES (1, 'partner', 'Dra. Lia'), (2, 'consultant', 'Caio');
		INSERT INTO clients (id, kind, name, name_search, document)
			VALUES (1, 'person', 'José Ávila', 'jose avila', '52998224725'),
				(2, 'person', 'Maria Souza', 'maria souza', '11144477735');
		INSERT INTO cases (id, client_id, action_type, title, title_search, partner_id, consultant_id, opened_on, cnj_number)
			VALUES (1, 1, 'civil', 'Ação de cobrança', 'acao de cobranca', 1, 2, '2026-01-10', '00000013920248260100');
		INSERT INTO transactions (case_id, received_on, value_type, gross_cents, client_cents, office_cents,
				partner_cents, consultant_cents, fee_bps, partner_share_bps, consultant_commission_bps,
				partner_id, consultant_id, created_by)
			VALUES (1, '2026-02-03', 'provided_amount', 10000, 7000, 500, 1500, 1000, 3000, 5000, 1000, 1, 2, 1),
				(1, '2026-02-20', 'provided_amount', 20000, 14000, 1000, 3000, 2000, 3000, 5000, 1000, 1, 2, 1),
				(1, '2026-03-01', 'procedural_costs', 5000, 0, 2500, 2500, 0, 10000, 5000, 0, 1, NULL, 1);
	`);
}

describe('search and monthly sums migrations', () => {
	it('backfills rows written earlier', async () => {
		const file = path.join(folder, 'ledger.db');
		const old = openDatabase(file, { migrationsDir: migrationsBefore(FIRST_NEW_MIGRATION) });
		insertOldRows(old);
		old.$client.close();

		const db = openDatabase(file, { migrationsDir: MIGRATIONS_DIR });
		try {
			const api = callerFor(db, insertUser(db, 'admin'));

			const clients = await api.clients.list({ search: 'avila' });
			const cases = await api.cases.list({ search: 'cobranca' });
			const byCnj = await api.cases.list({ search: '0000001-39' });
			const summary = await api.dashboard.summary({ from: '2026-02-01', to: '2026-03-31' });

			expect(clients.items.map((client) => client.name)).toEqual(['José Ávila']);
			expect(cases.items.map((item) => item.id)).toEqual([1]);
			expect(byCnj.items.map((item) => item.id)).toEqual([1]);
			expect(summary.totals).toEqual({
				count: 3,
				grossCents: 35_000,
				clientCents: 21_000,
				officeCents: 4000,
				partnerCents: 7000,
				consultantCents: 3000
			});
			expect(summary.byConsultant).toMatchObject([{ name: 'Caio', count: 2, shareCents: 3000 }]);
		} finally {
			db.$client.close();
		}
	});
});
