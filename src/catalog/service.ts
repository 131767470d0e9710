import type { Db } from '../db';
import type { CatalogChange, CatalogEvents } from './changes';
import { BadRequestError } from '../http/errors';
import { Throttled } from '../lib/throttled';
import { TtlCache } from '../lib/ttl-cache';
import type { GuestPage, GuestPageStore, ShopperPage } from '../http/page-cache';
import { shopperPageUrl, type ShopperPageStore } from '../http/shopper-pages';
import { RENTAL_TERMS, monthlyFor, rentalQuote, type RentalQuote, type RentalTerm } from '../rentals/quote';
import { computeFacets, type Facet } from './facets';
import { familyChoices, type FamilyChoice } from './families';
import { pickFilters } from './filters';
import * as repo from './repo';
import type { ProductFilters } from './schemas';
import { searchWords } from './search';
import { LiveSearchIndex } from './live-search-index';

export interface CategoryNode extends repo.Category {
  children: repo.Category[];
}

export interface CategoryCount {
  category: repo.Category;
  count: number;
}

export interface Listing {
  items: repo.ProductSummary[];
  total: number;
  page: number;
  perPage: number;
  pages: number;
  facets: Facet[];
  /** The filtered category, when there is one. */
  category: repo.Category | null;
  /** Categories one level below the filtered one (top level without a category filter), with counts. */
  subcategories: CategoryCount[];
}

export interface ProductPage {
  product: repo.ProductDetail;
  category: repo.Category | null;
  /** Top-down path of categories, for breadcrumbs. */
  trail: repo.Category[];
  quotes: RentalQuote[];
  /** The family chooser (families.ts): empty unless the product has a family with other products in it. */
  family: FamilyChoice[];
}

const CACHE_TTL_MS = 30_000;

export interface CatalogOptions {
  /** Answer searches from the in-memory search index (live-search-index.ts); false: always the database's full-text index. */
  searchIndex?: boolean;
  /** How often to look for other processes' changes (CATALOG_REFRESH_SECONDS; default 5 s). */
  refreshMs?: number;
  now?: () => number;
}

/**
 * Catalog reads, cached in-process for a short time (30 s): data, rendered
 * page bodies and whole guest pages. Listings, searches or not, are answered
 * by the in-memory search index when it is ready, else by the database.
 *
 * Whatever changes what the catalog shows calls changed() (CatalogEvents,
 * changes.ts) once the change is committed; it is then shown as follows:
 *  - product, price, rating, category: on the next request. Every cached read
 *    and page is dropped and the search index rebuilt (searches use the
 *    database meanwhile).
 *  - stock: the search index's in-stock flags of those products are updated
 *    at once. When a product sold out or came back in stock, every cached
 *    page is dropped too, so none offers a product that cannot be bought or
 *    hides one that can. When only counts changed, the products' own pages
 *    (data and pages, any URL of them) are dropped and show the new count on
 *    the next request; listings and other pages keep their 30 s lifetime, so
 *    a count on a product card may lag by that much. Without a search index
 *    to compare with (SEARCH_INDEX=database, or while it builds) a stock
 *    change cannot tell counts from sold-out and drops every cached page.
 *
 * Changes made by other processes (web processes and workers on one
 * database) are noticed through the catalog fingerprint (products' count
 * and last update, the last stock movement), read in the background at most
 * once per `refreshMs` while the catalog is being read: a product change
 * drops every cached read and page and rebuilds the search index (the old
 * one answers meanwhile); a stock change reloads the index's in-stock flags
 * and drops every cached page when a product sold out or came back (without
 * an index to tell, whenever stock moved). So another process's change
 * shows within `refreshMs` (plus a rebuild for searches; about 1.5 s at
 * 100,000 products), and at worst within the 30 s cache lifetime.
 */
export class CatalogService implements CatalogEvents {
  private readonly cache = new TtlCache<unknown>(CACHE_TTL_MS, 2000);
  private readonly pages = new TtlCache<unknown>(CACHE_TTL_MS, 500);
  private readonly guestPages = new TtlCache<GuestPage>(CACHE_TTL_MS, 500);
  private readonly shopperPages = new TtlCache<ShopperPage>(CACHE_TTL_MS, 500);
  private readonly apiResponses = new TtlCache<unknown>(CACHE_TTL_MS, 200);
  private readonly searchIndex: LiveSearchIndex | null;
  /** Products whose stock changed and has not been read yet, and the chain of reads (see readStock). */
  private readonly stockToRead = new Set<number>();
  private stockReads: Promise<void> = Promise.resolve();
  /** The catalog fingerprint at the last look for other processes' changes, and those looks (at most one per refreshMs). */
  private seen: repo.CatalogFingerprint | null = null;
  private readonly looks: Throttled;
  /** How many times cached pages were dropped (see readsSince). */
  private drops = 0;
  private readonly now: () => number;

