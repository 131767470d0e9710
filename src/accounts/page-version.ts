import type { Conn } from '../db';

/**
 * users.page_version (migrations/20261202000001_page_version.ts) moves on
 * with every write that changes what all pages show of a shopper: their
 * cart count, unread notifications, saved products. Those writes call one of
 * these in the same transaction, so a process that finds the version
 * unchanged knows that what it read before still holds
 * (src/http/shopper-pages.ts).
 */
export async function movePageVersion(conn: Conn, userIds: number | readonly number[]): Promise<void> {
  const ids = typeof userIds === 'number' ? [userIds] : [...new Set(userIds)];
  if (ids.length) await conn('users').whereIn('id', ids).increment('page_version', 1);
}

/** For a change to a cart: its owner's (a guest's cart has none). */
export async function movePageVersionOfCart(conn: Conn, cartId: number): Promise<void> {
  await conn('users').whereIn('id', conn('carts').where({ id: cartId }).whereNotNull('user_id').select('user_id')).increment('page_version', 1);
}

/** For a change to one line of a cart. */
export async function movePageVersionOfCartItem(conn: Conn, itemId: number): Promise<void> {
  const owner = conn('carts as c').join('cart_items as ci', 'ci.cart_id', 'c.id').where('ci.id', itemId).whereNotNull('c.user_id').select('c.user_id');
  await conn('users').whereIn('id', owner).increment('page_version', 1);
}
