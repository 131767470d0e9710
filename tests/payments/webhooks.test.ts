import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeServer, type FakeStripe } from '../helpers/stripe-server';
import { shopper, startShop, type Shop } from '../checkout/shop';

describe('POST /webhooks/stripe', () => {
  let stripe: FakeStripe;
  let t: Shop;
  let product: number;

  const post = (body: string, signature?: string) => {
    const req = request(t.app).post('/webhooks/stripe').set('Content-Type', 'application/json');
    return signature === undefined ? req.send(body) : req.set('Stripe-Signature', signature).send(body);
  };
  const deliver = (event: Record<string, any>) => {
    const { body, signature } = stripe.sign(event);
    return post(body, signature);
  };

  /** A card order waiting for payment, through the real checkout. */
  async function stripeOrder(email: string) {
    const s = shopper(t.app);
    await s.add(product, 1);
    await s.refreshToken('/checkout');
    const res = await s.checkout({ payment_method: 'stripe', email });
    expect(res.status).toBe(303);
    return t.db('orders').where({ email }).first();
  }

  /** Everything the events can change about an order, for comparing outcomes. */
  async function finalState(orderId: number) {
    const order = await t.db('orders').where({ id: orderId }).first('status', 'payment_status', 'total_cents');
    const payments = await t.db('payments').where({ order_id: orderId }).orderBy('provider_ref').select('provider', 'amount_cents', 'status');
    const refunds = await t.db('refunds').where({ order_id: orderId }).orderBy('amount_cents').select('destination', 'amount_cents', 'status');
    const disputes = await t.db('disputes').where({ order_id: orderId }).select('kind', 'status', 'amount_cents');
    const units = await t.db('inventory_units').where({ order_id: orderId }).pluck('status');
    const transitions = await t.db('state_changes').where({ entity: 'order', entity_id: orderId }).orderBy('id').pluck('to_state');
    return { order, payments, refunds, disputes, units, transitions };
  }

  beforeAll(async () => {
    stripe = await startStripeServer();
    t = await startShop({ env: stripe.env });
    product = await t.product({ name: 'EliteBook 840', priceCents: 42_900, units: 20 });
  });
  afterAll(async () => {
    await t.destroy();
    await stripe.close();
  });

  it('bad or missing signature → 400 and nothing changes', async () => {
    const order = await stripeOrder('sig@example.com');
    const { session } = stripe.paySession(order.checkout_session_id);
    const event = stripe.event('checkout.session.completed', session);
    const forged = stripe.sign(event, 'whsec_not_ours');
    expect((await post(forged.body, forged.signature)).status).toBe(400);
    expect((await post(forged.body)).status).toBe(400);
    const good = stripe.sign(event);
    const tampered = good.body.replace(String(session.amount_total), '1');
    expect((await post(tampered, good.signature)).status).toBe(400);
    expect(await t.db('webhook_events').count({ n: '*' }).first()).toEqual({ n: 0 });
    expect(await t.db('orders').where({ id: order.id }).first()).toMatchObject({ status: 'pending_payment', payment_status: 'unpaid' });
    expect(await t.db('payments').where({ order_id: order.id }).count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  it('the same event twice → one effect, second acknowledged as a duplicate', async () => {
    const order = await stripeOrder('dup@example.com');
    const { session } = stripe.paySession(order.checkout_session_id);
    const event = stripe.event('checkout.session.completed', session);
    const first = await deliver(event);
    const second = await deliver(event);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ received: true, duplicate: true });
    expect(await t.db('payments').where({ order_id: order.id }).count({ n: '*' }).first()).toEqual({ n: 1 });
    expect(await t.db('webhook_events').where({ event_id: event.id }).count({ n: '*' }).first()).toEqual({ n: 1 });
    expect(await t.db('state_changes').where({ entity: 'order', entity_id: order.id, to_state: 'paid' }).count({ n: '*' }).first()).toEqual({ n: 1 });
    expect(await t.db('jobs').where({ kind: 'mail.send' }).where('payload', 'like', '%order-payment-received%').where('payload', 'like', '%dup@example.com%').count({ n: '*' }).first()).toEqual({ n: 1 });
  });

  it('the same event delivered twice at the same moment → still one effect', async () => {
    const order = await stripeOrder('race@example.com');
    const { session } = stripe.paySession(order.checkout_session_id);
    const event = stripe.event('checkout.session.completed', session);
    const answers = await Promise.all([deliver(event), deliver(event), deliver(event)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.filter((a) => a.body.duplicate)).toHaveLength(2);
    expect(await t.db('payments').where({ order_id: order.id }).count({ n: '*' }).first()).toEqual({ n: 1 });
    expect(await t.db('state_changes').where({ entity: 'order', entity_id: order.id }).count({ n: '*' }).first()).toEqual({ n: 2 });
  });

  it('events in reverse order reach the same final state', async () => {
    const a = await stripeOrder('forward@example.com');
    const b = await stripeOrder('reverse@example.com');
    const eventsFor = (order: { checkout_session_id: string }) => {
      const { session, paymentIntent, charge } = stripe.paySession(order.checkout_session_id);
      const refunded = { ...charge, amount_refunded: 10_000, refunded: false, refunds: { object: 'list', data: [{ id: `re_${charge.id}`, object: 'refund', amount: 10_000, status: 'succeeded' }] } };
      const dispute = { id: `dp_${charge.id}`, object: 'dispute', amount: charge.amount - 10_000, charge: charge.id, payment_intent: paymentIntent.id, reason: 'fraudulent', status: 'needs_response' };
      return [
        stripe.event('checkout.session.completed', session),
        stripe.event('payment_intent.succeeded', paymentIntent),
        stripe.event('charge.refunded', refunded),
        stripe.event('charge.dispute.created', dispute),
        stripe.event('charge.dispute.closed', { ...dispute, status: 'lost' }),
      ];
    };
    for (const e of eventsFor(a)) expect((await deliver(e)).status).toBe(200);
    for (const e of eventsFor(b).reverse()) expect((await deliver(e)).status).toBe(200);

    const fa = await finalState(a.id);
    const fb = await finalState(b.id);
    expect(fa).toEqual(fb);
    expect(fa).toMatchObject({
      order: { status: 'paid', payment_status: 'partially_refunded' },
      payments: [{ provider: 'stripe', amount_cents: a.total_cents, status: 'succeeded' }],
      refunds: [{ destination: 'card', amount_cents: 10_000, status: 'succeeded' }],
      disputes: [{ kind: 'chargeback', status: 'resolved' }],
      units: ['sold'],
      transitions: ['pending_payment', 'paid'],
    });
  });

  it('a failed payment attempt is kept for staff and never undoes a later success', async () => {
    const order = await stripeOrder('declined@example.com');
    const { paymentIntent } = stripe.paySession(order.checkout_session_id);
    const failed = { ...paymentIntent, status: 'requires_payment_method', last_payment_error: { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' } };
    expect((await deliver(stripe.event('payment_intent.payment_failed', failed))).status).toBe(200);
    expect(await t.db('payments').where({ order_id: order.id }).first()).toMatchObject({ status: 'failed', failure_code: 'insufficient_funds' });
    expect(await t.db('orders').where({ id: order.id }).first()).toMatchObject({ status: 'pending_payment' });
    expect((await deliver(stripe.event('payment_intent.succeeded', paymentIntent))).status).toBe(200);
    expect((await deliver(stripe.event('payment_intent.payment_failed', failed))).status).toBe(200);
    expect(await t.db('payments').where({ order_id: order.id }).select('status')).toEqual([{ status: 'succeeded' }]);
    expect(await t.db('orders').where({ id: order.id }).first()).toMatchObject({ status: 'paid', payment_status: 'paid' });
  });

  it('only the order’s current session can expire it', async () => {
    const order = await stripeOrder('stale@example.com');
    const stale = { id: 'cs_test_replaced', object: 'checkout.session', status: 'expired', metadata: { order_id: String(order.id) } };
    expect((await deliver(stripe.event('checkout.session.expired', stale))).status).toBe(200);
    expect(await t.db('orders').where({ id: order.id }).first()).toMatchObject({ status: 'pending_payment' });
  });

  it('unknown event types and unknown orders are acknowledged without changes', async () => {
    const unknown = await deliver(stripe.event('customer.created', { id: 'cus_1', object: 'customer' }));
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual({ received: true, ignored: true });
    const orphan = await deliver(stripe.event('payment_intent.succeeded', { id: 'pi_orphan', object: 'payment_intent', amount: 100, metadata: {} }));
    expect(orphan.status).toBe(200);
    expect(await t.db('payments').where({ provider_ref: 'pi_orphan' }).count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  it('a dispute is recorded with its order and customer, and its history', async () => {
    const order = await stripeOrder('dispute@example.com');
    const { paymentIntent, session } = stripe.paySession(order.checkout_session_id);
    await deliver(stripe.event('checkout.session.completed', session));
    const dispute = { id: 'dp_test_1', object: 'dispute', amount: order.total_cents, payment_intent: paymentIntent.id, reason: 'product_not_received', status: 'needs_response' };
    await deliver(stripe.event('charge.dispute.created', dispute));
    expect(await t.db('disputes').where({ provider_ref: 'dp_test_1' }).first()).toMatchObject({ order_id: order.id, kind: 'chargeback', status: 'open', amount_cents: order.total_cents });
    await deliver(stripe.event('charge.dispute.closed', { ...dispute, status: 'won' }));
    const row = await t.db('disputes').where({ provider_ref: 'dp_test_1' }).first();
    expect(row).toMatchObject({ status: 'rejected' });
    expect(await t.db('state_changes').where({ entity: 'dispute', entity_id: row.id }).orderBy('id').pluck('to_state')).toEqual(['open', 'rejected']);
  });

  it('a signed event without a usable data.object → 200, kept as unusable, nothing changes', async () => {
    const order = await stripeOrder('shapeless@example.com');
    const before = await finalState(order.id);
    const envelopes: Array<Record<string, unknown>> = [
      { type: 'checkout.session.completed' },
      { type: 'checkout.session.completed', data: {} },
      { type: 'checkout.session.completed', data: null },
      { type: 'checkout.session.completed', data: { object: null } },
      { type: 'checkout.session.completed', data: { object: order.checkout_session_id } },
      { type: 'payment_intent.succeeded', data: { object: [{ metadata: { order_id: String(order.id) } }] } },
      { type: 'charge.refunded', data: { previous_attributes: {} } },
      { type: 'charge.dispute.created' },
    ];
    for (const [i, envelope] of envelopes.entries()) {
      const id = `evt_shapeless_${i}`;
      const res = await deliver({ id, object: 'event', ...envelope });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ received: true, ignored: true });
      const row = await t.db('webhook_events').where({ event_id: id }).first();
      expect(row).toMatchObject({ type: envelope.type, error: 'Unusable event: no data.object' });
      expect(row.processed_at).not.toBeNull();
      expect((await deliver({ id, object: 'event', ...envelope })).status).toBe(200);
    }
    expect(await finalState(order.id)).toEqual(before);
  });

  it('a signed event without a usable id or type → 400, nothing recorded', async () => {
    const before = await t.db('webhook_events').count({ n: '*' }).first();
    const bodies: unknown[] = [
      { id: 'evt_no_type', object: 'event', data: { object: {} } },
      { id: 'evt_numeric_type', type: 42, data: { object: {} } },
      { id: 'evt_long_type', type: 'x'.repeat(101), data: { object: {} } },
      { type: 'checkout.session.completed', data: { object: {} } },
      { id: '', type: 'checkout.session.completed', data: { object: {} } },
      null,
      [],
      'checkout.session.completed',
    ];
    for (const body of bodies) {
      const res = await deliver(body as Record<string, any>);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'Event without a usable id or type' });
    }
    expect(await t.db('webhook_events').count({ n: '*' }).first()).toEqual(before);
  });

  it('a dispute event whose dispute has no id is acknowledged without a dispute row', async () => {
    const before = await t.db('disputes').count({ n: '*' }).first();
    const res = await deliver(stripe.event('charge.dispute.created', { object: 'dispute', amount: 1000, reason: 42, status: 'needs_response' }));
    expect(res.status).toBe(200);
    expect(await t.db('disputes').count({ n: '*' }).first()).toEqual(before);
  });

  it('a signature dated more than 5 minutes ahead → 400 and nothing recorded; a little clock skew is fine', async () => {
    const now = Math.floor(Date.now() / 1000);
    const ahead = stripe.event('customer.created', { id: 'cus_ahead', object: 'customer' });
    const signedAhead = stripe.sign(ahead, undefined, now + 600);
    expect((await post(signedAhead.body, signedAhead.signature)).status).toBe(400);
    expect(await t.db('webhook_events').where({ event_id: ahead.id }).first()).toBeUndefined();
    const late = stripe.sign(ahead, undefined, now - 600);
    expect((await post(late.body, late.signature)).status).toBe(400);

    const skewed = stripe.event('customer.created', { id: 'cus_skewed', object: 'customer' });
    const signedSkewed = stripe.sign(skewed, undefined, now + 120);
    expect((await post(signedSkewed.body, signedSkewed.signature)).status).toBe(200);
  });

  it('without Stripe configured the endpoint is not there', async () => {
    const manual = await startShop();
    try {
      const res = await request(manual.app).post('/webhooks/stripe').set('Content-Type', 'application/json').send('{}');
      expect(res.status).toBe(404);
    } finally {
      await manual.destroy();
    }
  });
});