  constructor(
    private readonly db: Db,
    options: CatalogOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.searchIndex = options.searchIndex === false ? null : new LiveSearchIndex(db, CACHE_TTL_MS, this.now);
    this.looks = new Throttled(() => this.noticeChanges(), options.refreshMs ?? 5000, this.now);
  }

  /** Starts a background look for other processes' changes when one is due; called on every catalog read. */
  private lookForChanges(): void {
    this.looks.due(); // a failed look is left to the next one; meanwhile the cache lifetime bounds staleness
  }

  /** One look (see the class comment); resolves once caches and the search index reflect what it saw. */
  async noticeChanges(): Promise<void> {
    const fingerprint = await repo.catalogFingerprint(this.db);
    const before = this.seen;
    this.seen = fingerprint;
    const productsChanged = before !== null && fingerprint.products !== before.products;
    // Pages read from the database show the change at once…
    if (productsChanged) this.clearCaches();
    const synced = this.searchIndex ? await this.searchIndex.sync(fingerprint) : null;
    // …and once the search index is rebuilt, so are pages rendered from the old one meanwhile.
    if (synced === 'rebuilt' || (before !== null && fingerprint.stock !== before.stock && synced !== 0)) this.clearCaches();
  }

  /** Shows a committed change as the class comment says; resolves once the caches and the search index reflect it. */
  async changed(change: CatalogChange): Promise<void> {
    if (change.what !== 'stock') {
      this.clearCaches();
      this.searchIndex?.invalidate();
      return;
    }
    for (const id of change.productIds) this.stockToRead.add(id);
    const run = this.stockReads.then(() => this.readStock());
    this.stockReads = run.catch(() => undefined);
    return run;
  }

  /**
   * Reads the stock of every product named since the last read, one read at
   * a time: a later read always sees at least what an earlier one saw, so an
   * older answer never overwrites a newer one, and a burst of orders shares
   * reads. A failed read drops every cached page, as it cannot tell.
   */
  private async readStock(): Promise<void> {
    const ids = [...this.stockToRead];
    this.stockToRead.clear();
    if (!ids.length) return; // an earlier read took these ids
    try {
      const levels = await repo.stockLevels(this.db, ids);
      const flipped = this.searchIndex?.setStockOf(ids, levels.filter((l) => l.inStock > 0).map((l) => l.id)) ?? null;
      if (flipped === false) levels.forEach((l) => this.forgetProductPage(l));
      else this.clearCaches();
    } catch (err) {
      this.clearCaches();
      throw err;
    }
  }

  /** Drops one product's cached data and pages, under any URL of its page. */
  private forgetProductPage(p: { id: number; slug: string }): void {
    this.cache.delete(`product:${p.id}`);
    this.cache.delete(`product-page:${p.slug}`);
    const bodies = productBodyKey(p.slug, '');
    this.pages.deleteWhere((key) => key.startsWith(bodies));
    const path = `/products/${p.slug}`;
    this.drops++;
    // Express matches paths case-insensitively and with a trailing slash, so the cache may hold the page under such URLs too.
    const isThisPage = (url: string) => url.split('?')[0]!.replace(/\/+$/, '').toLowerCase() === path;
    this.guestPages.deleteWhere(isThisPage);
    this.shopperPages.deleteWhere((key) => isThisPage(shopperPageUrl(key)));
  }

  private clearCaches(): void {
    this.drops++;
    this.cache.clear();
    this.pages.clear();
    this.guestPages.clear();
    this.shopperPages.clear();
    this.apiResponses.clear();
  }

  /** Builds the search index ahead of the first search (at start-up); true once searches use it. */
  async warmSearchIndex(): Promise<boolean> {
    return Boolean(await this.searchIndex?.warm());
  }

  /**
   * A mark to give renderedPage() and guestPage() when a page is rendered
   * from data read before they are called (a route reads its product or
   * listing first): if cached pages were dropped since the mark, that data
   * may predate the change that dropped them, so the page is rendered but
   * not kept. (A load that is already under way when pages are dropped is
   * never kept either: see TtlCache.)
   */
  readsSince(): number {
    return this.drops;
  }

