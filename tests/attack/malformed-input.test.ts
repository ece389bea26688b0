import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createFixture, validInput, type Fixture } from './fixture';
import {
	callProcedure,
	hasInputSchema,
	inputSchemaAccepts,
	isMutation,
	lastAuditId,
	PROCEDURE_PATHS,
	send,
	snapshotBusinessTables,
	stackTraceMarkers,
	startAttackApp,
	trpcErrorCode,
	unexpectedAuditActions,
	type AttackApp,
	type RawResponse
} from './harness';

// Every procedure gets inputs that its schema rejects: missing, extra and wrongly typed fields,
// oversized strings, prototype keys, invalid and deeply nested JSON. Each must end in a 4xx
// without a stack trace and without writing. Mutations get them as a JSON body, queries in
// `?input=`, as the app's own client sends them.

/** adapter-node's BODY_SIZE_LIMIT default (512K), which the app does not change. */
const BODY_SIZE_LIMIT_BYTES = 512 * 1024;
/** Fields that a caller must never set: ids, roles and the recorded author of a change. */
const PRIVILEGED_FIELDS: Record<string, unknown> = {
	id: 1,
	role: 'admin',
	createdBy: 1,
	voidedBy: 1,
	userId: 1
};
/** Values of the wrong type for a field of each JSON type. */
const WRONG_TYPES: Record<string, unknown[]> = {
	string: [12345, true, null, [], {}],
	number: ['1', true, null, [], {}, 1e400],
	boolean: ['true', 1, null, []],
	object: ['{}', 1, []]
};
const INVALID_JSON = ['{"a":', '{', 'undefined', "{'id':1}", '[1,2', 'NaN', '{"id":1}}', '\u0000'];

interface Attack {
	name: string;
	/** Raw text of the input, sent as the body of a mutation or in `?input=` of a query. */
	text: string;
}

let app: AttackApp;
let fixture: Fixture;

beforeAll(async () => {
	app = await startAttackApp({ prefix: 'case-ledger-attack-input-' });
	fixture = await createFixture(app);
}, 90_000);

afterAll(async () => {
	await app?.stop();
});

/** Sends `text` as the raw input of the procedure at `path`, with the admin's session. */
function sendRaw(path: string, text: string): Promise<RawResponse> {
	if (isMutation(path)) {
		return send(app.origin, `/trpc/${path}`, {
			method: 'POST',
			headers: {
				origin: app.origin,
				cookie: app.cookies.admin,
				'content-type': 'application/json'
			},
			body: text
		});
	}
	return send(app.origin, `/trpc/${path}?input=${encodeURIComponent(text)}`, {
		headers: { cookie: app.cookies.admin }
	});
}

/** Adds `members` (raw JSON text of `"key":value` pairs) in front of the members of `base`. */
function withRawMembers(base: object, members: string): string {
	const rest = JSON.stringify(base).slice(1, -1);
	return `{${members}${rest ? `,${rest}` : ''}}`;
}

function nested(depth: number): string {
	return '['.repeat(depth) + ']'.repeat(depth);
}

