import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasOpenBillingDispute, insertDispute, rentalsWithOpenBillingDispute } from '../../src/disputes/repo';
import { createUser } from '../helpers/auth';
import { startShop, type Shop } from '../checkout/shop';
import { activeRental } from './fixtures';

/** An undecided billing claim on an agreement pauses its late fees: the query the late-fee step asks. */
describe('rentals with an open billing dispute', () => {
  let t: Shop;
  beforeAll(async () => {
    t = await startShop();
  });
  afterAll(() => t.destroy());

  it('names exactly the agreements with an open or under-review billing claim', async () => {
    const user = await createUser(t.db);
    const product = await t.product({ name: 'EliteBook 840', priceCents: 40_000 });
    const [billingOpen, billingReview, billingResolved, billingRejected, damaged, none] = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(() => activeRental(t, user.id, product)),
    ).then((rs) => rs.sort((a, b) => a.id - b.id));
    const claim = async (rentalId: number, kind: 'billing' | 'damaged', status: 'open' | 'under_review' | 'resolved' | 'rejected') =>
      insertDispute(t.db, { userId: user.id, orderId: null, rentalId, kind, status, providerRef: null, amountCents: null, description: 'x', now: t.clock.now() });
    await claim(billingOpen!.id, 'billing', 'open');
    await claim(billingReview!.id, 'billing', 'under_review');
    await claim(billingResolved!.id, 'billing', 'resolved');
    await claim(billingRejected!.id, 'billing', 'rejected');
    await claim(damaged!.id, 'damaged', 'open');

    const all = [billingOpen, billingReview, billingResolved, billingRejected, damaged, none].map((r) => r!.id);
    expect([...(await rentalsWithOpenBillingDispute(t.db, all))].sort()).toEqual([billingOpen!.id, billingReview!.id].sort());
    expect(await rentalsWithOpenBillingDispute(t.db, [])).toEqual(new Set());
    expect(await hasOpenBillingDispute(t.db, billingOpen!.id)).toBe(true);
    expect(await hasOpenBillingDispute(t.db, billingResolved!.id)).toBe(false);
    expect(await hasOpenBillingDispute(t.db, none!.id)).toBe(false);
  });

  it('the calendar charges no late fee while the claim is undecided, and charges it once it is decided', async () => {
    const user = await createUser(t.db);
    const product = await t.product({ name: 'ProBook 450', priceCents: 40_000 });
    const rental = await activeRental(t, user.id, product);
    // Payment 2 was due 2026-11-01: 20 days late on the shop's clock, past the grace period.
    await t.db('rental_installments').insert([
      { rental_id: rental.id, seq: 1, due_on: '2026-10-01', amount_cents: 4_999, status: 'paid', attempts: 1 },
      { rental_id: rental.id, seq: 2, due_on: '2026-11-01', amount_cents: 4_999, status: 'failed', attempts: 3 },
    ]);
    const id = await insertDispute(t.db, { userId: user.id, orderId: null, rentalId: rental.id, kind: 'billing', status: 'open', providerRef: null, amountCents: null, description: 'Charged twice', now: t.clock.now() });
    const fee = async () => (await t.db('rental_installments').where({ rental_id: rental.id, seq: 2 }).first('late_fee_cents', 'late_fee_at'));

    await t.app.context.rentalCalendar.chargeLateFees();
    expect(await fee()).toEqual({ late_fee_cents: 0, late_fee_at: null });

    await t.db('disputes').where({ id }).update({ status: 'rejected' });
    await t.app.context.rentalCalendar.chargeLateFees();
    expect((await fee()).late_fee_cents).toBe(250); // 5 % of $49.99, under the $5 cap
  });
});
