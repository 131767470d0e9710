import type { Knex } from 'knex';

/**
 * Indexes for the admin dashboard and order list on a long order history
 * (measured with 200,000 orders: `BENCH_PARTS=admin npm run bench`):
 *  - orders.created_at: the dashboard's orders per day reads the last 30
 *    days from the index instead of every order;
 *  - orders.status: the list filtered by status reads its page in id order
 *    straight from the index (the status + expires_at index, kept for the
 *    expiry sweep, cannot give that order, so pages were sorted);
 *  - payments (status, updated_at, provider, amount_cents) and refunds
 *    (status, updated_at): revenue per day reads the last 30 days' rows, the
 *    payments from the index alone, instead of every payment and refund.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    t.index(['created_at'], 'orders_created_at_index');
    t.index(['status'], 'orders_status_index');
  });
  await knex.schema.alterTable('payments', (t) => t.index(['status', 'updated_at', 'provider', 'amount_cents'], 'payments_revenue_index'));
  await knex.schema.alterTable('refunds', (t) => t.index(['status', 'updated_at'], 'refunds_status_updated_at_index'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('refunds', (t) => t.dropIndex(['status', 'updated_at'], 'refunds_status_updated_at_index'));
  await knex.schema.alterTable('payments', (t) => t.dropIndex(['status', 'updated_at', 'provider', 'amount_cents'], 'payments_revenue_index'));
  await knex.schema.alterTable('orders', (t) => {
    t.dropIndex(['status'], 'orders_status_index');
    t.dropIndex(['created_at'], 'orders_created_at_index');
  });
}
