import type { Knex } from 'knex';

/**
 * Staff editing of products: a version per product, so a save made from a
 * form opened before someone else's save is refused instead of overwriting
 * it; and product_imports, one row per CSV import (or dry run) with its
 * progress and outcome, run by a job so large files show progress.
 */
export async function up(knex: Knex): Promise<void> {
  const mysql = /mysql/.test(String(knex.client.config.client));
  await knex.schema.alterTable('products', (t) => {
    t.integer('version').notNullable().defaultTo(1);
  });
  await knex.schema.createTable('product_imports', (t) => {
    if (mysql) {
      t.engine('InnoDB');
      t.charset('utf8mb4');
      t.collate('utf8mb4_unicode_ci');
    }
    t.increments('id');
    t.string('filename', 200).notNullable();
    t.boolean('dry_run').notNullable();
    t.string('status', 16).notNullable().defaultTo('queued'); // queued | running | succeeded | refused | failed
    t.text('csv', 'longtext').notNullable(); // dropped (emptied) once the import has run
    t.integer('total_rows').notNullable().defaultTo(0);
    t.integer('done_rows').notNullable().defaultTo(0);
    t.integer('created_count').notNullable().defaultTo(0);
    t.integer('updated_count').notNullable().defaultTo(0);
    t.text('problems', 'mediumtext'); // JSON: [{ line, slug, message }]
    t.text('error');
    t.integer('actor_user_id').unsigned().references('id').inTable('users').onDelete('SET NULL');
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('started_at', { precision: 3 });
    t.datetime('finished_at', { precision: 3 });
    t.index(['created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('product_imports');
  await knex.schema.alterTable('products', (t) => t.dropColumn('version'));
}
