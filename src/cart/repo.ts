import { notePageChange } from '../accounts/page-version';
import type { Grade } from '../catalog/grades';
import { inStockCount } from '../inventory/repo';
import type { Conn } from '../db';
import { toDbTime } from '../lib/clock';
import { smallImage } from '../catalog/image-paths';

type Row = Record<string, any>;

export interface CartRow {
  id: number;
  token: string;
  userId: number | null;
  promoCodeId: number | null;
}

export interface CartLineRow {
  id: number;
  productId: number;
  quantity: number;
  addedPriceCents: number;
  name: string;
  slug: string;
  /** The small size of the product's first image, for the cart's thumbnail. */
  image: string | null;
  conditionGrade: Grade;
  priceCents: number;
  active: boolean;
  available: number;
}

function toCart(r: Row): CartRow {
  return { id: r.id, token: r.token, userId: r.user_id ?? null, promoCodeId: r.promo_code_id ?? null };
}

export async function findGuestCart(conn: Conn, token: string): Promise<CartRow | null> {
  const row = await conn('carts').where({ token }).whereNull('user_id').first();
  return row ? toCart(row) : null;
}

export async function findUserCart(conn: Conn, userId: number): Promise<CartRow | null> {
  const row = await conn('carts').where({ user_id: userId }).orderBy('id', 'desc').first();
  return row ? toCart(row) : null;
}

export async function createCart(conn: Conn, c: { token: string; userId: number | null; now: Date }): Promise<CartRow> {
  const at = toDbTime(c.now);
  const [id] = await conn('carts').insert({ token: c.token, user_id: c.userId, created_at: at, updated_at: at });
  await noteOwnerPageChange(conn, c.userId);
  return { id: Number(id), token: c.token, userId: c.userId, promoCodeId: null };
}

export async function setCartUser(conn: Conn, cartId: number, userId: number, now: Date): Promise<void> {
  await conn('carts').where({ id: cartId }).update({ user_id: userId, updated_at: toDbTime(now) });
  await notePageChange(conn, userId);
}

export async function setCartPromo(conn: Conn, cartId: number, promoId: number | null, now: Date): Promise<void> {
  await conn('carts').where({ id: cartId }).update({ promo_code_id: promoId, updated_at: toDbTime(now) });
}

export async function deleteCart(conn: Conn, cartId: number): Promise<void> {
  const owner = await cartOwnerId(conn, cartId);
  await conn('cart_items').where({ cart_id: cartId }).delete();
  await conn('carts').where({ id: cartId }).delete();
  await noteOwnerPageChange(conn, owner);
}

/** A placed order takes the cart's contents and its code: the cart goes (its items cascade). */
export async function dropCart(conn: Conn, cartId: number): Promise<void> {
  const owner = await cartOwnerId(conn, cartId);
  await conn('carts').where({ id: cartId }).delete();
  await noteOwnerPageChange(conn, owner);
}

async function cartOwnerId(conn: Conn, cartId: number): Promise<number | null> {
  const row = await conn('carts').where({ id: cartId }).first('user_id');
  return row?.user_id ?? null;
}

/** A signed-in shopper's cart count changed (src/accounts/page-version.ts); a guest's cart has no owner to tell. */
async function noteOwnerPageChange(conn: Conn, userId: number | null): Promise<void> {
  if (userId !== null) await notePageChange(conn, Number(userId));
}

function lineColumns(conn: Conn) {
  return [
    'ci.id', 'ci.product_id', 'ci.quantity', 'ci.unit_price_cents',
    'p.name', 'p.slug', 'p.images', 'p.condition_grade', 'p.price_cents', 'p.status',
    inStockCount(conn, 'p.id', 'available'),
  ];
}

export async function cartLines(conn: Conn, cartId: number): Promise<CartLineRow[]> {
  const rows = await conn('cart_items as ci')
    .join('products as p', 'p.id', 'ci.product_id')
    .where('ci.cart_id', cartId)
    .select(...lineColumns(conn))
    .orderBy('ci.id');
  return rows.map(toLine);
}

/** The owner's cart and its lines in one round trip (checkout's hot path); null when there is no cart. */
export async function cartWithLines(conn: Conn, owner: { userId: number | null; token: string | null }): Promise<{ cart: CartRow; lines: CartLineRow[] } | null> {
  if (owner.userId === null && !owner.token) return null;
  const q = conn('carts as c')
    .leftJoin('cart_items as ci', 'ci.cart_id', 'c.id')
    .leftJoin('products as p', 'p.id', 'ci.product_id')
    .select('c.id as cart_id', 'c.token as cart_token', 'c.user_id as cart_user_id', 'c.promo_code_id as cart_promo_code_id', ...lineColumns(conn))
    .orderBy('ci.id');
  if (owner.userId !== null) q.where('c.id', conn('carts').where({ user_id: owner.userId }).max('id'));
  else q.where('c.token', owner.token!).whereNull('c.user_id');
  const rows = await q;
  if (rows.length === 0) return null;
  const first = rows[0]!;
  return {
    cart: { id: first.cart_id, token: first.cart_token, userId: first.cart_user_id ?? null, promoCodeId: first.cart_promo_code_id ?? null },
    lines: rows.filter((r) => r.id !== null).map(toLine),
  };
}

