import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStorm, type StormResult } from '../../bench/storm';
import { countRows } from '../../src/db';
import { fromDbTime } from '../../src/lib/clock';
import { waitUntil, type RunningEntry } from '../helpers/spawn';
import { buy, startFaultStore, type FaultStore } from './store';

/** Unpaid card orders give their units back after this (the shortest the setting allows). */
const PAYMENT_TIMEOUT_MINUTES = 1;

interface Delivery {
  event: Record<string, any>;
  /** The store answered 2xx. */
  ok: boolean;
}

/**
 * The web process (with its worker) is killed with SIGKILL in the middle of
 * a checkout storm paid by card, while Stripe delivers payments. After a
 * restart: no order is half-written, every held unit belongs to an unpaid
 * order still within its time (the others are given back by the expiry job),
 * and every paid order is whole, paid once — Stripe's deliveries that the
 * crash interrupted are retried and applied once.
 */
describe('the app is killed during a checkout storm', () => {
  let store: FaultStore;
  let web: RunningEntry & { url: string };

  beforeAll(async () => {
    store = await startFaultStore({ RUN_WORKER: 'true', ORDER_PAYMENT_TIMEOUT_MINUTES: String(PAYMENT_TIMEOUT_MINUTES) });
    web = await store.startWeb();
  });
  afterAll(async () => {
    await web?.stop('SIGKILL');
    await store?.destroy();
  });

  it('leaves no half-written order, no unit held past its order\'s time, and every paid order whole', async () => {
    const deliveries = new Map<string, Delivery>();
    const deliver = async (baseUrl: string, d: Delivery) => {
      const { body, signature } = store.stripe.sign(d.event);
      d.ok = await fetch(`${baseUrl}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body }).then((r) => r.ok, () => false);
    };
    const pay = async (baseUrl: string, sessionId: string) => {
      const paid = store.stripe.paySession(sessionId);
      for (const event of [store.stripe.event('checkout.session.completed', paid.session), store.stripe.event('payment_intent.succeeded', paid.paymentIntent)]) {
        const d = { event, ok: false };
        deliveries.set(event.id, d);
        await deliver(baseUrl, d);
      }
    };

    // Orders paid before the storm.
    const earlier = await store.product({ name: 'Earlier Laptop', units: 3 });
    for (let i = 0; i < 3; i++) await pay(web.url, (await buy(web.url, earlier, `earlier${i}@example.com`)).sessionId!);
    expect(await countRows(store.db('orders').where({ status: 'paid' }))).toBe(3);

    // The storm: Stripe fails to open a few Checkout sessions at first (those orders keep the short hold),
    // shoppers pay as their sessions open, and the process is killed once a dozen orders are in and some paid.
    store.stripe.failNext({ method: 'POST', path: '/v1/checkout/sessions' }, { status: 500 }, 4);
    let killed = false;
    let paying = true;
    let paidInStorm = 0;
    const payer = (async () => {
      while (paying) {
        const open = [...store.stripe.sessions.values()].filter((s) => s.status === 'open');
        // Several deliveries at once, so some are in flight when the process dies.
        await Promise.all(open.slice(0, 3).map(async (s) => {
          const paid = pay(web.url, s.id as string);
          paidInStorm++;
          await paid;
        }));
        await new Promise((r) => setTimeout(r, 30));
      }
    })();
    const killer = async () => {
      await waitUntil(async () => paidInStorm >= 2 && (await countRows(store.db('orders'))) >= 3 + 10, 60_000, 'storm orders');
      web.child.kill('SIGKILL');
      killed = true;
    };
    let killing: Promise<void> = Promise.resolve();
    const storm: StormResult = await runStorm({ baseUrl: web.url, db: store.db, units: 60, shoppers: 150, paymentMethod: 'stripe', onBurst: () => (killing = killer()) });
    await killing;
    paying = false;
    await payer;
    expect(killed).toBe(true);
    expect(await web.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(storm.errors).toBeGreaterThan(0); // shoppers cut off by the crash

    web = await store.startWeb();
    // Stripe retries every delivery that did not get a 2xx; each is applied once.
    const retried = [...deliveries.values()].filter((d) => !d.ok);
    for (const d of retried) await deliver(web.url, d);
    expect(retried.filter((d) => !d.ok)).toEqual([]);

    const now = new Date();
    const orders: Array<Record<string, any>> = await store.db('orders').select('*');
    for (const o of orders) await expectWholeOrder(store, o, now);

    // Every paid Checkout session's order is paid, once.
    const paidSessions = [...store.stripe.sessions.values()].filter((s) => s.payment_status === 'paid');
    expect(paidSessions.length).toBeGreaterThan(3);
    for (const s of paidSessions) {
      const order = orders.find((o) => o.checkout_session_id === s.id);
      expect(order, s.id).toBeDefined();
      expect(order!.status).toBe('paid');
      expect(await countRows(store.db('payments').where({ provider: 'stripe', provider_ref: s.payment_intent, status: 'succeeded' }))).toBe(1);
    }

    // Orders whose short hold ran out while the store was down are expired by the job after the restart.
    const shortHolds = orders.filter((o) => o.status === 'pending_payment' && fromDbTime(o.expires_at)!.getTime() - now.getTime() < 2 * 60_000);
    expect(shortHolds.length).toBeGreaterThanOrEqual(4);
    const lastDue = Math.max(...shortHolds.map((o) => fromDbTime(o.expires_at)!.getTime()));
    const stillHeld = () => store.db('orders').whereIn('id', shortHolds.map((o) => o.id)).where({ status: 'pending_payment' });
    await waitUntil(async () => (await countRows(stillHeld())) === 0, lastDue - Date.now() + 30_000, 'expiry').catch(async (err: Error) => {
      // Say what was left and what its expiry jobs did, so a failure can be read.
      const left: Array<{ id: number; expires_at: string }> = await stillHeld().select('id', 'expires_at');
      const jobs = await store.db('jobs').where({ kind: 'orders.expire' }).select('payload', 'run_at', 'locked_until', 'attempts', 'finished_at', 'last_error');
      const theirs = jobs.filter((j: { payload: string }) => left.some((o) => JSON.parse(j.payload).orderId === o.id));
      throw new Error(`${err.message}; still held: ${JSON.stringify(left)}; their expiry jobs: ${JSON.stringify(theirs)}; web output: ${web.output().slice(-3000)}`);
    });
    for (const o of shortHolds) {
      expect(await store.db('orders').where({ id: o.id }).first('status')).toEqual({ status: 'expired' });
      expect(await countRows(store.db('inventory_units').where({ order_id: o.id }))).toBe(0);
    }
    // Afterwards no unit is held for an order that is not waiting for its payment or paid.
    const held: Array<{ status: string; order_status: string | null; expires_at: string | null }> = await store
      .db('inventory_units as u')
      .leftJoin('orders as o', 'o.id', 'u.order_id')
      .whereNot('u.status', 'in_stock')
      .select('u.status', 'o.status as order_status', 'o.expires_at');
    for (const h of held) {
      if (h.status === 'reserved') {
        expect(h.order_status).toBe('pending_payment');
        expect(fromDbTime(h.expires_at)!.getTime()).toBeGreaterThan(Date.now());
      } else expect([h.status, h.order_status]).toEqual(['sold', 'paid']);
    }
    console.log(`faults: killed after ${storm.orders} storm orders answered (${storm.errors} shoppers cut off); ${orders.length} orders checked, ${paidSessions.length} paid, ${retried.length} webhook deliveries retried, ${shortHolds.length} short holds expired after the restart`);
  }, 240_000);
});

/** An order as placing it writes it: items adding up, its first state, its units, its expiry job and e-mail; paid ones paid in full. */
async function expectWholeOrder(store: FaultStore, o: Record<string, any>, now: Date): Promise<void> {
  const db = store.db;
  const items: Array<{ quantity: number; total_cents: number }> = await db('order_items').where({ order_id: o.id }).select('quantity', 'total_cents');
  const label = `order ${o.number} (${o.status})`;
  expect(items.length, label).toBeGreaterThan(0);
  expect(items.reduce((a, i) => a + i.total_cents, 0), label).toBe(o.subtotal_cents);
  expect(o.subtotal_cents - o.discount_cents + o.shipping_cents + o.tax_cents, label).toBe(o.total_cents);
  expect(await countRows(db('state_changes').where({ entity: 'order', entity_id: o.id, to_state: 'pending_payment' })), label).toBe(1);
  expect(await countRows(db('jobs').where({ kind: 'mail.send' }).where('payload', 'like', `%${o.number}%`)), label).toBeGreaterThanOrEqual(1);
  const quantity = items.reduce((a, i) => a + i.quantity, 0);
  const units = (status: string) => countRows(db('inventory_units').where({ order_id: o.id, status }));
  if (o.status === 'pending_payment') {
    expect(await units('reserved'), label).toBe(quantity);
    expect(await countRows(db('jobs').where({ kind: 'orders.expire' }).whereNull('finished_at').where('payload', 'like', `%"orderId":${o.id}}%`)), label).toBeGreaterThanOrEqual(1);
    expect(fromDbTime(o.expires_at)!.getTime(), label).toBeGreaterThan(now.getTime() - 5 * 60_000);
  } else {
    expect(o.status, label).toBe('paid');
    expect(o.payment_status, label).toBe('paid');
    expect(await units('sold'), label).toBe(quantity);
    const paid = (await db('payments').where({ order_id: o.id, status: 'succeeded' }).sum({ n: 'amount_cents' }).first()) as { n: number | string };
    expect(Number(paid.n), label).toBe(o.total_cents);
    expect(await countRows(db('state_changes').where({ entity: 'order', entity_id: o.id, to_state: 'paid' })), label).toBe(1);
  }
}