/** Inputs of `path` that its schema rejects, built from the valid input `base`. */
function invalidInputs(path: string, base: Record<string, unknown>): Attack[] {
	const longString = 'x'.repeat(isMutation(path) ? 100_000 : 5_000);
	const candidates: [string, unknown][] = [];

	for (const key of Object.keys(base)) {
		const { [key]: _removed, ...rest } = base;
		candidates.push([`missing ${key}`, rest]);

		const type = Array.isArray(base[key]) ? 'object' : typeof base[key];
		for (const wrong of WRONG_TYPES[type] ?? []) {
			candidates.push([`${key} as ${JSON.stringify(wrong)}`, { ...base, [key]: wrong }]);
		}
		if (type === 'string') candidates.push([`${key} oversized`, { ...base, [key]: longString }]);
	}
	for (const [key, value] of Object.entries(PRIVILEGED_FIELDS)) {
		if (!Object.hasOwn(base, key)) candidates.push([`extra ${key}`, { ...base, [key]: value }]);
	}
	for (const whole of ['text', 42, [], null, true]) {
		candidates.push([`input ${JSON.stringify(whole)}`, whole]);
	}

	// A candidate that the schema accepts is a valid input, not an attack.
	const attacks = candidates
		.filter(([, input]) => !inputSchemaAccepts(path, input))
		.map(([name, input]) => ({ name, text: JSON.stringify(input) }));

	const depth = isMutation(path) ? 100_000 : 1_000;
	attacks.push(
		{
			name: '__proto__ key',
			text: withRawMembers(base, '"__proto__":{"role":"admin","polluted":"yes"}')
		},
		{
			name: 'constructor key',
			text: withRawMembers(base, '"constructor":{"prototype":{"polluted":"yes"}}')
		},
		{ name: 'prototype key', text: withRawMembers(base, '"prototype":{"polluted":"yes"}') },
		{ name: 'deep array input', text: nested(depth) },
		{ name: 'deep array field', text: withRawMembers(base, `"notes":${nested(depth)}`) },
		{ name: 'deep object input', text: '{"a":'.repeat(depth / 10) + '1' + '}'.repeat(depth / 10) },
		...INVALID_JSON.map((text) => ({ name: `invalid JSON ${JSON.stringify(text)}`, text }))
	);
	return attacks;
}

/** Inputs that are not JSON: for procedures without an input schema. */
function unparsableInputs(): Attack[] {
	return INVALID_JSON.filter((text) => text !== '{"id":1}}').map((text) => ({
		name: `invalid JSON ${JSON.stringify(text)}`,
		text
	}));
}

function expectRejected(response: RawResponse, label: string): void {
	expect(response.status, label).toBeGreaterThanOrEqual(400);
	expect(response.status, label).toBeLessThan(500);
	expect(stackTraceMarkers(response.text), label).toEqual([]);
}

describe('malformed input', () => {
	it.for(PROCEDURE_PATHS)('%s rejects every attack', async (path) => {
		const base = (validInput(path, fixture) ?? {}) as Record<string, unknown>;
		const attacks = hasInputSchema(path) ? invalidInputs(path, base) : unparsableInputs();
		const before = snapshotBusinessTables(app.db);
		const auditBefore = lastAuditId(app.db);

		for (const attack of attacks) {
			const response = await sendRaw(path, attack.text);

			expectRejected(response, `${path}: ${attack.name} -> ${response.text.slice(0, 300)}`);
		}
		expect(snapshotBusinessTables(app.db)).toBe(before);
		expect(unexpectedAuditActions(app.db, auditBefore, [])).toEqual([]);
	});

	// tRPC ignores the input of a procedure without a schema, so stray fields would be accepted
	// silently; procedures that take nothing declare noInputSchema.
	it('every procedure declares an input schema', () => {
		expect(PROCEDURE_PATHS.filter((path) => !hasInputSchema(path))).toEqual([]);
	});

	it.for(['sessions.revokeOthers', 'settings.get'])('%s rejects stray JSON', async (path) => {
		const before = snapshotBusinessTables(app.db);

		const response = await sendRaw(path, '{"id":1,"role":"admin","userId":1}');

		expect(response.status).toBe(400);
		expect(JSON.parse(response.text).error.data.issues[0].field).toBe('(input)');
		expect(stackTraceMarkers(response.text)).toEqual([]);
		expect(snapshotBusinessTables(app.db)).toBe(before);
	});

	it.for(['HEAD', 'PUT', 'DELETE', 'OPTIONS'])('%s on tRPC is 405', async (method) => {
		const response = await send(app.origin, '/trpc/clients.list', {
			method,
			headers: { origin: app.origin, cookie: app.cookies.admin }
		});

		expect(response.status).toBe(405);
		expect(response.headers.get('allow')).toBe('GET, POST');
		expect(stackTraceMarkers(response.text)).toEqual([]);
	});

	it('extra field names the field', async () => {
		const input = { ...(validInput('clients.create', fixture) as object), role: 'admin' };

		const response = await callProcedure(app.origin, app.cookies.admin, 'clients.create', input);

		expect(response.status).toBe(400);
		expect(JSON.parse(response.text).error.data.issues).toEqual([
			{ field: 'role', code: 'unrecognized_keys', message: 'Unknown field "role": remove it.' }
		]);
	});
});

