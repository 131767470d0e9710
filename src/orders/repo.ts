import type { Knex } from 'knex';
import type { Grade } from '../catalog/grades';
import type { ShippingAddress } from '../lib/address';
import type { Conn } from '../db';
import { countRows, countRowsUpTo, daySql, LIKE_PREFIX, lockedInTransaction, prefixPattern } from '../db';
import { fromDbTime, toDbTime } from '../lib/clock';
import type { OrderStatus } from './transitions';
import type { PaymentStatus } from '../payments/status';

type Row = Record<string, any>;

export type { ShippingAddress };

export interface Order {
  id: number;
  number: string;
  userId: number | null;
  email: string;
  status: OrderStatus;
  paymentStatus: PaymentStatus;
  currency: string;
  subtotalCents: number;
  discountCents: number;
  storeCreditCents: number;
  shippingCents: number;
  taxCents: number;
  totalCents: number;
  /** What the shopper still pays after store credit. */
  amountDueCents: number;
  promoCodeId: number | null;
  shippingMethod: string;
  shippingAddress: ShippingAddress;
  paymentMethod: 'stripe' | 'manual';
  checkoutSessionId: string | null;
  carrier: string | null;
  trackingNumber: string | null;
  expiresAt: Date | null;
  paidAt: Date | null;
  shippedAt: Date | null;
  deliveredAt: Date | null;
  cancelledAt: Date | null;
  createdAt: Date;
}

export interface OrderItem {
  id: number;
  productId: number;
  productName: string;
  productSlug: string;
  conditionGrade: Grade;
  quantity: number;
  unitPriceCents: number;
  totalCents: number;
  serialNumbers: string[];
}

export function toOrder(r: Row): Order {
  return {
    id: r.id,
    number: r.number,
    userId: r.user_id ?? null,
    email: r.email,
    status: r.status,
    paymentStatus: r.payment_status,
    currency: r.currency,
    subtotalCents: r.subtotal_cents,
    discountCents: r.discount_cents,
    storeCreditCents: r.store_credit_cents,
    shippingCents: r.shipping_cents,
    taxCents: r.tax_cents,
    totalCents: r.total_cents,
    amountDueCents: r.total_cents - r.store_credit_cents,
    promoCodeId: r.promo_code_id ?? null,
    shippingMethod: r.shipping_method,
    shippingAddress: JSON.parse(r.shipping_address),
    paymentMethod: r.payment_method,
    checkoutSessionId: r.checkout_session_id ?? null,
    carrier: r.carrier ?? null,
    trackingNumber: r.tracking_number ?? null,
    expiresAt: fromDbTime(r.expires_at),
    paidAt: fromDbTime(r.paid_at),
    shippedAt: fromDbTime(r.shipped_at),
    deliveredAt: fromDbTime(r.delivered_at),
    cancelledAt: fromDbTime(r.cancelled_at),
    createdAt: fromDbTime(r.created_at)!,
  };
}

function toItem(r: Row): OrderItem {
  return {
    id: r.id,
    productId: r.product_id,
    productName: r.product_name,
    productSlug: r.product_slug,
    conditionGrade: r.condition_grade,
    quantity: r.quantity,
    unitPriceCents: r.unit_price_cents,
    totalCents: r.total_cents,
    serialNumbers: r.serial_numbers ? JSON.parse(r.serial_numbers) : [],
  };
}

/** Human order number: GG- and the order's sequence (its id, offset so numbers start at six digits). */
export function orderNumberFor(id: number): string {
  return `GG-${100000 + id}`;
}

export type NewOrder = Pick<
  Order,
  | 'userId' | 'email' | 'currency' | 'subtotalCents' | 'discountCents' | 'storeCreditCents' | 'shippingCents'
  | 'taxCents' | 'totalCents' | 'promoCodeId' | 'shippingMethod' | 'shippingAddress' | 'paymentMethod' | 'expiresAt'
> & { now: Date };

