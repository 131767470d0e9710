import type { Knex } from 'knex';
import { countRows, isMysql, LIKE_PREFIX, lockedInTransaction, prefixPattern, type Conn } from '../db';
import { fromDbTime, toDbTime } from '../lib/clock';
import { facetValuesOf, FILTERS, type FacetSelection, type FacetValues } from './filters';
import type { Grade } from './grades';
import type { ProductRow, SpecValue } from './product-row';
import type { ProductFields } from './product-input';
import type { Sort } from './schemas';
import { imageSrcset, smallImage } from './image-paths';
import { applySearch, orderByRelevance } from './search';
import { inStockCount, inStockProductIds, unitInStock } from '../inventory/repo';
import type { IndexedProduct } from './search-index';
import type { FamilyMember } from './families';

export interface Category {
  id: number;
  parentId: number | null;
  slug: string;
  name: string;
  description: string | null;
  position: number;
}

export interface ProductSummary {
  id: number;
  slug: string;
  name: string;
  brand: string;
  categoryId: number;
  conditionGrade: Grade;
  priceCents: number;
  rent12Cents: number;
  /** The first image as listed (the API's), and its small size for cards. */
  image: string | null;
  imageSmall: string | null;
  inStock: number;
  ratingAvgX100: number;
  ratingCount: number;
  createdAt: string;
  /** On a listing by family: the family's other products among the matches, when there are any. */
  family?: FamilyOffer;
}

/** What a listing's one card for a family stands for: its matching products, how many grades they come in, and the price of the card's product (the cheapest in stock). */
export interface FamilyOffer {
  products: number;
  grades: number;
  fromCents: number;
}

export interface ProductDetail extends ProductSummary {
  description: string;
  specifications: Record<string, SpecValue>;
  cpuFamily: string | null;
  ramGb: number | null;
  storageGb: number | null;
  screenIn: number | null;
  rent3Cents: number;
  rent6Cents: number;
  warrantyMonths: number;
  images: string[];
  /** The images with their small size and srcset, for the product page's gallery. */
  gallery: Array<{ src: string; small: string; srcset: string | null }>;
  status: 'active' | 'archived';
  updatedAt: string;
  /** The product family it belongs to (families.ts), or null. */
  familyKey: string | null;
}

type Row = Record<string, any>;

export function toCategory(r: Row): Category {
  return {
    id: r.id,
    parentId: r.parent_id ?? null,
    slug: r.slug,
    name: r.name,
    description: r.description ?? null,
    position: r.position,
  };
}

export function parseJson<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function toProductSummary(r: Row): ProductSummary {
  const images = parseJson<string[]>(r.images, []);
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    brand: r.brand,
    categoryId: r.category_id,
    conditionGrade: r.condition_grade,
    priceCents: r.price_cents,
    rent12Cents: r.rent_12_cents,
    image: images[0] ?? null,
    imageSmall: images[0] ? smallImage(images[0]) : null,
    inStock: Number(r.in_stock ?? 0),
    ratingAvgX100: Number(r.rating_avg_x100 ?? 0),
    ratingCount: Number(r.rating_count ?? 0),
    createdAt: String(r.created_at ?? ''),
  };
}

function toProductDetail(r: Row): ProductDetail {
  const specs = parseJson<Record<string, SpecValue>>(r.specifications, {});
  const images = parseJson<string[]>(r.images, []).filter((s) => typeof s === 'string');
  const { cpuFamily, ramGb, storageGb, screenIn } = facetValuesOf(r);
  return {
    ...toProductSummary(r),
    description: r.description,
    specifications: specs && typeof specs === 'object' && !Array.isArray(specs) ? specs : {},
    cpuFamily,
    ramGb,
    storageGb,
    screenIn,
    rent3Cents: r.rent_3_cents,
    rent6Cents: r.rent_6_cents,
    warrantyMonths: r.warranty_months,
    images,
    gallery: images.map((src) => ({ src, small: smallImage(src), srcset: imageSrcset(src) })),
    status: r.status,
    updatedAt: String(r.updated_at ?? ''),
    familyKey: r.family_key ?? null,
  };
}

