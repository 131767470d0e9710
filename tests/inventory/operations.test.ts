import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMysql } from '../../src/db';
import { SYSTEM } from '../../src/db/state-machine';
import { releaseOrderUnits, reserveForOrder, receiveUnits, moveUnits, sellOrderUnits } from '../../src/inventory/operations';
import { IllegalTransitionError } from '../../src/db/state-machine';
import { expectOneMovementPerUnitChange } from '../helpers/inventory';
import { freshDb, type TestDb } from '../helpers/db';
import { insertProduct } from '../helpers/fixtures';

/**
 * The reservation itself, without the checkout's early stock check in front:
 * 40 transactions at once each want 1 of 5 units. Exactly 5 get one, no unit
 * is given twice, the rest see "none left" (and roll back).
 */
describe('reserveForOrder under concurrency', () => {
  let t: TestDb;
  let productId: number;
  const orderIds: number[] = [];
  beforeAll(async () => {
    t = await freshDb();
    await t.db('categories').insert({ slug: 'x', name: 'X', position: 1 });
    const { id: categoryId } = await t.db('categories').first('id');
    productId = await insertProduct(t.db, { categoryId, name: 'Contended', units: 5 });
    for (let i = 0; i < 40; i++) {
      const [id] = await t.db('orders').insert({ email: `c${i}@example.com`, subtotal_cents: 1, total_cents: 1, shipping_method: 'standard', shipping_address: '{}', payment_method: 'manual' });
      orderIds.push(Number(id));
    }
  });
  afterAll(() => t.destroy());

  it('never gives a unit twice', async () => {
    const now = new Date();
    const results = await Promise.all(
      orderIds.map((orderId) =>
        t.db
          .transaction(
            async (trx) => {
              const held = await reserveForOrder(trx, productId, 1, orderId, { actor: SYSTEM, now });
              if (held.length < 1) throw new Error('sold out');
              return held[0]!.id;
            },
            isMysql(t.db) ? { isolationLevel: 'read committed' } : undefined,
          )
          .then((unit) => ({ ok: true as const, unit }), (err: Error) => ({ ok: false as const, err: err.message })),
      ),
    );
    const won = results.filter((r) => r.ok);
    expect(won).toHaveLength(5);
    expect(new Set(won.map((r) => r.ok && r.unit)).size).toBe(5);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.err === 'sold out')).toBe(true);
    const units = await t.db('inventory_units').where({ product_id: productId }).select('status', 'order_id');
    expect(units.every((u) => u.status === 'reserved' && u.order_id !== null)).toBe(true);
    expect(new Set(units.map((u) => u.order_id)).size).toBe(5);
    expect(await t.db('stock_movements').where({ product_id: productId, reason: 'reserved', quantity: -1 }).count({ n: '*' }).first()).toEqual({ n: 5 });
    expect(await t.db('state_changes').where({ entity: 'inventory_unit', from_state: 'in_stock', to_state: 'reserved' }).count({ n: '*' }).first()).toEqual({ n: 5 });
  });

  it('asks for more than there is → gets fewer and moves none; release puts units back once', async () => {
    const orderId = orderIds[0]!;
    const now = new Date();
    const holder = (await t.db('inventory_units').where({ product_id: productId }).first('order_id')).order_id;
    expect(await t.db.transaction((trx) => releaseOrderUnits(trx, holder, { actor: SYSTEM, note: 'test', now }))).toEqual([productId]);
    const got = await t.db.transaction((trx) => reserveForOrder(trx, productId, 3, orderId, { actor: SYSTEM, now }));
    expect(got).toHaveLength(1);
    expect(await t.db('inventory_units').where({ product_id: productId, status: 'in_stock' }).count({ n: '*' }).first()).toEqual({ n: 1 });
    await t.db.transaction((trx) => reserveForOrder(trx, productId, 1, orderId, { actor: SYSTEM, now }));
    expect(await t.db.transaction((trx) => releaseOrderUnits(trx, orderId, { actor: SYSTEM, note: 'again', now }))).toEqual([productId]);
    expect(await t.db.transaction((trx) => releaseOrderUnits(trx, orderId, { actor: SYSTEM, note: 'twice', now }))).toEqual([]);
    await expectOneMovementPerUnitChange(t.db);
  });
});

