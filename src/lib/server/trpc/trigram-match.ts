import { sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

import { buildTrigramQuery, type TrigramTerm } from '$lib/domain/trigram-search';

/** The FTS5 trigram tables that migration 0005_search_index creates and its triggers fill. */
export type TrigramTable = 'clients_search' | 'cases_search';

/**
 * Condition `idColumn IN (rowids of the trigram table rows that contain any of the terms)`.
 * The index is case-insensitive, so callers add a LIKE recheck for the exact rule.
 */
export function matchTrigramIndex(
	idColumn: SQLiteColumn,
	table: TrigramTable,
	terms: readonly TrigramTerm[]
): SQL {
	const ftsTable = sql.identifier(table);
	const query = buildTrigramQuery(terms);
	return sql`${idColumn} IN (SELECT rowid FROM ${ftsTable} WHERE ${ftsTable} MATCH ${query})`;
}
