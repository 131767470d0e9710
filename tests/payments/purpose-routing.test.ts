import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDbTime } from '../../src/lib/clock';
import { startStripeServer, type FakeStripe } from '../helpers/stripe-server';
import { signedDelivery } from '../helpers/webhooks';
import { createCustomer, shopper, startShop, subjectsTo, type Shop } from '../checkout/shop';

/** Stripe events reach each payment's purpose; one nobody handles is refused (rental purposes: tests/rentals/payments.test.ts). */
describe('payments routed by purpose', () => {
  let stripe: FakeStripe;
  let t: Shop;
  let product: number;
  let rentalId: number;

  const deliver = signedDelivery(() => t.app, () => stripe);
  const count = async (table: string, where: Record<string, unknown>) => Number((await t.db(table).where(where).count({ n: '*' }).first())?.n);
  const intent = (id: string, metadata: Record<string, string>, amount = 6_548) => ({ id, object: 'payment_intent', amount, amount_received: amount, currency: 'usd', status: 'succeeded', metadata });

  beforeAll(async () => {
    stripe = await startStripeServer();
    t = await startShop({ env: stripe.env });
    product = await t.product({ name: 'Latitude 7440', priceCents: 64_900, units: 10 });
    const customer = await createCustomer(t.db, 'renter@example.com');
    const at = toDbTime(t.clock.now());
    const [id] = await t.db('rentals').insert({
      number: 'RA-1', user_id: customer.id, product_id: product, status: 'pending_payment', term_months: 12,
      monthly_cents: 6_548, cash_price_cents: 64_900, total_cents: 78_576, created_at: at, updated_at: at,
    });
    rentalId = Number(id);
  });
  afterAll(async () => {
    await t.destroy();
    await stripe.close();
  });

  it('a payment for a purpose no feature handles is refused loudly: 500, the event kept unprocessed with the error, nothing recorded', async () => {
    for (const [n, metadata] of [
      [1, { purpose: 'gift_card', order_id: '1' }],
      [2, { purpose: 'store_voucher', rental_id: String(rentalId) }],
    ] as const) {
      const event = stripe.event('payment_intent.succeeded', intent(`pi_unhandled_${n}`, metadata));
      const res = await deliver(event);
      expect(res.status).toBe(500);
      const row = await t.db('webhook_events').where({ event_id: event.id }).first();
      expect(row.processed_at).toBeNull();
      expect(row.error).toMatch(/No handler for payments with purpose/);
      expect(await count('payments', { provider_ref: `pi_unhandled_${n}` })).toBe(0);
    }
    expect(await t.db('rentals').where({ id: rentalId }).first()).toMatchObject({ status: 'pending_payment' });
  });

  it('a card order is paid exactly once when the webhooks and the shopper back from Stripe race', async () => {
    const s = shopper(t.app);
    await s.add(product, 2);
    await s.refreshToken('/checkout');
    expect((await s.checkout({ payment_method: 'stripe', email: 'racer@example.com' })).status).toBe(303);
    const order = await t.db('orders').where({ email: 'racer@example.com' }).first();
    expect(stripe.sessions.get(order.checkout_session_id)?.metadata).toMatchObject({ purpose: 'order', order_id: String(order.id) });
    const { session, paymentIntent } = stripe.paySession(order.checkout_session_id);
    await s.refreshToken(`/orders/${order.number}/confirmation?session_id=${order.checkout_session_id}`);

    // Back from Stripe, the shopper presses "pay" again: the store looks the session up and records the payment itself.
    const answers = await Promise.all([
      deliver(stripe.event('checkout.session.completed', session)),
      s.post(`/orders/${order.number}/pay?session_id=${order.checkout_session_id}`),
      deliver(stripe.event('payment_intent.succeeded', paymentIntent)),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 303, 200]);

    expect(await t.db('payments').where({ order_id: order.id }).select('purpose', 'provider', 'provider_ref', 'amount_cents', 'status')).toEqual([
      { purpose: 'order', provider: 'stripe', provider_ref: paymentIntent.id, amount_cents: order.total_cents, status: 'succeeded' },
    ]);
    expect(await t.db('orders').where({ id: order.id }).first()).toMatchObject({ status: 'paid', payment_status: 'paid' });
    expect(await t.db('state_changes').where({ entity: 'order', entity_id: order.id }).orderBy('id').pluck('to_state')).toEqual(['pending_payment', 'paid']);
    expect(await count('stock_movements', { order_id: order.id, reason: 'sold' })).toBe(2);
    expect(await t.db('inventory_units').where({ order_id: order.id }).pluck('status')).toEqual(['sold', 'sold']);
    await t.runJobs();
    expect(subjectsTo(t.mail, 'racer@example.com').filter((subject) => subject.startsWith('Payment received'))).toHaveLength(1);
  });
});
