import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/app';
import { toDbTime } from '../../src/lib/clock';
import { createLogger } from '../../src/lib/log';
import { LiveSearchIndex } from '../../src/catalog/live-search-index';
import { emptySelection } from '../../src/catalog/filters';
import type { Db } from '../../src/db';
import { testApp, type TestApp } from '../helpers/app';
import { cardNames, seedCatalogFixture } from './fixture';

/** A unit of the product leaves stock (an order reserved it), recorded as every stock change is. */
async function takeUnit(db: Db, productId: number): Promise<void> {
  const unit = await db('inventory_units').where({ product_id: productId, status: 'in_stock' }).first('id');
  await db('inventory_units').where({ id: unit.id }).update({ status: 'reserved' });
  await db('stock_movements').insert({ product_id: productId, inventory_unit_id: unit.id, reason: 'reserved', quantity: -1 });
}

/** A unit of the product comes back into stock. */
async function returnUnit(db: Db, productId: number): Promise<void> {
  const unit = await db('inventory_units').where({ product_id: productId, status: 'reserved' }).first('id');
  await db('inventory_units').where({ id: unit.id }).update({ status: 'in_stock' });
  await db('stock_movements').insert({ product_id: productId, inventory_unit_id: unit.id, reason: 'released', quantity: 1 });
}

