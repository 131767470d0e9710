import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';
import { countRowsUpTo } from '../../src/db';
import { insertInChunks } from '../../src/db/batch';
import { ORDER_COUNT_CAP } from '../../src/orders/repo';

/** A list matching a long history counts no further than the cap and says "more than", with a next page while pages are full. */
describe('admin order list on a long history', () => {
  let t: Shop;
  let staff: ReturnType<typeof shopper>;

  beforeAll(async () => {
    t = await startShop();
    const at = '2026-11-01 10:00:00.000';
    const row = (i: number, status: string) => ({ number: `GG-${200_000 + i}`, email: `h${i}@example.com`, status, subtotal_cents: 1, total_cents: 1, shipping_method: 'standard', shipping_address: '{}', payment_method: 'manual', created_at: at, updated_at: at });
    await insertInChunks(t.db, 'orders', [
      ...Array.from({ length: ORDER_COUNT_CAP + 5 }, (_, i) => row(i, 'delivered')),
      ...Array.from({ length: 60 }, (_, i) => row(ORDER_COUNT_CAP + 10 + i, 'shipped')),
    ]);
    const s = await createUser(t.db, { email: 'lister@giggatek.test', role: 'staff' });
    staff = shopper(t.app);
    await staff.login(s.email, s.password);
  });
  afterAll(() => t.destroy());

  it.each([
    [0, 0],
    [3, 3],
    [4, 4],
    [10, 4],
  ])('countRowsUpTo with cap 3 over %i rows → %i', async (n, counted) => {
    const qb = t.db('orders').where('number', '<', `GG-${200_000 + n}`).where('number', '>=', 'GG-200000').where('status', 'delivered');
    expect(await countRowsUpTo(t.db, qb.orderBy('id'), 3)).toBe(counted);
  });

  it('over the cap: "more than 10,000", newest first, and a next page while pages are full', async () => {
    const page = (await staff.agent.get('/admin/orders?status=delivered')).text;
    expect(page).toContain('More than 10,000 orders, newest first; page 1.');
    expect(page).toContain(`GG-${200_000 + ORDER_COUNT_CAP + 4}`);
    expect(page).toContain('rel="next"');
    const far = (await staff.agent.get(`/admin/orders?status=delivered&page=${Math.ceil((ORDER_COUNT_CAP + 5) / 50)}`)).text;
    expect(far).not.toContain('rel="next"');
    expect(far).toContain('rel="prev"');
  });

  it('under the cap: the exact count and the number of pages', async () => {
    expect((await staff.agent.get('/admin/orders?status=shipped')).text).toContain('60 orders, page 1 of 2.');
  });
});
