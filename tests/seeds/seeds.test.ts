import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcrypt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db';
import { applySearch, searchWords } from '../../src/catalog/search';
import { CATEGORIES, DEMO_PRODUCTS } from '../../seeds/catalog-data';
import { writeProductImages } from '../../seeds/images';
import { DEMO_CUSTOMER, seedDemo } from '../../seeds/index';
import { generateProducts } from '../../seeds/generate';

const TABLES = ['categories', 'products', 'inventory_units', 'stock_movements', 'users', 'addresses', 'settings', 'promo_codes'];

async function counts(t: TestDb): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) {
    const row = await t.db(table).count('* as n').first();
    out[table] = Number(row!.n);
  }
  return out;
}

function assertRentGuard(rows: Array<{ price_cents: number; rent_3_cents: number; rent_6_cents: number; rent_12_cents: number }>): void {
  for (const r of rows) {
    for (const [term, monthly] of [[3, r.rent_3_cents], [6, r.rent_6_cents], [12, r.rent_12_cents]] as const) {
      expect(term * monthly * 100, `${term} × ${monthly} vs ${r.price_cents}`).toBeLessThanOrEqual(225 * r.price_cents);
    }
  }
}

describe('demo catalog data', () => {
  it('has unique slugs and serials and uses every category', () => {
    expect(new Set(DEMO_PRODUCTS.map((p) => p.slug)).size).toBe(DEMO_PRODUCTS.length);
    const serials = DEMO_PRODUCTS.flatMap((p) => p.units.map((u) => u.serial));
    expect(new Set(serials).size).toBe(serials.length);
    for (const c of CATEGORIES) expect(DEMO_PRODUCTS.some((p) => p.category === c.slug), c.slug).toBe(true);
  });

  it('writes two escaped SVG images per product', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gg-images-'));
    try {
      const urls = writeProductImages('test-slug', { name: 'Tom & Jerry <"27">', brand: 'ACME', category: 'monitors' }, dir);
      expect(urls).toEqual(['/uploads/products/test-slug-1.svg', '/uploads/products/test-slug-2.svg']);
      const svg = fs.readFileSync(path.join(dir, 'test-slug-1.svg'), 'utf8');
      expect(svg).toContain('viewBox="0 0 800 600"');
      expect(svg).toContain('Tom &amp; Jerry &lt;&quot;27&quot;&gt;');
      expect(fs.existsSync(path.join(dir, 'test-slug-2.svg'))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('seedDemo', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDb();
  });
  afterAll(() => t.destroy());

  it('seeds the catalog, stock, customer, settings and promos', async () => {
    const added = await seedDemo(t.db, { images: false, now: new Date('2026-11-21T12:00:00Z') });
    expect(added.products).toBeGreaterThanOrEqual(60);
    expect(added.categories).toBe(CATEGORIES.length);
    expect(added.users).toBe(1);

    const products = await t.db('products').select('*');
    expect(products).toHaveLength(added.products);
    assertRentGuard(products);
    expect(new Set(products.map((p) => p.created_at)).size).toBe(products.length);
    expect(products.filter((p) => Boolean(p.featured)).length).toBeGreaterThanOrEqual(8);
    const thinkpad = products.find((p) => p.slug === 'lenovo-thinkpad-t14-gen-2');
    expect(thinkpad).toMatchObject({ status: 'active', cpu_family: 'Intel Core i5', ram_gb: 16, storage_gb: 512 });
    expect(Number(thinkpad.screen_in)).toBe(14);
    expect(thinkpad.search_text).toContain('16GB');
    expect(JSON.parse(thinkpad.images)).toEqual(['/uploads/products/lenovo-thinkpad-t14-gen-2-1.svg', '/uploads/products/lenovo-thinkpad-t14-gen-2-2.svg']);

    // Every top-level category holds at least 6 products, counting its sub-categories.
    const categories = await t.db('categories').select('id', 'slug', 'parent_id');
    const topOf = new Map(categories.map((c) => [c.id, c.parent_id ?? c.id]));
    const perTop = new Map<number, number>();
    for (const p of products) perTop.set(topOf.get(p.category_id)!, (perTop.get(topOf.get(p.category_id)!) ?? 0) + 1);
    expect(categories.filter((c) => c.parent_id === null)).toHaveLength(6);
    expect(perTop.size).toBe(6);
    for (const n of perTop.values()) expect(n).toBeGreaterThanOrEqual(6);

    // Every product has one to three units in stock, except the demo's sold-out family members (shown marked on their family's pages).
    const soldOut = DEMO_PRODUCTS.filter((p) => p.units.length === 0);
    expect(soldOut.length).toBeGreaterThan(0);
    expect(soldOut.every((p) => p.family)).toBe(true);
    const unitsPerProduct = await t.db('inventory_units').select('product_id').count('* as n').where('status', 'in_stock').groupBy('product_id');
    expect(unitsPerProduct).toHaveLength(products.length - soldOut.length);
    for (const u of unitsPerProduct) {
      expect(Number(u.n)).toBeGreaterThanOrEqual(1);
      expect(Number(u.n)).toBeLessThanOrEqual(3);
    }
    const movements = await t.db('stock_movements').where({ reason: 'received', quantity: 1 }).count('* as n').first();
    expect(Number(movements!.n)).toBe(added.units);

    const user = await t.db('users').where('email', DEMO_CUSTOMER.email).first();
    expect(user).toMatchObject({ first_name: 'Dana', last_name: 'Demo', role: 'customer' });
    expect(user.email_verified_at).toBeTruthy();
    expect(await bcrypt.compare(DEMO_CUSTOMER.password, user.password_hash)).toBe(true);
    const address = await t.db('addresses').where('user_id', user.id).first();
    expect(address).toMatchObject({ country: 'US' });
    expect(Boolean(address.is_default)).toBe(true);

    const settings = Object.fromEntries((await t.db('settings').select('key', 'value')).map((s) => [s.key, JSON.parse(s.value)]));
    expect(settings.tax_rates.regions.CA).toBe(725);
    expect(settings.rental_policy).toMatchObject({ grace_days: 7, late_fee_cap_cents: 500 });
    expect((await t.db('promo_codes').pluck('code')).sort()).toEqual(['SAVE25', 'WELCOME10']);
  });

  it('adds nothing when run again', async () => {
    const before = await counts(t);
    expect(await seedDemo(t.db, { images: false })).toEqual({ categories: 0, products: 0, units: 0, users: 0 });
    expect(await counts(t)).toEqual(before);
  });

  it('indexes products for full-text search', async () => {
    // Through the database's full-text index (FULLTEXT or FTS5), as searches use it.
    const found = (q: string) => {
      const qb = t.db('products as p').select('p.id');
      applySearch(t.db, qb, searchWords(q));
      return qb;
    };
    expect((await found('thinkpad')).length).toBeGreaterThanOrEqual(3);
    // Spec words live only in search_text.
    expect((await found('RTX A2000')).length).toBeGreaterThanOrEqual(3);
  });

  it('generateProducts adds exactly the requested products, one unit each', async () => {
    const before = await counts(t);
    const progress: number[] = [];
    await generateProducts(t.db, 2000, { batchSize: 750, onProgress: (done) => progress.push(done) });
    const after = await counts(t);
    expect(after.products - before.products).toBe(2000);
    expect(after.inventory_units - before.inventory_units).toBe(2000);
    expect(after.categories).toBe(before.categories);
    expect(progress).toEqual([750, 1500, 2000]);

    const generated = await t.db('products').select('*').where('slug', 'like', '%-g1-%');
    expect(generated).toHaveLength(2000);
    assertRentGuard(generated);
    expect(new Set(generated.map((p) => p.category_id)).size).toBe(CATEGORIES.length);
    expect(new Set(generated.map((p) => p.brand)).size).toBeGreaterThan(8);
    expect(generated.every((p) => p.search_text.length > 0 && p.status === 'active')).toBe(true);
    // Product families of up to four: one brand and category each, in several grades.
    const families = new Map<string, typeof generated>();
    for (const p of generated) families.set(p.family_key, [...(families.get(p.family_key) ?? []), p]);
    expect(families.size).toBeGreaterThanOrEqual(500);
    expect(Math.max(...[...families.values()].map((f) => f.length))).toBe(4);
    for (const members of families.values()) {
      expect(new Set(members.map((p) => `${p.brand}|${p.category_id}`)).size).toBe(1);
    }
    expect([...families.values()].filter((f) => new Set(f.map((p) => p.condition_grade)).size > 1).length).toBeGreaterThan(families.size / 2);

    // A second run with the same seed appends instead of colliding.
    await generateProducts(t.db, 10);
    expect((await counts(t)).products - after.products).toBe(10);
  });
});
