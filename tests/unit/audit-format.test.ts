import { describe, expect, it } from 'vitest';

import { actionLabel, formatTimestamp } from '../../src/routes/(app)/audit/audit-format';

describe('formatTimestamp', () => {
	it('shows the São Paulo day and 24-hour time', () => {
		// 02:59:59 UTC is still the previous evening in São Paulo (UTC-3).
		expect(formatTimestamp('2026-12-04T02:59:59.000Z')).toBe('03/12/2026 23:59:59');
	});

	it('pads the morning hours', () => {
		expect(formatTimestamp('2026-01-05T10:04:09.000Z')).toBe('05/01/2026 07:04:09');
	});

	it('returns text that is not a timestamp unchanged', () => {
		expect(formatTimestamp('not a time')).toBe('not a time');
	});
});

describe('actionLabel', () => {
	it.each([
		['sign_in', 'Entrada no sistema'],
		['sign_in_failed', 'Falha ao entrar'],
		['two_factor_disabled', 'Verificação em duas etapas desativada'],
		['recovery_code_used', 'Código de recuperação usado']
	])('names %s in Portuguese', (action, label) => {
		expect(actionLabel(action)).toBe(label);
	});

	it('falls back to the stored name', () => {
		expect(actionLabel('something_new')).toBe('something_new');
	});
});
