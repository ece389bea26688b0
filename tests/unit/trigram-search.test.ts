import { describe, expect, it } from 'vitest';

import { buildTrigramQuery, canUseTrigramIndex } from '$lib/domain/trigram-search';

describe('canUseTrigramIndex', () => {
	it.each([
		[[{ column: 'name_search', text: 'jos' }], true],
		[[{ column: 'name_search', text: 'jo' }], false],
		[[{ column: 'name_search', text: 'ção' }], true],
		[
			[
				{ column: 'name_search', text: 'maria' },
				{ column: 'document', text: 'MA' }
			],
			false
		]
	])('judges %j', (terms, expected) => {
		expect(canUseTrigramIndex(terms)).toBe(expected);
	});

	it('counts code points not units', () => {
		expect(canUseTrigramIndex([{ column: 'name_search', text: '😀😀' }])).toBe(false);
	});
});

describe('buildTrigramQuery', () => {
	it('quotes one term', () => {
		expect(buildTrigramQuery([{ column: 'name_search', text: 'jose avila' }])).toBe(
			'name_search : "jose avila"'
		);
	});

	it('joins terms with OR', () => {
		const query = buildTrigramQuery([
			{ column: 'name_search', text: '529' },
			{ column: 'document', text: '529' }
		]);

		expect(query).toBe('name_search : "529" OR document : "529"');
	});

	it('doubles double quotes', () => {
		expect(buildTrigramQuery([{ column: 'title_search', text: 'a "b" c' }])).toBe(
			'title_search : "a ""b"" c"'
		);
	});

	it('keeps FTS5 operators literal', () => {
		expect(buildTrigramQuery([{ column: 'title_search', text: '50%_* OR x:y' }])).toBe(
			'title_search : "50%_* OR x:y"'
		);
	});

	it('rejects empty term list', () => {
		expect(() => buildTrigramQuery([])).toThrow(RangeError);
	});

	it('rejects unsafe column name', () => {
		expect(() => buildTrigramQuery([{ column: 'x"; drop', text: 'abc' }])).toThrow(
			/Invalid FTS5 column name/
		);
	});
});
