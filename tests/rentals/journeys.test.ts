import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffContext } from '../../src/audit/repo';
import { createUser } from '../helpers/auth';
import { startStripeServer, type FakeStripe } from '../helpers/stripe-server';
import { signedDelivery } from '../helpers/webhooks';
import { shopper, startShop, subjectsTo, type Shop } from '../checkout/shop';

/**
 * Rent-to-own from signing to the end, with the real Stripe SDK against the
 * local test server and signed webhooks: ThinkPad T14, cash $600.00,
 * 12 × $87.50, signed on 2026-11-21 (installment n due on the 21st).
 */

const SIGN = { term_months: '12', signature_name: 'Casey Renter', agree: 'on' };
const staff: StaffContext = { actor: { userId: null, label: 'user:staff' }, ip: '127.0.0.1' };

async function renter(t: Shop, email: string) {
  const user = await createUser(t.db, { email, firstName: 'Casey', lastName: 'Renter' });
  const s = shopper(t.app);
  expect((await s.login(user.email, user.password)).status).toBe(303);
  return { ...user, s };
}

async function sign(t: Shop, s: ReturnType<typeof shopper>, productId: number): Promise<{ id: number; number: string }> {
  await s.refreshToken('/rentals/new?product=thinkpad-t14&term=12');
  const res = await s.post('/rentals', { product_id: productId, ...SIGN });
  expect(res.status).toBe(303);
  const number = /\/account\/rentals\/(RA-\d+)/.exec(res.headers.location)![1]!;
  const row = await t.db('rentals').where({ number }).first('id');
  return { id: Number(row.id), number };
}

