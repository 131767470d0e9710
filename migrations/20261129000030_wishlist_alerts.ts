import type { Knex } from 'knex';

/**
 * Wishlist alerts (SPEC §3, §6: back in stock, price drop):
 * - users.wishlist_alerts: the customer's opt-out (profile page); on by default.
 * - wishlist_alerts_sent: one row per customer per event (a restock or a
 *   price drop of a product), written with the notification and the e-mail.
 *   Its unique key is what makes a second run of an event's job, or a second
 *   worker running it, tell nobody twice.
 */
export async function up(knex: Knex): Promise<void> {
  const mysql = /mysql/.test(String(knex.client.config.client));
  await knex.schema.alterTable('users', (t) => {
    t.boolean('wishlist_alerts').notNullable().defaultTo(true);
  });
  await knex.schema.createTable('wishlist_alerts_sent', (t) => {
    if (mysql) {
      t.engine('InnoDB');
      t.charset('utf8mb4');
      t.collate('utf8mb4_unicode_ci');
    }
    t.increments('id');
    t.string('event_key', 150).notNullable();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('product_id').unsigned().notNullable().references('id').inTable('products').onDelete('CASCADE');
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.unique(['event_key', 'user_id']);
  });
  // Who wishes for a product: read by every restock and price drop. (MySQL/MariaDB already index the foreign key.)
  if (!mysql) await knex.schema.alterTable('wishlist_items', (t) => t.index(['product_id']));
}

export async function down(knex: Knex): Promise<void> {
  if (!/mysql/.test(String(knex.client.config.client))) await knex.schema.alterTable('wishlist_items', (t) => t.dropIndex(['product_id']));
  await knex.schema.dropTableIfExists('wishlist_alerts_sent');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('wishlist_alerts');
  });
}
