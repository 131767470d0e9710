import type { Knex } from 'knex';

/**
 * Low-stock alerts: a threshold per product (null: no alert) and when staff
 * were last told it fell to it, so each crossing sends one e-mail.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('products', (t) => {
    t.integer('low_stock_threshold');
    t.datetime('low_stock_alerted_at', { precision: 3 });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('products', (t) => {
    t.dropColumn('low_stock_alerted_at');
    t.dropColumn('low_stock_threshold');
  });
}
