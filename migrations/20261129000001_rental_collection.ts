import type { Knex } from 'knex';

/**
 * What collecting monthly payments needs (SPEC §4–§6):
 * - rental_installments.next_attempt_on: the day the collector next charges
 *   the installment (its due date, then each retry day); NULL when it is not
 *   charged automatically (paid, cancelled, retries used up, paid by hand).
 *   claimed_until is a collector's lease, so several workers never charge one
 *   installment at the same time and a crashed worker's claim runs out.
 * - the late fee's life: paid or waived (with the reason staff gave).
 * - rentals.provider: how the renter pays (stripe: the saved card is charged;
 *   manual: staff record bank transfers), fixed by the first payment.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rental_installments', (t) => {
    t.date('next_attempt_on');
    t.datetime('claimed_until', { precision: 3 });
    t.string('last_failure_code', 100);
    t.datetime('late_fee_paid_at', { precision: 3 });
    t.datetime('late_fee_waived_at', { precision: 3 });
    t.string('late_fee_waiver_reason', 500);
    t.index(['next_attempt_on']);
  });
  await knex.schema.alterTable('rentals', (t) => {
    t.string('provider', 16);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rentals', (t) => {
    t.dropColumn('provider');
  });
  await knex.schema.alterTable('rental_installments', (t) => {
    t.dropIndex(['next_attempt_on']);
    for (const c of ['late_fee_waiver_reason', 'late_fee_waived_at', 'late_fee_paid_at', 'last_failure_code', 'claimed_until', 'next_attempt_on']) t.dropColumn(c);
  });
}
