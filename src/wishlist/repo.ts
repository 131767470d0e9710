import { notePageChange } from '../accounts/page-version';
import { countRows, type Conn } from '../db';
import { fromDbTime, toDbTime } from '../lib/clock';
import { smallImage } from '../catalog/image-paths';
import { parseJson } from '../catalog/repo';
import { isUniqueViolation } from '../db/errors';
import { inStockCount } from '../inventory/repo';

/** wishlist_items and wishlist_alerts_sent: queries only. */

/** Saves a product to a customer's wishlist; saving it again changes nothing. */
export async function addItem(conn: Conn, userId: number, productId: number, now: Date): Promise<void> {
  await conn('wishlist_items').insert({ user_id: userId, product_id: productId, created_at: toDbTime(now) }).onConflict(['user_id', 'product_id']).ignore();
  await notePageChange(conn, userId);
}

export async function removeItem(conn: Conn, userId: number, productId: number): Promise<void> {
  if (await conn('wishlist_items').where({ user_id: userId, product_id: productId }).delete()) await notePageChange(conn, userId);
}

/** Every product the customer has saved. */
export async function savedProductIds(conn: Conn, userId: number): Promise<number[]> {
  const rows = await conn('wishlist_items').where({ user_id: userId }).select('product_id');
  return rows.map((r) => Number(r.product_id));
}

/** Which of these products the customer has saved. */
export async function savedAmong(conn: Conn, userId: number, productIds: readonly number[]): Promise<number[]> {
  if (!productIds.length) return [];
  const rows = await conn('wishlist_items').where({ user_id: userId }).whereIn('product_id', productIds).select('product_id');
  return rows.map((r) => Number(r.product_id));
}

export function countItems(conn: Conn, userId: number): Promise<number> {
  return countRows(conn('wishlist_items').where({ user_id: userId }));
}

/** What a wishlist shows of a product: always today's price and stock. */
export interface WishlistEntry {
  productId: number;
  slug: string;
  name: string;
  brand: string;
  priceCents: number;
  imageSmall: string | null;
  inStock: number;
  /** False once the product is no longer sold (archived, or back to draft). */
  onSale: boolean;
  savedAt: Date;
}

/** One page of a customer's wishlist, the latest saved first. */
export async function listItems(conn: Conn, userId: number, limit: number, offset: number): Promise<WishlistEntry[]> {
  const rows = await conn('wishlist_items as w')
    .join('products as p', 'p.id', 'w.product_id')
    .where('w.user_id', userId)
    .orderBy('w.created_at', 'desc')
    .orderBy('w.id', 'desc')
    .limit(limit)
    .offset(offset)
    .select('p.id', 'p.slug', 'p.name', 'p.brand', 'p.price_cents', 'p.images', 'p.status', 'w.created_at', inStockCount(conn, 'p.id', 'in_stock'));
  return rows.map((r) => {
    const [first] = parseJson<string[]>(r.images, []);
    return {
      productId: Number(r.id),
      slug: r.slug,
      name: r.name,
      brand: r.brand,
      priceCents: Number(r.price_cents),
      imageSmall: first ? smallImage(first) : null,
      inStock: Number(r.in_stock ?? 0),
      onSale: r.status === 'active',
      savedAt: fromDbTime(r.created_at)!,
    };
  });
}

export interface WishedProduct {
  id: number;
  slug: string;
  name: string;
  status: string;
  priceCents: number;
  inStock: number;
}

export async function productById(conn: Conn, id: number): Promise<WishedProduct | null> {
  const r = await conn('products as p').where('p.id', id).first('p.id', 'p.slug', 'p.name', 'p.status', 'p.price_cents', inStockCount(conn, 'p.id', 'in_stock'));
  return r ? { id: Number(r.id), slug: r.slug, name: r.name, status: r.status, priceCents: Number(r.price_cents), inStock: Number(r.in_stock ?? 0) } : null;
}

/** Whether anyone has saved the product (events nobody wishes to hear of queue no job). */
export async function isWished(conn: Conn, productId: number): Promise<boolean> {
  return Boolean(await conn('wishlist_items').where({ product_id: productId }).first('id'));
}

export interface AlertRecipient {
  userId: number;
  email: string;
  firstName: string;
}

/** Customers who saved the product and want wishlist alerts (disabled accounts are left out). */
export async function alertRecipients(conn: Conn, productId: number): Promise<AlertRecipient[]> {
  const rows = await conn('wishlist_items as w')
    .join('users as u', 'u.id', 'w.user_id')
    .where('w.product_id', productId)
    .where('u.wishlist_alerts', true)
    .whereNull('u.disabled_at')
    .orderBy('u.id')
    .select('u.id', 'u.email', 'u.first_name');
  return rows.map((r) => ({ userId: Number(r.id), email: r.email, firstName: r.first_name ?? '' }));
}

/**
 * Records that the customer is being told of the event, in the transaction
 * that tells them. False when they already were (or another worker is doing
 * it right now: its row is committed first, or this waits for it).
 */
export async function markAlerted(conn: Conn, eventKey: string, userId: number, productId: number, now: Date): Promise<boolean> {
  try {
    await conn('wishlist_alerts_sent').insert({ event_key: eventKey, user_id: userId, product_id: productId, created_at: toDbTime(now) });
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

/** The latest move of one of the product's units out of stock (0 when there never was one). */
export async function lastStockOut(conn: Conn, productId: number): Promise<number> {
  const r = await conn('stock_movements').where({ product_id: productId }).where('quantity', '<', 0).max({ id: 'id' }).first();
  return Number(r?.id ?? 0);
}

/** Units of the product in stock now (the caller's transaction sees its own moves). */
export async function unitsInStock(conn: Conn, productId: number): Promise<number> {
  return countRows(conn('inventory_units').where({ product_id: productId, status: 'in_stock' }));
}

export async function alertsWanted(conn: Conn, userId: number): Promise<boolean> {
  const r = await conn('users').where({ id: userId }).first('wishlist_alerts');
  return Boolean(r?.wishlist_alerts ?? true);
}
