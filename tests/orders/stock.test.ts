import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMysql } from '../../src/db';
import { reserveUnits, releaseOrderUnits, recordMovements } from '../../src/orders/stock';
import { freshDb, type TestDb } from '../helpers/db';
import { insertProduct } from '../helpers/fixtures';

/**
 * The reservation itself, without the checkout's early stock check in front:
 * 40 transactions at once each want 1 of 5 units. Exactly 5 get one, no unit
 * is given twice, the rest see "none left" (and roll back).
 */
describe('reserveUnits under concurrency', () => {
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
              const ids = await reserveUnits(trx, productId, 1, orderId, now);
              if (ids.length < 1) throw new Error('sold out');
              await recordMovements(trx, ids.map((unitId) => ({ unitId, productId })), { reason: 'reserved', quantity: -1, orderId, now });
              return ids[0]!;
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
    expect(await t.db('stock_movements').where({ product_id: productId }).count({ n: '*' }).first()).toEqual({ n: 5 });
  });

  it('asks for more than there is → gets fewer, and release puts units back once', async () => {
    const orderId = orderIds[0]!;
    const now = new Date();
    const freed = await releaseOrderUnits(t.db, (await t.db('inventory_units').where({ product_id: productId }).first('order_id')).order_id, { note: 'test', now });
    expect(freed).toBe(1);
    const got = await t.db.transaction((trx) => reserveUnits(trx, productId, 3, orderId, now));
    expect(got).toHaveLength(1);
    expect(await releaseOrderUnits(t.db, orderId, { note: 'again', now })).toBe(1);
    expect(await releaseOrderUnits(t.db, orderId, { note: 'twice', now })).toBe(0);
  });
});
