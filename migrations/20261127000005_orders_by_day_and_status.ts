import type { Knex } from 'knex';

/**
 * The dashboard counts the last 30 days' orders by status, and the orders
 * placed per day, from one index on (created_at, status) read on its own,
 * instead of the created_at index plus a read of each order's row.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    t.index(['created_at', 'status'], 'orders_created_at_status_index');
  });
  await knex.schema.alterTable('orders', (t) => t.dropIndex(['created_at'], 'orders_created_at_index'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => t.index(['created_at'], 'orders_created_at_index'));
  await knex.schema.alterTable('orders', (t) => t.dropIndex(['created_at', 'status'], 'orders_created_at_status_index'));
}
