import type { Knex } from 'knex';

/**
 * Each agreement keeps a copy of the rent-to-own policy it was signed under
 * (SPEC §4), so a later change of the rental_policy setting never alters it.
 * The columns are named after the setting's keys; grace_days and
 * late_fee_cap_cents already exist. Defaults are the SPEC §4 numbers, which
 * is also what every agreement was held to before this copy was kept.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rentals', (t) => {
    t.integer('late_fee_percent').notNullable().defaultTo(5);
    t.string('retry_days', 40).notNullable().defaultTo('[3,7]'); // JSON array of days after the due date
    t.integer('default_after_days').notNullable().defaultTo(10);
    t.integer('early_purchase_discount_days').notNullable().defaultTo(90);
    t.integer('max_total_percent').notNullable().defaultTo(225); // total of payments ≤ this % of the cash price
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rentals', (t) => {
    t.dropColumn('max_total_percent');
    t.dropColumn('early_purchase_discount_days');
    t.dropColumn('default_after_days');
    t.dropColumn('retry_days');
    t.dropColumn('late_fee_percent');
  });
}