export const SUMMARY_COLUMNS = [
  'p.id', 'p.slug', 'p.name', 'p.brand', 'p.category_id', 'p.condition_grade',
  'p.price_cents', 'p.rent_12_cents', 'p.images', 'p.rating_avg_x100', 'p.rating_count', 'p.created_at',
];

const DETAIL_COLUMNS = [
  ...SUMMARY_COLUMNS, 'p.description', 'p.specifications', 'p.cpu_family', 'p.ram_gb', 'p.storage_gb', 'p.screen_in',
  'p.rent_3_cents', 'p.rent_6_cents', 'p.warranty_months', 'p.status', 'p.updated_at', 'p.family_key',
];

/** Saleable stock of each product row as `in_stock`. */
export function inStockSubquery(db: Conn) {
  return inStockCount(db, 'p.id', 'in_stock');
}

export async function listCategories(db: Conn): Promise<Category[]> {
  const rows = await db('categories').select('*').orderBy([{ column: 'position' }, { column: 'name' }]);
  return rows.map(toCategory);
}

export async function featuredProducts(db: Conn, limit: number): Promise<ProductSummary[]> {
  const rows = await db('products as p')
    .select(...SUMMARY_COLUMNS, inStockSubquery(db))
    .where({ 'p.status': 'active', 'p.featured': true })
    .orderBy('p.created_at', 'desc')
    .orderBy('p.id', 'desc')
    .limit(limit);
  return rows.map(toProductSummary);
}

/** A shop-visible product (active, or archived and shown as no longer sold); drafts are never found. */
export async function findProduct(db: Conn, by: { slug: string } | { id: number }): Promise<ProductDetail | null> {
  const row = await db('products as p')
    .select(...DETAIL_COLUMNS, inStockSubquery(db))
    .where('slug' in by ? { 'p.slug': by.slug } : { 'p.id': by.id })
    .whereIn('p.status', ['active', 'archived'])
    .first();
  return row ? toProductDetail(row) : null;
}

/** The active products of a family (families.ts), at most `limit`, with their stock. */
export async function familyMembers(db: Conn, familyKey: string, limit = 60): Promise<FamilyMember[]> {
  const rows = await db('products as p')
    .select('p.id', 'p.slug', 'p.condition_grade', 'p.price_cents', 'p.specifications', inStockSubquery(db))
    .where({ 'p.family_key': familyKey, 'p.status': 'active' })
    .orderBy('p.id')
    .limit(limit);
  return rows.map((r: Row) => ({
    id: r.id,
    slug: r.slug,
    grade: r.condition_grade,
    priceCents: r.price_cents,
    inStock: Number(r.in_stock ?? 0),
    specs: parseJson<Record<string, SpecValue>>(r.specifications, {}),
  }));
}

/** Active products of the same category closest in price, outside the product's own family: up to `limit` on each side, merged by distance. */
export async function relatedProducts(db: Conn, p: { id: number; categoryId: number; priceCents: number; familyKey: string | null }, limit: number): Promise<ProductSummary[]> {
  const side = (cmp: '<=' | '>', dir: 'asc' | 'desc') =>
    db('products as p')
      .select(...SUMMARY_COLUMNS, inStockSubquery(db))
      .where({ 'p.status': 'active', 'p.category_id': p.categoryId })
      .whereNot('p.id', p.id)
      .where((q) => (p.familyKey === null ? q : q.whereNull('p.family_key').orWhereNot('p.family_key', p.familyKey)))
      .where('p.price_cents', cmp, p.priceCents)
      .orderBy('p.price_cents', dir)
      .orderBy('p.id', 'asc')
      .limit(limit);
  const [below, above] = await Promise.all([side('<=', 'desc'), side('>', 'asc')]);
  return [...below, ...above]
    .map(toProductSummary)
    .sort((a, b) => Math.abs(a.priceCents - p.priceCents) - Math.abs(b.priceCents - p.priceCents) || a.id - b.id)
    .slice(0, limit);
}

