import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSearchIndex, fold, SearchIndexBuilder, type IndexedProduct, type SearchIndex } from '../../src/catalog/search-index';
import * as repo from '../../src/catalog/repo';
import type { Sort } from '../../src/catalog/schemas';
import { searchWords } from '../../src/catalog/search';
import { freshDb, type TestDb } from '../helpers/db';
import { seedCatalogFixture } from './fixture';

let nextId = 1;
function product(p: Partial<IndexedProduct> & { name: string }): IndexedProduct {
  return {
    id: nextId++,
    brand: p.name.split(' ')[0]!,
    categoryId: 1,
    condition: 'A',
    cpuFamily: null,
    ramGb: null,
    storageGb: null,
    screenIn: null,
    priceCents: 10_000,
    ratingAvgX100: 0,
    ratingCount: 0,
    createdAt: '2026-01-01 00:00:00.000',
    ...p,
    // A word every product has, so a search can reach the whole catalog.
    searchText: `${p.searchText ?? ''} refurbished`,
  };
}

const CATALOG: IndexedProduct[] = [
  product({ id: 1, name: 'Lenovo ThinkPad T14', searchText: 'Intel Core i5-1145G7 16GB RAM 512GB SSD', cpuFamily: 'Intel Core i5', ramGb: 16, storageGb: 512, priceCents: 44_900, createdAt: '2026-01-01 12:00:00.000', ratingAvgX100: 450 }),
  product({ id: 2, name: 'Lenovo ThinkPad X1 Carbon', searchText: 'Intel Core i7-1185G7 16GB RAM 512GB SSD', cpuFamily: 'Intel Core i7', ramGb: 16, storageGb: 512, priceCents: 69_900, condition: 'B', createdAt: '2026-01-02 12:00:00.000', ratingAvgX100: 480 }),
  product({ id: 3, name: 'Dell Latitude 5420', searchText: 'Intel Core i5-1145G7 8GB RAM 256GB SSD', cpuFamily: 'Intel Core i5', ramGb: 8, storageGb: 256, priceCents: 34_900, condition: 'B', createdAt: '2026-01-03 12:00:00.000' }),
  product({ id: 4, name: 'HP EliteBook 840 G8', searchText: 'Intel Core i5-1145G7 16GB RAM 256GB SSD', cpuFamily: 'Intel Core i5', ramGb: 16, storageGb: 256, priceCents: 42_900, condition: 'C', createdAt: '2026-01-04 12:00:00.000' }),
  product({ id: 5, name: 'Dell UltraSharp U2720Q', searchText: '27" 4K IPS USB-C ThinkPad dock compatible', categoryId: 3, screenIn: 27, priceCents: 32_900, createdAt: '2026-01-09 12:00:00.000' }),
  product({ id: 6, name: 'HPE ProLiant DL380', searchText: 'Intel Xeon Silver 4214 64GB RAM', categoryId: 2, cpuFamily: 'Intel Xeon', ramGb: 64, priceCents: 129_900, createdAt: '2026-01-05 12:00:00.000' }),
  product({ id: 7, name: 'Café Écran 24', brand: 'Acme', searchText: 'Moniteur à LED', categoryId: 3, screenIn: 24, priceCents: 9_900, createdAt: '2026-01-06 12:00:00.000' }),
];
const IN_STOCK = [1, 2, 4, 5, 6, 7];

const ALL: repo.ListFilter = {
  words: [], categoryIds: null, brand: [], condition: [], minPriceCents: null, maxPriceCents: null,
  inStock: false, cpuFamily: [], ramGb: [], storageGb: [], screenIn: [],
};
const query = (q: string, more: Partial<repo.ListFilter> = {}): repo.ListFilter => ({ ...ALL, words: searchWords(q), ...more });

let index: SearchIndex;
beforeAll(async () => {
  index = await buildSearchIndex(CATALOG, IN_STOCK);
});
const ids = (f: repo.ListFilter, sort: Sort = 'relevance', limit = 24, offset = 0) => index.search(f, sort, limit, offset).ids;
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe('SearchIndex: which products match', () => {
  it.each([
    ['lenovo', [1, 2]],
    ['LENOVO', [1, 2]],
    ['think', [1, 2, 5]],
    ['thinkpad x1', [2]],
    ['THINKPAD x1!!', [2]],
    ['i5-1145G7', [1, 3, 4]],
    ['16gb', [1, 2, 4]],
    ['hp', [4, 6]],
    ['hpe', [6]],
    ['4k', [5]],
    ['ecran', [7]],
    ['écran café', [7]],
    ['moniteur led', [7]],
    ['dell lenovo', []],
    ['zzz', []],
    ['the', []],
  ])('%s → %j', (q, expected) => {
    expect(sorted(ids(query(q)))).toEqual(expected);
  });

  it('a query that had text but no words (noMatch) finds nothing', () => {
    expect(ids({ ...ALL, words: [], noMatch: true })).toEqual([]);
  });

  it('folds case and accents the way queries are folded', () => {
    expect(fold('Écran CAFÉ ﬁ')).toBe('ecran cafe fi');
  });
});

