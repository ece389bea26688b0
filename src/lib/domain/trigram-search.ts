/**
 * Query text for SQLite FTS5 tables with the trigram tokenizer, which index every run of three
 * characters. A quoted phrase then matches any row that contains it as a substring.
 */

/** Shortest fragment a trigram index can look up, in Unicode code points. */
export const MIN_TRIGRAM_FRAGMENT = 3;

/** A substring to find in one indexed column. */
export interface TrigramTerm {
	column: string;
	text: string;
}

/** Returns whether every term is long enough for the trigram index to find it. */
export function canUseTrigramIndex(terms: readonly TrigramTerm[]): boolean {
	return terms.every((term) => [...term.text].length >= MIN_TRIGRAM_FRAGMENT);
}

/**
 * Builds an FTS5 query that matches rows containing any of the terms in its column, such as
 * `name_search : "jose" OR document : "529"`. Inside the quotes every character is literal
 * (`%`, `_`, `*`, `:`), and a `"` is written twice, as FTS5 strings require.
 * Throws RangeError for an empty list or a column name that is not a plain identifier.
 */
export function buildTrigramQuery(terms: readonly TrigramTerm[]): string {
	if (terms.length === 0) throw new RangeError('buildTrigramQuery needs at least one term.');

	return terms
		.map((term) => {
			if (!/^[a-z_][a-z0-9_]*$/.test(term.column)) {
				throw new RangeError(`Invalid FTS5 column name ${JSON.stringify(term.column)}.`);
			}
			return `${term.column} : "${term.text.replaceAll('"', '""')}"`;
		})
		.join(' OR ');
}
