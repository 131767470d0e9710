import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/auth';
import { startStripeServer, type FakeStripe } from '../helpers/stripe-server';
import { signedDelivery } from '../helpers/webhooks';
import { shopper, startShop, type Shop } from '../checkout/shop';

/**
 * Rental payments arriving from Stripe: the first installment's events in
 * any order and more than once, the renter back from Checkout before the
 * webhook, and the customer's actions refused where they do not apply.
 */

const SIGN = { term_months: '12', signature_name: 'Casey Renter', agree: 'on' };

describe('rental payments from Stripe', () => {
  let stripe: FakeStripe;
  let t: Shop;
  let laptop: number;

  const deliver = signedDelivery(() => t.app, () => stripe);

  async function signed(email: string) {
    const user = await createUser(t.db, { email, firstName: 'Casey', lastName: 'Renter' });
    const s = shopper(t.app);
    await s.login(user.email, user.password);
    await s.refreshToken('/rentals/new?product=thinkpad-t14&term=12');
    const res = await s.post('/rentals', { product_id: laptop, ...SIGN });
    const number = /(RA-\d+)/.exec(res.headers.location)![1]!;
    const id = Number((await t.db('rentals').where({ number }).first('id')).id);
    await s.refreshToken(`/account/rentals/${number}`);
    const pay = await s.post(`/account/rentals/${number}/pay`);
    const sid = pay.headers.location.split('/').pop()!;
    return { s, id, number, sid, password: user.password };
  }

  const stateChanges = async (id: number) => t.db('state_changes').where({ entity: 'rental', entity_id: id }).orderBy('id').pluck('to_state');

  beforeAll(async () => {
    stripe = await startStripeServer();
    t = await startShop({ env: stripe.env });
    laptop = await t.product({ name: 'ThinkPad T14', priceCents: 60_000, units: 20 });
  });
  afterAll(async () => {
    await t.destroy();
    await stripe.close();
  });

  it('the first payment is applied once whichever event comes first and however often each arrives', async () => {
    const { id, sid } = await signed('order-of-events@example.com');
    const { session, paymentIntent } = stripe.paySession(sid);
    const intentEvent = stripe.event('payment_intent.succeeded', paymentIntent);
    const sessionEvent = stripe.event('checkout.session.completed', session);
    const answers = [await deliver(intentEvent), await deliver(sessionEvent), await deliver(intentEvent), await deliver(stripe.event('payment_intent.succeeded', paymentIntent))];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers[2]!.body).toMatchObject({ duplicate: true });
    expect(await t.db('payments').where({ rental_id: id }).select('purpose', 'status', 'amount_cents')).toEqual([{ purpose: 'installment', status: 'succeeded', amount_cents: 8_750 }]);
    expect(await t.db('rental_installments').where({ rental_id: id, status: 'paid' }).pluck('seq')).toEqual([1]);
    expect(await t.db('payments').where({ rental_id: id }).first('rental_installment_id')).toMatchObject({ rental_installment_id: expect.any(Number) });
    expect(await stateChanges(id)).toEqual(['pending_signature', 'pending_payment', 'active']);
    expect(await t.db('rentals').where({ id }).first('checkout_session_id', 'stripe_customer_id', 'provider')).toEqual({ checkout_session_id: sid, stripe_customer_id: session.customer, provider: 'stripe' });
  });

  it('back from Checkout before the webhook: the page records the payment, the webhook then changes nothing', async () => {
    const { s, id, number, sid } = await signed('back-first@example.com');
    const { session } = stripe.paySession(sid);
    const page = await s.agent.get(`/account/rentals/${number}?payment=done&session_id=${sid}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Payments made');
    expect(await t.db('rentals').where({ id }).first('status')).toEqual({ status: 'active' });
    expect((await deliver(stripe.event('checkout.session.completed', session))).status).toBe(200);
    expect(await t.db('payments').where({ rental_id: id }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
    expect(await stateChanges(id)).toEqual(['pending_signature', 'pending_payment', 'active']);
  });

  it('a session of another agreement in the return link records nothing on this one', async () => {
    const a = await signed('link-a@example.com');
    const b = await signed('link-b@example.com');
    stripe.paySession(a.sid);
    await b.s.agent.get(`/account/rentals/${b.number}?payment=done&session_id=${a.sid}`);
    expect(await t.db('payments').whereIn('rental_id', [a.id, b.id]).count({ n: '*' }).first()).toMatchObject({ n: 0 });
    expect(await t.db('rentals').where({ id: b.id }).first('status')).toEqual({ status: 'pending_payment' });
  });

  it("another customer's agreement is a 404 for every action; nothing due and no buyout before the first payment are refused with a message", async () => {
    const owner = await signed('owner@example.com');
    const other = await signed('other@example.com');
    for (const path of ['', '/agreement.pdf']) expect((await other.s.agent.get(`/account/rentals/${owner.number}${path}`)).status).toBe(404);
    for (const action of ['pay', 'buyout', 'return']) expect((await other.s.post(`/account/rentals/${owner.number}/${action}`)).status).toBe(404);

    const sessionsBefore = stripe.sessions.size;
    const buyout = await owner.s.post(`/account/rentals/${owner.number}/buyout`);
    expect(buyout.headers.location).toBe(`/account/rentals/${owner.number}`);
    const returned = await owner.s.post(`/account/rentals/${owner.number}/return`);
    expect(returned.headers.location).toBe(`/account/rentals/${owner.number}`);
    const page = await owner.s.agent.get(`/account/rentals/${owner.number}`);
    expect(page.text).toContain('cannot be ended by a return now');
    expect(stripe.sessions.size).toBe(sessionsBefore);
    expect(await t.db('rentals').where({ id: owner.id }).first('status')).toEqual({ status: 'pending_payment' });
  });

  it('while the renter pays what is owed on Checkout, the collector leaves those installments alone', async () => {
    t.clock.set('2026-11-21T10:00:00.000Z');
    const { s, id, number, sid, password } = await signed('paying-myself@example.com');
    const first = stripe.paySession(sid);
    expect((await deliver(stripe.event('checkout.session.completed', first.session))).status).toBe(200);
    stripe.cardOutcomes.set(stripe.paymentIntents.get(first.paymentIntent.id)!.payment_method, 'card_declined');
    t.clock.set('2026-12-21T06:00:00.000Z');
    expect(await t.app.context.rentalCollector.sweep()).toMatchObject({ failed: 1 });

    // Day 3, before the retry: the renter follows the e-mail and opens Checkout for what is owed.
    t.clock.set('2026-12-24T05:00:00.000Z');
    await s.login('paying-myself@example.com', password);
    await s.refreshToken(`/account/rentals/${number}`);
    const pay = await s.post(`/account/rentals/${number}/pay`);
    const owedSid = pay.headers.location.split('/').pop()!;
    expect(stripe.sessions.get(owedSid)).toMatchObject({ amount_total: 8_750, metadata: { purpose: 'reinstatement' } });
    expect(await t.app.context.rentalCollector.sweep()).toEqual({ charged: 0, failed: 0, skipped: 0 });

    const paid = stripe.paySession(owedSid);
    expect((await deliver(stripe.event('checkout.session.completed', paid.session))).status).toBe(200);
    expect(await t.db('rentals').where({ id }).first('status')).toEqual({ status: 'active' });
    t.clock.set('2026-12-24T07:00:00.000Z');
    expect(await t.app.context.rentalCollector.sweep()).toEqual({ charged: 0, failed: 0, skipped: 0 });
    expect(await t.db('payments').where({ rental_id: id, status: 'succeeded' }).pluck('purpose')).toEqual(['installment', 'reinstatement']);
  });

  it('pressing pay again reuses the open Checkout page; a Stripe failure opening a new one leaves the agreement as it was and says so', async () => {
    const { s, id, number, sid } = await signed('stripe-down@example.com');
    // Pressed again while its Checkout page is open: the same page.
    expect((await s.post(`/account/rentals/${number}/pay`)).headers.location).toBe(`https://checkout.stripe.com/c/pay/${sid}`);
    stripe.sessions.get(sid)!.status = 'expired';
    stripe.failNext({ method: 'POST', path: '/v1/checkout/sessions' }, { status: 500 });
    const res = await s.post(`/account/rentals/${number}/pay`);
    expect(res.headers.location).toBe(`/account/rentals/${number}`);
    expect((await s.agent.get(`/account/rentals/${number}`)).text).toContain('We could not reach our card payment provider. Nothing was charged');
    expect(await t.db('rentals').where({ id }).first('status')).toEqual({ status: 'pending_payment' });
  });
});
