import request from 'supertest';
import { expectOneMovementPerUnitChange } from '../helpers/inventory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeServer, type FakeStripe } from '../helpers/stripe-server';
import { createCustomer, orderNumberFrom, shopper, startShop, subjectsTo, type Shop } from '../checkout/shop';
import { ConflictError } from '../../src/http/errors';
import { DAY } from '../../src/lib/clock';
import { formatMoney } from '../../src/lib/money';

describe('customer order pages, cancellation, manual payment and expiry', () => {
  let stripe: FakeStripe;
  let t: Shop;
  let laptop: number;
  let user: { id: number; email: string; password: string };
  let s: ReturnType<typeof shopper>;

  async function placeManual(quantity = 1): Promise<{ id: number; number: string; total_cents: number }> {
    await s.add(laptop, quantity);
    await s.refreshToken('/checkout');
    const res = await s.post('/checkout', { first_name: 'Casey', last_name: 'Customer', line1: '5 Elm St', city: 'Austin', region: 'TX', postal_code: '78702', country: 'US', shipping_method: 'pickup', payment_method: 'manual' });
    expect(res.status).toBe(303);
    return t.db('orders').where({ number: orderNumberFrom(res.headers.location) }).first();
  }

  beforeAll(async () => {
    stripe = await startStripeServer();
    t = await startShop();
    laptop = await t.product({ name: 'ThinkPad P15', priceCents: 99_900, units: 30 });
    user = await createCustomer(t.db, 'orders@example.com');
    s = shopper(t.app);
    await s.login(user.email, user.password);
  });
  afterAll(async () => {
    await t.destroy();
    await stripe.close();
  });

  it('the account pages need a login and show only your own orders', async () => {
    const guest = await request(t.app).get('/account/orders');
    expect(guest.status).toBe(303);
    expect(guest.headers.location).toBe('/login?next=%2Faccount%2Forders');
    const order = await placeManual();
    const list = await s.agent.get('/account/orders');
    expect(list.status).toBe(200);
    expect(list.text).toContain(order.number);
    expect(list.text).toContain('<time datetime="2026-11-21T10:00:00.000Z">Nov 21, 2026</time>');
    const page = await s.agent.get(`/account/orders/${order.number}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Placed <time datetime="2026-11-21T10:00:00.000Z">November 21, 2026</time>');
    expect(page.text).toContain('ThinkPad P15');
    expect(page.text).toContain('5 Elm St');
    expect(page.text).toContain('Awaiting payment');
    expect(page.text).toContain('How to pay');

    const other = await createCustomer(t.db, 'nosy@example.com');
    const nosy = shopper(t.app);
    await nosy.login(other.email, other.password);
    expect((await nosy.agent.get(`/account/orders/${order.number}`)).status).toBe(404);
    expect((await nosy.post(`/account/orders/${order.number}/cancel`)).status).toBe(404);
    expect((await nosy.agent.get(`/orders/${order.number}/confirmation`)).status).toBe(404);
    expect((await s.agent.get(`/orders/${order.number}/confirmation`)).status).toBe(200);
    expect((await s.agent.get('/account/orders/GG-abc')).status).toBe(404);
  });

  it('paginates the order list, newest first', async () => {
    const other = await createCustomer(t.db, 'many@example.com');
    for (let i = 0; i < 23; i++) {
      const at = new Date(Date.UTC(2026, 0, 1 + i)).toISOString().replace('T', ' ').replace('Z', '');
      const [id] = await t.db('orders').insert({ user_id: other.id, email: other.email, subtotal_cents: 100 * (i + 1), total_cents: 100 * (i + 1), shipping_method: 'pickup', shipping_address: '{}', payment_method: 'manual', created_at: at, updated_at: at });
      await t.db('orders').where({ id }).update({ number: `GG-9${String(i).padStart(5, '0')}` });
    }
    const many = shopper(t.app);
    await many.login(other.email, other.password);
    const p1 = await many.agent.get('/account/orders');
    expect(p1.text).toContain('GG-900022');
    expect(p1.text).not.toContain('GG-900012');
    expect(p1.text).toContain('href="/account/orders?page=3"');
    const p3 = await many.agent.get('/account/orders?page=3');
    expect(p3.text).toContain('GG-900000');
    expect(p3.text).not.toContain('GG-900003');
    expect((await many.agent.get('/account/orders?page=abc')).status).toBe(200);
  });

  it('cancelling an unpaid order puts the units back with movements and e-mails the customer', async () => {
    const order = await placeManual(2);
    const res = await s.post(`/account/orders/${order.number}/cancel`);
    expect(res.status).toBe(303);
    expect(await t.db('orders').where({ id: order.id }).first()).toMatchObject({ status: 'cancelled', payment_status: 'unpaid', cancelled_at: expect.any(String) });
    expect(await t.db('inventory_units').where({ order_id: order.id }).count({ n: '*' }).first()).toEqual({ n: 0 });
    expect(await t.db('stock_movements').where({ order_id: order.id }).orderBy('id').select('reason', 'quantity')).toEqual([
      { reason: 'reserved', quantity: -1 }, { reason: 'reserved', quantity: -1 }, { reason: 'released', quantity: 1 }, { reason: 'released', quantity: 1 },
    ]);
    expect(await t.db('state_changes').where({ entity: 'inventory_unit', to_state: 'in_stock', note: `Order ${order.number} cancelled` }).count({ n: '*' }).first()).toEqual({ n: 2 });
    await expectOneMovementPerUnitChange(t.db);
    const again = await s.post(`/account/orders/${order.number}/cancel`);
    expect(again.status).toBe(303);
    expect((await s.agent.get(`/account/orders/${order.number}`)).text).toContain('can no longer be cancelled');
    await t.runJobs();
    expect(subjectsTo(t.mail, user.email)).toContain(`Order ${order.number} is cancelled`);
  });

  it('staff mark a manual order paid (service function); a paid manual order cancels to store credit', async () => {
    const order = await placeManual();
    const staff = await createCustomer(t.db, 'staff@example.com');
    const paid = await t.app.context.orders.markOrderPaid(order.id, { by: { actor: { userId: staff.id, label: `user:${staff.id}` }, ip: '203.0.113.9' }, reference: 'BANK-2026-0042' });
    expect(paid).toMatchObject({ status: 'paid', paymentStatus: 'paid' });
    expect(await t.db('payments').where({ order_id: order.id }).first()).toMatchObject({ provider: 'manual', provider_ref: 'BANK-2026-0042', amount_cents: order.total_cents, status: 'succeeded' });
    expect(await t.db('state_changes').where({ entity: 'order', entity_id: order.id, to_state: 'paid' }).first()).toMatchObject({ actor: `user:${staff.id}` });
    expect(await t.db('inventory_units').where({ order_id: order.id }).pluck('status')).toEqual(['sold']);
    await expect(t.app.context.orders.markOrderPaid(order.id, { by: { actor: { userId: staff.id, label: `user:${staff.id}` }, ip: null } })).rejects.toBeInstanceOf(ConflictError);

    const res = await s.post(`/account/orders/${order.number}/cancel`);
    expect(res.status).toBe(303);
    expect(await t.db('orders').where({ id: order.id }).first()).toMatchObject({ status: 'cancelled', payment_status: 'refunded' });
    expect(await t.db('refunds').where({ order_id: order.id }).first()).toMatchObject({ destination: 'store_credit', amount_cents: order.total_cents, status: 'succeeded' });
    expect(await t.db('store_credit_entries').where({ order_id: order.id }).first()).toMatchObject({ user_id: user.id, kind: 'refund', amount_cents: order.total_cents });
    await t.runJobs();
    const subjects = subjectsTo(t.mail, user.email);
    expect(subjects).toContain(`Payment received — order ${order.number} is confirmed`);
    expect(subjects).toContain(`Refund of ${formatMoney(order.total_cents)} for order ${order.number}`);
  });

  it('shipped orders cannot be cancelled', async () => {
    const order = await placeManual();
    await t.db('orders').where({ id: order.id }).update({ status: 'shipped' });
    const res = await s.post(`/account/orders/${order.number}/cancel`);
    expect(res.status).toBe(303);
    expect(await t.db('orders').where({ id: order.id }).first()).toMatchObject({ status: 'shipped' });
    expect((await s.agent.get(`/account/orders/${order.number}`)).text).toContain('can no longer be cancelled (it is shipped)');
  });

  it('an unpaid manual order expires after its hold, by the job, and its units go back', async () => {
    const order = await placeManual();
    t.clock.advance(6 * DAY);
    await t.runJobs();
    expect(await t.db('orders').where({ id: order.id }).first()).toMatchObject({ status: 'pending_payment' });
    t.clock.advance(1 * DAY + 1000);
    await t.runJobs();
    expect(await t.db('orders').where({ id: order.id }).first()).toMatchObject({ status: 'expired' });
    expect(await t.db('inventory_units').where({ order_id: order.id }).count({ n: '*' }).first()).toEqual({ n: 0 });
    expect(await t.db('stock_movements').where({ order_id: order.id }).orderBy('id').pluck('reason')).toEqual(['reserved', 'released']);
    expect(await t.db('state_changes').where({ entity: 'order', entity_id: order.id }).orderBy('id').select('to_state', 'actor')).toEqual([
      { to_state: 'pending_payment', actor: `user:${user.id}` },
      { to_state: 'expired', actor: 'system' },
    ]);
    await expectOneMovementPerUnitChange(t.db);
  });

  it('card orders: the expiry job closes the open Stripe session, or marks paid when the webhook never came', async () => {
    const c = await startShop({ env: stripe.env });
    try {
      const p = await c.product({ name: 'Card Laptop', priceCents: 10_000, units: 4 });
      const place = async (email: string) => {
        const g = shopper(c.app);
        await g.add(p, 1);
        await g.refreshToken('/checkout');
        expect((await g.checkout({ payment_method: 'stripe', email })).status).toBe(303);
        return c.db('orders').where({ email }).first();
      };
      const abandoned = await place('abandoned@example.com');
      const missed = await place('missed@example.com');
      stripe.paySession(missed.checkout_session_id);
      c.clock.advance(31 * 60_000 + 1000);
      await c.runJobs();
      expect(await c.db('orders').where({ id: abandoned.id }).first()).toMatchObject({ status: 'expired' });
      expect(stripe.sessions.get(abandoned.checkout_session_id)!.status).toBe('expired');
      expect(stripe.requests.some((r) => r.path === `/v1/checkout/sessions/${abandoned.checkout_session_id}/expire`)).toBe(true);
      expect(await c.db('orders').where({ id: missed.id }).first()).toMatchObject({ status: 'paid', payment_status: 'paid' });
    } finally {
      await c.destroy();
    }
  });
});
