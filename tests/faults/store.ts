import crypto from 'node:crypto';
import { Browser, CHECKOUT_FORM } from '../../bench/storm';
import { createDb, ensureMysqlDatabase, migrateLatest, type Db } from '../../src/db';
import { toDbTime } from '../../src/lib/clock';
import { insertProduct, type ProductFixture } from '../helpers/fixtures';
import { startSmtpServer } from '../helpers/mail';
import { startPrivateMariaDb, type PrivateMariaDb } from '../helpers/mariadb';
import { startWebProcess, startWorkerProcess } from '../helpers/spawn';
import { startStripeServer, type FakeStripe } from '../helpers/stripe-server';

/**
 * The store as production runs it, for the fault tests: a MariaDB server of
 * the test's own (which the test stops, crashes and starts again), the local
 * Stripe stand-in, a local SMTP server, and web and worker processes started
 * from the sources in production mode against them.
 */
export interface FaultStore {
  mariadb: PrivateMariaDb;
  /** The test's own connection to the store's database (it reconnects after an outage like the app's). */
  db: Db;
  stripe: FakeStripe;
  smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  /** Environment of the store's processes. */
  env: Record<string, string>;
  startWeb(env?: Record<string, string>): ReturnType<typeof startWebProcess>;
  startWorker(env?: Record<string, string>): ReturnType<typeof startWorkerProcess>;
  /** A product of the store's one category with `units` in stock. */
  product(p: Omit<ProductFixture, 'categoryId'>): Promise<number>;
  destroy(): Promise<void>;
}

export async function startFaultStore(env: Record<string, string> = {}, o: { smtpDelayMs?: number } = {}): Promise<FaultStore> {
  const mariadb = await startPrivateMariaDb();
  const url = mariadb.url('giggatek_faults');
  await ensureMysqlDatabase(url);
  const db = createDb({ client: 'mysql', url, poolMax: 10 });
  await migrateLatest(db);
  const now = toDbTime(new Date());
  await db('categories').insert({ slug: 'laptops', name: 'Laptops', position: 1, created_at: now, updated_at: now });
  const { id: categoryId } = await db('categories').where({ slug: 'laptops' }).first('id');
  const [stripe, smtp] = await Promise.all([startStripeServer(), startSmtpServer({ delayMs: o.smtpDelayMs })]);
  const storeEnv = {
    NODE_ENV: 'production',
    DATABASE_URL: url,
    JWT_SECRET: crypto.randomBytes(32).toString('hex'),
    COOKIE_SECRET: crypto.randomBytes(32).toString('hex'),
    SMTP_URL: smtp.url,
    BCRYPT_COST: '4',
    LOG_LEVEL: 'warn',
    ...stripe.env,
    ...env,
  };
  return {
    mariadb,
    db,
    stripe,
    smtp,
    env: storeEnv,
    startWeb: (extra = {}) => startWebProcess({ ...storeEnv, ...extra }),
    startWorker: (extra = {}) => startWorkerProcess({ ...storeEnv, ...extra }),
    product: (p) => insertProduct(db, { categoryId, ...p }),
    async destroy() {
      await db.destroy();
      await Promise.all([stripe.close(), smtp.close()]);
      await mariadb.destroy();
    },
  };
}

/**
 * A shopper who puts the product in the cart and checks out: by card, the
 * Stripe Checkout session the store opened; manually, the order's number.
 */
export async function buy(baseUrl: string, productId: number, email: string, paymentMethod: 'stripe' | 'manual' = 'stripe'): Promise<{ browser: Browser; sessionId: string | null; orderNumber: string | null }> {
  const browser = new Browser(baseUrl);
  await browser.request('GET', '/login');
  const added = await browser.request('POST', '/cart/items', { product_id: productId, quantity: 1 });
  if (added.status !== 303) throw new Error(`add to cart answered ${added.status}`);
  await browser.request('GET', '/checkout');
  const placed = await browser.request('POST', '/checkout', { ...CHECKOUT_FORM, payment_method: paymentMethod, email });
  const sessionId = /\/c\/pay\/(cs_\w+)$/.exec(placed.location ?? '')?.[1] ?? null;
  const orderNumber = /\/orders\/(GG-\d+)\/confirmation/.exec(placed.location ?? '')?.[1] ?? null;
  if (placed.status !== 303 || !(sessionId ?? orderNumber)) throw new Error(`checkout answered ${placed.status} ${placed.location ?? placed.text.slice(0, 300)}`);
  return { browser, sessionId, orderNumber };
}
