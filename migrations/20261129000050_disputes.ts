import type { Knex } from 'knex';

/**
 * What the dispute desk needs (issue 13):
 * - disputes.assigned_to: the staff member handling the claim.
 * - disputes.outcome: how a decided claim ended (refund, credit, replacement,
 *   rejected; a Stripe chargeback's won/lost), next to the status.
 * - dispute_messages.attachments: the photos sent with a message, a JSON list
 *   of the stored photos' ids (names chosen by the store, never the sender).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('disputes', (t) => {
    t.integer('assigned_to').unsigned().references('id').inTable('users').onDelete('SET NULL');
    t.string('outcome', 16);
  });
  await knex.schema.alterTable('dispute_messages', (t) => {
    t.text('attachments');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('dispute_messages', (t) => {
    t.dropColumn('attachments');
  });
  await knex.schema.alterTable('disputes', (t) => {
    t.dropForeign(['assigned_to']);
    t.dropColumn('outcome');
    t.dropColumn('assigned_to');
  });
}
