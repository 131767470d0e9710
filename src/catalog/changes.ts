/**
 * How other features tell the catalog that what it shows has changed. They
 * depend on CatalogEvents only, not on the catalog service, and call
 * changed() after the change is committed:
 *
 *  - product, price, rating or category: anything on a product or category
 *    other than its stock (admin edits, imports, approved reviews);
 *  - stock: units of these products came into or left stock (orders, expiry,
 *    cancellation, returns, units received or retired).
 *
 * What the catalog then forgets is its own business (CatalogService.changed).
 */

export type CatalogChange =
  | { what: 'stock'; productIds: readonly number[] }
  | { what: 'product' | 'price' | 'rating' | 'category'; productIds?: readonly number[] };

export interface CatalogEvents {
  changed(change: CatalogChange): Promise<void>;
}

/** For code and tests that run without a catalog to tell. */
export const noCatalogEvents: CatalogEvents = { changed: async () => {} };
