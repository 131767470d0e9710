import type { Knex } from 'knex';

/**
 * Rate-limit counters shared by every web process (src/http/rate-limit.ts):
 * the table rate-limiter-flexible's SQL stores read and write, one row per
 * limiter and key (`key` is "<limiter>:<client or account>"), `expire` in
 * epoch milliseconds. Expired rows are removed by the token clean-up job.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rate_limits', (t) => {
    t.string('key', 255).primary();
    t.integer('points').notNullable().defaultTo(0);
    t.bigInteger('expire');
    t.index(['expire']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('rate_limits');
}