describe('SearchIndex: ranking', () => {
  it('puts products with the word in their name before those that only mention it', () => {
    expect(ids(query('thinkpad')).at(-1)).toBe(5);
  });

  it('ranks a whole-word match above a product whose word only starts with the query', () => {
    expect(ids(query('hp'))).toEqual([4, 6]);
  });
});

describe('SearchIndex: filters, facet counts, sorts and pages', () => {
  it.each<[string, Partial<repo.ListFilter>, number[]]>([
    ['category', { categoryIds: [3] }, [5, 7]],
    ['price range', { minPriceCents: 30_000, maxPriceCents: 45_000 }, [1, 3, 4, 5]],
    ['in stock', { inStock: true }, [1, 2, 4, 5, 6, 7]],
    ['nothing selected', {}, [1, 2, 3, 4, 5, 6, 7]],
    ['brand, any case', { brand: ['dell'] }, [3, 5]],
    ['condition', { condition: ['B'] }, [2, 3]],
    ['cpu family and RAM', { cpuFamily: ['intel core i5'], ramGb: [16] }, [1, 4]],
    ['screen size', { screenIn: [24, 27] }, [5, 7]],
  ])('%s', (_, filter, expected) => {
    expect(ids(query('refurbished', filter), 'price_asc').sort((a, b) => a - b)).toEqual(expected);
  });

  it('counts facet combinations without the facet selections, and pages with them', () => {
    const f = query('intel', { ramGb: [16] });
    const hits = index.search(f, 'price_asc', 24, 0);
    expect(hits.ids).toEqual([4, 1, 2]);
    const byRam = new Map<number | null, number>();
    for (const c of hits.combos) byRam.set(c.ramGb, (byRam.get(c.ramGb) ?? 0) + c.count);
    expect(Object.fromEntries(byRam)).toEqual({ 8: 1, 16: 3, 64: 1 });
  });

  it('applies category, price and stock to the facet counts too', () => {
    const hits = index.search(query('intel', { categoryIds: [1], maxPriceCents: 45_000, inStock: true }), 'price_asc', 24, 0);
    expect(hits.ids).toEqual([4, 1]);
    expect(hits.combos.reduce((n, c) => n + c.count, 0)).toBe(2);
  });

  it.each<[Sort, number[]]>([
    ['price_asc', [3, 4, 1, 2, 6]],
    ['price_desc', [6, 2, 1, 4, 3]],
    ['name', [3, 4, 6, 1, 2]],
    ['rating', [2, 1, 3, 4, 6]],
    ['newest', [6, 4, 3, 2, 1]],
  ])('sort=%s', (sort, expected) => {
    expect(ids(query('intel'), sort)).toEqual(expected);
  });

  it('pages: offset and limit cut the same order', () => {
    const order = ids(query('intel'), 'price_asc');
    expect(ids(query('intel'), 'price_asc', 2, 0)).toEqual(order.slice(0, 2));
    expect(ids(query('intel'), 'price_asc', 2, 2)).toEqual(order.slice(2, 4));
    expect(ids(query('intel'), 'price_asc', 2, 4)).toEqual(order.slice(4));
    expect(ids(query('intel'), 'price_asc', 2, 6)).toEqual([]);
  });

  it('setStock replaces which products count as in stock; setStockOf changes only those named', async () => {
    const own = await buildSearchIndex(CATALOG, IN_STOCK);
    own.setStock([3]);
    expect(own.search(query('intel', { inStock: true }), 'price_asc', 24, 0).ids).toEqual([3]);
    own.setStockOf([3, 4, 6], [4]);
    expect(own.search(query('intel', { inStock: true }), 'price_asc', 24, 0).ids).toEqual([4]);
  });
});

