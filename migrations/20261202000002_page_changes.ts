import type { Knex } from 'knex';

/**
 * page_changes replaces users.page_version: a row per change to what every
 * page shows of a signed-in shopper (cart count, unread notifications, saved
 * products), its id their page version (src/accounts/page-version.ts). Rows
 * are only ever added, so concurrent transactions changing one shopper never
 * wait on each other (an update of the users row made them queue behind one
 * another, and deadlock, when two job workers recorded payments of one
 * customer's agreements at once). No foreign key, for the same reason: its
 * check would lock the users row. Rows older than an hour are deleted by the
 * hourly account clean-up (src/accounts/page-version.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('page_changes', (t) => {
    t.bigIncrements('id');
    t.integer('user_id').unsigned().notNullable();
    t.datetime('created_at').notNullable();
    t.index(['user_id', 'id']);
    t.index(['created_at']);
  });
  // Plain ALTER TABLE … DROP COLUMN (MariaDB, and SQLite since 3.35) rather than Knex's SQLite way, which copies the table.
  await knex.raw('ALTER TABLE users DROP COLUMN page_version');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.integer('page_version').notNullable().defaultTo(0);
  });
  await knex.schema.dropTable('page_changes');
}