/** The filters shared by the storefront query and the repo: the facet selections (filters.ts), price and stock. */
export interface AttributeFilters extends FacetSelection {
  minPriceCents: number | null;
  maxPriceCents: number | null;
  inStock: boolean;
}

/** Filters as the repo sees them: the category already expanded to ids, the query split into words. */
export interface ListFilter extends AttributeFilters {
  /** Search words; a query that had text but no searchable words matches nothing (see noMatch). */
  words: string[];
  noMatch?: boolean;
  categoryIds: number[] | null;
}

/** Active products matching everything except the facet filters (search, category, price, stock). */
function baseQuery(db: Conn, f: ListFilter, ranked = false): Knex.QueryBuilder {
  const qb = db('products as p').where('p.status', 'active');
  if (f.noMatch) qb.whereRaw('1 = 0');
  if (f.categoryIds) qb.whereIn('p.category_id', f.categoryIds);
  if (f.minPriceCents !== null) qb.where('p.price_cents', '>=', f.minPriceCents);
  if (f.maxPriceCents !== null) qb.where('p.price_cents', '<=', f.maxPriceCents);
  if (f.inStock) {
    qb.whereExists(unitInStock(db, 'p.id'));
  }
  applySearch(db, qb, f.words, ranked);
  return qb;
}

function applyFacetFilters(db: Conn, qb: Knex.QueryBuilder, f: ListFilter): void {
  for (const d of FILTERS) {
    const values: Array<string | number> = f[d.key];
    if (!values.length) continue;
    const col = `p.${d.column}`;
    // Text compares case-insensitively, as MySQL's collation already does.
    if (d.kind === 'text' && !isMysql(db)) qb.whereRaw(`${col} COLLATE NOCASE IN (${values.map(() => '?').join(', ')})`, values);
    else qb.whereIn(col, values);
  }
}

/** Products sharing a category and every facet value, and how many there are. */
export type FacetCombo = FacetValues & { categoryId: number; count: number };

/**
 * One GROUP BY over every facet column at once: each distinct combination of
 * facet values among the products matching the non-facet filters, with its
 * count. Facet counts and the total are derived from these (see facets.ts),
 * so a listing needs two queries however many facets there are.
 */
export async function facetCombos(db: Conn, f: ListFilter): Promise<FacetCombo[]> {
  const cols = ['p.category_id', ...FILTERS.map((d) => `p.${d.column}`)];
  const rows = await baseQuery(db, f).select(...cols).count({ n: '*' }).groupBy(...cols);
  return rows.map((r: Row) => ({ categoryId: r.category_id, ...facetValuesOf(r), count: Number(r.n) }));
}

/** One page of matching products in the requested order. */
export async function pageOfProducts(db: Conn, f: ListFilter, sort: Sort, limit: number, offset: number): Promise<ProductSummary[]> {
  const effective = sort === 'relevance' && !f.words.length ? 'newest' : sort;
  const qb = baseQuery(db, f, effective === 'relevance').select(...SUMMARY_COLUMNS, inStockSubquery(db));
  applyFacetFilters(db, qb, f);
  orderListing(db, qb, effective, f.words);
  const rows = await qb.limit(limit).offset(offset);
  return rows.map(toProductSummary);
}

/** A product's family, or the product itself when it has none, as one SQL expression. */
function familyOf(db: Conn): string {
  return isMysql(db) ? "COALESCE(p.family_key, CONCAT('#', p.id))" : "COALESCE(p.family_key, '#' || p.id)";
}

