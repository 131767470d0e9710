import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';
import { insertInChunks } from '../../src/db/batch';

/** Counts past 999 reach staff grouped in the store's locale: "1,234", not "1234". */
describe('admin pages show counts grouped', () => {
  let t: Shop;
  let staff: ReturnType<typeof shopper>;
  // More than a page of orders, all waiting for payment and placed today (the shop's clock: 2026-11-21 10:00 UTC).
  const waiting = 1_234;

  beforeAll(async () => {
    t = await startShop();
    const at = '2026-11-21 09:00:00.000';
    await insertInChunks(t.db, 'orders', Array.from({ length: waiting }, (_, i) => ({ number: `GG-${300_000 + i}`, email: `c${i}@example.com`, status: 'pending_payment', subtotal_cents: 1, total_cents: 1, shipping_method: 'standard', shipping_address: '{}', payment_method: 'manual', created_at: at, updated_at: at })));
    const s = await createUser(t.db, { email: 'counter@giggatek.test', role: 'staff' });
    staff = shopper(t.app);
    await staff.login(s.email, s.password);
  });
  afterAll(() => t.destroy());

  it('the order list', async () => {
    const page = await staff.agent.get('/admin/orders?status=pending_payment');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<p>1,234 orders, page 1 of \d+\.<\/p>/);
  });

  it('the dashboard: its figures, the orders chart and its table', async () => {
    const page = (await staff.agent.get('/admin')).text;
    expect(page).toContain('data-live="awaitingPayment">1,234</p>');
    expect(page).toContain('<th scope="row">2026-11-21</th><td class="num">1,234</td>');
    expect(page).toContain('1,234 in all.');
    expect(page).toMatch(/<th scope="row"><a href="\/admin\/orders\?status=pending_payment">[^<]+<\/a><\/th><td class="num">1,234<\/td><td class="num">1,234<\/td>/);
  });
});
