import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../bench/storm';
import { countRows } from '../../src/db';
import { waitUntil } from '../helpers/spawn';
import { buy, startFaultStore, type FaultStore } from './store';

/** The slow mail server takes this long to accept a message. */
const SMTP_DELAY_MS = 3000;

/**
 * SIGTERM, as systemd sends it on a restart or deploy: the web process
 * finishes the requests it is serving (a request still arriving when the
 * signal comes gets its whole answer), refuses new connections and exits 0;
 * a worker finishes the job in hand (an e-mail to a slow mail server) and
 * exits 0, the job done once.
 */
describe('SIGTERM drains', () => {
  let store: FaultStore;
  let productId: number;

  beforeAll(async () => {
    store = await startFaultStore({ RUN_WORKER: 'false' }, { smtpDelayMs: SMTP_DELAY_MS });
    productId = await store.product({ name: 'Drain Laptop', units: 5 });
  });
  afterAll(async () => {
    await store?.destroy();
  });

  it('the web process answers the request in flight in full, refuses new connections, and exits 0', async () => {
    const web = await store.startWeb({ LOG_LEVEL: 'info' });
    try {
      const browser = new Browser(web.url);
      await browser.request('GET', '/login');
      const cookie = browser.cookieHeader();
      const body = new URLSearchParams({ _csrf: browser.csrf, product_id: String(productId), quantity: '1' }).toString();
      // A shopper on a slow line: the form's first half is sent, the signal arrives, then the rest.
      const agent = new http.Agent({ keepAlive: true });
      const req = http.request(`${web.url}/cart/items`, { method: 'POST', agent, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } });
      const answered = new Promise<{ status: number; location: string | undefined; text: string; setCookie: string[] }>((resolve, reject) => {
        req.on('response', (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location, text, setCookie: res.headers['set-cookie'] ?? [] }));
          res.on('error', reject);
        });
        req.on('error', reject);
      });
      req.write(body.slice(0, 20));
      await new Promise((r) => setTimeout(r, 300));
      const signalledAt = Date.now();
      web.child.kill('SIGTERM');
      await web.waitForOutput(/"msg":"shutting down"/, 5000);

      // New connections are refused while the request is still being served.
      await waitUntil(async () => (await fetch(`${web.url}/healthz`).then(() => 'open', (e: Error & { cause?: { code?: string } }) => e.cause?.code)) === 'ECONNREFUSED', 3000, 'connection refused');
      expect(web.child.exitCode).toBeNull();

      req.end(body.slice(20));
      const res = await answered;
      expect(res.status).toBe(303);
      expect(res.location).toBe('/cart');
      // The request did its work: the cart it answered with holds the product.
      expect(await countRows(store.db('cart_items').where({ product_id: productId }))).toBe(1);

      const exit = await web.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalledAt).toBeLessThan(10_000); // before the 10 s forced stop
      expect(web.output()).toContain('"msg":"stopped"');
      agent.destroy();
    } finally {
      await web.stop('SIGKILL');
    }
  });

  it('a worker finishes the e-mail it is sending to a slow mail server, then exits 0; the e-mail is sent once', async () => {
    const web = await store.startWeb();
    const worker = await store.startWorker();
    try {
      const { sessionId } = await buy(web.url, productId, 'drain@example.com');
      const { number: orderNumber } = await store.db('orders').where({ checkout_session_id: sessionId }).first('number');
      // The worker has the confirmation in hand: the mail server is receiving it.
      await waitUntil(async () => store.smtp.receiving() === 1, 10_000, 'e-mail being received');
      const signalledAt = Date.now();
      const exit = await worker.stop('SIGTERM');
      expect(exit).toEqual({ code: 0, signal: null });
      // It waited for the mail server's answer rather than dropping the job.
      expect(Date.now() - signalledAt).toBeGreaterThan(SMTP_DELAY_MS - 1000);
      const sent = store.smtp.received.filter((m) => m.subject.includes(orderNumber));
      expect(sent).toHaveLength(1);
      const job = await store.db('jobs').where({ kind: 'mail.send' }).where('payload', 'like', '%drain@example.com%').first();
      expect(job).toMatchObject({ attempts: 1, failed_at: null, locked_by: null, last_error: null });
      expect(job.finished_at).not.toBeNull();
      expect(worker.output()).toContain('"msg":"worker shutting down"');
    } finally {
      await worker.stop('SIGKILL');
      await web.stop('SIGTERM');
    }
  });
});
