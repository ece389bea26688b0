import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createFixture, freshCpf, type Fixture } from './fixture';
import { callProcedure, dataOf, send, startAttackApp, type AttackApp } from './harness';

// Hostile text stored through tRPC must come back byte for byte, sit in the database as sent,
// and reach server-rendered pages escaped. Search wildcards typed by a user match literally.

const HOSTILE_TEXTS = [
	"'); DROP TABLE clients;--",
	'<script>alert(1)</script>',
	'<img src=x onerror=alert(1)>',
	'Ana \u202Eadroc\u202C Souza',
	'Jo\u200Dão Zero\u200DWidth',
	'Café 😀 Ltda 👩‍⚖️',
	'Jose\u0301 Combinado',
	'"Aspas" & \\barra\\ ${x} {{y}}'
];

let app: AttackApp;
let fixture: Fixture;

beforeAll(async () => {
	app = await startAttackApp({ prefix: 'case-ledger-attack-strings-' });
	fixture = await createFixture(app);
}, 90_000);

afterAll(async () => {
	await app?.stop();
});

async function call<T>(path: string, input: unknown): Promise<T> {
	return dataOf<T>(await callProcedure(app.origin, app.cookies.admin, path, input), path);
}

async function pageHtml(path: string): Promise<string> {
	const response = await send(app.origin, path, { headers: { cookie: app.cookies.admin } });
	expect(response.status, path).toBe(200);
	return response.text;
}

// Svelte escapes `&` and `<` in text, which is enough to keep markup inert, and leaves `>`.
const ESCAPED_SCRIPT = /&lt;script(?:&gt;|>)alert\(1\)&lt;\/script(?:&gt;|>)/;

/** Asserts that the markup in HOSTILE_TEXTS shows in `html` only in its escaped form. */
function expectEscaped(html: string, label: string): void {
	expect(html, label).not.toContain('<script>alert(1)');
	expect(html, label).not.toContain('alert(1)</script>');
	expect(html, label).not.toContain('<img src=x');
	expect(html, label).toMatch(ESCAPED_SCRIPT);
	expect(html, label).toContain('&lt;img src=x onerror=alert(1)');
}

describe('hostile client names', () => {
	const created = new Map<string, number>();

	beforeAll(async () => {
		for (const text of HOSTILE_TEXTS) {
			const client = await call<{ id: number }>('clients.create', {
				kind: 'person',
				name: text,
				document: freshCpf(),
				notes: `${text}\nsegunda linha`
			});
			created.set(text, client.id);
		}
	});

	it.for(HOSTILE_TEXTS)('%s reads back byte for byte', async (text) => {
		const id = created.get(text)!;

		const client = await call<{ name: string; notes: string }>('clients.get', { id });
		const row = app.db.prepare('SELECT name, notes FROM clients WHERE id = ?').get(id) as {
			name: string;
			notes: string;
		};

		expect(Buffer.from(client.name)).toEqual(Buffer.from(text));
		expect(Buffer.from(client.notes)).toEqual(Buffer.from(`${text}\nsegunda linha`));
		expect(Buffer.from(row.name)).toEqual(Buffer.from(text));
		expect(Buffer.from(row.notes)).toEqual(Buffer.from(`${text}\nsegunda linha`));
	});

	it('clients table survives the SQL text', () => {
		const row = app.db.prepare('SELECT count(*) AS n FROM clients').get() as { n: number };

		expect(row.n).toBeGreaterThanOrEqual(HOSTILE_TEXTS.length);
	});

	it('client page escapes the markup', async () => {
		for (const text of ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>']) {
			const html = await pageHtml(`/clients/${created.get(text)}`);

			expect(html).not.toContain(text);
			expect(html).toContain(text.replaceAll('<', '&lt;').slice(0, 20));
		}
	});

	it('client list escapes the markup', async () => {
		const html = await pageHtml('/clients');

		expectEscaped(html, '/clients');
	});

	it('client search page escapes the query', async () => {
		const html = await pageHtml(`/clients?q=${encodeURIComponent('<script>alert(1)</script>')}`);

		expect(html).not.toContain('<script>alert(1)');
		expect(html).not.toContain('alert(1)</script>');
	});
});

describe('hostile case titles', () => {
	it('case page shows titles escaped', async () => {
		const ids: number[] = [];
		for (const title of HOSTILE_TEXTS) {
			const legalCase = await call<{ id: number }>('cases.create', {
				clientId: fixture.clientId,
				actionType: 'civil',
				title,
				court: title,
				partnerId: fixture.partnerId,
				openedOn: '2026-03-03'
			});
			ids.push(legalCase.id);
		}

		for (const [index, title] of HOSTILE_TEXTS.entries()) {
			const legalCase = await call<{ title: string; court: string }>('cases.get', {
				id: ids[index]
			});
			expect(Buffer.from(legalCase.title)).toEqual(Buffer.from(title));
			expect(Buffer.from(legalCase.court)).toEqual(Buffer.from(title));
		}
		const scriptCase = ids[HOSTILE_TEXTS.indexOf('<script>alert(1)</script>')];
		const scriptHtml = await pageHtml(`/cases/${scriptCase}`);
		expect(scriptHtml).not.toContain('<script>alert(1)');
		expect(scriptHtml).toMatch(ESCAPED_SCRIPT);
		expectEscaped(await pageHtml('/cases'), '/cases');
		expectEscaped(await pageHtml(`/clients/${fixture.clientId}`), 'client with cases');
	});
});

describe('search wildcards', () => {
	beforeAll(async () => {
		const names = ['Desconto 100% Garantido', 'Ana_Paula Silva', 'AnaXPaula Souza', 'Sem Curinga'];
		for (const name of names) {
			await call('clients.create', { kind: 'person', name, document: freshCpf() });
			await call('cases.create', {
				clientId: fixture.clientId,
				actionType: 'civil',
				title: `Caso ${name}`,
				partnerId: fixture.partnerId,
				openedOn: '2026-04-04'
			});
		}
	});

	async function clientNames(search: string): Promise<string[]> {
		const result = await call<{ items: { name: string }[] }>('clients.list', { search });
		return result.items.map((item) => item.name);
	}

	async function caseTitles(search: string): Promise<string[]> {
		const result = await call<{ items: { title: string }[] }>('cases.list', { search });
		return result.items.map((item) => item.title);
	}

	it('client search for % is literal', async () => {
		expect(await clientNames('%')).toEqual(['Desconto 100% Garantido']);
	});

	it('client search for _ is literal', async () => {
		expect(await clientNames('_')).toEqual(['Ana_Paula Silva']);
		expect(await clientNames('Ana_Paula')).toEqual(['Ana_Paula Silva']);
	});

	it('case search for % is literal', async () => {
		expect(await caseTitles('%')).toEqual(['Caso Desconto 100% Garantido']);
	});

	it('case search for _ is literal', async () => {
		expect(await caseTitles('_')).toEqual(['Caso Ana_Paula Silva']);
		expect(await caseTitles('Ana_Paula')).toEqual(['Caso Ana_Paula Silva']);
	});
});
