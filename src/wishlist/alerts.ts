import { inTransaction, type Conn, type Db } from '../db';
import { enqueue } from '../jobs/queue';
import type { JobRegistry } from '../jobs/registry';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/log';
import { formatMoney } from '../lib/money';
import { enqueueMail } from '../mail/service';
import { notify } from '../notifications/repo';
import * as repo from './repo';

/**
 * Wishlist alerts: a wishlisted product came back in stock (its in-stock
 * count went from 0 to more) or its price dropped.
 *
 * Where the change happens, in its transaction, the event is written as one
 * job (outbox) with a key naming the event, so it is queued once however
 * often it is reported:
 *  - back in stock: the product and its latest move out of stock, i.e. the
 *    sell-out this restock ends (two restocks racing after one sell-out are
 *    one event; the next restock follows a newer sell-out);
 *  - price drop: the product and the version the save gave it.
 * The job tells each customer who saved the product and did not opt out
 * once: an in-app notification and an e-mail, in one transaction with a
 * wishlist_alerts_sent row whose unique key (event, customer) keeps a second
 * run or a second worker from telling anyone again.
 */

export const WISHLIST_ALERT_JOB = 'wishlist.alert';

export type WishlistEvent =
  | { kind: 'back_in_stock'; productId: number; eventKey: string }
  | { kind: 'price_drop'; productId: number; eventKey: string; fromCents: number; toCents: number };

async function queueEvent(conn: Conn, event: WishlistEvent, now: Date): Promise<void> {
  if (!(await repo.isWished(conn, event.productId))) return;
  await enqueue(conn, WISHLIST_ALERT_JOB, event, { uniqueKey: `wishlist:${event.eventKey}`, clock: { now: () => now } });
}

/**
 * Units of these products (id → how many) have just come into stock in the
 * caller's transaction: the products that had none before are back in stock.
 */
export async function recordStockArrivals(conn: Conn, arrivals: ReadonlyMap<number, number>, now: Date): Promise<void> {
  for (const [productId, arrived] of arrivals) {
    if (arrived <= 0 || (await repo.unitsInStock(conn, productId)) !== arrived) continue;
    const soldOut = await repo.lastStockOut(conn, productId);
    await queueEvent(conn, { kind: 'back_in_stock', productId, eventKey: `restock:${productId}:${soldOut}` }, now);
  }
}

/** A save in the caller's transaction changed a product's price (and gave it `version`): a lower price is a price drop. */
export async function recordPriceChange(conn: Conn, change: { productId: number; fromCents: number; toCents: number; version: number }, now: Date): Promise<void> {
  if (change.toCents >= change.fromCents) return;
  const { productId, fromCents, toCents } = change;
  await queueEvent(conn, { kind: 'price_drop', productId, eventKey: `price:${productId}:v${change.version}`, fromCents, toCents }, now);
}

export interface AlertDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  currency: string;
}

/**
 * Tells the customers of one event; returns how many were told by this run.
 * Nothing is sent when the news is stale by now: the product is no longer
 * sold, sold out again, or no longer cheaper than before the drop.
 */
export async function deliverEvent(deps: AlertDeps, event: WishlistEvent): Promise<number> {
  const product = await repo.productById(deps.db, event.productId);
  if (!product || product.status !== 'active') return 0;
  if (event.kind === 'back_in_stock' && product.inStock === 0) return 0;
  if (event.kind === 'price_drop' && product.priceCents >= event.fromCents) return 0;
  const url = `/products/${product.slug}`;
  const money = (cents: number) => formatMoney(cents, deps.currency);
  let told = 0;
  for (const r of await repo.alertRecipients(deps.db, product.id)) {
    await inTransaction(deps.db, async (trx) => {
      const now = deps.clock.now();
      if (!(await repo.markAlerted(trx, event.eventKey, r.userId, product.id, now))) return;
      const news =
        event.kind === 'back_in_stock'
          ? { title: `Back in stock: ${product.name}`, body: `${product.name}, on your wishlist, is back in stock.`, template: 'back-in-stock' }
          : { title: `Price drop: ${product.name}`, body: `${product.name}, on your wishlist, now costs ${money(product.priceCents)} (was ${money(event.fromCents)}).`, template: 'price-drop' };
      await notify(trx, { userId: r.userId, kind: event.kind, title: news.title, body: news.body, url }, now);
      await enqueueMail(
        trx,
        {
          to: r.email,
          template: news.template,
          data: {
            firstName: r.firstName,
            name: product.name,
            productPath: url,
            priceCents: product.priceCents,
            inStock: product.inStock,
            ...(event.kind === 'price_drop' ? { wasCents: event.fromCents } : {}),
          },
        },
        { uniqueKey: `wishlist-mail:${event.eventKey}:${r.userId}`, clock: deps.clock },
      );
      told++;
    });
  }
  if (told) deps.logger.info({ event: `wishlist.${event.kind}`, productId: product.id, told }, 'wishlist alert sent');
  return told;
}

export function registerWishlistJobs(registry: JobRegistry, deps: AlertDeps): void {
  registry.register<WishlistEvent>(WISHLIST_ALERT_JOB, async (event) => {
    await deliverEvent(deps, event);
  });
}