  /** Whole pages as guests see them (src/http/page-cache.ts), cached like the data they show; `since`: see readsSince(). */
  guestPage(key: string, render: () => Promise<GuestPage>, since = this.drops): Promise<GuestPage> {
    return this.keep(this.guestPages, key, render, since);
  }

  /** For serveGuestPages: a guest page, only when it is cached and fresh. */
  readonly guestPageStore: GuestPageStore = { peek: (key) => this.peek(this.guestPages, key) };

  /** Whole pages as signed-in shoppers see them, with slots for their own values (src/http/shopper-pages.ts); `since`: see readsSince(). */
  shopperPage(key: string, render: () => Promise<ShopperPage>, since = this.drops): Promise<ShopperPage> {
    return this.keep(this.shopperPages, key, render, since);
  }

  /** For serveShopperPages: a shopper page, only when it is cached and fresh. */
  readonly shopperPageStore: ShopperPageStore = { peek: (key) => this.peek(this.shopperPages, key) };

  /** A rendered page body (see fragments.ts) or an encoded API response body, cached like the data it shows; `since`: see readsSince(). */
  renderedPage<T = string>(key: string, render: () => Promise<T>, since = this.drops): Promise<T> {
    return this.keep(this.pages as TtlCache<T>, key, render, since);
  }

  /** A JSON API response by its URL (src/api/routes.ts), cached like the data it shows; `since`: see readsSince(). */
  apiResponse<T>(url: string, render: () => Promise<T>, since = this.drops): Promise<T> {
    return this.keep(this.apiResponses as TtlCache<T>, url, render, since);
  }

  /** For serveCachedApiResponses: an API response, only when it is cached and fresh. */
  apiResponseOf<T>(url: string): T | undefined {
    return this.peek(this.apiResponses as TtlCache<T>, url);
  }

  /** A page from `pages`, or rendered and kept there unless pages were dropped `since`. */
  private keep<T>(pages: TtlCache<T>, key: string, render: () => Promise<T>, since: number): Promise<T> {
    this.lookForChanges();
    return since === this.drops ? pages.get(key, render) : render();
  }

