import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../bench/storm';
import { countRows } from '../../src/db';
import type { RunningEntry } from '../helpers/spawn';
import { waitUntil } from '../helpers/spawn';
import { buy, startFaultStore, type FaultStore } from './store';

/** A page must answer this fast while the database is away (no request left hanging on the pool). */
const FAIL_FAST_MS = 6000;
/** How long the database stays away. */
const OUTAGE_MS = 8000;

/**
 * MariaDB stops while shoppers are on the site: /healthz says 503, pages
 * answer at once with a clear 503 page and Retry-After, a Stripe webhook
 * delivered meanwhile gets a 5xx (so Stripe retries it); when the database
 * returns the same web process serves again without a restart, and the
 * retried webhook is applied exactly once.
 */
describe('the database stops during load', () => {
  let store: FaultStore;
  let web: RunningEntry & { url: string };
  let productId: number;
  let load: { stop(): Promise<Array<{ status: number; ms: number }>> };

  beforeAll(async () => {
    store = await startFaultStore();
    productId = await store.product({ name: 'Outage Laptop', units: 5 });
    web = await store.startWeb({ RUN_WORKER: 'true' });
  });
  afterAll(async () => {
    await web?.stop('SIGKILL');
    await store?.destroy();
  });

  it('answers 503 while MariaDB is down, takes a webhook as not processed, and recovers by itself once it is back', async () => {
    const { browser, sessionId } = await buy(web.url, productId, 'outage@example.com');
    const order = await store.db('orders').where({ checkout_session_id: sessionId }).first('id', 'number', 'status');
    expect(order.status).toBe('pending_payment');
    const paid = store.stripe.paySession(sessionId!);
    const completed = store.stripe.event('checkout.session.completed', paid.session);
    const deliver = async () => {
      const { body, signature } = store.stripe.sign(completed);
      const res = await fetch(`${web.url}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body });
      return { status: res.status, body: await res.text() };
    };

    load = backgroundLoad(web.url, [`/products/outage-laptop`, '/products?q=outage', '/healthz']);
    await new Promise((r) => setTimeout(r, 1000));
    const down = await store.mariadb.stop('SIGTERM');
    expect(down.code).toBe(0);
    const downAt = Date.now();

    // Health check and pages say so at once, with the store's own page.
    await waitUntil(async () => (await fetch(`${web.url}/healthz`)).status === 503, 5000, '/healthz 503');
    const health = await fetch(`${web.url}/healthz`);
    expect(await health.json()).toEqual({ status: 'unavailable', database: 'unreachable' });
    const pages = [['GET', '/cart'], ['GET', '/checkout'], ['POST', '/cart/items']] as const;
    for (const [method, path] of pages) {
      const started = Date.now();
      const res = await browser.request(method, path, method === 'POST' ? { product_id: productId, quantity: 1 } : undefined);
      expect(Date.now() - started, path).toBeLessThan(FAIL_FAST_MS);
      expect(res.status, path).toBe(503);
      expect(res.headers.get('retry-after'), path).toMatch(/^\d+$/);
      expect(res.text, path).toContain('temporarily unavailable');
      expect(res.text, path).toContain('class="site-header'); // the store's own page, not a bare one
    }
    // Stripe's delivery meanwhile: a 5xx, so Stripe delivers it again later.
    const during = await deliver();
    expect(during.status).toBe(503);
    expect(JSON.parse(during.body)).toMatchObject({ error: { code: 'service_unavailable' } });

    // Down long enough for the load to meet the pool's timeouts, not just the dropped connections.
    await new Promise((r) => setTimeout(r, Math.max(0, downAt + OUTAGE_MS - Date.now())));

    await store.mariadb.start();
    const recoveredIn = await waitUntil(async () => (await fetch(`${web.url}/healthz`)).status === 200, 20_000, '/healthz 200 again');
    const after = await load.stop();
    expect(web.child.exitCode).toBeNull(); // the same process, never restarted
    const cart = await browser.request('GET', '/cart');
    expect(cart.status).toBe(200);
    // While down, answers were 503s (never a 500), and none waited long.
    const failed = after.filter((a) => a.status >= 500);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((a) => a.status === 503)).toBe(true);
    expect(Math.max(...after.map((a) => a.ms))).toBeLessThan(FAIL_FAST_MS);

    // Stripe retries: applied once; a further retry is a duplicate.
    const retried = await deliver();
    expect(retried).toMatchObject({ status: 200 });
    expect(JSON.parse(retried.body)).toEqual({ received: true });
    expect(JSON.parse((await deliver()).body)).toEqual({ received: true, duplicate: true });
    expect(await store.db('orders').where({ id: order.id }).first('status')).toEqual({ status: 'paid' });
    expect(await countRows(store.db('payments').where({ order_id: order.id, status: 'succeeded' }))).toBe(1);
    expect(await countRows(store.db('webhook_events').where({ event_id: completed.id }))).toBe(1);
    // The worker came back too: the payment e-mail goes out once.
    await waitUntil(async () => store.smtp.received.some((m) => m.subject.includes(order.number) && /payment/i.test(m.subject)), 15_000, 'payment e-mail');
    expect(store.smtp.received.filter((m) => m.subject.includes(order.number) && /payment/i.test(m.subject))).toHaveLength(1);
    console.log(`faults: database down ${OUTAGE_MS} ms: ${after.length} requests under load, ${failed.length} answered 503, slowest ${Math.max(...after.map((a) => a.ms))} ms; /healthz 200 ${recoveredIn} ms after it was back`);
  });
});

/** A few shoppers requesting pages in a loop until stopped; every answer's status and time. */
function backgroundLoad(baseUrl: string, paths: string[]): { stop(): Promise<Array<{ status: number; ms: number }>> } {
  const answers: Array<{ status: number; ms: number }> = [];
  let running = true;
  const shopper = async (i: number) => {
    const b = new Browser(baseUrl);
    for (let n = i; running; n++) {
      const started = Date.now();
      const res = await b.request('GET', paths[n % paths.length]!).catch(() => ({ status: 0 }));
      answers.push({ status: res.status, ms: Date.now() - started });
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const shoppers = Promise.all([0, 1, 2, 3].map(shopper));
  return {
    async stop() {
      running = false;
      await shoppers;
      return answers;
    },
  };
}
