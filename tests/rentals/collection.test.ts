import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertInChunks } from '../../src/db/batch';
import { enqueue } from '../../src/jobs/queue';
import { JobWorker } from '../../src/jobs/worker';
import { createLogger } from '../../src/lib/log';
import { CLAIM_MS, collectionKey } from '../../src/rentals/collection';
import { COLLECT_JOB } from '../../src/rentals/jobs';
import { createUser } from '../helpers/auth';
import { startStripeServer, type FakeStripe } from '../helpers/stripe-server';
import { shopper, startShop, type Shop } from '../checkout/shop';

/**
 * The hourly collection of due installments (SPEC §5): many due at once and
 * two job workers sharing them, a worker dying between charging and
 * recording, and a decline reported both by the charge and by its webhook.
 * ThinkPad T14, 12 × $87.50, signed 2026-11-21: payment 2 is due 2026-12-21.
 */

const SIGN = { term_months: '12', signature_name: 'Casey Renter', agree: 'on' };
const DUE_DAY = '2026-12-21T06:00:00.000Z';

interface Env {
  stripe: FakeStripe;
  t: Shop;
  laptop: number;
}

async function startEnv(): Promise<Env> {
  const stripe = await startStripeServer();
  const t = await startShop({ env: stripe.env }); // 2026-11-21T10:00Z
  const laptop = await t.product({ name: 'ThinkPad T14', priceCents: 60_000, units: 20 });
  return { stripe, t, laptop };
}

function deliver(env: Env, event: Record<string, any>) {
  const { body, signature } = env.stripe.sign(event);
  return request(env.t.app).post('/webhooks/stripe').set('Content-Type', 'application/json').set('Stripe-Signature', signature).send(body);
}

const intentsCreated = (stripe: FakeStripe) => stripe.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents');

/** A renter signs for the laptop and pays the first installment on Stripe Checkout (card saved); both webhooks arrive. */
async function signAndPay(env: Env, email: string): Promise<{ id: number; number: string; paymentMethodId: string }> {
  const { t, stripe } = env;
  t.clock.set('2026-11-21T10:00:00.000Z');
  const user = await createUser(t.db, { email, firstName: 'Casey', lastName: 'Renter' });
  const s = shopper(t.app);
  expect((await s.login(user.email, user.password)).status).toBe(303);
  await s.refreshToken('/rentals/new?product=thinkpad-t14&term=12');
  const signed = await s.post('/rentals', { product_id: env.laptop, ...SIGN });
  expect(signed.status).toBe(303);
  const number = /\/account\/rentals\/(RA-\d+)/.exec(signed.headers.location)![1]!;
  const id = Number((await t.db('rentals').where({ number }).first('id')).id);
  await s.refreshToken(`/account/rentals/${number}`);
  const res = await s.post(`/account/rentals/${number}/pay`);
  expect(res.status).toBe(303);
  const paid = stripe.paySession(res.headers.location.split('/').pop()!);
  for (const event of [stripe.event('checkout.session.completed', paid.session), stripe.event('payment_intent.succeeded', paid.paymentIntent)]) {
    expect((await deliver(env, event)).status).toBe(200);
  }
  expect((await t.db('rentals').where({ id }).first('status')).status).toBe('active');
  return { id, number, paymentMethodId: String(paid.paymentIntent.payment_method) };
}

const secondInstallment = async (t: Shop, rentalId: number) => t.db('rental_installments').where({ rental_id: rentalId, seq: 2 }).first();

const paymentsOf = (t: Shop, installmentId: number) => t.db('payments').where({ rental_installment_id: installmentId }).orderBy('id').select('provider_ref', 'status', 'amount_cents', 'failure_code');

