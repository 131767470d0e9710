import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { hashPassword } from '../src/accounts/passwords';
import { computeTotals } from '../src/checkout/totals';
import { insertInChunks } from '../src/db/batch';
import type { ShippingAddress } from '../src/lib/address';
import { DAY, HOUR, MINUTE, toDbTime } from '../src/lib/clock';
import { orderNumberFor } from '../src/orders/repo';
import type { OrderStatus } from '../src/orders/transitions';
import { derivePaymentStatus } from '../src/payments/status';
import { SETTINGS } from '../src/settings/definitions';
import { mulberry32, pick, type Rng } from './generate';

/**
 * Bulk synthetic order history for benchmarks of the admin panel: months of
 * orders from guests and registered customers, each where its own timeline
 * has taken it by now (most delivered; the latest paid, being prepared or
 * shipped; some never paid, cancelled or refunded), with the payment and
 * refund rows its payment status is derived from. Reproducible from a seed.
 * Stock and the state_changes history are left alone: the items name
 * products but hold no units, and an order's page shows no history.
 */

const FIRST_NAMES = ['James', 'Maria', 'Robert', 'Linda', 'Michael', 'Aisha', 'David', 'Sofia', 'Daniel', 'Emily', 'Carlos', 'Priya', 'Kevin', 'Grace', 'Jamal', 'Hannah', 'Wei', 'Olivia', 'Mateo', 'Chloe', 'Ethan', 'Fatima', 'Noah', 'Yuki', 'Liam', 'Zoe', 'Omar', 'Ava', 'Lucas', 'Nina'];
const LAST_NAMES = ['Smith', 'Johnson', 'Garcia', 'Brown', 'Nguyen', 'Patel', 'Miller', 'Davis', 'Rodriguez', 'Wilson', 'Kim', 'Anderson', 'Thomas', 'Lee', 'Martinez', 'Clark', 'Lewis', 'Walker', 'Young', 'Allen', 'Chen', 'Hall', 'Rivera', 'Okafor', 'Schmidt', 'Novak', 'Cohen', 'Haddad', 'Silva', 'Murphy'];
const DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'proton.me', 'example.com', 'example.org'];
const STREETS = ['Main St', 'Oak Ave', 'Congress Ave', 'Lamar Blvd', 'Maple Dr', 'Cedar Ln', 'Park Rd', 'Elm St', 'Lakeview Dr', 'Industrial Blvd'];
const PLACES: ReadonlyArray<[city: string, region: string, zip: string]> = [
  ['Austin', 'TX', '787'], ['Houston', 'TX', '770'], ['Dallas', 'TX', '752'], ['Los Angeles', 'CA', '900'], ['San Jose', 'CA', '951'],
  ['New York', 'NY', '100'], ['Buffalo', 'NY', '142'], ['Seattle', 'WA', '981'], ['Denver', 'CO', '802'], ['Chicago', 'IL', '606'],
  ['Atlanta', 'GA', '303'], ['Miami', 'FL', '331'], ['Phoenix', 'AZ', '850'], ['Portland', 'OR', '972'], ['Boston', 'MA', '021'],
];
const CARRIERS = ['UPS', 'FedEx', 'USPS'];
/** Checkout's methods, weighted as shoppers choose them. */
const SHIPPING = SETTINGS.shipping_methods.fallback;
const SHIPPING_CHOICES = ['standard', 'standard', 'standard', 'standard', 'express', 'pickup'];
const TAX = SETTINGS.tax_rates.fallback;
/** How long an unpaid order holds its units (checkout's defaults). */
const CARD_HOLD = 30 * MINUTE;
const MANUAL_HOLD = 7 * DAY;

interface Product {
  id: number;
  name: string;
  slug: string;
  grade: string;
  priceCents: number;
}

interface Customer {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
}

type Row = Record<string, unknown>;

