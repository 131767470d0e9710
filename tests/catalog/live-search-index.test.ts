import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveSearchIndex } from '../../src/catalog/live-search-index';
import { catalogFingerprint, type ListFilter } from '../../src/catalog/repo';
import type { SearchIndex } from '../../src/catalog/search-index';
import { createDb } from '../../src/db';
import { toDbTime } from '../../src/lib/clock';
import { freshDb, type TestDb } from '../helpers/db';
import { seedCatalogFixture } from './fixture';

const MAX_AGE = 30_000;
let t: TestDb;
let ids: Record<string, number>;
beforeAll(async () => {
  t = await freshDb();
  ids = (await seedCatalogFixture(t.db)).products;
});
afterAll(() => t.destroy());

const filter = (q: string, more: Partial<ListFilter> = {}): ListFilter => ({
  words: q.split(' '), categoryIds: null, brand: [], condition: [], minPriceCents: null, maxPriceCents: null,
  inStock: false, cpuFamily: [], ramGb: [], storageGb: [], screenIn: [], ...more,
});
const found = (index: SearchIndex | null, q: string, more: Partial<ListFilter> = {}) => index?.search(filter(q, more), 'price_asc', 100, 0).ids;

function clock() {
  let now = Date.UTC(2026, 10, 21, 12);
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('LiveSearchIndex', () => {
  it('has no index until the first search starts a build; searches use the database meanwhile', async () => {
    const live = new LiveSearchIndex(t.db, MAX_AGE);
    expect(live.current()).toBeNull();
    const index = await live.warm();
    expect(live.current()).toBe(index);
    expect(found(index, 'thinkpad')).toEqual([ids['Dell UltraSharp U2720Q'], ids['Lenovo ThinkPad T14'], ids['Lenovo ThinkPad X1 Carbon']]);
  });

  it('invalidate() drops the index at once, and the rebuilt one shows the change', async () => {
    const live = new LiveSearchIndex(t.db, MAX_AGE);
    await live.warm();
    await t.db('products').where({ id: ids['Dell XPS 13'] }).update({ name: 'Dell XPS 13 Plus' });
    live.invalidate();
    expect(live.current()).toBeNull();
    expect(found(await live.warm(), 'plus')).toEqual([ids['Dell XPS 13']]);
  });

  it("rebuilds for another process's product change when sync() is shown the new fingerprint; the old index serves meanwhile", async () => {
    const live = new LiveSearchIndex(t.db, MAX_AGE);
    const before = await live.warm();
    expect(await live.sync(await catalogFingerprint(t.db))).toBe(0);
    await t.db('products').where({ id: ids['HP ProDesk 400'] }).update({ name: 'HP ProDesk 400 G9', updated_at: toDbTime(new Date(Date.now() + 60_000)) });
    expect(found(live.current(), 'g9')).toEqual([]);
    const syncing = live.sync(await catalogFingerprint(t.db));
    expect(live.current()).toBe(before);
    expect(await syncing).toBe('rebuilt');
    const after = live.current();
    expect(after).not.toBe(before);
    expect(found(after, 'g9')).toEqual([ids['HP ProDesk 400']]);
  });

  it('a stock change reloads only which products are in stock, and tells how many flipped', async () => {
    const live = new LiveSearchIndex(t.db, MAX_AGE);
    const index = await live.warm();
    const latitude = ids['Dell Latitude 5420']!;
    expect(found(index, 'latitude', { inStock: true })).toEqual([]);
    const [unitId] = await t.db('inventory_units').insert({ product_id: latitude, serial_number: 'LIVE-1', condition_grade: 'B', status: 'in_stock' });
    await t.db('stock_movements').insert({ product_id: latitude, inventory_unit_id: unitId ?? null, reason: 'received', quantity: 1 });
    expect(await live.sync(await catalogFingerprint(t.db))).toBe(1);
    expect(live.current()).toBe(index);
    expect(found(index, 'latitude', { inStock: true })).toEqual([latitude]);
    // A second unit of a product already in stock flips nothing.
    const [second] = await t.db('inventory_units').insert({ product_id: latitude, serial_number: 'LIVE-2', condition_grade: 'B', status: 'in_stock' });
    await t.db('stock_movements').insert({ product_id: latitude, inventory_unit_id: second ?? null, reason: 'received', quantity: 1 });
    expect(await live.sync(await catalogFingerprint(t.db))).toBe(0);
  });

  it('a failed build leaves searches on the database and is retried after the maximum age', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giggatek-empty-'));
    const empty = createDb({ client: 'sqlite', filename: path.join(dir, 'empty.sqlite') });
    try {
      const c = clock();
      const live = new LiveSearchIndex(empty, MAX_AGE, c.now);
      expect(await live.warm()).toBeNull();
      expect(live.lastError?.message).toMatch(/no such table/);
      const failedAt = live.lastError;
      live.current();
      expect(await live.warm()).toBeNull();
      expect(live.lastError).toBe(failedAt); // not retried yet
      c.advance(MAX_AGE);
      live.current();
      await live.warm();
      expect(live.lastError).not.toBe(failedAt);
    } finally {
      await empty.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
