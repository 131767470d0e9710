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
});
