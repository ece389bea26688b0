/**
 * Issues one idempotency key per filled form. Submitting the same values again (after a
 * network error, say) returns the same key, so the server records them at most once. Changed
 * values, or `clear()` after a success, start a new key.
 */
export function createSubmissionKeys() {
	let current: { key: string; values: string } | null = null;

	return {
		keyFor(values: object): string {
			const text = JSON.stringify(values);
			if (current?.values !== text) current = { key: newIdempotencyKey(), values: text };
			return current.key;
		},
		clear(): void {
			current = null;
		}
	};
}

function newIdempotencyKey(): string {
	// randomUUID exists only in secure contexts (https or localhost), and the app may be served
	// over plain http inside the office; getRandomValues works in both.
	if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();

	const bytes = crypto.getRandomValues(new Uint8Array(16));
	return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
