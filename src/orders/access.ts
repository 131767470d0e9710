import crypto from 'node:crypto';
import type { Order } from './repo';

/**
 * Order numbers are sequential, so a guest proves an order is theirs with a
 * key derived from the number and the server secret (in the confirmation link
 * and e-mails). Signed-in owners need no key.
 */
export function orderAccessKey(number: string, secret: string): string {
  return crypto.createHmac('sha256', secret).update(`order-access:${number}`).digest('base64url').slice(0, 24);
}

export function hasOrderAccess(order: Pick<Order, 'number' | 'userId'>, who: { userId: number | null; key: unknown }, secret: string): boolean {
  if (who.userId !== null && order.userId === who.userId) return true;
  if (typeof who.key !== 'string') return false;
  // Digests have one length whatever was sent (timingSafeEqual throws on unequal lengths).
  return crypto.timingSafeEqual(digest(who.key), digest(orderAccessKey(order.number, secret)));
}

function digest(text: string): Buffer {
  return crypto.createHash('sha256').update(text).digest();
}

/** Where the shopper follows an order: their account page, or the keyed confirmation page for guests. */
export function orderPath(order: Pick<Order, 'number' | 'userId'>, secret: string): string {
  return order.userId !== null
    ? `/account/orders/${order.number}`
    : `/orders/${order.number}/confirmation?key=${orderAccessKey(order.number, secret)}`;
}

export function confirmationPath(order: Pick<Order, 'number'>, secret: string): string {
  return `/orders/${order.number}/confirmation?key=${orderAccessKey(order.number, secret)}`;
}
