import type { Knex } from 'knex';

/**
 * One agreement per customer and device while it waits for its first
 * payment: pending_key is "<user id>:<product id>" from signing until the
 * agreement leaves pending_payment (then NULL, which a unique index allows
 * many times on both SQLite and MySQL/MariaDB). A double submit or a second
 * tab signing the same device fails on the index instead of reserving a
 * second unit.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rentals', (t) => {
    t.string('pending_key', 40).unique();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rentals', (t) => {
    t.dropUnique(['pending_key']);
    t.dropColumn('pending_key');
  });
}