/**
 * One page of matching products with a family shown once: by its cheapest
 * matching product in stock (the cheapest sold-out one when none is; lowest
 * id on a tie), carrying the family's FamilyOffer, placed where that product
 * sorts. `total` counts what is listed (products
 * without a family and families), for pagination.
 */
export async function pageOfFamilies(db: Conn, f: ListFilter, sort: Sort, limit: number, offset: number): Promise<{ items: ProductSummary[]; total: number }> {
  const effective = sort === 'relevance' && !f.words.length ? 'newest' : sort;
  const ranked = effective === 'relevance';
  const family = familyOf(db);
  const matches = baseQuery(db, f, ranked).select(
    'p.id as match_id',
    // In stock first: the stock read only runs for products in a family.
    db.raw(`ROW_NUMBER() OVER (PARTITION BY ${family} ORDER BY CASE WHEN p.family_key IS NULL THEN 0 WHEN EXISTS ? THEN 0 ELSE 1 END, p.price_cents, p.id) AS family_place`, [unitInStock(db, 'p.id')]),
    db.raw(`COUNT(*) OVER (PARTITION BY ${family}) AS family_products`),
  );
  if (ranked && !isMysql(db)) matches.select('fts.fts_rank');
  applyFacetFilters(db, matches, f);
  const qb = db('products as p')
    .join(matches.as('m'), 'm.match_id', 'p.id')
    .where('m.family_place', 1)
    .select(...SUMMARY_COLUMNS, 'p.family_key', 'm.family_products', inStockSubquery(db), db.raw('COUNT(*) OVER () AS listed_total'));
  orderListing(db, qb, effective, f.words, 'm.fts_rank');
  const rows = await qb.limit(limit).offset(offset);
  const total = rows.length ? Number(rows[0].listed_total) : offset === 0 ? 0 : await countListed(db, matches);
  const items = rows.map(toProductSummary);
  const families = rows.filter((r: Row) => r.family_key !== null && Number(r.family_products) > 1);
  if (families.length) {
    const grades = await familyGrades(db, f, families.map((r: Row) => r.family_key as string));
    for (const item of items) {
      const r = families.find((row: Row) => row.id === item.id);
      if (r) item.family = { products: Number(r.family_products), grades: grades.get(r.family_key) ?? 1, fromCents: item.priceCents };
    }
  }
  return { items, total };
}