  private peek<T>(pages: TtlCache<T>, key: string): T | undefined {
    this.lookForChanges();
    return pages.peek(key);
  }

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    this.lookForChanges();
    return this.cache.get(key, load) as Promise<T>;
  }

  categories(): Promise<repo.Category[]> {
    return this.cached('categories', () => repo.listCategories(this.db));
  }

  /** Top-level categories with their direct children, in display order. */
  categoryTree(): Promise<CategoryNode[]> {
    return this.cached('category-tree', async () => {
      const all = await this.categories();
      return all
        .filter((c) => c.parentId === null)
        .map((c) => ({ ...c, children: all.filter((child) => child.parentId === c.id) }));
    });
  }

  async categoryBySlug(slug: string): Promise<repo.Category | null> {
    return (await this.categories()).find((c) => c.slug === slug) ?? null;
  }

  featured(limit = 8): Promise<repo.ProductSummary[]> {
    return this.cached(`featured:${limit}`, () => repo.featuredProducts(this.db, limit));
  }

  /**
   * Filtered, sorted, paginated products with facet counts. A page past the
   * end has no items. `byFamily` lists each product family once, by its
   * cheapest matching product with the family's offer (repo.pageOfFamilies);
   * then `total` and the pages count what is listed, while facet counts stay
   * counts of products.
   */
  listing(f: ProductFilters, options: { byFamily?: boolean } = {}): Promise<Listing> {
    const byFamily = options.byFamily ?? false;
    return this.cached(`listing:${byFamily ? 'families:' : ''}${JSON.stringify(f)}`, () => this.loadListing(f, byFamily));
  }

  private async loadListing(f: ProductFilters, byFamily: boolean): Promise<Listing> {
    const all = await this.categories();
    let category: repo.Category | null = null;
    let categoryIds: number[] | null = null;
    if (f.category) {
      category = all.find((c) => c.slug === f.category) ?? null;
      if (!category) throw new BadRequestError(`There is no category "${f.category}".`, { fields: { category: 'unknown category' } });
      categoryIds = descendantIds(all, category.id);
    }
    const words = searchWords(f.q);
    const filter: repo.ListFilter = {
      words,
      noMatch: f.q !== '' && words.length === 0,
      categoryIds,
      ...pickFilters(f),
      minPriceCents: f.minPriceCents,
      maxPriceCents: f.maxPriceCents,
      inStock: f.inStock,
    };
    const { combos, items, listed } = await this.search(filter, f, byFamily);
    const { total: products, facets, byCategory } = computeFacets(combos, filter);
    const total = listed ?? products;
    const children = all.filter((c) => c.parentId === (category?.id ?? null));
    const subcategories = children
      .map((c) => ({ category: c, count: descendantIds(all, c.id).reduce((n, id) => n + (byCategory.get(id) ?? 0), 0) }))
      .filter((c) => c.count > 0);
    return { items, total, page: f.page, perPage: f.perPage, pages: Math.max(1, Math.ceil(total / f.perPage)), facets, category, subcategories };
  }

  /**
   * The facet combinations of every match and one page of products: from the
   * search index when it is ready (searches and listings without words alike),
   * else the database.
   */
  private async search(
    filter: repo.ListFilter,
    f: ProductFilters,
    byFamily: boolean,
  ): Promise<{ combos: repo.FacetCombo[]; items: repo.ProductSummary[]; listed?: number }> {
    const offset = (f.page - 1) * f.perPage;
    const index = this.searchIndex?.current();
    if (index) {
      const hits = index.search(filter, f.sort, f.perPage, offset, byFamily);
      const items = await repo.productsByIds(this.db, hits.ids);
      if (!hits.families) return { combos: hits.combos, items };
      const offers = hits.families.offers;
      return { combos: hits.combos, items: items.map((p) => (offers.has(p.id) ? { ...p, family: offers.get(p.id)! } : p)), listed: hits.families.total };
    }
    if (byFamily) {
      const [combos, page] = await Promise.all([repo.facetCombos(this.db, filter), repo.pageOfFamilies(this.db, filter, f.sort, f.perPage, offset)]);
      return { combos, items: page.items, listed: page.total };
    }
    const [combos, items] = await Promise.all([
      repo.facetCombos(this.db, filter),
      repo.pageOfProducts(this.db, filter, f.sort, f.perPage, offset),
    ]);
    return { combos, items };
  }

  /** A product page's data, or null when no shop-visible product has that slug. */
  productPage(slug: string): Promise<ProductPage | null> {
    return this.cached(`product-page:${slug}`, async () => {
      const product = await repo.findProduct(this.db, { slug });
      if (!product) return null;
      const all = await this.categories();
      const category = all.find((c) => c.id === product.categoryId) ?? null;
      const members = product.familyKey ? await repo.familyMembers(this.db, product.familyKey) : [];
      const family = familyChoices({ id: product.id, slug: product.slug, grade: product.conditionGrade, priceCents: product.priceCents, inStock: product.inStock, specs: product.specifications }, members);
      return { product, category, trail: trail(all, category), quotes: quotesFor(product), family };
    });
  }

  /** Known search words, for "did you mean" on an empty result. */
  vocabulary(): Promise<Set<string>> {
    return this.cached('vocabulary', async () => {
      const texts = await repo.searchVocabularySources(this.db, 5000);
      return new Set(texts.flatMap((t) => searchWords(t)).filter((w) => w.length >= 3 && !/^\d+$/.test(w)));
    });
  }

  productById(id: number): Promise<repo.ProductDetail | null> {
    return this.cached(`product:${id}`, () => repo.findProduct(this.db, { id }));
  }

  related(product: repo.ProductDetail, limit = 4): Promise<repo.ProductSummary[]> {
    return this.cached(`related:${product.id}:${limit}`, () => repo.relatedProducts(this.db, product, limit));
  }
}

/**
 * The cache key of a product page's rendered body, for one calculator term
 * and `dated`: what else the body depends on (the calculator schedule's
 * signing date and policy, the page of reviews). The keys of one product all start with productBodyKey(slug, '').
 */
export function productBodyKey(slug: string, term: RentalTerm | '', dated = ''): string {
  return `product:${slug}:${term}${dated ? `:${dated}` : ''}`;
}

export function quotesFor(p: repo.ProductDetail): RentalQuote[] {
  return RENTAL_TERMS.map((term) => quoteFor(p, term));
}

export function quoteFor(p: repo.ProductDetail, term: RentalTerm): RentalQuote {
  return rentalQuote(p.priceCents, monthlyFor(p, term), term);
}

function descendantIds(all: repo.Category[], id: number): number[] {
  const ids = [id];
  for (let i = 0; i < ids.length; i++) {
    for (const c of all) if (c.parentId === ids[i] && !ids.includes(c.id)) ids.push(c.id);
  }
  return ids;
}

function trail(all: repo.Category[], category: repo.Category | null): repo.Category[] {
  const path: repo.Category[] = [];
  for (let c = category; c && path.length < 10; c = all.find((x) => x.id === c!.parentId) ?? null) path.unshift(c);
  return path;
}
