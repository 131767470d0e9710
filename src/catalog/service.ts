import type { Db } from '../db';
import { TtlCache } from '../lib/ttl-cache';
import * as repo from './repo';

export interface CategoryNode extends repo.Category {
  children: repo.Category[];
}

/**
 * Catalog reads, cached in-process for a short time. Anything that changes
 * products or categories calls invalidate().
 */
export class CatalogService {
  private readonly cache = new TtlCache<unknown>(30_000);

  constructor(private readonly db: Db) {}

  invalidate(): void {
    this.cache.clear();
  }

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    return this.cache.get(key, load) as Promise<T>;
  }

  /** Top-level categories with their direct children, in display order. */
  categoryTree(): Promise<CategoryNode[]> {
    return this.cached('category-tree', async () => {
      const all = await repo.listCategories(this.db);
      return all
        .filter((c) => c.parentId === null)
        .map((c) => ({ ...c, children: all.filter((child) => child.parentId === c.id) }));
    });
  }

  featured(limit = 8): Promise<repo.ProductSummary[]> {
    return this.cached(`featured:${limit}`, () => repo.featuredProducts(this.db, limit));
  }
}
