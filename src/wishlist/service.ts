import type { Db } from '../db';
import { NotFoundError } from '../http/errors';
import type { JobRegistry } from '../jobs/registry';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/log';
import { registerWishlistJobs } from './alerts';
import * as repo from './repo';

export const UNKNOWN_PRODUCT = 'We could not find that product.';

export interface WishlistPage {
  entries: repo.WishlistEntry[];
  pages: number;
  /** Whether the customer gets back-in-stock and price-drop alerts (profile). */
  alertsOn: boolean;
}

/**
 * Customers' wishlists: saving and removing products (both idempotent), the
 * list with today's price and stock, and the alerts when a saved product is
 * back in stock or cheaper (alerts.ts).
 */
export class WishlistService {
  constructor(private readonly deps: { db: Db; clock: Clock; logger: Logger; currency: string }) {}

  /** The wishlist.alert job kind. */
  registerJobs(registry: JobRegistry): void {
    registerWishlistJobs(registry, this.deps);
  }

  /** A product that can be saved (one on sale); a 404 for anything else. */
  async saveable(productId: number): Promise<repo.WishedProduct> {
    const product = await repo.productById(this.deps.db, productId);
    if (!product || product.status !== 'active') throw new NotFoundError(UNKNOWN_PRODUCT);
    return product;
  }

  /** Saves a product on sale; saving it again changes nothing. */
  async add(userId: number, productId: number): Promise<repo.WishedProduct> {
    const product = await this.saveable(productId);
    await repo.addItem(this.deps.db, userId, product.id, this.deps.clock.now());
    return product;
  }

  /** Takes a product off the wishlist (any product that exists, also one no longer sold); removing it again changes nothing. */
  async remove(userId: number, productId: number): Promise<repo.WishedProduct> {
    const product = await repo.productById(this.deps.db, productId);
    if (!product) throw new NotFoundError(UNKNOWN_PRODUCT);
    await repo.removeItem(this.deps.db, userId, product.id);
    return product;
  }

  async list(userId: number, page: number, perPage: number): Promise<WishlistPage> {
    const { db } = this.deps;
    const [entries, total, alertsOn] = await Promise.all([repo.listItems(db, userId, perPage, (page - 1) * perPage), repo.countItems(db, userId), repo.alertsWanted(db, userId)]);
    return { entries, pages: Math.max(1, Math.ceil(total / perPage)), alertsOn };
  }

  /** Which of these products the customer has saved. */
  savedAmong(userId: number, productIds: readonly number[]): Promise<number[]> {
    return repo.savedAmong(this.deps.db, userId, productIds);
  }

  /** Every product the customer has saved (for pages answered from src/http/shopper-pages.ts). */
  savedProductIds(userId: number): Promise<number[]> {
    return repo.savedProductIds(this.deps.db, userId);
  }
}
