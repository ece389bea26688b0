import { describe, expect, it } from 'vitest';

import { escapeLikePattern, normalizeSearchText } from '../../src/lib/domain/search-text';

describe('normalizeSearchText', () => {
	it.each([
		['José  ÁVILA', 'jose avila'],
		['  Conceição\tdo\n Araújo  ', 'conceicao do araujo'],
		['MÜLLER', 'muller'],
		['Ñandú', 'nandu'],
		['Jose\u0301', 'jose'],
		['São\u00a0Paulo', 'sao paulo'],
		['İstanbul', 'istanbul'],
		['Ação Cível nº 12', 'acao civel nº 12'],
		['plain', 'plain'],
		['   ', ''],
		['', '']
	])('normalizes %j', (input, expected) => {
		expect(normalizeSearchText(input)).toBe(expected);
	});

	it('matches precomposed and decomposed', () => {
		expect(normalizeSearchText('Jos\u00e9')).toBe(normalizeSearchText('Jose\u0301'));
	});
});

describe('escapeLikePattern', () => {
	it.each([
		['plain', 'plain'],
		['50%', '50\\%'],
		['a_b', 'a\\_b'],
		['C:\\dir', 'C:\\\\dir'],
		['\\%_', '\\\\\\%\\_'],
		['%%', '\\%\\%'],
		['', '']
	])('escapes %j', (input, expected) => {
		expect(escapeLikePattern(input)).toBe(expected);
	});
});