describe('moving units along the lifecycle', () => {
  let t: TestDb;
  let productId: number;
  beforeAll(async () => {
    t = await freshDb();
    await t.db('categories').insert({ slug: 'x', name: 'X', position: 1 });
    const { id: categoryId } = await t.db('categories').first('id');
    productId = await insertProduct(t.db, { categoryId, name: 'Tracked', units: 0 });
  });
  afterAll(() => t.destroy());

  const actor = { userId: null, label: 'user:staff' };
  const unit = async (serial: string) => {
    const row = await t.db('inventory_units').where({ serial_number: serial }).first();
    return { id: Number(row.id), productId: Number(row.product_id), status: row.status };
  };

  it('receives units: in stock, with a "received" movement (+1) and a first state each', async () => {
    const now = new Date('2026-11-27T10:00:00Z');
    const added = await t.db.transaction((trx) =>
      receiveUnits(trx, [
        { productId, serialNumber: 'LIFE-1', grade: 'A', costCents: 20_000 },
        { productId, serialNumber: 'LIFE-2', grade: 'B', costCents: 18_000, notes: 'small scuff on the lid' },
      ], { actor, now, note: 'Delivery 42' }),
    );
    expect(added.map((u) => u.status)).toEqual(['in_stock', 'in_stock']);
    const movements = await t.db('stock_movements').where({ product_id: productId }).orderBy('id');
    expect(movements.map((m) => [m.reason, m.quantity, m.note])).toEqual([['received', 1, 'Delivery 42'], ['received', 1, 'Delivery 42']]);
    const first = await t.db('state_changes').where({ entity: 'inventory_unit', entity_id: added[0]!.id }).first();
    expect(first).toMatchObject({ from_state: null, to_state: 'in_stock', actor: 'user:staff' });
  });

  it.each([
    ['in_stock', 'refurbishing', 'refurbishing', -1],
    ['refurbishing', 'in_stock', 'restocked', 1],
    ['in_stock', 'retired', 'retired', -1],
  ] as const)('%s → %s writes the move, its state change and a movement of %s (%i)', async (from, to, reason, quantity) => {
    const u = await unit(from === 'in_stock' ? 'LIFE-1' : 'LIFE-1');
    expect(u.status).toBe(from);
    const changed = await t.db.transaction((trx) => moveUnits(trx, [u], to, { reason, actor, now: new Date() }));
    expect(changed).toEqual([productId]);
    expect((await unit('LIFE-1')).status).toBe(to);
    const last = await t.db('stock_movements').where({ inventory_unit_id: u.id }).orderBy('id', 'desc').first();
    expect(last).toMatchObject({ reason, quantity });
  });

  it('refuses a move the lifecycle does not allow, and writes nothing', async () => {
    const retired = await unit('LIFE-1');
    const before = await t.db('stock_movements').count({ n: '*' }).first();
    await expect(t.db.transaction((trx) => moveUnits(trx, [retired], 'in_stock', { reason: 'adjusted', actor, now: new Date() }))).rejects.toBeInstanceOf(IllegalTransitionError);
    expect((await unit('LIFE-1')).status).toBe('retired');
    expect(await t.db('stock_movements').count({ n: '*' }).first()).toEqual(before);
  });

  it('a unit that changed meanwhile is not overwritten: the whole move fails', async () => {
    const stale = await unit('LIFE-2');
    await t.db('inventory_units').where({ id: stale.id }).update({ status: 'reserved' });
    await expect(t.db.transaction((trx) => moveUnits(trx, [stale], 'refurbishing', { reason: 'refurbishing', actor, now: new Date() }))).rejects.toThrow(/changed at the same time/);
    await t.db('inventory_units').where({ id: stale.id }).update({ status: 'in_stock' });
  });

  it('selling an order keeps stock unchanged (movement 0) and keeps the order on the unit', async () => {
    const [orderId] = await t.db('orders').insert({ email: 'x@example.com', subtotal_cents: 1, total_cents: 1, shipping_method: 'standard', shipping_address: '{}', payment_method: 'manual' });
    const now = new Date();
    await t.db.transaction((trx) => reserveForOrder(trx, productId, 1, Number(orderId), { actor: SYSTEM, now }));
    expect(await t.db.transaction((trx) => sellOrderUnits(trx, Number(orderId), { actor: SYSTEM, now }))).toEqual([]);
    expect(await t.db('inventory_units').where({ serial_number: 'LIFE-2' }).first()).toMatchObject({ status: 'sold', order_id: Number(orderId) });
    expect(await t.db('stock_movements').where({ order_id: Number(orderId) }).orderBy('id').select('reason', 'quantity')).toEqual([{ reason: 'reserved', quantity: -1 }, { reason: 'sold', quantity: 0 }]);
  });
});
