import type { Knex } from 'knex';
import { isMysql, type Conn } from '../db';

/**
 * Full-text search, one meaning on both databases: every word of the query
 * must start a word of the product's name, brand or specification text.
 *
 * Words are letters and digits only, so quotes, hyphens or operators typed by
 * a shopper can never break the MATCH syntax: "i7-1185G7" is the two words
 * i7 and 1185g7.
 *  - SQLite: FTS5 MATCH '"w1"* AND "w2"*' on products_fts.
 *  - MySQL/MariaDB: FULLTEXT boolean mode '+w1* +w2*' on products.search_terms,
 *    where every stored word ends in "__" (migration
 *    20261121000003_catalog_search_terms), so words shorter than InnoDB's
 *    minimum token size and stop-words are indexed too.
 * Ranking: the number of query words found in the name first, then the
 * engine's relevance score, then the name.
 */

const MAX_WORDS = 8;

/** Lower-cased distinct words of a query, at most eight, each at most 40 characters. */
export function searchWords(q: string): string[] {
  const words = q.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words.map((w) => w.slice(0, 40)))].slice(0, MAX_WORDS);
}

/** FTS5 query: each word quoted (so no syntax can leak in) and used as a prefix. */
export function fts5Query(words: string[]): string {
  return words.map((w) => `"${w.replace(/"/g, '""')}"*`).join(' AND ');
}

/** Boolean-mode query for products.search_terms: every word required, as a prefix. */
export function mysqlBooleanQuery(words: string[]): string {
  return words.map((w) => `+${w}*`).join(' ');
}

/**
 * Restricts a query on `products as p` to rows matching every word. `ranked`
 * queries (ordered by orderByRelevance) on SQLite join the FTS5 result once,
 * so its bm25() score is computed in the same pass as the match.
 */
export function applySearch(db: Conn, qb: Knex.QueryBuilder, words: string[], ranked = false): void {
  if (!words.length) return;
  if (isMysql(db)) {
    qb.whereRaw('MATCH (p.search_terms) AGAINST (? IN BOOLEAN MODE)', [mysqlBooleanQuery(words)]);
  } else if (ranked) {
    qb.join(
      db.raw('(SELECT rowid AS fts_id, bm25(products_fts, 10.0, 4.0, 1.0) AS fts_rank FROM products_fts WHERE products_fts MATCH ?) AS fts', [fts5Query(words)]),
      'fts.fts_id',
      'p.id',
    );
  } else {
    qb.whereRaw('p.id IN (SELECT rowid FROM products_fts WHERE products_fts MATCH ?)', [fts5Query(words)]);
  }
}

/** Adds the relevance ordering (name hits first, then engine score); the query must have been built with applySearch(…, ranked = true), or select its SQLite score as `rankColumn`. */
export function orderByRelevance(db: Conn, qb: Knex.QueryBuilder, words: string[], rankColumn = 'fts.fts_rank'): void {
  // Words hold only letters and digits, so they need no LIKE escaping.
  const nameHits = words.map(() => '(CASE WHEN p.name LIKE ? THEN 1 ELSE 0 END)').join(' + ');
  qb.orderByRaw(`(${nameHits}) DESC`, words.map((w) => `%${w}%`));
  if (isMysql(db)) {
    qb.orderByRaw('MATCH (p.search_terms) AGAINST (? IN BOOLEAN MODE) DESC', [mysqlBooleanQuery(words)]);
  } else {
    qb.orderBy(rankColumn, 'asc'); // bm25: lower is better
  }
}
