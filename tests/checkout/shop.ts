import request from 'supertest';
import bcrypt from 'bcrypt';
import type { Db } from '../../src/db';
import type { AppDeps } from '../../src/app';
import { fixedClock, toDbTime } from '../../src/lib/clock';
import { createLogger } from '../../src/lib/log';
import { JobWorker } from '../../src/jobs/worker';
import type { MailMessage, MailTransport } from '../../src/mail/transports';
import { testApp, type TestApp } from '../helpers/app';
import { insertProduct, type ProductFixture } from '../helpers/fixtures';

/** Shared set-up for the buy-journey tests: an app with captured e-mail, a movable clock and a job runner. */
export interface Shop extends TestApp {
  clock: ReturnType<typeof fixedClock>;
  mail: MailMessage[];
  /** Runs every due job (e-mail, expiry, refunds) now. */
  runJobs(): Promise<number>;
  categoryId: number;
  product(p: Omit<ProductFixture, 'categoryId' | 'createdAt'>): Promise<number>;
}

export async function startShop(options: { env?: Record<string, string>; deps?: Partial<AppDeps>; now?: string } = {}): Promise<Shop> {
  const clock = fixedClock(options.now ?? '2026-11-21T10:00:00.000Z');
  const mail: MailMessage[] = [];
  const transport: MailTransport = {
    async sendMail(m) {
      mail.push(m);
      return { messageId: `<m${mail.length}@test>` };
    },
  };
  const t = await testApp({ env: options.env, deps: { clock, mailTransport: transport, ...options.deps } });
  const worker = new JobWorker({ db: t.db, registry: t.app.context.jobs, logger: createLogger('silent'), clock, batchSize: 20 });
  await t.db('categories').insert({ slug: 'laptops', name: 'Laptops', position: 1 });
  const { id: categoryId } = await t.db('categories').where({ slug: 'laptops' }).first('id');
  return {
    ...t,
    clock,
    mail,
    runJobs: () => worker.drain(),
    categoryId,
    // Written straight to the database, then announced as the admin editor announces a new product, so the catalog's caches and search index show it.
    product: async (p) => {
      const id = await insertProduct(t.db, { categoryId, units: 1, ...p, createdAt: clock.now() });
      await t.app.context.catalog.changed({ what: 'product', productIds: [id] });
      return id;
    },
  };
}

type AgentTarget = Parameters<typeof request.agent>[0];

/** A browser-like session: cookies kept, CSRF token read from the pages it visits. */
export function shopper(app: AgentTarget) {
  const agent = request.agent(app);
  let token = '';
  const refreshToken = async (path = '/cart') => {
    const res = await agent.get(path);
    const m = /name="_csrf" value="([^"]+)"/.exec(res.text);
    if (m) token = m[1]!;
    else if (!token) {
      // A page without a form (empty cart) sets no CSRF cookie: take it from one that has a form.
      const other = await agent.get('/login');
      const m2 = /name="_csrf" value="([^"]+)"/.exec(other.text);
      if (m2) token = m2[1]!;
    }
    return res;
  };
  return {
    agent,
    refreshToken,
    get token() {
      return token;
    },
    async post(path: string, fields: Record<string, string | number> = {}) {
      if (!token) await refreshToken();
      return agent.post(path).type('form').send({ _csrf: token, ...fields });
    },
    add(productId: number, quantity: number | string = 1) {
      return this.post('/cart/items', { product_id: productId, quantity });
    },
    checkout(fields: Record<string, string> = {}) {
      return this.post('/checkout', { ...ADDRESS, ...fields });
    },
    async login(email: string, password: string) {
      await refreshToken('/login');
      const res = await agent.post('/login').type('form').send({ _csrf: token, email, password });
      await refreshToken();
      return res;
    },
  };
}

export const ADDRESS: Record<string, string> = {
  email: 'guest@example.com',
  first_name: 'Grace',
  last_name: 'Guest',
  line1: '100 Congress Ave',
  line2: '',
  city: 'Austin',
  region: 'TX',
  postal_code: '78701',
  country: 'US',
  phone: '+1 512 555 0100',
  shipping_method: 'standard',
  payment_method: 'manual',
};

export async function createCustomer(db: Db, email = 'casey@example.com', password = 'a-long-enough-password-42'): Promise<{ id: number; email: string; password: string }> {
  const now = toDbTime(new Date());
  const [id] = await db('users').insert({
    email,
    password_hash: await bcrypt.hash(password, 4),
    first_name: 'Casey',
    last_name: 'Customer',
    role: 'customer',
    email_verified_at: now,
    created_at: now,
    updated_at: now,
  });
  return { id: Number(id), email, password };
}

/** The order number in a redirect to its confirmation page. */
export function orderNumberFrom(location: string | undefined): string {
  const m = /\/orders\/(GG-\d+)\/confirmation/.exec(location ?? '');
  if (!m) throw new Error(`not a confirmation redirect: ${location}`);
  return m[1]!;
}

/** Row counts of everything an order placement writes. */
export async function counts(db: Db): Promise<Record<string, number>> {
  const tables = ['orders', 'order_items', 'stock_movements', 'promo_redemptions', 'store_credit_entries', 'payments', 'refunds', 'state_changes'];
  const out: Record<string, number> = {};
  for (const table of tables) out[table] = Number((await db(table).count({ n: '*' }).first())!.n);
  out.unitsOut = Number((await db('inventory_units').whereNot({ status: 'in_stock' }).count({ n: '*' }).first())!.n);
  out.mailJobs = Number((await db('jobs').where({ kind: 'mail.send' }).count({ n: '*' }).first())!.n);
  return out;
}

/** The messages sent to one address, by subject. */
export function subjectsTo(mail: MailMessage[], to: string): string[] {
  return mail.filter((m) => m.to === to).map((m) => m.subject);
}
