import crypto from 'node:crypto';
import type { Db } from '../src/db';
import { toDbTime } from '../src/lib/clock';

/**
 * The checkout storm: many shoppers, each with the same product in their own
 * cart, press "Place order" at the same moment over real HTTP. Used by the
 * storm test (tests/checkout/storm.test.ts) and by `npm run bench`.
 *
 *   runStorm({ baseUrl, db, units: 10, shoppers: 200 })  → one storm, checked against the database
 *   benchStorm({ baseUrl, db, out })                     → the bench section: contention + throughput
 *
 * `baseUrl` is a running app with the manual payment provider; `db` is a
 * connection to the same database (to create the product and audit the result).
 */

export interface StormOptions {
  /** The running app; with several (processes of one store), each shopper fills the cart on one and checks out on the next. */
  baseUrl: string | readonly string[];
  db: Db;
  /** Units of the product in stock (default 10). */
  units?: number;
  /** Shoppers checking out at once (default 200). */
  shoppers?: number;
  /** Checkouts in flight at a time (default: all shoppers at once). */
  concurrency?: number;
  /** Preparing carts: requests in flight (default 25). */
  prepConcurrency?: number;
  /** How the shoppers pay (default manual; stripe needs the app's Stripe keys: an order is then a redirect to Checkout). */
  paymentMethod?: 'manual' | 'stripe';
  /** Called when every cart is ready and the checkouts are fired. */
  onBurst?: () => void;
}

export interface StormResult {
  shoppers: number;
  units: number;
  /** Checkouts answered with a redirect to a new order (its confirmation, or its Stripe Checkout page). */
  orders: number;
  /** Checkouts answered 409 with a "sold out" message. */
  soldOut: number;
  /** Anything else (5xx, timeouts, unexpected answers). */
  errors: number;
  statuses: Record<string, number>;
  /** Units sold beyond stock, from the database: must be 0. */
  oversell: number;
  /** Database audit: orders, order items, reserved units, reservation movements for the product. */
  audit: { orders: number; items: number; unitsReserved: number; movements: number; unitsPerOrderOk: boolean };
  /** Wall time of the checkout burst. */
  ms: number;
  ordersPerSecond: number;
  checkoutsPerSecond: number;
}

/** The checkout form every storm shopper sends (with its own e-mail and payment method). */
export const CHECKOUT_FORM = {
  first_name: 'Storm',
  last_name: 'Shopper',
  line1: '1 Load Test Way',
  line2: '',
  city: 'Austin',
  region: 'TX',
  postal_code: '78701',
  country: 'US',
  phone: '',
  shipping_method: 'standard',
  payment_method: 'manual',
};

/** A minimal cookie jar over fetch (attributes ignored: the bench server may mark cookies Secure on plain HTTP). */
export class Browser {
  private readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(private readonly baseUrl: string) {}

  /** The Cookie header this browser sends. */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** A request to the browser's app, or to another process of the same store (`baseUrl`), cookies shared. */
  async request(method: 'GET' | 'POST', path: string, form?: Record<string, string | number>, baseUrl = this.baseUrl): Promise<{ status: number; location: string | null; headers: Headers; text: string }> {
    const headers: Record<string, string> = { cookie: this.cookieHeader() };
    let body: string | undefined;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(Object.entries({ _csrf: this.csrf, ...form }).map(([k, v]): [string, string] => [k, String(v)])).toString();
    }
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text);
    if (token) this.csrf = token[1]!;
    return { status: res.status, location: res.headers.get('location'), headers: res.headers, text };
  }
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

async function stormProduct(db: Db, units: number): Promise<number> {
  const now = toDbTime(new Date());
  const tag = crypto.randomBytes(4).toString('hex');
  let category = await db('categories').orderBy('id').first('id');
  if (!category) {
    await db('categories').insert({ slug: `storm-${tag}`, name: 'Storm', position: 99, created_at: now, updated_at: now });
    category = await db('categories').where({ slug: `storm-${tag}` }).first('id');
  }
  await db('products').insert({
    slug: `storm-laptop-${tag}`,
    name: `Storm Laptop ${tag}`,
    brand: 'Lenovo',
    description: 'The last few units everyone wants at once.',
    category_id: category.id,
    specifications: '{}',
    condition_grade: 'A',
    price_cents: 19_900,
    rent_3_cents: 7_700,
    rent_6_cents: 4_500,
    rent_12_cents: 2_900,
    images: '[]',
    status: 'active',
    created_at: now,
    updated_at: now,
  });
  const { id } = await db('products').where({ slug: `storm-laptop-${tag}` }).first('id');
  const rows = Array.from({ length: units }, (_, i) => ({ product_id: id, serial_number: `STORM-${tag}-${i}`, condition_grade: 'A', status: 'in_stock', created_at: now, updated_at: now }));
  for (let i = 0; i < rows.length; i += 500) await db('inventory_units').insert(rows.slice(i, i + 500));
  return Number(id);
}

