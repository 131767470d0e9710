import type { Db } from '../db';
import { BadRequestError } from '../http/errors';
import { TtlCache } from '../lib/ttl-cache';
import type { GuestPage, GuestPageStore } from '../http/page-cache';
import { RENTAL_TERMS, monthlyFor, rentalQuote, type RentalQuote, type RentalTerm } from '../rentals/quote';
import { computeFacets, type Facet } from './facets';
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
}

const CACHE_TTL_MS = 30_000;

export interface CatalogOptions {
  /** Answer searches from the in-memory search index (live-search-index.ts); false: always the database's full-text index. */
  searchIndex?: boolean;
}

/**
 * Catalog reads, cached in-process for a short time (30 s). Anything that
 * changes products, categories or stock calls invalidate(), so a change shows
 * on the next request. Searches are answered by the in-memory search index
 * when it is ready, else by the database's full-text index.
 */
export class CatalogService {
  private readonly cache = new TtlCache<unknown>(CACHE_TTL_MS, 2000);
  private readonly pages = new TtlCache<string>(CACHE_TTL_MS, 500);
  private readonly guestPages = new TtlCache<GuestPage>(CACHE_TTL_MS, 500);
  private readonly searchIndex: LiveSearchIndex | null;

  constructor(
    private readonly db: Db,
    options: CatalogOptions = {},
  ) {
    this.searchIndex = options.searchIndex === false ? null : new LiveSearchIndex(db, CACHE_TTL_MS);
  }

  /** Forgets every cached read and rendered page: call after any change to products, categories or stock. */
  invalidate(): void {
    this.clearCaches();
    this.searchIndex?.invalidate();
  }

  private clearCaches(): void {
    this.cache.clear();
    this.pages.clear();
    this.guestPages.clear();
  }

  /**
   * An order reserved units of these products. The search index re-reads
   * whether they are in stock, so "in stock only" never lists one that just
   * sold out; when one did sell out, cached pages go too, so no page offers
   * it for sale. Otherwise cached pages keep their 30 s lifetime (stock counts
   * on them may lag by that much), and stock coming back (cancel, expiry) is
   * picked up by the index's periodic check.
   */
  async stockChanged(productIds: number[]): Promise<void> {
    const named = [...new Set(productIds)];
    if (!named.length) return;
    const inStock = await repo.inStockProductIds(this.db, named);
    this.searchIndex?.setStockOf(named, inStock);
    if (inStock.length < named.length) this.clearCaches();
  }

  /** Builds the search index ahead of the first search (at start-up); true once searches use it. */
  async warmSearchIndex(): Promise<boolean> {
    return Boolean(await this.searchIndex?.warm());
  }

  /** Whole pages as guests see them (src/http/page-cache.ts), cached like the data they show. */
  guestPage(key: string, render: () => Promise<GuestPage>): Promise<GuestPage> {
    return this.guestPages.get(key, render);
  }

  /** For serveGuestPages: a guest page, only when it is cached and fresh. */
  readonly guestPageStore: GuestPageStore = { peek: (key) => this.guestPages.peek(key) };

  /** A rendered page body (see fragments.ts), cached like the data it shows. */
  renderedPage(key: string, render: () => Promise<string>): Promise<string> {
    return this.pages.get(key, render);
  }

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
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

  /** Filtered, sorted, paginated products with facet counts. A page past the end has no items. */
  listing(f: ProductFilters): Promise<Listing> {
    return this.cached(`listing:${JSON.stringify(f)}`, () => this.loadListing(f));
  }

  private async loadListing(f: ProductFilters): Promise<Listing> {
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
    const { combos, items } = await this.search(filter, f);
    const { total, facets, byCategory } = computeFacets(combos, filter);
    const children = all.filter((c) => c.parentId === (category?.id ?? null));
    const subcategories = children
      .map((c) => ({ category: c, count: descendantIds(all, c.id).reduce((n, id) => n + (byCategory.get(id) ?? 0), 0) }))
      .filter((c) => c.count > 0);
    return { items, total, page: f.page, perPage: f.perPage, pages: Math.max(1, Math.ceil(total / f.perPage)), facets, category, subcategories };
  }

  /** The facet combinations of every match and one page of products: from the search index when it can answer, else the database. */
  private async search(filter: repo.ListFilter, f: ProductFilters): Promise<{ combos: repo.FacetCombo[]; items: repo.ProductSummary[] }> {
    const offset = (f.page - 1) * f.perPage;
    const index = filter.words.length ? this.searchIndex?.current() : null;
    if (index) {
      const hits = index.search(filter, f.sort, f.perPage, offset);
      return { combos: hits.combos, items: await repo.productsByIds(this.db, hits.ids) };
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
      return { product, category, trail: trail(all, category), quotes: quotesFor(product) };
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