/** Inserts a pending order and returns it as stored (numbered), without reading it back. */
export async function insertOrder(conn: Conn, o: NewOrder): Promise<Order> {
  const at = toDbTime(o.now);
  const [id] = await conn('orders').insert({
    user_id: o.userId,
    email: o.email,
    status: 'pending_payment',
    payment_status: 'unpaid',
    currency: o.currency,
    subtotal_cents: o.subtotalCents,
    discount_cents: o.discountCents,
    store_credit_cents: o.storeCreditCents,
    shipping_cents: o.shippingCents,
    tax_cents: o.taxCents,
    total_cents: o.totalCents,
    promo_code_id: o.promoCodeId,
    shipping_method: o.shippingMethod,
    shipping_address: JSON.stringify(o.shippingAddress),
    payment_method: o.paymentMethod,
    expires_at: o.expiresAt ? toDbTime(o.expiresAt) : null,
    created_at: at,
    updated_at: at,
  });
  const number = orderNumberFor(Number(id));
  await conn('orders').where({ id }).update({ number });
  const { now: _now, ...fields } = o;
  return {
    ...fields,
    id: Number(id),
    number,
    status: 'pending_payment',
    paymentStatus: 'unpaid',
    amountDueCents: o.totalCents - o.storeCreditCents,
    checkoutSessionId: null,
    carrier: null,
    trackingNumber: null,
    paidAt: null,
    shippedAt: null,
    deliveredAt: null,
    cancelledAt: null,
    createdAt: o.now,
  };
}

export async function insertItems(conn: Conn, orderId: number, items: Array<Omit<OrderItem, 'id' | 'serialNumbers'>>, now: Date): Promise<void> {
  const at = toDbTime(now);
  await conn('order_items').insert(
    items.map((i) => ({
      order_id: orderId,
      product_id: i.productId,
      product_name: i.productName,
      product_slug: i.productSlug,
      condition_grade: i.conditionGrade,
      quantity: i.quantity,
      unit_price_cents: i.unitPriceCents,
      total_cents: i.totalCents,
      created_at: at,
      updated_at: at,
    })),
  );
}

export async function findOrderById(conn: Conn, id: number, lock = false): Promise<Order | null> {
  const q = conn('orders').where({ id }).first();
  const row = await (lock ? lockedInTransaction(conn, q) : q);
  return row ? toOrder(row) : null;
}

export async function findOrderByNumber(conn: Conn, number: string): Promise<Order | null> {
  const row = await conn('orders').where({ number }).first();
  return row ? toOrder(row) : null;
}

export async function findOrderBySession(conn: Conn, sessionId: string): Promise<Order | null> {
  const row = await conn('orders').where({ checkout_session_id: sessionId }).first();
  return row ? toOrder(row) : null;
}

export async function orderItems(conn: Conn, orderId: number): Promise<OrderItem[]> {
  const rows = await conn('order_items').where({ order_id: orderId }).orderBy('id');
  return rows.map(toItem);
}

export async function listUserOrders(conn: Conn, userId: number, page: number, perPage: number): Promise<{ orders: Array<Order & { itemCount: number }>; total: number }> {
  const total = await countRows(conn('orders').where({ user_id: userId }));
  const rows = await conn('orders as o')
    .where('o.user_id', userId)
    .select('o.*', conn('order_items as i').sum('i.quantity').where('i.order_id', conn.ref('o.id')).as('item_count'))
    .orderBy('o.created_at', 'desc')
    .orderBy('o.id', 'desc')
    .limit(perPage)
    .offset((page - 1) * perPage);
  return { orders: rows.map((r) => ({ ...toOrder(r), itemCount: Number(r.item_count ?? 0) })), total };
}

export async function setCheckoutSession(conn: Conn, orderId: number, sessionId: string, now: Date): Promise<void> {
  await conn('orders').where({ id: orderId }).update({ checkout_session_id: sessionId, updated_at: toDbTime(now) });
}

/** The Stripe Checkout session now open for an unpaid order, and how long its units are held for it. */
export async function setCheckoutHold(conn: Conn, orderId: number, sessionId: string, expiresAt: Date, now: Date): Promise<void> {
  await conn('orders').where({ id: orderId, status: 'pending_payment' }).update({ checkout_session_id: sessionId, expires_at: toDbTime(expiresAt), updated_at: toDbTime(now) });
}

export async function setPaymentStatus(conn: Conn, orderId: number, status: PaymentStatus, now: Date): Promise<void> {
  await conn('orders').where({ id: orderId }).whereNot({ payment_status: status }).update({ payment_status: status, updated_at: toDbTime(now) });
}

/** Orders still waiting for payment whose hold has run out (for the expiry sweep). */
export async function overdueOrderIds(conn: Conn, now: Date, limit: number): Promise<number[]> {
  const rows = await conn('orders').where({ status: 'pending_payment' }).where('expires_at', '<=', toDbTime(now)).orderBy('expires_at').limit(limit).select('id');
  return rows.map((r) => r.id);
}

