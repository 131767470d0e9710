import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/db';
import { SYSTEM } from '../../src/db/state-machine';
import { JobWorker } from '../../src/jobs/worker';
import { createLogger } from '../../src/lib/log';
import { moveUnits } from '../../src/inventory/operations';
import { unitsByIds } from '../../src/inventory/repo';
import { addItem } from '../../src/wishlist/repo';
import { deliverEvent, WISHLIST_ALERT_JOB, type WishlistEvent } from '../../src/wishlist/alerts';
import type { StaffContext } from '../../src/audit/repo';
import { stringify } from 'csv-stringify/sync';
import { CSV_COLUMNS, toCsvRecord } from '../../src/catalog/product-csv';
import { createUser, type TestUser } from '../helpers/auth';
import { startShop, type Shop } from '../checkout/shop';

/**
 * Back in stock and price drop: one notification and one e-mail per customer
 * per event, for those who saved the product and did not opt out; exactly
 * once however many workers run the queue.
 */
describe('wishlist alerts', () => {
  let t: Shop;
  let staff: StaffContext;
  let serial = 0;
  beforeAll(async () => {
    t = await startShop();
    const s = await createUser(t.db, { role: 'staff' });
    staff = { actor: { userId: s.id, label: `user:${s.id}` }, ip: null };
  });
  afterAll(() => t.destroy());
  beforeEach(async () => {
    await t.runJobs();
    t.mail.length = 0;
  });

  const receive = (productId: number, n = 1) =>
    t.app.context.inventory.receive(productId, { serials: Array.from({ length: n }, () => `WA-${++serial}`), grade: 'A', costCents: null, notes: null }, staff);
  const wish = (user: TestUser, productId: number) => addItem(t.db, user.id, productId, t.clock.now());
  const notes = (user: TestUser, kind: string) => t.db('notifications').where({ user_id: user.id, kind }).orderBy('id').pluck('title');
  const mailsTo = (user: TestUser) => t.mail.filter((m) => m.to === user.email).map((m) => m.subject);
  const alertJobs = () => t.db('jobs').where({ kind: WISHLIST_ALERT_JOB }).count({ n: '*' }).first().then((r) => Number(r!.n));
  const optOut = (user: TestUser) => t.db('users').where({ id: user.id }).update({ wishlist_alerts: false });

  /** Three customers saved the product; the third turned alerts off. */
  async function watchers(productId: number): Promise<[TestUser, TestUser, TestUser]> {
    const users = [await createUser(t.db), await createUser(t.db), await createUser(t.db)] as [TestUser, TestUser, TestUser];
    for (const u of users) await wish(u, productId);
    await optOut(users[2]);
    return users;
  }

  it('a product at 0 receiving units tells each customer who saved it once; more units, or nobody waiting, tell nobody', async () => {
    const id = await t.product({ name: 'Restock Latitude', priceCents: 35_000, units: 0 });
    const [a, b, off] = await watchers(id);
    const before = await alertJobs();

    await receive(id, 2);
    expect(await alertJobs()).toBe(before + 1);
    await t.runJobs();
    for (const u of [a, b]) {
      expect(await notes(u, 'back_in_stock')).toEqual(['Back in stock: Restock Latitude']);
      expect(mailsTo(u)).toEqual(['Back in stock: Restock Latitude']);
    }
    expect(await notes(off, 'back_in_stock')).toEqual([]);
    expect(mailsTo(off)).toEqual([]);
    const mail = t.mail.find((m) => m.to === a.email)!;
    expect(mail.text).toMatch(/^Hello Test, Restock Latitude, on your wishlist, is back in stock at \$350\.00\. We have 2 units/m);
    expect(mail.text).toContain('http://store.test/products/restock-latitude');
    expect(mail.html).toContain('href="http://store.test/products/restock-latitude"');
    expect(await t.db('notifications').where({ user_id: a.id, kind: 'back_in_stock' }).first('url')).toEqual({ url: '/products/restock-latitude' });

    // Still in stock: more units are no news.
    await receive(id, 1);
    expect(await alertJobs()).toBe(before + 1);
    // A product nobody saved queues no job at all.
    const unwanted = await t.product({ name: 'Nobody Wants', units: 0 });
    await receive(unwanted, 1);
    expect(await alertJobs()).toBe(before + 1);
  });

  it('each restock after a sell-out is one new event, whichever way the units come back', async () => {
    const id = await t.product({ name: 'Restock Twice', units: 0 });
    const [a, b] = await watchers(id);
    await receive(id, 1);
    await t.runJobs();
    expect(await notes(a, 'back_in_stock')).toHaveLength(1);

    // Sold out (pulled to the workshop), then back in stock by hand: a second event.
    const [unit] = await t.db('inventory_units').where({ product_id: id, status: 'in_stock' }).pluck('id');
    await t.app.context.inventory.move(id, unit, 'refurbishing', 'Fan noise', staff);
    await t.app.context.inventory.move(id, unit, 'in_stock', 'Fixed', staff);
    await t.runJobs();
    expect(await notes(a, 'back_in_stock')).toHaveLength(2);
    expect(await notes(b, 'back_in_stock')).toHaveLength(2);

    // Sold out again; a unit released from an order (moveUnits to in_stock, as cancellations and expiry do) is a third.
    await inTransaction(t.db, async (trx) => moveUnits(trx, await unitsByIds(trx, [unit]), 'reserved', { reason: 'reserved', actor: SYSTEM, now: t.clock.now() }));
    await t.runJobs();
    expect(await notes(a, 'back_in_stock')).toHaveLength(2);
    await inTransaction(t.db, async (trx) => moveUnits(trx, await unitsByIds(trx, [unit]), 'in_stock', { reason: 'released', actor: SYSTEM, now: t.clock.now() }));
    await t.runJobs();
    expect(await notes(a, 'back_in_stock')).toHaveLength(3);
    expect(mailsTo(a)).toHaveLength(3);
  });

  it('two restocks of a sold-out product at the same moment are one event', async () => {
    const id = await t.product({ name: 'Double Delivery', units: 2 });
    const [a, b] = await watchers(id);
    const units = await t.db('inventory_units').where({ product_id: id }).orderBy('id').pluck('id');
    const move = (ids: number[], to: 'reserved' | 'in_stock') =>
      inTransaction(t.db, async (trx) => moveUnits(trx, await unitsByIds(trx, ids), to, { reason: to === 'reserved' ? 'reserved' : 'released', actor: SYSTEM, now: t.clock.now() }));
    await move(units, 'reserved');
    const before = await alertJobs();
    // Staff receive a unit while two held units are released (say, two orders expiring): three arrivals at once.
    await Promise.all([receive(id, 1), move([units[0]!], 'in_stock'), move([units[1]!], 'in_stock')]);
    expect(await t.db('inventory_units').where({ product_id: id, status: 'in_stock' }).count({ n: '*' }).first()).toMatchObject({ n: 3 });
    expect(await alertJobs()).toBe(before + 1);
    await t.runJobs();
    for (const u of [a, b]) {
      expect(await notes(u, 'back_in_stock')).toHaveLength(1);
      expect(mailsTo(u)).toHaveLength(1);
    }
  });

  it('no news that is stale by the time the job runs: sold out again, or no longer sold', async () => {
    const id = await t.product({ name: 'Gone Again', units: 0 });
    const [a] = await watchers(id);
    await receive(id, 1);
    await t.db('inventory_units').where({ product_id: id }).update({ status: 'sold' });
    await t.runJobs();
    expect(await notes(a, 'back_in_stock')).toEqual([]);
    expect(mailsTo(a)).toEqual([]);
  });

  it('two workers draining the queue at once, or one job run twice, still tell each customer exactly once', async () => {
    const id = await t.product({ name: 'Race Restock', units: 0 });
    const users = [await createUser(t.db), await createUser(t.db), await createUser(t.db), await createUser(t.db)];
    for (const u of users) await wish(u, id);
    await receive(id, 3);
    const worker = (name: string) => new JobWorker({ db: t.db, registry: t.app.context.jobs, logger: createLogger('silent'), clock: t.clock, batchSize: 1, id: name });
    const [w1, w2] = [worker('w1'), worker('w2')];
    await Promise.all([w1.drain(), w2.drain()]);

    // The same event delivered again, twice at once (a lost lock, a retry after a crash): nobody hears twice.
    const job = await t.db('jobs').where({ kind: WISHLIST_ALERT_JOB }).orderBy('id', 'desc').first('payload');
    const event = JSON.parse(job.payload) as WishlistEvent;
    expect(event).toMatchObject({ kind: 'back_in_stock', productId: id });
    const deps = { db: t.db, clock: t.clock, logger: createLogger('silent'), currency: 'USD' };
    const told = await Promise.all([deliverEvent(deps, event), deliverEvent(deps, event), deliverEvent(deps, event)]);
    expect(told).toEqual([0, 0, 0]);
    await Promise.all([w1.drain(), w2.drain()]);

    for (const u of users) {
      expect(await notes(u, 'back_in_stock')).toEqual(['Back in stock: Race Restock']);
      expect(mailsTo(u)).toEqual(['Back in stock: Race Restock']);
      const mailJobs = await t.db('jobs').where({ kind: 'mail.send' }).where('unique_key', 'like', `wishlist-mail:%:${u.id}`).count({ n: '*' }).first();
      expect(Number(mailJobs!.n)).toBe(1);
    }
  });

  it('delivering one event from several workers at once (first delivery) tells each customer once', async () => {
    const id = await t.product({ name: 'Race Fresh', units: 1 });
    const users = [await createUser(t.db), await createUser(t.db), await createUser(t.db)];
    for (const u of users) await wish(u, id);
    const event: WishlistEvent = { kind: 'back_in_stock', productId: id, eventKey: `restock:${id}:test` };
    const deps = { db: t.db, clock: t.clock, logger: createLogger('silent'), currency: 'USD' };
    const told = await Promise.all([deliverEvent(deps, event), deliverEvent(deps, event)]);
    expect(told[0]! + told[1]!).toBe(3);
    await t.runJobs();
    for (const u of users) {
      expect(await notes(u, 'back_in_stock')).toHaveLength(1);
      expect(mailsTo(u)).toHaveLength(1);
    }
  });

  it('a price drop tells each customer once per drop; a rise or an unchanged save tells nobody', async () => {
    const id = await t.product({ name: 'Cheaper ThinkPad', priceCents: 50_000, units: 0 });
    const [a, b, off] = await watchers(id);
    const save = async (priceCents: number) => {
      const p = await t.app.context.products.get(id);
      await t.app.context.products.update(id, p.version, { ...p.fields, priceCents }, staff);
      await t.runJobs();
    };

    await save(45_000);
    for (const u of [a, b]) {
      expect(await notes(u, 'price_drop')).toEqual(['Price drop: Cheaper ThinkPad']);
      expect(mailsTo(u)).toEqual(['Price drop: Cheaper ThinkPad now $450.00']);
    }
    expect(await notes(off, 'price_drop')).toEqual([]);
    expect(mailsTo(off)).toEqual([]);
    const mail = t.mail.find((m) => m.to === a.email)!;
    expect(mail.text).toContain('Cheaper ThinkPad, on your wishlist, now costs $450.00 (was $500.00). It is out of stock at the moment');
    expect(await t.db('notifications').where({ user_id: a.id, kind: 'price_drop' }).first('body')).toEqual({ body: 'Cheaper ThinkPad, on your wishlist, now costs $450.00 (was $500.00).' });

    await save(48_000); // a rise
    await save(48_000); // unchanged
    expect(await notes(a, 'price_drop')).toHaveLength(1);

    await save(40_000); // the next drop is news again
    expect(await notes(a, 'price_drop')).toEqual(['Price drop: Cheaper ThinkPad', 'Price drop: Cheaper ThinkPad']);
    expect(mailsTo(b)).toEqual(['Price drop: Cheaper ThinkPad now $450.00', 'Price drop: Cheaper ThinkPad now $400.00']);
  });

  it('a CSV import lowering a price is a price drop; its dry run is not', async () => {
    const id = await t.product({ name: 'Imported Drop', priceCents: 60_000 });
    const [a] = await watchers(id);
    const p = await t.app.context.products.get(id);
    const record = toCsvRecord({ ...p, fields: { ...p.fields, priceCents: 55_000 } }, 'laptops');
    const csv = stringify([[...CSV_COLUMNS], CSV_COLUMNS.map((c) => record[c])]);
    for (const dryRun of [true, false]) {
      const importId = await t.app.context.productImports.start({ filename: 'prices.csv', text: csv }, dryRun, staff);
      await t.runJobs();
      expect(await t.app.context.productImports.get(importId)).toMatchObject({ status: 'succeeded' });
      expect(await notes(a, 'price_drop'), `dry run: ${dryRun}`).toHaveLength(dryRun ? 0 : 1);
    }
    expect(mailsTo(a)).toEqual(['Price drop: Imported Drop now $550.00']);
  });

  it('a drop undone before the job runs, or on a product not on sale, tells nobody', async () => {
    const id = await t.product({ name: 'Undone Drop', priceCents: 30_000 });
    const [a] = await watchers(id);
    const p = await t.app.context.products.get(id);
    await t.app.context.products.update(id, p.version, { ...p.fields, priceCents: 25_000 }, staff);
    const q = await t.app.context.products.get(id);
    await t.app.context.products.update(id, q.version, { ...q.fields, priceCents: 30_000 }, staff);
    const r = await t.app.context.products.get(id);
    await t.app.context.products.update(id, r.version, { ...r.fields, priceCents: 27_000, status: 'draft' }, staff);
    await t.runJobs();
    expect(await notes(a, 'price_drop')).toEqual([]);
    expect(mailsTo(a)).toEqual([]);
  });
});