describe('collecting 1,000 due installments with two job workers', () => {
  let env: Env;
  beforeAll(async () => {
    env = await startEnv();
  });
  afterAll(async () => {
    await env.t.destroy();
    await env.stripe.close();
  });

  it('charges each installment exactly once, with a key of its own, and records one payment for each', async () => {
    const { t, stripe } = env;
    const template = await signAndPay(env, 'template@example.com');
    const rentalRow = await t.db('rentals').where({ id: template.id }).first();
    const schedule = await t.db('rental_installments').where({ rental_id: template.id }).orderBy('seq');
    expect(schedule.map((i) => i.status)).toEqual(['paid', ...Array(11).fill('scheduled')]);
    expect(String(schedule[1].next_attempt_on instanceof Date ? schedule[1].next_attempt_on.toISOString() : schedule[1].next_attempt_on).slice(0, 10)).toBe('2026-12-21');
    await t.db('rentals').where({ id: template.id }).update({ stripe_customer_id: rentalRow.stripe_customer_id ?? 'cus_template', stripe_payment_method_id: template.paymentMethodId });

    // 999 more agreements like it, inserted directly: active, paying by card, payment 1 paid and payment 2 due today.
    const { id: _id, number: _number, ...rentalColumns } = rentalRow;
    const rentals = Array.from({ length: 999 }, (_, k) => ({
      ...rentalColumns,
      number: `RA-B${String(k + 1).padStart(6, '0')}`,
      status: 'active',
      provider: 'stripe',
      pending_key: null,
      checkout_session_id: null,
      stripe_customer_id: `cus_bulk_${k + 1}`,
      stripe_payment_method_id: `pm_bulk_${k + 1}`,
    }));
    await insertInChunks(t.db, 'rentals', rentals);
    const ids = (await t.db('rentals').where('number', 'like', 'RA-B%').orderBy('id').pluck('id')).map(Number);
    expect(ids).toHaveLength(999);
    const installmentColumns = schedule.map(({ id: _i, rental_id: _r, ...rest }) => rest);
    await insertInChunks(t.db, 'rental_installments', ids.flatMap((rentalId) => installmentColumns.map((c) => ({ ...c, rental_id: rentalId }))));

    t.clock.set(DUE_DAY);
    const due = (await t.db('rental_installments').where({ seq: 2, status: 'scheduled', next_attempt_on: '2026-12-21' }).pluck('id')).map(Number);
    expect(due).toHaveLength(1000);
    const intentsBefore = intentsCreated(stripe).length;

    // The hourly run queues the sweeps; two workers take them at the same time until nothing rental is left.
    await enqueue(t.db, COLLECT_JOB, {}, { clock: t.clock });
    const workers = ['collector-a', 'collector-b'].map((id) => new JobWorker({ id, db: t.db, registry: t.app.context.jobs, logger: createLogger('silent'), clock: t.clock, batchSize: 2 }));
    const rentalJobsLeft = async () => Number((await t.db('jobs').where('kind', 'like', 'rentals.%').whereNull('finished_at').count({ n: '*' }).first())!.n);
    const ranBy = new Map<string, number>();
    await Promise.all(
      workers.map(async (w) => {
        for (let round = 0; round < 1000 && (await rentalJobsLeft()) > 0; round++) {
          const n = await w.runOnce();
          ranBy.set(w.id, (ranBy.get(w.id) ?? 0) + n);
          if (n === 0) await new Promise((r) => setTimeout(r, 5));
        }
      }),
    );
    expect(await rentalJobsLeft()).toBe(0);
    expect(await t.db('jobs').where('kind', 'like', 'rentals.%').whereNotNull('failed_at').count({ n: '*' }).first()).toMatchObject({ n: 0 });
    expect([...ranBy.values()].every((n) => n > 0)).toBe(true);

    const charges = intentsCreated(stripe).slice(intentsBefore);
    expect(charges).toHaveLength(1000);
    const keys = charges.map((r) => r.idempotencyKey);
    expect(new Set(keys).size).toBe(1000);
    const rentalOf = new Map((await t.db('rental_installments').whereIn('id', due).select('id', 'rental_id')).map((r) => [Number(r.id), Number(r.rental_id)]));
    expect(new Set(keys)).toEqual(new Set(due.map((id) => collectionKey(rentalOf.get(id)!, 2, 1))));

    const after = await t.db('rental_installments').whereIn('id', due).select('status', 'claimed_until', 'next_attempt_on');
    expect(after.every((i) => i.status === 'paid' && i.claimed_until === null && i.next_attempt_on === null)).toBe(true);
    const paid = await t.db('payments').whereIn('rental_installment_id', due).select('rental_installment_id', 'status', 'amount_cents', 'provider');
    expect(paid).toHaveLength(1000);
    expect(paid.every((p) => p.status === 'succeeded' && p.amount_cents === 8_750 && p.provider === 'stripe')).toBe(true);
    expect(new Set(paid.map((p) => Number(p.rental_installment_id))).size).toBe(1000);
    expect(await t.db('rentals').whereIn('id', [...ids, template.id]).whereNot({ status: 'active' }).count({ n: '*' }).first()).toMatchObject({ n: 0 });

    // Each payment gets a receipt with the agreement's figures after it.
    await t.runJobs();
    const receipts = t.mail.filter((m) => /^Receipt for agreement .*: \$87\.50 received$/.test(m.subject) && m.text.includes('Payments made:              2 of 12'));
    expect(receipts).toHaveLength(1000);
    const own = receipts.find((m) => m.subject.includes(template.number))!;
    expect(own.to).toBe('template@example.com');
    // … and the in-app notification that comes with it (the bulk agreements had no other payment).
    expect(await t.db('notifications').where('url', 'like', '/account/rentals/RA-B%').count({ n: '*' }).first()).toMatchObject({ n: 999 });
    for (const line of ['Paid so far:                $175.00', 'Remaining to own it:        $875.00', 'Early purchase price today: $425.00', 'Next payment:               January 21, 2027, $87.50']) expect(own.text).toContain(line);

    // The next hour's run finds nothing to charge.
    expect(await t.app.context.rentalCollector.sweep()).toEqual({ charged: 0, failed: 0, skipped: 0 });
    expect(intentsCreated(stripe).length - intentsBefore).toBe(1000);
  });
});