export async function setItemSerials(conn: Conn, itemId: number, serials: readonly string[], now: Date): Promise<void> {
  await conn('order_items').where({ id: itemId }).update({ serial_numbers: JSON.stringify(serials), updated_at: toDbTime(now) });
}

export async function setShipment(conn: Conn, orderId: number, s: { carrier: string; trackingNumber: string }, now: Date): Promise<void> {
  await conn('orders').where({ id: orderId }).update({ carrier: s.carrier, tracking_number: s.trackingNumber, updated_at: toDbTime(now) });
}

export interface OrderFilter {
  status: OrderStatus | null;
  paymentStatus: PaymentStatus | null;
  /** An order number (GG-…) or an e-mail address, or the start of one. */
  q: string | null;
  from: Date | null;
  to: Date | null;
}

/** Staff's order list: newest first, filtered, one page. */
/** At most this many matching orders are counted; past it the list says "more than". */
export const ORDER_COUNT_CAP = 10_000;

/** One page of orders, newest first; `total` stops at ORDER_COUNT_CAP + 1. */
export async function listOrders(conn: Conn, f: OrderFilter, page: number, perPage: number): Promise<{ orders: Array<Order & { itemCount: number }>; total: number }> {
  const qb = conn('orders as o');
  if (f.status) qb.where('o.status', f.status);
  if (f.paymentStatus) qb.where('o.payment_status', f.paymentStatus);
  if (f.from) qb.where('o.created_at', '>=', toDbTime(f.from));
  if (f.to) qb.where('o.created_at', '<', toDbTime(f.to));
  if (f.q) {
    const q = f.q.trim();
    if (/^GG-\d+$/i.test(q)) qb.where('o.number', q.toUpperCase());
    else qb.whereRaw(`o.email ${LIKE_PREFIX}`, [prefixPattern(q.toLowerCase())]);
  }
  const [total, orders] = await Promise.all([countRowsUpTo(conn, qb, ORDER_COUNT_CAP), newestFirst(conn, qb.clone(), perPage, (page - 1) * perPage)]);
  return { orders, total };
}

/** The newest orders (the dashboard's list): no count of all the others, which would cost a pass over every order. */
export function recentOrders(conn: Conn, limit: number): Promise<Array<Order & { itemCount: number }>> {
  return newestFirst(conn, conn('orders as o'), limit, 0);
}

async function newestFirst(conn: Conn, qb: Knex.QueryBuilder, limit: number, offset: number): Promise<Array<Order & { itemCount: number }>> {
  const rows = await qb
    .select('o.*', conn('order_items as i').sum('i.quantity').where('i.order_id', conn.ref('o.id')).as('item_count'))
    .orderBy('o.id', 'desc')
    .limit(limit)
    .offset(offset);
  return rows.map((r: Row) => ({ ...toOrder(r), itemCount: Number(r.item_count ?? 0) }));
}

/** How many orders are in each status: of these statuses only, or placed since a time. */
export async function countByStatus(conn: Conn, f: { statuses?: readonly OrderStatus[]; since?: Date } = {}): Promise<Map<OrderStatus, number>> {
  const qb = conn('orders').select('status').count({ n: '*' }).groupBy('status');
  if (f.statuses) qb.whereIn('status', f.statuses);
  if (f.since) qb.where('created_at', '>=', toDbTime(f.since));
  const rows = (await qb) as unknown as Array<{ status: string; n: number | string }>;
  return new Map(rows.map((r) => [r.status as OrderStatus, Number(r.n)]));
}

/** Orders placed per UTC day since `from`. */
export async function dailyOrderCounts(conn: Conn, from: Date): Promise<Map<string, number>> {
  const day = daySql(conn, 'created_at');
  const rows = (await conn('orders').select({ day: conn.raw(day) }).count({ n: '*' }).where('created_at', '>=', toDbTime(from)).groupByRaw(day)) as Array<{ day: string; n: unknown }>;
  return new Map(rows.map((r) => [String(r.day), Number(r.n)]));
}

/**
 * Orders placed as a guest with this address join the account (once its
 * owner has confirmed the address). Returns how many joined.
 */
export async function attachGuestOrders(conn: Conn, userId: number, email: string, now: Date): Promise<number> {
  return conn('orders').whereNull('user_id').where({ email: email.toLowerCase() }).update({ user_id: userId, updated_at: toDbTime(now) });
}
