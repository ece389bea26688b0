import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
	callerFor,
	createTestDb,
	expectInvalid,
	insertUser,
	type TestDb
} from '../helpers/test-db';

let t: TestDb;
beforeEach(() => (t = createTestDb()));
afterEach(() => t.close());

const CPF = '529.982.247-25';

describe('text inputs', () => {
	it.each([
		['NUL', 'Ana\u0000Souza'],
		['BEL', 'Ana\u0007'],
		['line break', 'Ana\nSouza'],
		['escape', '\u001b[31mAna']
	])('reject %s in a name', async (_label, name) => {
		const api = callerFor(t.db, insertUser(t.db));

		const issues = await expectInvalid(t.db, () =>
			api.clients.create({ kind: 'person', name, document: CPF })
		);

		expect(issues).toMatchObject([{ field: 'name', code: 'control_characters' }]);
	});

	it.each([
		['zero-width space', '\u200b'],
		['direction marks', '\u202e\u202c'],
		['spaces and marks', ' \u200e ']
	])('reject name of only %s', async (_label, name) => {
		const api = callerFor(t.db, insertUser(t.db));

		const issues = await expectInvalid(t.db, () =>
			api.clients.create({ kind: 'person', name, document: CPF })
		);

		expect(issues).toMatchObject([{ field: 'name', code: 'required' }]);
	});

	it('keeps marks, emoji and markup byte for byte', async () => {
		const api = callerFor(t.db, insertUser(t.db));
		const name = "\u202eAna 👩‍⚖️ <script>alert(1)</script> '); DROP TABLE clients;--";

		const created = await api.clients.create({ kind: 'person', name, document: CPF });
		const fetched = await api.clients.get({ id: created.id });

		expect(fetched.name).toBe(name);
	});

	it('keeps line breaks in notes', async () => {
		const api = callerFor(t.db, insertUser(t.db));

		const created = await api.clients.create({
			kind: 'person',
			name: 'Ana',
			document: CPF,
			notes: 'first line\n\tsecond line'
		});

		expect(created.notes).toBe('first line\n\tsecond line');
	});

	it('rejects NUL in notes', async () => {
		const api = callerFor(t.db, insertUser(t.db));

		const issues = await expectInvalid(t.db, () =>
			api.clients.create({ kind: 'person', name: 'Ana', document: CPF, notes: 'a\u0000b' })
		);

		expect(issues).toMatchObject([{ field: 'notes', code: 'control_characters' }]);
	});
});