describe('a worker that dies between charging and recording', () => {
  let env: Env;
  beforeAll(async () => {
    env = await startEnv();
  });
  afterAll(async () => {
    await env.t.destroy();
    await env.stripe.close();
  });

  /** A sweep during which recording a Stripe success throws: the worker "dies" after Stripe charged. */
  async function sweepDyingBeforeRecording(t: Shop) {
    const payments = t.app.context.payments;
    const [one, many] = [payments.recordStripeSuccess, payments.recordStripeSuccesses];
    const lost = async () => {
      throw new Error('connection lost while recording');
    };
    payments.recordStripeSuccess = lost;
    payments.recordStripeSuccesses = lost;
    try {
      return await t.app.context.rentalCollector.sweep();
    } finally {
      payments.recordStripeSuccess = one;
      payments.recordStripeSuccesses = many;
    }
  }

  it('the next sweep after the claim runs out sends the same key and records the payment Stripe replays, once', async () => {
    const { t, stripe } = env;
    const { id } = await signAndPay(env, 'crash@example.com');
    const collector = t.app.context.rentalCollector;
    t.clock.set(DUE_DAY);
    const before = intentsCreated(stripe).length;
    // A sweep out of time claims nothing; the installment is still due for the next one.
    expect(await collector.sweep({ budgetMs: 0 })).toEqual({ charged: 0, failed: 0, skipped: 0 });
    expect(await collector.hasDue()).toBe(true);
    expect(await sweepDyingBeforeRecording(t)).toEqual({ charged: 0, failed: 0, skipped: 1 });
    expect(await collector.hasDue()).toBe(false);
    const first = intentsCreated(stripe).slice(before);
    expect(first.map((r) => r.idempotencyKey)).toEqual([collectionKey(id, 2, 1)]);
    const i = await secondInstallment(t, id);
    expect(i).toMatchObject({ status: 'scheduled', attempts: 0 });
    expect(i.claimed_until).not.toBeNull();
    expect(await paymentsOf(t, i.id)).toEqual([]);
    const intents = stripe.paymentIntents.size;

    // Still claimed: nobody charges it again meanwhile.
    t.clock.set(new Date(new Date(DUE_DAY).getTime() + CLAIM_MS - 1000));
    expect(await collector.sweep()).toEqual({ charged: 0, failed: 0, skipped: 0 });
    expect(intentsCreated(stripe).length - before).toBe(1);

    // The claim has run out: the same key, the same PaymentIntent, one payment.
    t.clock.set(new Date(new Date(DUE_DAY).getTime() + CLAIM_MS + 60_000));
    expect(await collector.sweep()).toEqual({ charged: 1, failed: 0, skipped: 0 });
    const sent = intentsCreated(stripe).slice(before);
    expect(sent.map((r) => r.idempotencyKey)).toEqual([collectionKey(id, 2, 1), collectionKey(id, 2, 1)]);
    expect(stripe.paymentIntents.size).toBe(intents);
    const recorded = await paymentsOf(t, i.id);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ status: 'succeeded', amount_cents: 8_750 });
    expect(stripe.paymentIntents.get(recorded[0].provider_ref)).toMatchObject({ status: 'succeeded', metadata: { rental_installment_id: String(i.id) } });
    expect(await secondInstallment(t, id)).toMatchObject({ status: 'paid', claimed_until: null });
  });

  it('when payment_intent.succeeded arrives before the retry, the retry charges and records nothing new', async () => {
    const { t, stripe } = env;
    const { id } = await signAndPay(env, 'crash-webhook@example.com');
    const collector = t.app.context.rentalCollector;
    t.clock.set(DUE_DAY);
    const before = intentsCreated(stripe).length;
    expect(await sweepDyingBeforeRecording(t)).toEqual({ charged: 0, failed: 0, skipped: 1 });
    const [charge] = intentsCreated(stripe).slice(before);
    expect(charge!.idempotencyKey).toBe(collectionKey(id, 2, 1));
    const i = await secondInstallment(t, id);
    const pi = [...stripe.paymentIntents.values()].find((p) => p.metadata?.rental_installment_id === String(i.id))!;
    expect(pi.status).toBe('succeeded');

    expect((await deliver(env, stripe.event('payment_intent.succeeded', pi))).status).toBe(200);
    expect(await paymentsOf(t, i.id)).toEqual([{ provider_ref: pi.id, status: 'succeeded', amount_cents: 8_750, failure_code: null }]);
    expect(await secondInstallment(t, id)).toMatchObject({ status: 'paid' });

    t.clock.set(new Date(new Date(DUE_DAY).getTime() + CLAIM_MS + 60_000));
    expect(await collector.sweep()).toEqual({ charged: 0, failed: 0, skipped: 0 });
    expect(intentsCreated(stripe).length - before).toBe(1);
    expect(await paymentsOf(t, i.id)).toHaveLength(1);
    expect(await t.db('payments').where({ rental_id: id, status: 'succeeded' }).count({ n: '*' }).first()).toMatchObject({ n: 2 });
  });
});

