import type { Knex } from 'knex';

/** Staff notes on a customer (admin customer page): append-only, each with its author. */

function isMysql(knex: Knex): boolean {
  return /mysql/.test(String(knex.client.config.client));
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('customer_notes', (t) => {
    if (isMysql(knex)) {
      t.engine('InnoDB');
      t.charset('utf8mb4');
      t.collate('utf8mb4_unicode_ci');
    }
    t.increments('id');
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('author_user_id').unsigned().references('id').inTable('users').onDelete('SET NULL');
    t.text('body').notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.index(['user_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('customer_notes');
}
