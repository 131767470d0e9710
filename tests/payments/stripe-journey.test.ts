import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeServer, type FakeStripe } from '../helpers/stripe-server';
import { ADDRESS, createCustomer, shopper, startShop, subjectsTo, type Shop } from '../checkout/shop';

async function webhook(t: Shop, stripe: FakeStripe, event: Record<string, any>, secret?: string) {
  const { body, signature } = stripe.sign(event, secret);
  return request(t.app).post('/webhooks/stripe').set('Content-Type', 'application/json').set('Stripe-Signature', signature).send(body);
}

describe('Stripe Checkout journeys (real SDK against a local Stripe)', () => {
  let stripe: FakeStripe;
  let t: Shop;
  let laptop: number;
  let monitor: number;
  beforeAll(async () => {
    stripe = await startStripeServer();
    t = await startShop({ env: stripe.env });
    laptop = await t.product({ name: 'ThinkPad X1 Carbon', priceCents: 69_900, units: 5 });
    monitor = await t.product({ name: 'UltraSharp U2720Q', priceCents: 32_900, units: 5 });
  });
  afterAll(async () => {
    await t.destroy();
    await stripe.close();
  });

  it('guest: add to cart → Stripe Checkout → pending → signed webhook → paid, with both e-mails', async () => {
    const s = shopper(t.app);
    await s.add(laptop, 1);
    await s.refreshToken('/checkout');
    const res = await s.checkout({ payment_method: 'stripe', email: 'stripe-guest@example.com', region: 'CA' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);

    const order = await t.db('orders').where({ email: 'stripe-guest@example.com' }).first();
    expect(order).toMatchObject({ status: 'pending_payment', payment_method: 'stripe' });
    const created = stripe.requests.filter((r) => r.path === '/v1/checkout/sessions');
    expect(created).toHaveLength(1);
    const sent = created[0]!;
    expect(sent.idempotencyKey).toMatch(new RegExp(`^order-${order.id}-checkout-1-\\d+$`));
    expect(sent.body).toMatchObject({ mode: 'payment', customer_email: 'stripe-guest@example.com', client_reference_id: order.number, metadata: { order_id: String(order.id) } });
    const lineSum = Object.values(sent.body.line_items as Record<string, any>).reduce((a: number, l: any) => a + Number(l.price_data.unit_amount) * Number(l.quantity), 0);
    expect(lineSum).toBe(order.total_cents); // CA 7.25 % tax and free shipping over $500 included
    expect(order.checkout_session_id).toBe(stripe.sessions.keys().next().value);

    // Back from Stripe before the webhook: the page says pending.
    const back = await s.agent.get(`/orders/${order.number}/confirmation?session_id=${order.checkout_session_id}`);
    expect(back.status).toBe(200);
    expect(back.text).toContain('Payment pending');

    const paid = stripe.paySession(order.checkout_session_id);
    const hook = await webhook(t, stripe, stripe.event('checkout.session.completed', paid.session));
    expect(hook.status).toBe(200);
    expect(hook.body).toEqual({ received: true });

    const after = await t.db('orders').where({ id: order.id }).first();
    expect(after).toMatchObject({ status: 'paid', payment_status: 'paid' });
    expect(await t.db('payments').where({ order_id: order.id })).toMatchObject([{ provider: 'stripe', provider_ref: paid.paymentIntent.id, amount_cents: order.total_cents, status: 'succeeded' }]);
    expect(await t.db('inventory_units').where({ order_id: order.id }).pluck('status')).toEqual(['sold']);
    const page = await s.agent.get(`/orders/${order.number}/confirmation?session_id=${order.checkout_session_id}`);
    expect(page.text).toContain('Payment received');

    await t.runJobs();
    expect(subjectsTo(t.mail, 'stripe-guest@example.com')).toEqual([
      `Order ${order.number} received — thank you`,
      `Payment received — order ${order.number} is confirmed`,
    ]);
  });

  it('customer: guest cart merged at login, store credit + card, paid by payment_intent.succeeded alone, then cancelled and refunded', async () => {
    const user = await createCustomer(t.db, 'casey@example.com');
    await t.db('store_credit_entries').insert({ user_id: user.id, amount_cents: 5_000, kind: 'goodwill', reason: 'Sorry for the delay', created_at: '2026-11-01 00:00:00.000' });
    const s = shopper(t.app);
    await s.add(monitor, 2);
    const login = await s.login(user.email, user.password);
    expect(login.status).toBe(303);
    const cart = await s.agent.get('/cart');
    expect(cart.text).toContain('UltraSharp U2720Q');
    expect(cart.text).toMatch(/aria-label="2 items in cart"/);

    await s.refreshToken('/checkout');
    const res = await s.checkout({ payment_method: 'stripe', use_store_credit: 'on', email: '' });
    expect(res.status, res.text.slice(0, 500)).toBe(303);
    const order = await t.db('orders').where({ user_id: user.id }).first();
    // 2 × 329.00 = 658.00, free standard shipping, TX 6.25 % = 41.13, credit 50.00
    expect(order).toMatchObject({ subtotal_cents: 65_800, shipping_cents: 0, tax_cents: 4113, total_cents: 69_913, store_credit_cents: 5_000, email: 'casey@example.com' });
    const session = stripe.sessions.get(order.checkout_session_id)!;
    expect(session.amount_total).toBe(69_913 - 5_000);
    expect(await t.db('store_credit_entries').where({ user_id: user.id }).sum({ n: 'amount_cents' }).first()).toEqual({ n: 0 });

    const { paymentIntent } = stripe.paySession(session.id);
    expect((await webhook(t, stripe, stripe.event('payment_intent.succeeded', paymentIntent))).status).toBe(200);
    expect(await t.db('orders').where({ id: order.id }).first()).toMatchObject({ status: 'paid', payment_status: 'paid' });

    const detail = await s.agent.get(`/account/orders/${order.number}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('Cancel order');
    const list = await s.agent.get('/account/orders');
    expect(list.text).toContain(order.number);

    const cancel = await s.post(`/account/orders/${order.number}/cancel`, { refund_to: 'original' });
    expect(cancel.status).toBe(303);
    const cancelled = await t.db('orders').where({ id: order.id }).first();
    expect(cancelled).toMatchObject({ status: 'cancelled', payment_status: 'refunded' });
    const refundCalls = stripe.requests.filter((r) => r.path === '/v1/refunds');
    expect(refundCalls).toHaveLength(1);
    expect(refundCalls[0]).toMatchObject({ body: { payment_intent: paymentIntent.id, amount: String(69_913 - 5_000) } });
    expect(refundCalls[0]!.idempotencyKey).toMatch(/^refund-\d+$/);
    expect(await t.db('refunds').where({ order_id: order.id }).orderBy('id').select('destination', 'amount_cents', 'status')).toEqual([
      { destination: 'store_credit', amount_cents: 5_000, status: 'succeeded' },
      { destination: 'card', amount_cents: 64_913, status: 'succeeded' },
    ]);
    expect(await t.db('store_credit_entries').where({ user_id: user.id }).sum({ n: 'amount_cents' }).first()).toEqual({ n: 5_000 });
    expect(await t.db('inventory_units').where({ product_id: monitor }).whereNot({ status: 'in_stock' }).count({ n: '*' }).first()).toEqual({ n: 0 });
    expect(await t.db('stock_movements').where({ order_id: order.id }).orderBy('id').pluck('reason')).toEqual(['reserved', 'reserved', 'sold', 'sold', 'released', 'released']);
    expect(await t.db('state_changes').where({ entity: 'order', entity_id: order.id }).orderBy('id').select('from_state', 'to_state')).toEqual([
      { from_state: null, to_state: 'pending_payment' },
      { from_state: 'pending_payment', to_state: 'paid' },
      { from_state: 'paid', to_state: 'cancelled' },
    ]);

    // The refund's own webhook changes nothing more.
    const charge = { id: 'ch_x', object: 'charge', amount: 64_913, amount_captured: 64_913, amount_refunded: 64_913, paid: true, status: 'succeeded', payment_intent: paymentIntent.id, metadata: {}, refunds: { data: [] } };
    expect((await webhook(t, stripe, stripe.event('charge.refunded', charge))).status).toBe(200);
    expect(await t.db('refunds').where({ order_id: order.id }).count({ n: '*' }).first()).toEqual({ n: 2 });

    await t.runJobs();
    const subjects = subjectsTo(t.mail, 'casey@example.com');
    expect(subjects).toContain(`Order ${order.number} received — thank you`);
    expect(subjects).toContain(`Payment received — order ${order.number} is confirmed`);
    expect(subjects).toContain(`Order ${order.number} is cancelled`);
    expect(subjects.filter((x) => x.startsWith('Refund of'))).toEqual([`Refund of $50.00 for order ${order.number}`, `Refund of $649.13 for order ${order.number}`]);
  });

  it('a Stripe API error at session creation: order stays pending, a retry button, no duplicate order', async () => {
    const s = shopper(t.app);
    await s.add(laptop, 1);
    await s.refreshToken('/checkout');
    stripe.failNext({ method: 'POST', path: '/v1/checkout/sessions' }, { status: 500 });
    const before = Number((await t.db('orders').count({ n: '*' }).first())!.n);
    const res = await s.checkout({ payment_method: 'stripe', email: 'retry@example.com' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/\/orders\/GG-\d+\/confirmation\?key=/);
    const order = await t.db('orders').where({ email: 'retry@example.com' }).first();
    expect(order).toMatchObject({ status: 'pending_payment', checkout_session_id: null });
    const page = await s.agent.get(res.headers.location!);
    expect(page.text).toContain('We could not reach our card payment provider');
    expect(page.text).toContain('Try the card payment again');
    const key = /name="key" value="([^"]+)"/.exec(page.text)![1]!;

    const retry = await s.post(`/orders/${order.number}/pay`, { key });
    expect(retry.status).toBe(303);
    expect(retry.headers.location).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    expect(Number((await t.db('orders').count({ n: '*' }).first())!.n)).toBe(before + 1);
    const keys = stripe.requests.filter((r) => r.path === '/v1/checkout/sessions' && r.body.client_reference_id === order.number).map((r) => r.idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
    expect(await t.db('orders').where({ id: order.id }).first()).toMatchObject({ status: 'pending_payment', checkout_session_id: expect.stringMatching(/^cs_test_/) });
    // The page for someone without the key is "not found".
    expect((await request(t.app).get(`/orders/${order.number}/confirmation`)).status).toBe(404);
  });

  it('checkout.session.expired releases the units; a payment arriving afterwards is refunded', async () => {
    const s = shopper(t.app);
    await s.add(laptop, 1);
    await s.refreshToken('/checkout');
    await s.checkout({ payment_method: 'stripe', email: 'late@example.com' });
    const order = await t.db('orders').where({ email: 'late@example.com' }).first();
    const session = stripe.sessions.get(order.checkout_session_id)!;
    session.status = 'expired';
    expect((await webhook(t, stripe, stripe.event('checkout.session.expired', { ...session }))).status).toBe(200);
    expect(await t.db('orders').where({ id: order.id }).first()).toMatchObject({ status: 'expired' });
    expect(await t.db('inventory_units').where({ order_id: order.id }).count({ n: '*' }).first()).toEqual({ n: 0 });
    expect(await t.db('stock_movements').where({ order_id: order.id }).orderBy('id').pluck('reason')).toEqual(['reserved', 'released']);

    session.status = 'open';
    const paid = stripe.paySession(session.id);
    expect((await webhook(t, stripe, stripe.event('checkout.session.completed', paid.session))).status).toBe(200);
    expect(await t.db('orders').where({ id: order.id }).first()).toMatchObject({ status: 'expired', payment_status: 'paid' });
    t.clock.advance(2 * 60_000);
    await t.runJobs();
    expect(await t.db('orders').where({ id: order.id }).first()).toMatchObject({ status: 'expired', payment_status: 'refunded' });
    expect(stripe.requests.filter((r) => r.path === '/v1/refunds' && r.body.payment_intent === paid.paymentIntent.id)).toHaveLength(1);
  });

  it('an address the order form refuses writes nothing', async () => {
    const s = shopper(t.app);
    await s.add(laptop, 1);
    await s.refreshToken('/checkout');
    const before = await t.db('orders').count({ n: '*' }).first();
    const res = await s.checkout({ ...ADDRESS, postal_code: 'ABCDE', city: '', payment_method: 'stripe' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Enter a 5-digit ZIP code');
    expect(res.text).toContain('City is required');
    expect(await t.db('orders').count({ n: '*' }).first()).toEqual(before);
  });
});