describe('SearchIndexBuilder', () => {
  it('given the catalog in batches, answers as the index built in one go', async () => {
    const builder = new SearchIndexBuilder();
    builder.add(CATALOG.slice(0, 3));
    builder.add(CATALOG.slice(3));
    const batched = await builder.finish(IN_STOCK);
    for (const [q, sort] of [['intel', 'price_asc'], ['thinkpad', 'relevance'], ['', 'newest']] as const) {
      expect(batched.search(query(q), sort, 24, 0)).toEqual(index.search(query(q), sort, 24, 0));
    }
    expect(batched.search(query('', { inStock: true }), 'name', 24, 0).ids).toEqual(ids(query('', { inStock: true }), 'name'));
  });

  it('refuses products out of id order (the index finds products by id in slot order)', () => {
    const builder = new SearchIndexBuilder();
    builder.add(CATALOG.slice(2, 3));
    expect(() => builder.add(CATALOG.slice(0, 1))).toThrow(/ascending id order/);
  });
});

describe('SearchIndex agrees with the database full-text search', () => {
  let t: TestDb;
  let live: SearchIndex;
  let categories: Record<string, number>;
  beforeAll(async () => {
    t = await freshDb();
    categories = (await seedCatalogFixture(t.db)).categories;
    live = await buildSearchIndex(await repo.searchIndexRows(t.db), await repo.inStockProductIds(t.db));
  });
  afterAll(() => t.destroy());

  const comboKey = (c: repo.FacetCombo) => JSON.stringify([c.categoryId, c.brand, c.condition, c.cpuFamily, c.ramGb, c.storageGb, c.screenIn, c.count]);

  it.each<[string, Partial<repo.ListFilter>, Sort]>([
    ['thinkpad', {}, 'price_asc'],
    ['dell', {}, 'price_desc'],
    ['dell', { inStock: true }, 'name'],
    ['intel', { ramGb: [16] }, 'newest'],
    ['intel core', { brand: ['hp', 'Lenovo'] }, 'rating'],
    ['i5-1145G7', { condition: ['B', 'C'] }, 'price_asc'],
    ['16gb ssd', { minPriceCents: 40_000, maxPriceCents: 60_000 }, 'price_asc'],
    ['ssd', { cpuFamily: ['Intel Core i7'] }, 'name'],
    ['4k', {}, 'newest'],
    ['lenovo', {}, 'relevance'],
    ['nothing-like-this', {}, 'relevance'],
  ])('q=%s %j sort=%s: same products, order and facet combinations', async (q, more, sort) => {
    const f = query(q, more);
    const [fromDb, combosDb] = await Promise.all([repo.pageOfProducts(t.db, f, sort, 100, 0), repo.facetCombos(t.db, f)]);
    const hits = live.search(f, sort, 100, 0);
    if (sort === 'relevance') expect(sorted(hits.ids)).toEqual(sorted(fromDb.map((p) => p.id)));
    else expect(hits.ids).toEqual(fromDb.map((p) => p.id));
    expect(hits.combos.map(comboKey).sort()).toEqual(combosDb.map(comboKey).sort());
  });

  it.each<[string, Partial<repo.ListFilter>, Sort]>([
    ['the whole catalog', {}, 'relevance'],
    ['the whole catalog', {}, 'name'],
    ['in stock', { inStock: true }, 'newest'],
    ['brands, any case', { brand: ['dell', 'LENOVO'] }, 'price_desc'],
    ['grade and RAM', { condition: ['A', 'B'], ramGb: [16] }, 'rating'],
    ['price range', { minPriceCents: 30_000, maxPriceCents: 60_000 }, 'price_asc'],
  ])('without words, %s %j sort=%s: the same products, order and facet combinations as the database', async (_, more, sort) => {
    const f = { ...ALL, ...more };
    const [fromDb, combosDb] = await Promise.all([repo.pageOfProducts(t.db, f, sort, 100, 0), repo.facetCombos(t.db, f)]);
    const hits = live.search(f, sort, 100, 0);
    expect(hits.ids).toEqual(fromDb.map((p) => p.id));
    expect(hits.combos.map(comboKey).sort()).toEqual(combosDb.map(comboKey).sort());
    expect(fromDb.length).toBeGreaterThan(1);
  });

  it('without words, a page of a category tree is the database\'s page', async () => {
    const f = { ...ALL, categoryIds: [categories.laptops!, categories['business-laptops']!] };
    const fromDb = await repo.pageOfProducts(t.db, f, 'newest', 2, 2);
    expect(live.search(f, 'newest', 2, 2).ids).toEqual(fromDb.map((p) => p.id));
    expect(fromDb).toHaveLength(2);
  });

  it('agrees within a category tree (laptops and its sub-category)', async () => {
    const f = query('intel', { categoryIds: [categories.laptops!, categories['business-laptops']!] });
    const fromDb = await repo.pageOfProducts(t.db, f, 'price_asc', 100, 0);
    expect(live.search(f, 'price_asc', 100, 0).ids).toEqual(fromDb.map((p) => p.id));
    expect(fromDb.length).toBeGreaterThan(2);
  });
});