const installments = (t: Shop, rentalId: number) => t.db('rental_installments').where({ rental_id: rentalId }).orderBy('seq').select('seq', 'due_on', 'status', 'attempts', 'late_fee_cents');
const statusOf = async (t: Shop, id: number) => (await t.db('rentals').where({ id }).first('status')).status;
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('rent-to-own with Stripe', () => {
  let stripe: FakeStripe;
  let t: Shop;
  let laptop: number;

  const deliver = signedDelivery(() => t.app, () => stripe);
  const intentsCreated = () => stripe.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents');

  /** The renter presses a pay button, pays on Stripe's page, and both webhooks arrive. */
  async function payOnStripe(s: ReturnType<typeof shopper>, number: string, action: 'pay' | 'buyout') {
    await s.refreshToken(`/account/rentals/${number}`);
    const res = await s.post(`/account/rentals/${number}/${action}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_/);
    const sid = res.headers.location.split('/').pop()!;
    const paid = stripe.paySession(sid);
    for (const event of [stripe.event('checkout.session.completed', paid.session), stripe.event('payment_intent.succeeded', paid.paymentIntent)]) {
      expect((await deliver(event)).status).toBe(200);
    }
    return { ...paid, session: stripe.sessions.get(sid)! };
  }

  beforeAll(async () => {
    stripe = await startStripeServer();
    t = await startShop({ env: stripe.env }); // 2026-11-21T10:00Z
    laptop = await t.product({ name: 'ThinkPad T14', priceCents: 60_000, units: 5 });
  });
  afterAll(async () => {
    await t.destroy();
    await stripe.close();
  });

  it('sign → first payment → two collections → a failure recovered on the day-3 retry → buyout → owned', async () => {
    const { s, email, password } = await renter(t, 'journey@example.com');
    const { id, number } = await sign(t, s, laptop);
    const page = await s.agent.get(`/account/rentals/${number}`);
    expect(text(page.text)).toContain('Pay $87.50 by card');

    // First payment: Checkout saves the card for the monthly charges.
    const first = await payOnStripe(s, number, 'pay');
    expect(first.session).toMatchObject({ setup_future_usage: 'off_session', metadata: { purpose: 'installment', rental_id: String(id), rental_number: number } });
    expect(first.session.customer).toMatch(/^cus_/);
    expect(await statusOf(t, id)).toBe('active');
    expect(await t.db('payments').where({ rental_id: id }).select('purpose', 'provider_ref', 'amount_cents', 'status')).toEqual([
      { purpose: 'installment', provider_ref: first.paymentIntent.id, amount_cents: 8_750, status: 'succeeded' },
    ]);
    const schedule = await installments(t, id);
    expect(schedule.map((i) => String(i.due_on).slice(0, 10))).toEqual(['2026-11-21', '2026-12-21', '2027-01-21', '2027-02-21', '2027-03-21', '2027-04-21', '2027-05-21', '2027-06-21', '2027-07-21', '2027-08-21', '2027-09-21', '2027-10-21']);
    expect(schedule.map((i) => i.status)).toEqual(['paid', ...Array(11).fill('scheduled')]);
    expect(await t.db('inventory_units').where({ rental_id: id }).pluck('status')).toEqual(['rented']);
    expect(await t.db('rentals').where({ id }).first('pending_key')).toEqual({ pending_key: null });
    await t.runJobs();
    expect(subjectsTo(t.mail, email)).toEqual([`Your copy of rent-to-own agreement ${number}`, `Receipt for agreement ${number}: $87.50 received`]);
    const agreementText = (await t.db('rentals').where({ id }).first('agreement_text')).agreement_text as string;
    const copy = t.mail.find((m) => m.to === email && m.subject.startsWith('Your copy'))!;
    expect(copy.text).toContain(agreementText.split('\n').slice(0, 5).join('\n'));
    expect(copy.text).toContain(`/account/rentals/${number}/agreement.pdf`);

    // Dashboard: next payment and today's early purchase price, held until the first period ends.
    const dash = text((await s.agent.get(`/account/rentals/${number}`)).text);
    expect(dash).toContain('Next payment $87.50 due December 21, 2026');
    expect(dash).toContain('Payments made 1 of 12');
    expect(dash).toContain('Buy it today for $512.50 This price holds until February 18, 2027');

    // Two monthly collections.
    for (const [day, seq] of [['2026-12-21', 2], ['2027-01-21', 3]] as const) {
      t.clock.set(`${day}T06:00:00.000Z`);
      expect(await t.app.context.rentalCollector.sweep()).toEqual({ charged: 1, failed: 0, skipped: 0 });
      expect(intentsCreated().at(-1)).toMatchObject({ idempotencyKey: `rental:${id}:${seq}:1`, body: { off_session: 'true', confirm: 'true', amount: '8750' } });
    }
    expect((await installments(t, id)).map((i) => i.status).slice(0, 4)).toEqual(['paid', 'paid', 'paid', 'scheduled']);

    // Payment 4 is declined on its due date; another sweep the same day charges nothing more.
    const pm = stripe.paymentIntents.get(first.paymentIntent.id)!.payment_method as string;
    stripe.cardOutcomes.set(pm, 'insufficient_funds');
    t.clock.set('2027-02-21T06:00:00.000Z');
    expect(await t.app.context.rentalCollector.sweep()).toEqual({ charged: 0, failed: 1, skipped: 0 });
    expect(await t.app.context.rentalCollector.sweep()).toEqual({ charged: 0, failed: 0, skipped: 0 });
    expect(await statusOf(t, id)).toBe('past_due');
    expect((await installments(t, id))[3]).toMatchObject({ status: 'failed', attempts: 1 });
    await t.runJobs();
    const failedMail = t.mail.filter((m) => m.to === email && /did not go through/.test(m.subject));
    expect(failedMail).toHaveLength(1);
    expect(failedMail[0]!.text).toContain(`/account/rentals/${number}`);

    // Day 3: the retry succeeds with the attempt's own key.
    stripe.cardOutcomes.set(pm, 'succeeded');
    t.clock.set('2027-02-24T06:00:00.000Z');
    expect(await t.app.context.rentalCollector.sweep()).toEqual({ charged: 1, failed: 0, skipped: 0 });
    expect(intentsCreated().slice(-2).map((r) => r.idempotencyKey)).toEqual([`rental:${id}:4:1`, `rental:${id}:4:2`]);
    expect(await statusOf(t, id)).toBe('active');

    // Buyout on day 96: cash price × 8 remaining ÷ 12 = $400.00 (signed in again: months have passed).
    await s.login(email, password);
    expect(text((await s.agent.get(`/account/rentals/${number}`)).text)).toContain('Buy it now for $400.00');
    const buyout = await payOnStripe(s, number, 'buyout');
    expect(buyout.session).toMatchObject({ amount_total: 40_000, metadata: { purpose: 'buyout', rental_id: String(id) } });
    expect(await statusOf(t, id)).toBe('owned');
    expect((await installments(t, id)).map((i) => i.status)).toEqual(['paid', 'paid', 'paid', 'paid', ...Array(8).fill('cancelled')]);
    expect(await t.db('inventory_units').where({ rental_id: id }).pluck('status')).toEqual(['sold']);
    expect(await t.db('payments').where({ rental_id: id, status: 'succeeded' }).orderBy('id').pluck('purpose')).toEqual(['installment', 'installment', 'installment', 'installment', 'buyout']);
    await t.runJobs();
    expect(subjectsTo(t.mail, email).filter((sub) => /yours/i.test(sub))).toHaveLength(1);
    expect(text((await s.agent.get(`/account/rentals/${number}`)).text)).toContain('It is yours');

    // Nothing is charged after ownership.
    t.clock.set('2027-03-21T06:00:00.000Z');
    const before = intentsCreated().length;
    await t.app.context.rentalCollector.sweep();
    expect(intentsCreated()).toHaveLength(before);
  });

  it('failures until default on day 11, then reinstatement by paying what is past due', async () => {
    t.clock.set('2026-11-21T10:00:00.000Z');
    const { s, email, password } = await renter(t, 'lapse@example.com');
    const { id, number } = await sign(t, s, laptop);
    const first = await payOnStripe(s, number, 'pay');
    const pm = stripe.paymentIntents.get(first.paymentIntent.id)!.payment_method as string;
    stripe.cardOutcomes.set(pm, 'card_declined');
    const { rentalCollector: collector, rentalCalendar: calendar } = t.app.context;

    for (const day of ['2026-12-21', '2026-12-24', '2026-12-28']) {
      t.clock.set(`${day}T06:00:00.000Z`);
      await calendar.run();
      expect((await collector.sweep()).failed).toBe(1);
    }
    expect((await installments(t, id))[1]).toMatchObject({ status: 'failed', attempts: 3, late_fee_cents: 0 });
    // Day 8: one late fee, min(5 % of $87.50, $5) = $4.38; still not defaulted on day 10.
    t.clock.set('2026-12-29T06:00:00.000Z');
    await calendar.run();
    await calendar.run();
    expect((await installments(t, id))[1]).toMatchObject({ late_fee_cents: 438 });
    t.clock.set('2026-12-31T06:00:00.000Z');
    await calendar.run();
    expect(await statusOf(t, id)).toBe('past_due');
    t.clock.set('2027-01-01T06:00:00.000Z');
    await calendar.run();
    expect(await statusOf(t, id)).toBe('defaulted');
    expect((await collector.sweep()).failed).toBe(0);

    // Reinstatement: what is past due ($87.50 + $4.38), by card; collection resumes from the next due date.
    stripe.cardOutcomes.set(pm, 'succeeded');
    await s.login(email, password);
    expect(text((await s.agent.get(`/account/rentals/${number}`)).text)).toContain('Pay $91.88 by card');
    const paid = await payOnStripe(s, number, 'pay');
    expect(paid.session).toMatchObject({ amount_total: 9_188, metadata: { purpose: 'reinstatement' } });
    expect(await statusOf(t, id)).toBe('active');
    expect((await installments(t, id)).slice(0, 3).map((i) => i.status)).toEqual(['paid', 'paid', 'scheduled']);
    t.clock.set('2027-01-21T06:00:00.000Z');
    expect((await collector.sweep()).charged).toBe(1);
    expect(await t.db('state_changes').where({ entity: 'rental', entity_id: id }).orderBy('id').pluck('to_state')).toEqual(['pending_signature', 'pending_payment', 'active', 'past_due', 'defaulted', 'active']);
  });

  it('sign → return → received: no more payments, the unit goes to refurbishing', async () => {
    t.clock.set('2026-11-21T10:00:00.000Z');
    const { s, email, password } = await renter(t, 'returner@example.com');
    const { id, number } = await sign(t, s, laptop);
    await payOnStripe(s, number, 'pay');
    t.clock.set('2026-12-05T10:00:00.000Z');
    await s.refreshToken(`/account/rentals/${number}`);
    expect((await s.post(`/account/rentals/${number}/return`)).status).toBe(303);
    expect(await statusOf(t, id)).toBe('returning');
    expect((await installments(t, id)).map((i) => i.status)).toEqual(['paid', ...Array(11).fill('cancelled')]);
    await t.runJobs();
    const instructions = t.mail.find((m) => m.to === email && /return/i.test(m.subject));
    expect(instructions?.text).toContain(number);

    t.clock.set('2026-12-21T06:00:00.000Z');
    await t.app.context.rentalCollector.sweep();
    expect(intentsCreated().filter((r) => String(r.idempotencyKey).startsWith(`rental:${id}:`))).toHaveLength(0);

    await t.app.context.rentalReturns.received(number, staff);
    expect(await t.db('rentals').where({ id }).first('status', 'outcome')).toEqual({ status: 'returned', outcome: 'returned' });
    const unit = await t.db('inventory_units').where({ id: (await t.db('rentals').where({ id }).first('inventory_unit_id')).inventory_unit_id }).first('status', 'rental_id');
    expect(unit).toEqual({ status: 'refurbishing', rental_id: null });
    await t.runJobs();
    expect(subjectsTo(t.mail, email).some((sub) => /received/i.test(sub))).toBe(true);

    // Two months later the renter takes it up again: payment 2 now, the rest monthly from today, a unit out again.
    t.clock.set('2027-02-10T10:00:00.000Z');
    await s.login(email, password);
    const page = text((await s.agent.get(`/account/rentals/${number}`)).text);
    expect(page).toContain('Until December 21, 2027 you can take it up again: pay $87.50 and your earlier payment still counts towards owning it');
    await payOnStripe(s, number, 'pay');
    expect(await statusOf(t, id)).toBe('active');
    const after = await installments(t, id);
    expect(after.slice(0, 4).map((i) => [i.status, String(i.due_on).slice(0, 10)])).toEqual([
      ['paid', '2026-11-21'], ['paid', '2027-02-10'], ['scheduled', '2027-03-10'], ['scheduled', '2027-04-10'],
    ]);
    expect(await t.db('inventory_units').where({ rental_id: id }).pluck('status')).toEqual(['rented']);
    expect(await t.db('state_changes').where({ entity: 'rental', entity_id: id }).orderBy('id').pluck('to_state')).toEqual(['pending_signature', 'pending_payment', 'active', 'returning', 'returned', 'active']);
  });
});

describe('rent-to-own paid by bank transfer (manual provider)', () => {
  let t: Shop;
  let laptop: number;
  beforeAll(async () => {
    t = await startShop({ deps: { stripe: null } });
    laptop = await t.product({ name: 'ThinkPad T14', priceCents: 60_000, units: 5 });
  });
  afterAll(() => t.destroy());

  it('staff record each transfer: first payment, an overdue one, then the buyout', async () => {
    const { s, email } = await renter(t, 'transfer@example.com');
    const { id, number } = await sign(t, s, laptop);
    const page = text((await s.agent.get(`/account/rentals/${number}`)).text);
    expect(page).toContain('Pay $87.50 by bank transfer');
    await s.refreshToken(`/account/rentals/${number}`);
    const refused = await s.post(`/account/rentals/${number}/pay`);
    expect(refused.headers.location).toBe(`/account/rentals/${number}`);

    const billing = t.app.context.rentalBilling;
    await billing.recordManualPayment(number, { kind: 'first', reference: 'TX-1' }, staff);
    await expect(billing.recordManualPayment(number, { kind: 'first', reference: 'TX-1' }, staff)).rejects.toThrow(/Nothing of that kind/);
    expect(await statusOf(t, id)).toBe('active');
    expect(await t.db('rental_installments').where({ rental_id: id }).whereNotNull('next_attempt_on').count({ n: '*' }).first()).toMatchObject({ n: 0 });

    // Payment 2 not paid by its due date: past due the next day, then paid by transfer.
    t.clock.set('2026-12-22T06:00:00.000Z');
    await t.app.context.rentalCalendar.run();
    expect(await statusOf(t, id)).toBe('past_due');
    await billing.recordManualPayment(number, { kind: 'owed', reference: 'TX-2' }, staff);
    expect(await statusOf(t, id)).toBe('active');

    const { due } = await billing.recordManualPayment(number, { kind: 'buyout', reference: 'TX-3' }, staff);
    expect(due.amountCents).toBe(60_000 - 2 * 8_750);
    expect(await statusOf(t, id)).toBe('owned');
    expect(await t.db('payments').where({ rental_id: id }).orderBy('id').select('purpose', 'provider', 'amount_cents')).toEqual([
      { purpose: 'installment', provider: 'manual', amount_cents: 8_750 },
      { purpose: 'reinstatement', provider: 'manual', amount_cents: 8_750 },
      { purpose: 'buyout', provider: 'manual', amount_cents: 42_500 },
    ]);
    expect(await t.db('audit_log').where({ action: 'rental.payment', entity_id: String(id) }).count({ n: '*' }).first()).toMatchObject({ n: 3 });
    await t.runJobs();
    expect(subjectsTo(t.mail, email).filter((sub) => /receipt|payment received/i.test(sub)).length).toBeGreaterThanOrEqual(3);
  });
});
