import type { Knex } from 'knex';

/**
 * Product families (issue 14): products.family_key groups the grades and
 * configurations of one model, so its product page offers them side by side
 * and listings can show the model once. Units, prices, carts, orders and
 * rentals stay per product. Indexed with status for the product page's
 * "the rest of this family" read.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('products', (t) => {
    t.string('family_key', 80);
    t.index(['family_key', 'status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('products', (t) => {
    t.dropIndex(['family_key', 'status']);
    t.dropColumn('family_key');
  });
}