describe('a declined charge and its payment_intent.payment_failed webhook', () => {
  let env: Env;
  beforeAll(async () => {
    env = await startEnv();
  });
  afterAll(async () => {
    await env.t.destroy();
    await env.stripe.close();
  });

  const failedMails = (t: Shop, installmentId: number) => t.db('jobs').where({ kind: 'mail.send' }).where('unique_key', 'like', `%rental-failed:${installmentId}:%`).count({ n: '*' }).first();

  for (const order of ['charge first', 'webhook first'] as const) {
    it(`is recorded once, counted as one attempt, one e-mail (${order})`, async () => {
      const { t, stripe } = env;
      const { id, paymentMethodId } = await signAndPay(env, `declined-${order.replace(' ', '-')}@example.com`);
      stripe.cardOutcomes.set(paymentMethodId, 'card_declined');
      t.clock.set(DUE_DAY);
      const gateway = t.app.context.stripeGateway!;
      const charge = gateway.chargeOffSession;
      let delivered = 0;
      const deliverFailure = async (piId: string) => {
        expect((await deliver(env, stripe.event('payment_intent.payment_failed', stripe.paymentIntents.get(piId)!))).status).toBe(200);
        delivered++;
      };
      if (order === 'webhook first') {
        // Stripe's event reaches the store while the collector is still on its way back from the charge.
        gateway.chargeOffSession = async (c) => {
          const res = await charge.call(gateway, c);
          if (res.status === 'failed' && res.paymentIntentId) await deliverFailure(res.paymentIntentId);
          return res;
        };
      }
      try {
        expect(await t.app.context.rentalCollector.sweep()).toEqual({ charged: 0, failed: 1, skipped: 0 });
      } finally {
        gateway.chargeOffSession = charge;
      }
      const i = await secondInstallment(t, id);
      const recorded = await paymentsOf(t, i.id);
      expect(recorded).toHaveLength(1);
      expect(recorded[0]).toMatchObject({ status: 'failed', amount_cents: 8_750, failure_code: 'generic_decline' });
      if (order === 'charge first') await deliverFailure(recorded[0].provider_ref);
      expect(delivered).toBe(1);

      expect(await paymentsOf(t, i.id)).toHaveLength(1);
      expect(await secondInstallment(t, id)).toMatchObject({ status: 'failed', attempts: 1, claimed_until: null, last_failure_code: 'generic_decline' });
      expect(String((await secondInstallment(t, id)).next_attempt_on instanceof Date ? (await secondInstallment(t, id)).next_attempt_on.toISOString() : (await secondInstallment(t, id)).next_attempt_on).slice(0, 10)).toBe('2026-12-24');
      expect((await t.db('rentals').where({ id }).first('status')).status).toBe('past_due');
      expect(await failedMails(t, i.id)).toMatchObject({ n: 1 });
      // Another sweep the same day charges nothing.
      expect(await t.app.context.rentalCollector.sweep()).toEqual({ charged: 0, failed: 0, skipped: 0 });
      expect(intentsCreated(stripe).filter((r) => String(r.idempotencyKey).startsWith(`rental:${id}:`))).toHaveLength(1);
    });
  }
});
