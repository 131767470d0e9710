import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, runStorm } from '../../bench/storm';
import { toDbTime } from '../../src/lib/clock';
import { createUser } from '../helpers/auth';
import { freshDb, TEST_DATABASE_URL, type TestDb } from '../helpers/db';
import { insertProduct } from '../helpers/fixtures';
import { startSmtpServer } from '../helpers/mail';
import { startWebProcess, startWorkerProcess, waitUntil, type RunningEntry } from '../helpers/spawn';

/** How often each process looks for catalog changes made by the others (CATALOG_REFRESH_SECONDS). */
const REFRESH_SECONDS = 1;
/**
 * What a search may take to follow another process's edit: one refresh
 * interval plus an index rebuild of this small catalog (well under a second;
 * the rest is room for a busy test machine, which runs these four processes
 * beside other test files).
 */
const FRESHNESS_MS = REFRESH_SECONDS * 1000 + 4000;
/** Failed log-ins one network may make in 15 minutes (src/accounts/routes.ts). */
const LOGIN_FAILURES_ALLOWED = 20;

/**
 * Several instances on one database, as production runs them: two web
 * processes (RUN_WORKER=false) and two `npm run worker` processes, all real
 * processes started from the sources in production mode against one fresh
 * MariaDB database, started at the same moment (they take turns to migrate
 * it). They must behave as one store: no oversell in a checkout storm split
 * across both web processes, each e-mail sent once by the two workers, one
 * log-in limit for both, and a product edited through one shows in the
 * other's search within the documented time.
 *
 * MariaDB/MySQL only: with SQLite there is one process by design (SPEC §2),
 * so without TEST_DATABASE_URL this file is skipped.
 */
