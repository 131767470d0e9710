import type { Knex } from 'knex';

/**
 * MySQL/MariaDB only: a generated column holding name, brand and spec words
 * with "__" appended to every word, and a FULLTEXT index on it.
 *
 * InnoDB's full-text index drops words shorter than innodb_ft_min_token_size
 * (3 by default) and its stop-words, so "HP", "i7", "M1", "4K" or "the" could
 * otherwise only be found by scanning every row. Padded, every word is at
 * least three characters long and none is a stop-word, so one index answers
 * every search ("hp*" finds "hp__"). The name is included twice so name
 * matches score higher. The column is computed by the database, so every
 * writer keeps it right without knowing about it. SQLite's FTS5 table has no
 * such limits and needs nothing.
 */

const SEPARATORS = [' ', '-', '/', '.', ',', ':', ';', '(', ')', '[', ']', '"', "'", '#', '&', '+', '!', '?', '*', '%', '=', '|', '@', '×', '″', '’'];

function isMysql(knex: Knex): boolean {
  return /mysql/.test(String(knex.client.config.client));
}

/** Every separator becomes "__ ", so each word ends in "__". */
function paddedWords(knex: Knex): string {
  let expr = "LOWER(CONCAT_WS(' ', name, name, brand, search_text))";
  for (const sep of SEPARATORS) expr = `REPLACE(${expr}, ${knex.raw('?', [sep]).toQuery()}, '__ ')`;
  return `CONCAT(${expr}, '__')`;
}

export async function up(knex: Knex): Promise<void> {
  if (!isMysql(knex)) return;
  await knex.raw(`ALTER TABLE products ADD COLUMN search_terms TEXT AS (${paddedWords(knex)}) STORED`);
  await knex.raw('ALTER TABLE products ADD FULLTEXT INDEX products_ft_terms (search_terms)');
}

export async function down(knex: Knex): Promise<void> {
  if (!isMysql(knex)) return;
  await knex.raw('ALTER TABLE products DROP INDEX products_ft_terms');
  await knex.raw('ALTER TABLE products DROP COLUMN search_terms');
}
