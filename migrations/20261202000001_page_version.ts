import type { Knex } from 'knex';

/**
 * users.page_version: moves on whenever something every page shows of a
 * signed-in shopper changes — their cart count, unread notifications, saved
 * products (src/accounts/page-version.ts). A web process keeps what it read
 * of those with the version it read them at, and reads them again only when
 * the version it finds with the session has moved.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.integer('page_version').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('page_version');
  });
}