describe('listing by family: the database and the search index list a family once, alike', () => {
  let t: TestDb;
  let live: SearchIndex;
  let products: Record<string, number>;
  beforeAll(async () => {
    t = await freshDb();
    products = (await seedCatalogFixture(t.db)).products;
    // fam-a: T14 (A, $449, in stock), X1 Carbon (B, $699, in stock), Latitude 5420 (B, $349, sold out); fam-b: MacBook Air (A, $549), XPS 13 (B, $579).
    await t.db('products').whereIn('id', [products['Lenovo ThinkPad T14']!, products['Lenovo ThinkPad X1 Carbon']!, products['Dell Latitude 5420']!]).update({ family_key: 'fam-a' });
    await t.db('products').whereIn('id', [products['Apple MacBook Air M1']!, products['Dell XPS 13']!]).update({ family_key: 'fam-b' });
    live = await buildSearchIndex(await repo.searchIndexRows(t.db), await repo.inStockProductIds(t.db));
  });
  afterAll(() => t.destroy());

  const names = (items: repo.ProductSummary[]) => items.map((p) => `${p.name}${p.family ? ` (${p.family.products} products, ${p.family.grades} grades, from ${p.family.fromCents})` : ''}`);

  it('without words (database): a family is its cheapest product in stock, with the family offer; pages count what is listed', async () => {
    const page = await repo.pageOfFamilies(t.db, ALL, 'price_asc', 100, 0);
    expect(names(page.items)).toEqual([
      'HP ProDesk 400',
      'Dell UltraSharp U2720Q',
      'HP EliteBook 840 G8',
      'Lenovo ThinkPad T14 (3 products, 2 grades, from 44900)',
      'Dell OptiPlex 7090',
      'Apple MacBook Air M1 (2 products, 2 grades, from 54900)',
    ]);
    expect(page.total).toBe(6);
    const second = await repo.pageOfFamilies(t.db, ALL, 'price_asc', 4, 4);
    expect(second.items.map((p) => p.name)).toEqual(['Dell OptiPlex 7090', 'Apple MacBook Air M1']);
    expect(second.total).toBe(6);
    expect(await repo.pageOfFamilies(t.db, ALL, 'price_asc', 4, 8)).toEqual({ items: [], total: 6 });
    // Filters apply before grouping: grade B alone leaves X1 Carbon (in stock) for fam-a, XPS 13 alone for fam-b.
    const gradeB = await repo.pageOfFamilies(t.db, { ...ALL, condition: ['B'] }, 'price_asc', 100, 0);
    expect(names(gradeB.items)).toEqual(['Dell XPS 13', 'Lenovo ThinkPad X1 Carbon (2 products, 1 grades, from 69900)']);
  });

  it.each<[string, Partial<repo.ListFilter>, Sort]>([
    ['intel', {}, 'price_asc'],
    ['intel', {}, 'newest'],
    ['laptop', {}, 'name'],
    ['16gb', { condition: ['A', 'B'] }, 'price_desc'],
    ['dell', {}, 'rating'],
    ['apple', {}, 'relevance'],
    ['', {}, 'relevance'],
    ['', {}, 'price_asc'],
    ['', { condition: ['B'] }, 'price_asc'],
    ['', { inStock: true }, 'name'],
  ])('q=%s %j sort=%s: the same cards, offers and total from both', async (q, more, sort) => {
    const f = query(q, more);
    const fromDb = await repo.pageOfFamilies(t.db, f, sort, 100, 0);
    const hits = live.search(f, sort, 100, 0, true);
    expect(hits.ids).toEqual(fromDb.items.map((p) => p.id));
    expect(hits.families!.total).toBe(fromDb.total);
    expect(Object.fromEntries(hits.families!.offers)).toEqual(Object.fromEntries(fromDb.items.filter((p) => p.family).map((p) => [p.id, p.family])));
  });
});
