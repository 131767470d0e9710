import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';
import { loadDashboard } from '../../src/admin/dashboard';

/** Dashboard figures against sums worked out here over a known set of orders, payments and refunds. */
describe('admin dashboard', () => {
  let t: Shop;
  const day = (offset: number, time = '09:30:00.000') => `${new Date(Date.UTC(2026, 10, 21 + offset)).toISOString().slice(0, 10)} ${time}`;
  // The shop's clock is 2026-11-21 10:00 UTC: offset 0 is today.
  const fixture = [
    { offset: 0, status: 'paid', paid: [{ provider: 'manual', cents: 10_000 }], refunds: [] as Array<{ destination: string; cents: number; status?: string }> },
    { offset: 0, status: 'pending_payment', paid: [], refunds: [] },
    { offset: -1, status: 'shipped', paid: [{ provider: 'stripe', cents: 25_000 }, { provider: 'store_credit', cents: 5_000 }], refunds: [{ destination: 'card', cents: 4_000 }] },
    { offset: -6, status: 'delivered', paid: [{ provider: 'stripe', cents: 7_500 }], refunds: [{ destination: 'store_credit', cents: 7_500 }] },
    { offset: -7, status: 'processing', paid: [{ provider: 'manual', cents: 3_300 }], refunds: [{ destination: 'card', cents: 1_000, status: 'pending' }] },
    { offset: -29, status: 'cancelled', paid: [{ provider: 'stripe', cents: 2_000 }], refunds: [{ destination: 'card', cents: 2_000 }] },
    { offset: -30, status: 'delivered', paid: [{ provider: 'manual', cents: 99_999 }], refunds: [] },
  ];

  beforeAll(async () => {
    t = await startShop();
    for (const [i, f] of fixture.entries()) {
      const at = day(f.offset);
      const [orderId] = await t.db('orders').insert({ number: `GG-9${i}`, email: `d${i}@example.com`, status: f.status, subtotal_cents: 1, total_cents: 1, shipping_method: 'standard', shipping_address: '{}', payment_method: 'manual', created_at: at, updated_at: at });
      for (const p of f.paid) {
        const [paymentId] = await t.db('payments').insert({ order_id: Number(orderId), provider: p.provider, provider_ref: `p-${i}-${p.provider}`, amount_cents: p.cents, currency: 'USD', status: 'succeeded', created_at: at, updated_at: at });
        for (const r of f.refunds) {
          await t.db('refunds').insert({ payment_id: Number(paymentId), order_id: Number(orderId), destination: r.destination, amount_cents: r.cents, status: r.status ?? 'succeeded', created_at: at, updated_at: at });
        }
        break; // refunds hang off the first payment
      }
      for (const p of f.paid.slice(1)) {
        await t.db('payments').insert({ order_id: Number(orderId), provider: p.provider, provider_ref: `p-${i}-${p.provider}-2`, amount_cents: p.cents, currency: 'USD', status: 'succeeded', created_at: at, updated_at: at });
      }
    }
  });
  afterAll(() => t.destroy());

  /** Money in (not store credit) less succeeded refunds to the card, for fixture days within [from, 0]. */
  const expectedRevenue = (from: number) =>
    fixture
      .filter((f) => f.offset >= from && f.offset <= 0)
      .reduce((sum, f) => sum + f.paid.filter((p) => p.provider !== 'store_credit').reduce((a, p) => a + p.cents, 0) - f.refunds.filter((r) => r.destination === 'card' && (r.status ?? 'succeeded') === 'succeeded').reduce((a, r) => a + r.cents, 0), 0);

  it('revenue today, 7 and 30 days, orders by status and the daily series match sums computed independently', async () => {
    const dash = await loadDashboard(t.db, t.clock.now());
    expect(dash.revenue).toEqual({ today: expectedRevenue(0), last7: expectedRevenue(-6), last30: expectedRevenue(-29) });
    expect(dash.revenue).toEqual({ today: 10_000, last7: 10_000 + 21_000 + 7_500, last30: 10_000 + 21_000 + 7_500 + 3_300 + 0 });
    expect(dash.days).toHaveLength(30);
    expect(dash.days.reduce((a, d) => a + d.orders, 0)).toBe(fixture.filter((f) => f.offset >= -29).length);
    expect(dash.days.find((d) => d.day === '2026-11-20')).toEqual({ day: '2026-11-20', revenueCents: 21_000, orders: 1 });
    // open statuses at any age; every status over the last 30 days (days -29…0: the delivered order of day -30 is out)
    const placed30 = (status: string) => fixture.filter((f) => f.status === status && f.offset >= -29).length;
    for (const s of dash.byStatus) {
      expect(s.last30, s.status).toBe(placed30(s.status));
      expect(s.open, s.status).toBe(['pending_payment', 'paid', 'processing', 'shipped'].includes(s.status) ? fixture.filter((f) => f.status === s.status).length : null);
    }
    expect(dash.byStatus.find((s) => s.status === 'delivered')).toEqual({ status: 'delivered', open: null, last30: 1 });
    expect(dash.awaitingShipment).toBe(2); // paid + processing
    expect(dash.awaitingPayment).toBe(1);
  });

  it('the page shows the same figures and draws both charts with their tables', async () => {
    const s = await createUser(t.db, { email: 'boss@giggatek.test', role: 'staff' });
    const staff = shopper(t.app);
    await staff.login(s.email, s.password);
    const page = await staff.agent.get('/admin');
    expect(page.text).toContain('data-live="revenueToday">$100.00');
    expect(page.text).toContain('data-live="revenue7">$385.00');
    expect(page.text).toContain('data-live="revenue30">$418.00');
    expect(page.text.match(/<rect class="chart-bar"/g)).toHaveLength(60);
    expect(page.text).toContain('<th scope="row">2026-11-20</th><td class="num">$210.00</td>');
  });

  it('both charts name their days as ISO dates (UTC): under the axis, in the description and in the table', async () => {
    const s = await createUser(t.db, { email: 'iso@giggatek.test', role: 'staff' });
    const staff = shopper(t.app);
    await staff.login(s.email, s.password);
    const page = (await staff.agent.get('/admin')).text;
    // Thirty days ending on the shop's today, 2026-11-21.
    const axis = [...page.matchAll(/<text class="chart-tick" x="[\d.]+" y="[\d.]+"(?: text-anchor="end")?>([^<]*)<\/text>/g)].map((m) => m[1]).filter((l) => !/^\$?[\d,]+$/.test(l!));
    expect(axis).toEqual(['2026-10-23', '2026-11-21', '2026-10-23', '2026-11-21']);
    expect(page.match(/Bars for each of the last 30 days, 2026-10-23 to 2026-11-21 \(UTC\), oldest on the left;/g)).toHaveLength(2);
    const rows = [...page.matchAll(/<tr><th scope="row">([^<]+)<\/th><td class="num">/g)].map((m) => m[1]);
    expect(rows).toHaveLength(60);
    expect(rows.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d!))).toBe(true);
    expect(rows.slice(0, 2)).toEqual(['2026-10-23', '2026-10-24']);
    expect(page).toContain('<rect class="chart-bar" x="');
    expect(page).toMatch(/<title>2026-11-20: \$210\.00<\/title>/);
  });
});
