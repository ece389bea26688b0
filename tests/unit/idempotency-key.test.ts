import { describe, expect, it } from 'vitest';

import { createSubmissionKeys } from '../../src/lib/idempotency-key';

describe('createSubmissionKeys', () => {
	it('repeats the key for same values', () => {
		const keys = createSubmissionKeys();

		expect(keys.keyFor({ amount: 100 })).toBe(keys.keyFor({ amount: 100 }));
	});

	it('makes a new key for new values', () => {
		const keys = createSubmissionKeys();
		const first = keys.keyFor({ amount: 100 });

		expect(keys.keyFor({ amount: 101 })).not.toBe(first);
	});

	it('makes a new key after clear', () => {
		const keys = createSubmissionKeys();
		const first = keys.keyFor({ amount: 100 });
		keys.clear();

		expect(keys.keyFor({ amount: 100 })).not.toBe(first);
	});

	it('issues keys the server accepts', () => {
		expect(createSubmissionKeys().keyFor({})).toMatch(/^[A-Za-z0-9_-]{16,100}$/);
	});
});