describe('catalog.changed() with the search index', () => {
  let t: TestApp;
  let ids: Record<string, number>;
  beforeAll(async () => {
    t = await testApp();
    ids = (await seedCatalogFixture(t.db)).products;
    expect(await t.app.context.catalog.warmSearchIndex()).toBe(true);
  });
  afterAll(() => t.destroy());

  const html = async (url: string) => (await request(t.app).get(url).expect(200)).text;
  /** Names on the result grid (an empty result's "popular right now" cards are not results). */
  const names = async (url: string) => cardNames((await html(url)).split('Popular right now')[0]!);
  const cached = (url: string) => t.app.context.catalog.guestPageStore.peek(url) !== undefined;
  const stockChanged = (...names: string[]) => t.app.context.catalog.changed({ what: 'stock', productIds: names.map((n) => ids[n]!) });

  // Dell XPS 13 has 1 unit; the search uses the index, the plain listing the database.
  const SEARCH = '/products?q=dell&in_stock=1&sort=name';
  const LISTING = '/products?in_stock=1&sort=name';
  const PAGE = '/products/dell-xps-13';

  it('a stock change that sells out a product removes it from "in stock only" results and from cached pages at once', async () => {
    expect(await names(SEARCH)).toContain('Dell XPS 13');
    expect(await names(LISTING)).toContain('Dell XPS 13');
    expect(await html(PAGE)).toContain('In stock: only 1 left');
    expect(cached(SEARCH) && cached(LISTING) && cached(PAGE)).toBe(true);

    await takeUnit(t.db, ids['Dell XPS 13']!);
    await stockChanged('Dell XPS 13');

    expect(cached(SEARCH) || cached(LISTING) || cached(PAGE)).toBe(false);
    expect(await names(SEARCH)).not.toContain('Dell XPS 13');
    expect(await names(LISTING)).not.toContain('Dell XPS 13');
    const page = await html(PAGE);
    expect(page).toContain('Out of stock');
    expect(page).not.toContain('action="/cart/items"');
  });

  it('a stock change that returns a unit to stock shows it at once', async () => {
    expect(await names(SEARCH)).not.toContain('Dell XPS 13');
    expect(await names(LISTING)).not.toContain('Dell XPS 13');
    expect(await html(PAGE)).toContain('Out of stock');

    await returnUnit(t.db, ids['Dell XPS 13']!);
    await stockChanged('Dell XPS 13');

    expect(await names(SEARCH)).toContain('Dell XPS 13');
    expect(await names(LISTING)).toContain('Dell XPS 13');
    expect(await html(PAGE)).toContain('In stock: only 1 left');
  });

  it('a count-only change shows the new count on the product page (any URL of it) at once; listings keep their cache', async () => {
    const page = '/products/dell-ultrasharp-u2720q';
    expect(await html(page)).toContain('In stock: 4 available');
    expect(await html(`${page}?term=6`)).toContain('In stock: 4 available');
    expect(await html('/products')).toContain('4 in stock');
    const api = async () => (await request(t.app).get(`/api/products/${ids['Dell UltraSharp U2720Q']}`).expect(200)).body.in_stock;
    expect(await api()).toBe(4);

    await takeUnit(t.db, ids['Dell UltraSharp U2720Q']!);
    await stockChanged('Dell UltraSharp U2720Q');

    expect(cached(page) || cached(`${page}?term=6`)).toBe(false);
    expect(await html(page)).toContain('In stock: 3 available');
    expect(await html(`${page}?term=6`)).toContain('In stock: 3 available');
    expect(await api()).toBe(3);
    // Other pages keep their 30 s lifetime: the listing's card still shows the earlier count.
    expect(cached('/products')).toBe(true);
    expect(await html('/products')).toContain('4 in stock');
  });

  it('a price change shows the new price on the listing and the product page at once', async () => {
    const page = '/products/hp-prodesk-400';
    expect(await html(page)).toContain('$199.00');
    expect(await html('/products?sort=price_asc')).toContain('$199.00');

    await t.db('products').where({ id: ids['HP ProDesk 400'] }).update({ price_cents: 17_900 });
    await t.app.context.catalog.changed({ what: 'price', productIds: [ids['HP ProDesk 400']!] });

    const listing = await html('/products?sort=price_asc');
    expect(listing).toContain('$179.00');
    expect(listing).not.toContain('$199.00');
    expect(await html(page)).toContain('$179.00');
    expect((await request(t.app).get('/products?q=prodesk&min_price=170&max_price=180').expect(200)).text).toContain('HP ProDesk 400');
  });

  it('a page whose data was read before a change is answered but not kept', async () => {
    const catalog = t.app.context.catalog;
    const url = '/products?q=optiplex&sort=price_desc';
    const original = catalog.listing.bind(catalog);
    let readDone!: () => void;
    let release!: () => void;
    const read = new Promise<void>((r) => (readDone = r));
    const held = new Promise<void>((r) => (release = r));
    // The listing is read, then (before the page is rendered and cached) the price changes.
    const spy = vi.spyOn(catalog, 'listing').mockImplementationOnce(async (...args) => {
      const listing = await original(...args);
      readDone();
      await held;
      return listing;
    });
    try {
      const answer = request(t.app).get(url).then((r) => r.text);
      await read;
      await t.db('products').where({ id: ids['Dell OptiPlex 7090']! }).update({ price_cents: 23_400 });
      await catalog.changed({ what: 'price', productIds: [ids['Dell OptiPlex 7090']!] });
      release();
      expect(await answer).not.toContain('$234.00'); // it began before the change
    } finally {
      spy.mockRestore();
    }
    expect(cached(url)).toBe(false);
    expect(await html(url)).toContain('$234.00');
  });

  it('stock changes told at the same time are all shown', async () => {
    await takeUnit(t.db, ids['Lenovo ThinkPad X1 Carbon']!);
    await takeUnit(t.db, ids['HP ProDesk 400']!);
    await Promise.all([stockChanged('Lenovo ThinkPad X1 Carbon'), stockChanged('HP ProDesk 400'), stockChanged('HP ProDesk 400')]);
    expect(await names('/products?q=thinkpad&in_stock=1&sort=name')).toEqual(['Dell UltraSharp U2720Q', 'Lenovo ThinkPad T14']);
    expect(await names('/products?q=prodesk&in_stock=1')).toEqual([]);
    expect(await names('/products?q=prodesk')).toEqual(['HP ProDesk 400']);
  });
});

describe('catalog.changed() without a search index', () => {
  let t: TestApp;
  let ids: Record<string, number>;
  beforeAll(async () => {
    t = await testApp({ env: { SEARCH_INDEX: 'database' } });
    ids = (await seedCatalogFixture(t.db)).products;
  });
  afterAll(() => t.destroy());

  it('cannot tell a count change from a sell-out, so it drops every cached page', async () => {
    expect((await request(t.app).get('/products').expect(200)).text).toContain('4 in stock');
    expect(t.app.context.catalog.guestPageStore.peek('/products')).toBeDefined();
    await takeUnit(t.db, ids['Dell UltraSharp U2720Q']!);
    await t.app.context.catalog.changed({ what: 'stock', productIds: [ids['Dell UltraSharp U2720Q']!] });
    expect(t.app.context.catalog.guestPageStore.peek('/products')).toBeUndefined();
    expect((await request(t.app).get('/products').expect(200)).text).toContain('3 in stock');
  });
});

