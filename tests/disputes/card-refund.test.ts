import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/auth';
import { startStripeServer, type FakeStripe } from '../helpers/stripe-server';
import { shopper, startShop, type Shop } from '../checkout/shop';

/** A claim on a card order refunded through Stripe, and a chargeback webhook landing in the same queue. */
describe('disputes on a card order', () => {
  let stripe: FakeStripe;
  let t: Shop;
  beforeAll(async () => {
    stripe = await startStripeServer();
    t = await startShop({ env: stripe.env });
  });
  afterAll(async () => {
    await t.destroy();
    await stripe.close();
  });

  const webhook = (event: Record<string, unknown>) => {
    const { body, signature } = stripe.sign(event);
    return request(t.app).post('/webhooks/stripe').set('Content-Type', 'application/json').set('Stripe-Signature', signature).send(body);
  };

  it('a refund decided on a claim goes back to the card; a chargeback shows in the queue', async () => {
    const laptop = await t.product({ name: 'XPS 13', priceCents: 60_000, units: 2 });
    const buyer = await createUser(t.db, { email: 'card-buyer@example.com', firstName: 'Cara' });
    const clerk = await createUser(t.db, { email: 'refunds@giggatek.test', role: 'staff' });
    const c = shopper(t.app);
    await c.login(buyer.email, buyer.password);
    await c.add(laptop, 1);
    await c.refreshToken('/checkout');
    expect((await c.checkout({ email: buyer.email, payment_method: 'stripe' })).status).toBe(303);
    const order = await t.db('orders').where({ user_id: buyer.id }).first('id', 'number', 'checkout_session_id', 'total_cents');
    const { paymentIntent } = stripe.paySession(order.checkout_session_id);
    expect((await webhook(stripe.event('payment_intent.succeeded', paymentIntent))).status).toBe(200);

    await c.refreshToken('/account/disputes/new');
    const opened = await c.agent.post(`/account/disputes?_csrf=${encodeURIComponent(c.token)}`).field('subject', `order:${order.number}`).field('kind', 'not_as_described').field('message', 'The battery holds 40 % charge, not the 85 % listed.').attach('photos', Buffer.alloc(0), { filename: '' });
    expect(opened.status).toBe(303);
    const id = Number(opened.headers.location!.split('/').pop());

    const s = shopper(t.app);
    await s.login(clerk.email, clerk.password);
    await s.refreshToken(`/admin/disputes/${id}`);
    const page = await s.agent.get(`/admin/disputes/${id}`);
    expect(page.text).toContain(`Refund to the way they paid (up to $${(order.total_cents / 100).toFixed(2)})`);
    expect((await s.post(`/admin/disputes/${id}/resolve`, { outcome: 'refund', amount: '75', note: 'Partial refund for the weak battery.' })).status).toBe(303);
    const calls = stripe.requests.filter((r) => r.path === '/v1/refunds');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ body: { payment_intent: paymentIntent.id, amount: '7500' } });
    expect(await t.db('refunds').where({ order_id: order.id }).select('destination', 'amount_cents', 'reason')).toEqual([{ destination: 'card', amount_cents: 7500, reason: `Claim #${id}` }]);
    expect(await t.db('disputes').where({ id }).first('status', 'outcome', 'amount_cents')).toEqual({ status: 'resolved', outcome: 'refund', amount_cents: 7500 });

    const dispute = { id: 'dp_card_1', object: 'dispute', amount: 52_500, payment_intent: paymentIntent.id, reason: 'product_unacceptable', status: 'needs_response' };
    expect((await webhook(stripe.event('charge.dispute.created', dispute))).status).toBe(200);
    const queue = (await s.agent.get('/admin/disputes')).text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    const cb = Number((await t.db('disputes').where({ provider_ref: 'dp_card_1' }).first('id')).id);
    expect(queue).toContain(`#${cb} · Card chargeback $525.00 · dp_card_1 Cara`);
    expect(queue).toContain(order.number);
  });

  it('a refund decided on a claim about an agreement goes back to the card of its payments, newest first', async () => {
    const laptop = await t.product({ name: 'ThinkPad T14', priceCents: 60_000, units: 2 });
    const renter = await createUser(t.db, { email: 'card-renter@example.com', firstName: 'Casey', lastName: 'Renter' });
    const clerk = await createUser(t.db, { email: 'rental-refunds@giggatek.test', role: 'staff' });
    const c = shopper(t.app);
    await c.login(renter.email, renter.password);
    await c.refreshToken('/rentals/new?product=thinkpad-t14&term=12');
    const signed = await c.post('/rentals', { product_id: laptop, term_months: '12', signature_name: 'Casey Renter', agree: 'on' });
    const number = /(RA-\d+)/.exec(signed.headers.location)![1]!;
    await c.refreshToken(`/account/rentals/${number}`);
    const sid = (await c.post(`/account/rentals/${number}/pay`)).headers.location.split('/').pop()!;
    const { session, paymentIntent } = stripe.paySession(sid);
    expect((await webhook(stripe.event('checkout.session.completed', session))).status).toBe(200);
    const rentalId = Number((await t.db('rentals').where({ number }).first('id')).id);

    await c.refreshToken('/account/disputes/new');
    const opened = await c.agent.post(`/account/disputes?_csrf=${encodeURIComponent(c.token)}`).field('subject', `rental:${number}`).field('kind', 'billing').field('message', 'The first payment was taken twice by my bank.').attach('photos', Buffer.alloc(0), { filename: '' });
    expect(opened.status).toBe(303);
    const id = Number(opened.headers.location!.split('/').pop());

    const s = shopper(t.app);
    await s.login(clerk.email, clerk.password);
    await s.refreshToken(`/admin/disputes/${id}`);
    expect((await s.agent.get(`/admin/disputes/${id}`)).text).toContain('Refund to the way they paid (up to $87.50)');
    const tooMuch = await s.post(`/admin/disputes/${id}/resolve`, { outcome: 'refund', amount: '90', note: 'x' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.text).toContain(`At most $87.50 can still be refunded on agreement ${number}.`);
    expect((await s.post(`/admin/disputes/${id}/resolve`, { outcome: 'refund', amount: '20', note: 'Bank fee refunded.' })).status).toBe(303);
    const calls = stripe.requests.filter((r) => r.path === '/v1/refunds' && r.body.payment_intent === paymentIntent.id);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ body: { amount: '2000' } });
    expect(await t.db('refunds').where({ rental_id: rentalId }).select('destination', 'amount_cents', 'status', 'order_id')).toEqual([{ destination: 'card', amount_cents: 2000, status: 'succeeded', order_id: null }]);
    expect(await t.app.context.payments.rentalRefundableCents(t.db, rentalId)).toBe(6_750);
  });
});