/** One storm: prepare a cart per shopper, fire all checkouts together, audit the database. */
export async function runStorm(o: StormOptions): Promise<StormResult> {
  const units = o.units ?? 10;
  const shoppers = o.shoppers ?? 200;
  const productId = await stormProduct(o.db, units);
  const servers = typeof o.baseUrl === 'string' ? [o.baseUrl] : o.baseUrl;
  const checkoutServer = (i: number) => servers[(i + 1) % servers.length]!;

  const browsers = Array.from({ length: shoppers }, (_, i) => new Browser(servers[i % servers.length]!));
  await inBatches(browsers, o.prepConcurrency ?? 25, async (b) => {
    await b.request('GET', '/login');
    const add = await b.request('POST', '/cart/items', { product_id: productId, quantity: 1 });
    if (add.status !== 303) throw new Error(`add to cart answered ${add.status}`);
    await b.request('GET', '/checkout');
  });

  const statuses: Record<string, number> = {};
  let orders = 0;
  let soldOut = 0;
  let errors = 0;
  const placed = o.paymentMethod === 'stripe' ? /\/c\/pay\/cs_\w+$/ : /\/orders\/GG-\d+\/confirmation/;
  o.onBurst?.();
  const started = performance.now();
  await inBatches(browsers.map((b, i) => ({ b, i })), o.concurrency ?? shoppers, async ({ b, i }) => {
    try {
      const form = { ...CHECKOUT_FORM, payment_method: o.paymentMethod ?? 'manual', email: `storm${i}@example.com` };
      const res = await b.request('POST', '/checkout', form, checkoutServer(i));
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 303 && placed.test(res.location ?? '')) orders++;
      else if (res.status === 409 && /sold out/i.test(res.text)) soldOut++;
      else errors++;
    } catch {
      statuses.network = (statuses.network ?? 0) + 1;
      errors++;
    }
  });
  const ms = performance.now() - started;

  const audit = await auditProduct(o.db, productId);
  return {
    shoppers,
    units,
    orders,
    soldOut,
    errors,
    statuses,
    oversell: Math.max(0, audit.items - units),
    audit,
    ms,
    ordersPerSecond: orders / (ms / 1000),
    checkoutsPerSecond: shoppers / (ms / 1000),
  };
}

async function auditProduct(db: Db, productId: number): Promise<StormResult['audit']> {
  const n = async (q: Promise<unknown>) => Number(((await q) as { n: unknown } | undefined)?.n ?? 0);
  const items = await n(db('order_items').where({ product_id: productId }).sum({ n: 'quantity' }).first());
  const orders = await n(db('order_items').where({ product_id: productId }).countDistinct({ n: 'order_id' }).first());
  const unitsReserved = await n(db('inventory_units').where({ product_id: productId }).whereNot({ status: 'in_stock' }).count({ n: '*' }).first());
  const movements = await n(db('stock_movements').where({ product_id: productId, reason: 'reserved' }).count({ n: '*' }).first());
  const perOrder = await db('inventory_units').where({ product_id: productId }).whereNotNull('order_id').groupBy('order_id').select('order_id').count({ n: '*' });
  const unitsPerOrderOk = perOrder.length === orders && perOrder.every((r) => Number(r.n) === 1);
  return { orders, items, unitsReserved, movements, unitsPerOrderOk };
}

/**
 * The bench section: (1) contention — 200 shoppers, 10 units: exactly 10
 * orders, 190 sold out, oversell 0; (2) throughput — every shopper gets a
 * unit, orders/s against the ≥ 150/s target (manual provider).
 */
export async function benchStorm(o: { baseUrl: string; db: Db; out?: (line: string) => void; shoppers?: number; throughputOrders?: number }): Promise<{ contention: StormResult; throughput: StormResult }> {
  const out = o.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const contention = await runStorm({ baseUrl: o.baseUrl, db: o.db, units: 10, shoppers: o.shoppers ?? 200 });
  const n = o.throughputOrders ?? 400;
  const throughput = await runStorm({ baseUrl: o.baseUrl, db: o.db, units: n, shoppers: n, concurrency: 50 });
  out('Checkout storm (manual provider):');
  out('| storm | shoppers | units | orders | sold out | errors | oversell | ms | orders/s |');
  out('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name, r] of [['contention (all at once)', contention], ['throughput (50 in flight)', throughput]] as const) {
    out(`| ${name} | ${r.shoppers} | ${r.units} | ${r.orders} | ${r.soldOut} | ${r.errors} | ${r.oversell} | ${Math.round(r.ms)} | ${r.ordersPerSecond.toFixed(0)} |`);
  }
  const ok = contention.orders === 10 && contention.soldOut === contention.shoppers - 10 && contention.errors === 0 && contention.oversell === 0 && throughput.oversell === 0;
  out(`Target: ≥ 150 orders/s — ${throughput.ordersPerSecond >= 150 ? 'met' : 'MISSED'}; oversell 0 — ${contention.oversell + throughput.oversell === 0 ? 'met' : 'MISSED'}; storm answers ${ok ? 'exact' : 'WRONG'}.`);
  return { contention, throughput };
}