function toLine(r: Row): CartLineRow {
  let image: string | null = null;
  try {
    const first = (JSON.parse(r.images ?? '[]') as string[])[0];
    image = first ? smallImage(first) : null;
  } catch {
    image = null;
  }
  return {
    id: r.id,
    productId: r.product_id,
    quantity: r.quantity,
    addedPriceCents: r.unit_price_cents,
    name: r.name,
    slug: r.slug,
    image,
    conditionGrade: r.condition_grade,
    priceCents: r.price_cents,
    active: r.status === 'active',
    available: Number(r.available),
  };
}

export async function cartLine(conn: Conn, cartId: number, itemId: number): Promise<{ id: number; productId: number; quantity: number } | null> {
  const row = await conn('cart_items').where({ id: itemId, cart_id: cartId }).first('id', 'product_id', 'quantity');
  return row ? { id: row.id, productId: row.product_id, quantity: row.quantity } : null;
}

export async function lineForProduct(conn: Conn, cartId: number, productId: number): Promise<{ id: number; quantity: number } | null> {
  const row = await conn('cart_items').where({ cart_id: cartId, product_id: productId }).first('id', 'quantity');
  return row ? { id: row.id, quantity: row.quantity } : null;
}

/** Sets a line's quantity and price snapshot, creating the line when missing. */
export async function putLine(conn: Conn, l: { cartId: number; productId: number; quantity: number; priceCents: number; now: Date }): Promise<void> {
  const at = toDbTime(l.now);
  await conn('cart_items')
    .insert({ cart_id: l.cartId, product_id: l.productId, quantity: l.quantity, unit_price_cents: l.priceCents, created_at: at, updated_at: at })
    .onConflict(['cart_id', 'product_id'])
    .merge({ quantity: l.quantity, unit_price_cents: l.priceCents, updated_at: at });
  await conn('carts').where({ id: l.cartId }).update({ updated_at: at });
  await noteOwnerPageChange(conn, await cartOwnerId(conn, l.cartId));
}

export async function setLineQuantity(conn: Conn, itemId: number, quantity: number, now: Date): Promise<void> {
  await conn('cart_items').where({ id: itemId }).update({ quantity, updated_at: toDbTime(now) });
  const line = await conn('carts as c').join('cart_items as ci', 'ci.cart_id', 'c.id').where('ci.id', itemId).first('c.user_id');
  await noteOwnerPageChange(conn, line?.user_id ?? null);
}

/** Accepts the current prices: the shopper has now been shown them. */
export async function refreshSnapshots(conn: Conn, cartId: number, now: Date): Promise<void> {
  const lines = await cartLines(conn, cartId);
  for (const l of lines) {
    if (l.addedPriceCents !== l.priceCents) {
      await conn('cart_items').where({ id: l.id }).update({ unit_price_cents: l.priceCents, updated_at: toDbTime(now) });
    }
  }
}

export async function deleteLine(conn: Conn, cartId: number, itemId: number): Promise<number> {
  const deleted = await conn('cart_items').where({ id: itemId, cart_id: cartId }).delete();
  if (deleted) await noteOwnerPageChange(conn, await cartOwnerId(conn, cartId));
  return deleted;
}

export async function itemCount(conn: Conn, where: { token?: string; userId?: number }): Promise<number> {
  const q = conn('cart_items as ci').join('carts as c', 'c.id', 'ci.cart_id').sum({ n: 'ci.quantity' });
  if (where.userId !== undefined) q.where('c.user_id', where.userId);
  else q.where('c.token', where.token!).whereNull('c.user_id');
  const row = (await q.first()) as { n: number | string | null } | undefined;
  return Number(row?.n ?? 0);
}

export interface ProductForCart {
  id: number;
  name: string;
  priceCents: number;
  active: boolean;
  available: number;
}

export async function productForCart(conn: Conn, productId: number): Promise<ProductForCart | null> {
  const row = await conn('products as p')
    .where('p.id', productId)
    .first(
      'p.id', 'p.name', 'p.price_cents', 'p.status',
      inStockCount(conn, 'p.id', 'available'),
    );
  if (!row) return null;
  return { id: row.id, name: row.name, priceCents: row.price_cents, active: row.status === 'active', available: Number(row.available) };
}