describe.skipIf(!TEST_DATABASE_URL)('several instances on one MariaDB database (skipped without TEST_DATABASE_URL: SQLite runs one process)', () => {
  let t: TestDb;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let web: Array<RunningEntry & { url: string }> = [];
  let workers: RunningEntry[] = [];
  let categoryId: number;

  beforeAll(async () => {
    t = await freshDb({ migrate: false });
    smtp = await startSmtpServer();
    if (t.dbConfig.client !== 'mysql') throw new Error('needs MariaDB');
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: t.dbConfig.url,
      JWT_SECRET: crypto.randomBytes(32).toString('hex'),
      COOKIE_SECRET: crypto.randomBytes(32).toString('hex'),
      RUN_WORKER: 'false',
      SMTP_URL: smtp.url,
      BCRYPT_COST: '4',
      CATALOG_REFRESH_SECONDS: String(REFRESH_SECONDS),
      LOG_LEVEL: 'warn',
    };
    // All four at once on an empty database: each waits for the migrations of the one that got there first.
    const started = await Promise.all([startWebProcess(env), startWebProcess(env), startWorkerProcess(env), startWorkerProcess(env)]);
    web = started.slice(0, 2) as typeof web;
    workers = started.slice(2);
    const now = toDbTime(new Date());
    await t.db('categories').insert({ slug: 'laptops', name: 'Laptops', position: 1, created_at: now, updated_at: now });
    categoryId = (await t.db('categories').where({ slug: 'laptops' }).first('id')).id;
  }, 120_000);

  afterAll(async () => {
    const exits = await Promise.all([...web, ...workers].map((p) => p.stop('SIGTERM')));
    await smtp?.close();
    await t?.destroy();
    // Each process stopped cleanly.
    expect(exits.map((e) => e.code)).toEqual([0, 0, 0, 0]);
  }, 60_000);

  it('a checkout storm split across both web processes sells no more than the stock, and each confirmation is e-mailed once', async () => {
    const r = await runStorm({ baseUrl: web.map((w) => w.url), db: t.db, units: 12, shoppers: 60, prepConcurrency: 10 });
    expect(r).toMatchObject({ orders: 12, soldOut: 48, errors: 0, oversell: 0 });
    expect(r.audit).toEqual({ orders: 12, items: 12, unitsReserved: 12, movements: 12, unitsPerOrderOk: true });

    const orders: Array<{ number: string; email: string }> = await t.db('orders').select('number', 'email');
    expect(orders).toHaveLength(12);
    // The two workers share the queue: wait until it is empty, then a moment for any duplicate to arrive.
    await waitUntil(async () => Number((await t.db('jobs').where({ kind: 'mail.send' }).whereNull('finished_at').count({ n: '*' }).first())!.n) === 0, 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    for (const o of orders) {
      const confirmations = smtp.received.filter((m) => m.to.includes(o.email) && m.subject.includes(o.number));
      expect(confirmations, `confirmation of ${o.number}`).toHaveLength(1);
    }
    // Every e-mail the queue sent (confirmations, and any low-stock alert) reached the server once.
    const sent = Number((await t.db('jobs').where({ kind: 'mail.send' }).whereNotNull('finished_at').whereNull('failed_at').count({ n: '*' }).first())!.n);
    const messageIds = smtp.received.map((m) => /^Message-ID:\s*(\S+)/im.exec(m.raw)?.[1]);
    expect(new Set(messageIds).size).toBe(smtp.received.length);
    expect(smtp.received).toHaveLength(sent);
  }, 60_000);

  it('a product edited through one web process shows in the other one\'s search within the refresh interval plus a rebuild', async () => {
    const productId = await insertProduct(t.db, { categoryId, name: 'Quokka Workstation', brand: 'Dell', units: 2 });
    const staff = await createUser(t.db, { role: 'staff' });
    const [editor, reader] = [new Browser(web[0]!.url), new Browser(web[1]!.url)];
    await editor.request('GET', '/login');
    expect((await editor.request('POST', '/login', { email: staff.email, password: staff.password })).status).toBe(303);
    // The reader's process has the product in its search index (it noticed the insert made behind its back).
    await waitUntil(async () => (await reader.request('GET', '/products?q=quokka')).text.includes('Quokka Workstation'), FRESHNESS_MS + 1000);
    expect((await reader.request('GET', '/products?q=zephyr')).text).not.toContain('Workstation');

    const form = await editor.request('GET', `/admin/products/${productId}`);
    expect(form.status).toBe(200);
    const { slug, version } = await t.db('products').where({ id: productId }).first('slug', 'version');
    const saved = await editor.request('POST', `/admin/products/${productId}`, {
      name: 'Zephyr Workstation', slug, brand: 'Dell', category: categoryId, grade: 'A', status: 'active', price: '499', warranty_months: '12',
      description: 'Renamed through the other web process.', version,
    });
    expect(saved.status).toBe(303);
    const savedAt = Date.now();
    await waitUntil(async () => (await reader.request('GET', '/products?q=zephyr')).text.includes('Zephyr Workstation'), FRESHNESS_MS);
    const took = Date.now() - savedAt;
    expect(took).toBeLessThanOrEqual(FRESHNESS_MS);
    expect((await reader.request('GET', '/products?q=quokka')).text).not.toContain('Workstation');
  }, 30_000);

  it('failed log-ins alternating between the two web processes meet one limit, at the count one process allows', async () => {
    const browser = new Browser(web[0]!.url);
    await browser.request('GET', '/login');
    const answers: number[] = [];
    for (let i = 0; i < LOGIN_FAILURES_ALLOWED; i++) {
      const res = await browser.request('POST', '/login', { email: `nobody${i}@example.com`, password: 'not the right password' }, web[i % 2]!.url);
      answers.push(res.status);
    }
    expect(answers).toEqual(Array(LOGIN_FAILURES_ALLOWED).fill(401));
    // The next one, on either process, is refused before the password is even checked.
    for (const w of web) {
      const res = await browser.request('POST', '/login', { email: 'nobody@example.com', password: 'not the right password' }, w.url);
      expect(res.status, w.url).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.text).toContain('Too many failed log-in attempts');
    }
  }, 30_000);
});
