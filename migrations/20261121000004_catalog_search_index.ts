import type { Knex } from 'knex';

/**
 * For the in-memory search index (src/catalog/live-search-index.ts):
 *  - products.updated_at is indexed, so "has any product changed?" is one
 *    index read however large the catalog is;
 *  - MySQL/MariaDB: the two FULLTEXT indexes of the first migration are
 *    dropped. Searches use products_ft_terms (migration 20261121000003), so
 *    these only slowed every product write.
 */

function isMysql(knex: Knex): boolean {
  return /mysql/.test(String(knex.client.config.client));
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('products', (t) => t.index(['updated_at'], 'products_updated_at_index'));
  if (isMysql(knex)) {
    await knex.raw('ALTER TABLE products DROP INDEX products_ft_name, DROP INDEX products_ft_all');
  }
}

export async function down(knex: Knex): Promise<void> {
  if (isMysql(knex)) {
    await knex.raw('ALTER TABLE products ADD FULLTEXT INDEX products_ft_name (name)');
    await knex.raw('ALTER TABLE products ADD FULLTEXT INDEX products_ft_all (name, brand, search_text)');
  }
  await knex.schema.alterTable('products', (t) => t.dropIndex(['updated_at'], 'products_updated_at_index'));
}