/** How many rows a listing by family has, for a page past its end (which holds no row to read the total from). */
async function countListed(db: Conn, matches: Knex.QueryBuilder): Promise<number> {
  const row = await db.from(matches.clone().as('m')).where('m.family_place', 1).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** How many grades each of these families' matching products come in. */
async function familyGrades(db: Conn, f: ListFilter, keys: string[]): Promise<Map<string, number>> {
  const qb = baseQuery(db, f).whereIn('p.family_key', keys).select('p.family_key').countDistinct({ n: 'p.condition_grade' }).groupBy('p.family_key');
  applyFacetFilters(db, qb, f);
  const rows = await qb;
  return new Map(rows.map((r: Row) => [r.family_key as string, Number(r.n)]));
}

/** The listing orders; ties end on the id, so every order is total. */
function orderListing(db: Conn, qb: Knex.QueryBuilder, effective: Sort, words: string[], rankColumn?: string): void {
  const nameOrder = isMysql(db) ? 'p.name' : 'p.name COLLATE NOCASE';
  switch (effective) {
    case 'price_asc':
      qb.orderBy('p.price_cents', 'asc');
      break;
    case 'price_desc':
      qb.orderBy('p.price_cents', 'desc');
      break;
    case 'name':
      qb.orderByRaw(`${nameOrder} ASC`);
      break;
    case 'rating':
      qb.orderBy('p.rating_avg_x100', 'desc').orderBy('p.rating_count', 'desc');
      break;
    case 'relevance':
      orderByRelevance(db, qb, words, rankColumn);
      qb.orderByRaw(`${nameOrder} ASC`);
      break;
    case 'newest':
      qb.orderBy('p.created_at', 'desc');
      break;
  }
  qb.orderBy('p.id', effective === 'newest' ? 'desc' : 'asc');
}

/** Active products by id, in the order of `ids` (a search index page); ids no longer active are left out. */
export async function productsByIds(db: Conn, ids: number[]): Promise<ProductSummary[]> {
  if (!ids.length) return [];
  const rows = await db('products as p').select(...SUMMARY_COLUMNS, inStockSubquery(db)).whereIn('p.id', ids).andWhere('p.status', 'active');
  const byId = new Map(rows.map((r: Row) => [r.id as number, toProductSummary(r)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Every active product as the search index holds it, read in batches of `batch` by id. */
export async function searchIndexRows(db: Conn, batch = 5000): Promise<IndexedProduct[]> {
  const out: IndexedProduct[] = [];
  for await (const rows of searchIndexBatches(db, batch)) out.push(...rows);
  return out;
}

/** Every active product as the search index holds it, `batch` at a time in ascending id order (so a large catalog is never held whole). */
export async function* searchIndexBatches(db: Conn, batch = 5000): AsyncGenerator<IndexedProduct[]> {
  for (let after = 0; ; ) {
    const rows = await db('products')
      .select('id', 'name', 'search_text', 'category_id', ...FILTERS.map((d) => d.column), 'price_cents', 'rating_avg_x100', 'rating_count', 'created_at', 'family_key')
      .where('status', 'active')
      .andWhere('id', '>', after)
      .orderBy('id')
      .limit(batch);
    yield rows.map((r: Row) => ({
      id: r.id,
      name: r.name,
      searchText: r.search_text ?? '',
      categoryId: r.category_id,
      ...facetValuesOf(r),
      priceCents: r.price_cents,
      ratingAvgX100: Number(r.rating_avg_x100 ?? 0),
      ratingCount: Number(r.rating_count ?? 0),
      createdAt: String(r.created_at ?? ''),
      familyKey: r.family_key ?? null,
    }));
    if (rows.length < batch) return;
    after = rows[rows.length - 1].id;
  }
}

export { inStockProductIds };

export interface StockLevel {
  id: number;
  slug: string;
  inStock: number;
}

/** How many units of each of these products are in stock, with the slug its page is found by; unknown ids are left out. */
export async function stockLevels(db: Conn, ids: readonly number[]): Promise<StockLevel[]> {
  if (!ids.length) return [];
  const rows = await db('products as p').select('p.id', 'p.slug', inStockSubquery(db)).whereIn('p.id', ids);
  return rows.map((r: Row) => ({ id: r.id, slug: r.slug, inStock: Number(r.in_stock ?? 0) }));
}

/**
 * What the catalog shows, in a few cheap reads: the products (how many, the
 * latest change, the latest review moderated, the categories) and stock (the
 * latest stock movement). A change in either, by this process or another,
 * changes the fingerprint, provided that whatever changes a product,
 * review or category sets its updated_at and every stock change writes a
 * stock_movements row (SPEC §3), as the stores here do.
 */
export interface CatalogFingerprint {
  products: string;
  stock: string;
}

export async function catalogFingerprint(db: Conn): Promise<CatalogFingerprint> {
  const [products, reviews, categories, stock] = await Promise.all([
    db('products').count({ n: '*' }).max({ at: 'updated_at' }).first(),
    db('reviews').max({ at: 'updated_at' }).first(),
    db('categories').count({ n: '*' }).max({ at: 'updated_at' }).first(),
    db('stock_movements').max({ id: 'id' }).first(),
  ]);
  return {
    products: [products?.n, products?.at, reviews?.at, categories?.n, categories?.at].join('|'),
    stock: String(stock?.id ?? 0),
  };
}

/** Words shoppers may have meant: brands, processor families, category and product names. */
export async function searchVocabularySources(db: Conn, limit: number): Promise<string[]> {
  const [products, categories] = await Promise.all([
    db('products').select('name', 'brand', 'cpu_family').where('status', 'active').orderBy('id', 'desc').limit(limit),
    db('categories').select('name'),
  ]);
  return [...products.flatMap((r: Row) => [r.name, r.brand, r.cpu_family ?? '']), ...categories.map((r: Row) => r.name)];
}

/** A product's image paths in order (locked until commit inside a transaction), or null when there is no such product. */
export async function productImages(conn: Conn, productId: number): Promise<string[] | null> {
  const row = await lockedInTransaction(conn, conn('products').where({ id: productId }).first('images'));
  return row ? parseJson<unknown[]>(row.images, []).filter((s): s is string => typeof s === 'string') : null;
}

export async function setProductImages(conn: Conn, productId: number, images: readonly string[], now: Date): Promise<void> {
  await conn('products').where({ id: productId }).update({ images: JSON.stringify(images), updated_at: toDbTime(now) });
}

/** Whether any product lists this image path. */
export async function imageInUse(conn: Conn, src: string): Promise<boolean> {
  const like = `%${JSON.stringify(src).replace(/[!%_]/g, '!$&')}%`;
  return Boolean(await conn('products').whereRaw("images LIKE ? ESCAPE '!'", [like]).first('id'));
}

export interface StaffProductRow {
  id: number;
  slug: string;
  name: string;
  brand: string;
  priceCents: number;
  status: 'draft' | 'active' | 'archived';
  inStock: number;
}

const STAFF_SORTS: Record<StaffProductSort, Array<{ column: string; order: 'asc' | 'desc' }>> = {
  newest: [{ column: 'p.id', order: 'desc' }],
  name: [{ column: 'p.name', order: 'asc' }, { column: 'p.id', order: 'asc' }],
  price: [{ column: 'p.price_cents', order: 'asc' }, { column: 'p.id', order: 'asc' }],
  price_desc: [{ column: 'p.price_cents', order: 'desc' }, { column: 'p.id', order: 'desc' }],
  stock: [{ column: 'in_stock', order: 'asc' }, { column: 'p.id', order: 'asc' }],
};

export type StaffProductSort = 'newest' | 'name' | 'price' | 'price_desc' | 'stock';

export interface StaffProductFilter {
  q: string | null;
  status: StaffProductRow['status'] | null;
  categoryId: number | null;
  sort: StaffProductSort;
}

/** Every product whatever its status, for staff: name, brand or slug starting with `q`, in a category, sorted. */
export async function listProductsForStaff(db: Conn, f: StaffProductFilter, page: number, perPage: number): Promise<{ products: StaffProductRow[]; total: number }> {
  const qb = db('products as p');
  if (f.status) qb.where('p.status', f.status);
  if (f.categoryId) qb.where('p.category_id', f.categoryId);
  if (f.q) {
    const like = prefixPattern(f.q.toLowerCase());
    qb.where((w) => w.whereRaw(`LOWER(p.name) ${LIKE_PREFIX}`, [like]).orWhereRaw(`LOWER(p.brand) ${LIKE_PREFIX}`, [like]).orWhereRaw(`p.slug ${LIKE_PREFIX}`, [like]));
  }
  const [total, rows] = await Promise.all([
    countRows(qb.clone()),
    qb.clone().select('p.id', 'p.slug', 'p.name', 'p.brand', 'p.price_cents', 'p.status', inStockSubquery(db)).orderBy(STAFF_SORTS[f.sort]).limit(perPage).offset((page - 1) * perPage),
  ]);
  return { total, products: rows.map((r: Row) => ({ id: r.id, slug: r.slug, name: r.name, brand: r.brand, priceCents: r.price_cents, status: r.status, inStock: Number(r.in_stock ?? 0) })) };
}

export async function findProductForStaff(db: Conn, id: number): Promise<StaffProductRow | null> {
  const r = await db('products as p').where('p.id', id).first('p.id', 'p.slug', 'p.name', 'p.brand', 'p.price_cents', 'p.status', inStockSubquery(db));
  return r ? { id: r.id, slug: r.slug, name: r.name, brand: r.brand, priceCents: r.price_cents, status: r.status, inStock: Number(r.in_stock ?? 0) } : null;
}

export async function lowStockThreshold(db: Conn, productId: number): Promise<number | null> {
  const row = await db('products').where({ id: productId }).first('low_stock_threshold');
  return row?.low_stock_threshold ?? null;
}

/** A product as staff edit it: its fields, version (for conflicting saves) and images. */
export interface EditableProduct {
  id: number;
  version: number;
  fields: ProductFields;
  images: string[];
  updatedAt: Date;
}

export function toEditableProduct(r: Row): EditableProduct {
  return {
    id: r.id,
    version: r.version,
    fields: {
      slug: r.slug,
      name: r.name,
      brand: r.brand,
      description: r.description,
      categoryId: r.category_id,
      grade: r.condition_grade,
      priceCents: r.price_cents,
      unitCostCents: r.unit_cost_cents ?? null,
      rentCents: { 3: r.rent_3_cents, 6: r.rent_6_cents, 12: r.rent_12_cents },
      warrantyMonths: r.warranty_months,
      featured: Boolean(r.featured),
      status: r.status,
      specs: JSON.parse(r.specifications),
      family: r.family_key ?? null,
    },
    images: JSON.parse(r.images),
    updatedAt: fromDbTime(r.updated_at)!,
  };
}

/** One product for the edit form or an import (locked inside a transaction). */
export async function productForEditing(conn: Conn, by: { id: number } | { slug: string }): Promise<EditableProduct | null> {
  const r = await lockedInTransaction(conn, conn('products').where(by).first());
  return r ? toEditableProduct(r) : null;
}

/** The products with these slugs, for an import to tell creates from updates. */
export async function productsBySlug(conn: Conn, slugs: readonly string[]): Promise<Map<string, EditableProduct>> {
  const out = new Map<string, EditableProduct>();
  for (let i = 0; i < slugs.length; i += 500) {
    const rows = await lockedInTransaction(conn, conn('products').whereIn('slug', slugs.slice(i, i + 500)).select());
    for (const r of rows) out.set(r.slug, toEditableProduct(r));
  }
  return out;
}

export async function insertProduct(conn: Conn, row: ProductRow): Promise<number> {
  const [id] = await conn('products').insert(row);
  return Number(id);
}

/**
 * Writes a product's editable columns and bumps its version. With `version`
 * it only writes when the row still has that version (false when it does
 * not: someone saved in between).
 */
export async function updateProduct(conn: Conn, id: number, version: number | null, columns: Partial<ProductRow>): Promise<boolean> {
  const qb = conn('products').where({ id });
  if (version !== null) qb.where({ version });
  const n = await qb.update({ ...columns, version: conn.raw('version + 1') });
  return n > 0;
}

/** Who saved a product last and when, from the audit log (for a conflicting save's message). */
export async function lastProductSave(conn: Conn, id: number): Promise<{ email: string | null; at: Date } | null> {
  const r = await conn('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.actor_user_id')
    .where({ 'a.entity': 'product', 'a.entity_id': String(id) })
    .orderBy('a.id', 'desc')
    .first('u.email', 'a.created_at');
  return r ? { email: r.email ?? null, at: fromDbTime(r.created_at)! } : null;
}

export async function categoryIdsBySlug(conn: Conn): Promise<Map<string, number>> {
  const rows = await conn('categories').select('id', 'slug');
  return new Map(rows.map((r: Row) => [String(r.slug), Number(r.id)]));
}