describe('prototype pollution', () => {
	it('later requests behave normally', async () => {
		const listBefore = await callProcedure(app.origin, app.cookies.admin, 'clients.list', {});
		const pollution = '{"__proto__":{"role":"admin","archived":true,"limit":1,"search":"zzz"}}';
		for (const path of ['clients.list', 'clients.create', 'settings.update']) {
			expectRejected(await sendRaw(path, pollution), path);
		}

		const listAfter = await callProcedure(app.origin, app.cookies.admin, 'clients.list', {});
		const viewerCreate = await callProcedure(app.origin, app.cookies.viewer, 'people.create', {
			role: 'partner',
			name: 'Sócia Poluída'
		});
		const signedOut = await callProcedure(app.origin, null, 'clients.list', {});

		expect(listAfter.status).toBe(200);
		expect(listAfter.text).toBe(listBefore.text);
		expect(viewerCreate.status).toBe(403);
		expect(signedOut.status).toBe(401);
	});
});

describe('oversized requests', () => {
	it('1 MB string in a mutation', async () => {
		const before = snapshotBusinessTables(app.db);
		const input = {
			...(validInput('clients.create', fixture) as object),
			notes: 'x'.repeat(1 << 20)
		};

		const response = await callProcedure(app.origin, app.cookies.admin, 'clients.create', input);

		expectRejected(response, response.text.slice(0, 300));
		expect(response.status).toBe(413);
		expect(snapshotBusinessTables(app.db)).toBe(before);
	});

	it('1 MB string in a query', async () => {
		const response = await callProcedure(app.origin, app.cookies.admin, 'clients.list', {
			search: 'x'.repeat(1 << 20)
		});

		expectRejected(response, response.text.slice(0, 300));
	});

	it('body just over the size limit', async () => {
		const before = snapshotBusinessTables(app.db);
		const notes = 'x'.repeat(BODY_SIZE_LIMIT_BYTES);
		const body = JSON.stringify({ ...(validInput('clients.create', fixture) as object), notes });

		const response = await sendRaw('clients.create', body);

		expectRejected(response, response.text.slice(0, 300));
		expect(response.status).toBe(413);
		expect(snapshotBusinessTables(app.db)).toBe(before);
	});

	it('chunked body over the limit', async () => {
		const before = snapshotBusinessTables(app.db);
		// A stream has no Content-Length, so the limit is enforced while the body is read.
		const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
		let sent = 0;
		const body = new ReadableStream<Uint8Array>({
			start(controller) {
				controller.enqueue(new TextEncoder().encode('{"kind":"person","name":"Ana","notes":"'));
			},
			pull(controller) {
				if (sent > 2 * BODY_SIZE_LIMIT_BYTES) {
					controller.enqueue(new TextEncoder().encode('"}'));
					controller.close();
					return;
				}
				sent += chunk.length;
				controller.enqueue(chunk);
			}
		});

		const response = await send(app.origin, '/trpc/clients.create', {
			method: 'POST',
			headers: {
				origin: app.origin,
				cookie: app.cookies.admin,
				'content-type': 'application/json'
			},
			body,
			duplex: 'half'
		} as RequestInit);

		expectRejected(response, response.text.slice(0, 300));
		expect(snapshotBusinessTables(app.db)).toBe(before);
	});
});

describe('error codes of malformed input', () => {
	it('invalid JSON is a parse error', async () => {
		const response = await sendRaw('clients.create', '{"kind":');

		expect(response.status).toBe(400);
		expect(trpcErrorCode(response)).toBe('PARSE_ERROR');
	});
});