export interface GenerateOrdersOptions {
  seed?: number;
  /** Orders are spread evenly over this many days up to `now` (400). */
  days?: number;
  /** Registered customers to create or reuse (one per 40 orders). */
  customers?: number;
  batchSize?: number;
  now?: Date;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Adds `count` orders placed over the last `days` days, with their items,
 * payments and refunds, in transactions of `batchSize` orders. Needs active
 * products (generateProducts); creates the registered customers it uses.
 * Orders are numbered as checkout numbers them and follow the existing ones.
 */
export async function generateOrders(db: Knex, count: number, opts: GenerateOrdersOptions = {}): Promise<void> {
  const seed = opts.seed ?? 1;
  const days = opts.days ?? 400;
  const batchSize = Math.max(1, opts.batchSize ?? 1000);
  const now = opts.now ?? new Date();
  const products = (await db('products').where('status', 'active').orderBy('id').select('id', 'name', 'slug', 'condition_grade', 'price_cents')).map(
    (r): Product => ({ id: Number(r.id), name: r.name, slug: r.slug, grade: r.condition_grade, priceCents: Number(r.price_cents) }),
  );
  if (products.length === 0) throw new Error('generateOrders needs active products: generate a catalog first.');
  const customers = await ensureCustomers(db, seed, opts.customers ?? Math.max(10, Math.round(count / 40)), now);
  const firstOrderId = await maxId(db, 'orders');
  let nextPaymentId = (await maxId(db, 'payments')) + 1;
  const span = days * DAY;
  const from = now.getTime() - span;

  for (let done = 0; done < count; ) {
    const size = Math.min(batchSize, count - done);
    const rows = { orders: [] as Row[], items: [] as Row[], payments: [] as Row[], refunds: [] as Row[] };
    for (let i = 0; i < size; i++) {
      const n = done + i;
      // Evenly spread and in id order, as a store's sequence numbers are: order n is placed within the n-th slot.
      const slot: [number, number] = [from + (n / count) * span, from + ((n + 1) / count) * span];
      const order = generatedOrder(seed, firstOrderId + n + 1, slot, now, products, customers);
      rows.orders.push(order.order);
      rows.items.push(...order.items);
      for (const p of order.payments) {
        const id = nextPaymentId++;
        rows.payments.push({ id, ...p.row });
        if (p.refund) rows.refunds.push({ payment_id: id, ...p.refund });
      }
    }
    await db.transaction(async (trx) => {
      await insertInChunks(trx, 'orders', rows.orders, batchSize);
      await insertInChunks(trx, 'order_items', rows.items, batchSize);
      await insertInChunks(trx, 'payments', rows.payments, batchSize);
      await insertInChunks(trx, 'refunds', rows.refunds, batchSize);
    });
    done += size;
    opts.onProgress?.(done, count);
  }
}

/** One generator per order keeps order n identical however the run is batched. */
function rngFor(seed: number, n: number): Rng {
  return mulberry32(Math.imul(seed, 0x85ebca6b) + n);
}

async function maxId(db: Knex, table: string): Promise<number> {
  const row = await db(table).max({ id: 'id' }).first();
  return Number(row?.id ?? 0);
}

/**
 * The registered customers orders are drawn from, matched by e-mail so a
 * re-run reuses them. Their password is random and thrown away: nobody
 * signs in as them.
 */
async function ensureCustomers(db: Knex, seed: number, count: number, now: Date): Promise<Customer[]> {
  const passwordHash = await hashPassword(crypto.randomBytes(24).toString('hex'), 4);
  const wanted = Array.from({ length: count }, (_, i) => {
    const rng = mulberry32(Math.imul(seed, 0x27d4eb2f) + i + 1);
    const firstName = pick(rng, FIRST_NAMES);
    const lastName = pick(rng, LAST_NAMES);
    const since = toDbTime(new Date(now.getTime() - Math.floor((400 + rng() * 400) * DAY)));
    return { email: `${firstName}.${lastName}.${i + 1}@${pick(rng, DOMAINS)}`.toLowerCase(), firstName, lastName, since };
  });
  const byEmail = new Map<string, number>();
  const chunk = 500;
  for (let i = 0; i < wanted.length; i += chunk) {
    const emails = wanted.slice(i, i + chunk).map((c) => c.email);
    for (const r of await db('users').whereIn('email', emails).select('id', 'email')) byEmail.set(r.email, Number(r.id));
  }
  const missing = wanted.filter((c) => !byEmail.has(c.email));
  await insertInChunks(db, 'users', missing.map((c) => ({
    email: c.email, password_hash: passwordHash, first_name: c.firstName, last_name: c.lastName, role: 'customer',
    email_verified_at: c.since, created_at: c.since, updated_at: c.since,
  })));
  for (let i = 0; i < missing.length; i += chunk) {
    const emails = missing.slice(i, i + chunk).map((c) => c.email);
    for (const r of await db('users').whereIn('email', emails).select('id', 'email')) byEmail.set(r.email, Number(r.id));
  }
  return wanted.map((c) => ({ id: byEmail.get(c.email)!, email: c.email, firstName: c.firstName, lastName: c.lastName }));
}

/**
 * One order and where its timeline stands at `now`: card orders are paid at
 * once unless abandoned, bank transfers within days unless never; paid orders
 * are prepared, shipped and delivered over the following days; a few are
 * cancelled before shipping (refunded when paid) or refunded after delivery.
 */
function generatedOrder(seed: number, id: number, slot: [start: number, end: number], now: Date, products: readonly Product[], customers: readonly Customer[]) {
  const rng = rngFor(seed, id);
  const placed = Math.floor(slot[0] + rng() * (slot[1] - slot[0]));
  const at = (ms: number) => toDbTime(new Date(ms));
  const number = orderNumberFor(id);

  const customer = rng() < 0.45 ? pick(rng, customers) : null;
  const firstName = customer?.firstName ?? pick(rng, FIRST_NAMES);
  const lastName = customer?.lastName ?? pick(rng, LAST_NAMES);
  const email = customer?.email ?? `${firstName}${lastName[0]}${Math.floor(rng() * 60_000)}@${pick(rng, DOMAINS)}`.toLowerCase();
  const [city, region, zip] = pick(rng, PLACES);
  const address: ShippingAddress = {
    firstName, lastName, line1: `${100 + Math.floor(rng() * 9800)} ${pick(rng, STREETS)}`, line2: rng() < 0.15 ? `Apt ${1 + Math.floor(rng() * 40)}` : null,
    city, region, postalCode: `${zip}${String(Math.floor(rng() * 100)).padStart(2, '0')}`, country: 'US', phone: rng() < 0.6 ? `+1 512 555 ${String(Math.floor(rng() * 10_000)).padStart(4, '0')}` : null,
  };

  const lines = Array.from({ length: 1 + (rng() < 0.3 ? 1 : 0) + (rng() < 0.08 ? 1 : 0) }, () => ({ product: pick(rng, products), quantity: rng() < 0.9 ? 1 : 2 }));
  const shippingCode = pick(rng, SHIPPING_CHOICES);
  const method = SHIPPING.find((m) => m.code === shippingCode)!;
  const totals = computeTotals({
    lines: lines.map((l) => ({ unitPriceCents: l.product.priceCents, quantity: l.quantity })),
    shipping: { priceCents: method.price_cents, freeOverCents: 'free_over_cents' in method ? method.free_over_cents : null },
    taxBps: (TAX.regions as Record<string, number>)[region] ?? TAX.default_bps,
  });

  const card = rng() < 0.7;
  const expiresAt = placed + (card ? CARD_HOLD : MANUAL_HOLD);
  const paidAt = card ? (rng() < 0.07 ? null : placed + MINUTE + rng() * 2 * MINUTE) : rng() < 0.15 ? null : placed + (0.15 + rng() * 4.8) * DAY;
  const processingAt = paidAt === null ? null : paidAt + (1 + rng() * 19) * HOUR;
  const shippedAt = processingAt === null ? null : processingAt + (2 + rng() * 28) * HOUR;
  const deliveredAt = shippedAt === null ? null : shippedAt + (1 + rng() * 4) * DAY;
  // Cancelled while nothing had left: before the hold ran out or, once paid, before shipping.
  const cancelledAt = rng() >= 0.035 ? null : paidAt === null ? placed + rng() * (expiresAt - placed) : paidAt + rng() * (shippedAt! - paidAt);
  const refundAfterDelivery = rng() < 0.015 ? deliveredAt! + (2 + rng() * 25) * DAY : null;
  const failedAttempt = card && rng() < (paidAt === null ? 0.3 : 0.03);

  const timeline: Array<[OrderStatus, number | null]> = cancelledAt !== null
    ? [['paid', paidAt !== null && paidAt < cancelledAt ? paidAt : null], ['cancelled', cancelledAt]]
    : paidAt === null
      ? [['expired', expiresAt]]
      : [['paid', paidAt], ['processing', processingAt], ['shipped', shippedAt], ['delivered', deliveredAt]];
  const happened = (t: number | null): t is number => t !== null && t <= now.getTime();
  let status: OrderStatus = 'pending_payment';
  for (const [to, t] of timeline) if (happened(t)) status = to;
  const stamp = (to: OrderStatus) => {
    const t = timeline.find(([s]) => s === to)?.[1] ?? null;
    return happened(t) ? at(t) : null;
  };
  const isPaid = happened(paidAt) && (cancelledAt === null || paidAt! < cancelledAt);

  const payments: Array<{ row: Row; refund: Row | null }> = [];
  const amount = totals.amountDueCents;
  const payment = (t: number, fields: Row) => ({
    order_id: id, purpose: 'order', provider: card ? 'stripe' : 'manual', amount_cents: amount, currency: 'USD', failure_code: null, failure_message: null, created_at: at(t), updated_at: at(t), ...fields,
  });
  if (failedAttempt && happened(placed + 30_000)) {
    payments.push({ row: payment(placed + 30_000, { provider_ref: null, status: 'failed', failure_code: 'card_declined', failure_message: 'Your card was declined.' }), refund: null });
  }
  let refundedCents = 0;
  if (isPaid) {
    const refundAt = cancelledAt ?? refundAfterDelivery;
    // After delivery one item goes back when there are several, else the whole order.
    const refundCents = cancelledAt !== null || lines.length === 1 ? amount : lines[0]!.product.priceCents * lines[0]!.quantity;
    const refund = refundAt !== null && happened(refundAt)
      ? {
        order_id: id, destination: card ? 'card' : 'bank_transfer', provider_ref: card ? `re_g${seed}_${id}` : null, amount_cents: refundCents, status: 'succeeded',
        reason: cancelledAt !== null ? 'Order cancelled' : 'Returned within the return window', created_at: at(refundAt), updated_at: at(refundAt),
      }
      : null;
    if (refund) refundedCents = refundCents;
    payments.push({ row: payment(paidAt!, { provider_ref: card ? `pi_g${seed}_${id}` : `order:${number}`, status: 'succeeded' }), refund });
  }

  const shipped = status === 'shipped' || status === 'delivered';
  const order: Row = {
    id,
    number,
    user_id: customer?.id ?? null,
    email,
    status,
    payment_status: derivePaymentStatus(isPaid ? amount : 0, refundedCents),
    currency: 'USD',
    subtotal_cents: totals.subtotalCents,
    discount_cents: totals.discountCents,
    store_credit_cents: totals.storeCreditCents,
    shipping_cents: totals.shippingCents,
    tax_cents: totals.taxCents,
    total_cents: totals.totalCents,
    promo_code_id: null,
    shipping_method: method.code,
    shipping_address: JSON.stringify(address),
    payment_method: card ? 'stripe' : 'manual',
    checkout_session_id: card ? `cs_g${seed}_${id}` : null,
    carrier: shipped ? pick(rng, CARRIERS) : null,
    tracking_number: shipped ? `TRK${seed}${String(id).padStart(10, '0')}` : null,
    expires_at: status === 'pending_payment' || status === 'expired' ? at(expiresAt) : null,
    paid_at: isPaid ? at(paidAt!) : null,
    shipped_at: stamp('shipped'),
    delivered_at: stamp('delivered'),
    cancelled_at: stamp('cancelled'),
    created_at: at(placed),
    updated_at: at(Math.max(placed, ...timeline.map(([, t]) => t).filter(happened))),
  };
  const items = lines.map((l) => ({
    order_id: id, product_id: l.product.id, product_name: l.product.name, product_slug: l.product.slug, condition_grade: l.product.grade,
    quantity: l.quantity, unit_price_cents: l.product.priceCents, total_cents: l.product.priceCents * l.quantity, created_at: at(placed), updated_at: at(placed),
  }));
  return { order, items, payments };
}