describe('LiveSearchIndex.setStockOf', () => {
  let t: TestApp;
  let ids: Record<string, number>;
  beforeAll(async () => {
    t = await testApp();
    ids = (await seedCatalogFixture(t.db)).products;
  });
  afterAll(() => t.destroy());

  const inStockOnly = { words: ['dell'], categoryIds: null, ...emptySelection(), minPriceCents: null, maxPriceCents: null, inStock: true };

  it('says whether a product flipped, and null without an index', async () => {
    const live = new LiveSearchIndex(t.db, 30_000);
    const xps = ids['Dell XPS 13']!;
    expect(live.setStockOf([xps], [])).toBeNull();
    await live.warm();
    expect(live.setStockOf([xps], [xps])).toBe(false);
    expect(live.setStockOf([xps], [])).toBe(true);
    expect(live.setStockOf([xps], [])).toBe(false);
    expect(live.setStockOf([ids['Lenovo Draft Laptop']!], [])).toBe(false);
  });

  it('applies stock reported while the index builds to the built index', async () => {
    const live = new LiveSearchIndex(t.db, 30_000);
    const xps = ids['Dell XPS 13']!;
    expect(live.current()).toBeNull(); // starts the build
    live.setStockOf([xps], []); // reported while the build reads rows that still have the unit
    const index = await live.warm();
    expect(index!.search(inStockOnly, 'name', 24, 0).ids).not.toContain(xps);
    expect(index!.search({ ...inStockOnly, inStock: false }, 'name', 24, 0).ids).toContain(xps);
  });
});

describe('changes made by another process on the same database', () => {
  let one: TestApp;
  let two: ReturnType<typeof createApp>;
  let ids: Record<string, number>;
  beforeAll(async () => {
    one = await testApp({ env: { CATALOG_REFRESH_SECONDS: '1' } });
    ids = (await seedCatalogFixture(one.db)).products;
    // A second process of the store: its own app, caches and search index, the same database.
    two = createApp({ config: one.config, db: one.db, logger: createLogger('silent'), uploadsDir: one.uploadsDir });
    expect(await one.app.context.catalog.warmSearchIndex()).toBe(true);
    expect(await two.context.catalog.warmSearchIndex()).toBe(true);
  });
  afterAll(() => one.destroy());

  const names = async (app: Express, url: string) => cardNames((await request(app).get(url).expect(200)).text.split('Popular right now')[0]!);
  /** How long the other process may take: the refresh interval, a look, and a search index rebuild. */
  const WITHIN = { timeout: 8000, interval: 200 };

  it("a product renamed through one shows in the other's search and listing within the refresh interval", async () => {
    const id = ids['HP ProDesk 400']!;
    expect(await names(two, '/products?sort=name')).toContain('HP ProDesk 400');
    expect(await names(two, '/products?q=g9')).toEqual([]);
    await one.db('products').where({ id }).update({ name: 'HP ProDesk 400 G9', updated_at: toDbTime(new Date(Date.now() + 1000)) });
    await one.app.context.catalog.changed({ what: 'product', productIds: [id] });
    await vi.waitFor(async () => expect(await names(two, '/products?q=g9')).toEqual(['HP ProDesk 400 G9']), WITHIN);
    expect(await names(two, '/products?sort=name')).toContain('HP ProDesk 400 G9');
  });

  it("a product sold out through one leaves the other's in-stock results within the refresh interval", async () => {
    const xps = ids['Dell XPS 13']!;
    expect(await names(two, '/products?q=dell&in_stock=1&sort=name')).toContain('Dell XPS 13');
    expect(await names(two, '/products?in_stock=1&sort=name')).toContain('Dell XPS 13');
    await takeUnit(one.db, xps);
    await one.app.context.catalog.changed({ what: 'stock', productIds: [xps] });
    await vi.waitFor(async () => expect(await names(two, '/products?q=dell&in_stock=1&sort=name')).not.toContain('Dell XPS 13'), WITHIN);
    expect(await names(two, '/products?in_stock=1&sort=name')).not.toContain('Dell XPS 13');
    expect((await request(two).get('/products/dell-xps-13').expect(200)).text).toContain('Out of stock');
  });
});
