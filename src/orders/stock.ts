import type { Conn } from '../db';
import { isMysql } from '../db';
import { toDbTime } from '../lib/clock';

/**
 * Units move between in_stock, reserved (held for an unpaid order) and sold
 * (paid). Each change is a conditional UPDATE on the unit's current status plus
 * an append-only stock_movements row; nothing is decided on a value read earlier.
 */

/**
 * Reserves `quantity` in-stock units of a product for an order and returns the
 * unit ids; fewer than asked means the product sold out (the caller rolls back).
 * MySQL/MariaDB: SELECT … FOR UPDATE SKIP LOCKED, so concurrent checkouts take
 * different units without waiting on each other. SQLite: one UPDATE with the
 * candidates picked in a sub-select, which is atomic because SQLite has a single writer.
 */
export async function reserveUnits(conn: Conn, productId: number, quantity: number, orderId: number, now: Date): Promise<number[]> {
  const at = toDbTime(now);
  if (isMysql(conn)) {
    const rows = await conn('inventory_units')
      .where({ product_id: productId, status: 'in_stock' })
      .orderBy('id')
      .limit(quantity)
      .forUpdate()
      .skipLocked()
      .select('id');
    const ids = rows.map((r) => Number(r.id));
    if (ids.length === 0) return [];
    const updated = await conn('inventory_units')
      .whereIn('id', ids)
      .where({ status: 'in_stock' })
      .update({ status: 'reserved', order_id: orderId, updated_at: at });
    if (updated !== ids.length) return [];
    return ids;
  }
  await conn.raw(
    `UPDATE inventory_units SET status = 'reserved', order_id = ?, updated_at = ?
     WHERE id IN (SELECT id FROM inventory_units WHERE product_id = ? AND status = 'in_stock' ORDER BY id LIMIT ?)`,
    [orderId, at, productId, quantity],
  );
  const rows = await conn('inventory_units').where({ product_id: productId, order_id: orderId, status: 'reserved' }).select('id');
  return rows.map((r) => Number(r.id));
}

export async function recordMovements(
  conn: Conn,
  units: Array<{ unitId: number; productId: number }>,
  m: { reason: string; quantity: number; orderId: number | null; actorUserId?: number | null; note?: string; now: Date },
): Promise<void> {
  if (units.length === 0) return;
  await conn('stock_movements').insert(
    units.map((u) => ({
      product_id: u.productId,
      inventory_unit_id: u.unitId,
      reason: m.reason,
      quantity: m.quantity,
      order_id: m.orderId,
      actor_user_id: m.actorUserId ?? null,
      note: m.note ?? null,
      created_at: toDbTime(m.now),
    })),
  );
}

/** Puts an order's reserved or sold units back in stock; returns the units released. */
export async function releaseOrderUnits(conn: Conn, orderId: number, m: { actorUserId?: number | null; note: string; now: Date }): Promise<number> {
  const rows = await conn('inventory_units').where({ order_id: orderId }).whereIn('status', ['reserved', 'sold']).select('id', 'product_id', 'status');
  let released = 0;
  for (const r of rows) {
    const n = await conn('inventory_units')
      .where({ id: r.id, order_id: orderId, status: r.status })
      .update({ status: 'in_stock', order_id: null, updated_at: toDbTime(m.now) });
    if (n === 1) {
      released++;
      await recordMovements(conn, [{ unitId: r.id, productId: r.product_id }], { reason: 'released', quantity: 1, orderId, ...m });
    }
  }
  return released;
}

/** Payment received: the order's held units are now sold (stock count unchanged, so quantity 0). */
export async function markOrderUnitsSold(conn: Conn, orderId: number, now: Date): Promise<void> {
  const rows = await conn('inventory_units').where({ order_id: orderId, status: 'reserved' }).select('id', 'product_id');
  if (rows.length === 0) return;
  await conn('inventory_units').whereIn('id', rows.map((r) => r.id)).where({ status: 'reserved' }).update({ status: 'sold', updated_at: toDbTime(now) });
  await recordMovements(conn, rows.map((r) => ({ unitId: r.id, productId: r.product_id })), { reason: 'sold', quantity: 0, orderId, now });
}
