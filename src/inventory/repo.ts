import { isMysql, lockedInTransaction, type Conn } from '../db';
import { toDbTime } from '../lib/clock';
import { insertInChunks } from '../db/batch';
import type { Grade } from '../catalog/grades';
import type { UnitStatus } from './lifecycle';

/** inventory_units and stock_movements: queries only. */

/**
 * Saleable stock of the product in `productColumn` (units in stock), as a
 * correlated sub-select named `as`, for other features' product queries.
 */
export function inStockCount(conn: Conn, productColumn: string, as: string) {
  return conn('inventory_units as u').count('*').where('u.product_id', conn.ref(productColumn)).andWhere('u.status', 'in_stock').as(as);
}

/** The condition "the product in `productColumn` has a unit in stock", for a whereExists. */
export function unitInStock(conn: Conn, productColumn: string) {
  return conn('inventory_units as u').select(conn.raw('1')).where('u.product_id', conn.ref(productColumn)).andWhere('u.status', 'in_stock');
}

/** Ids of the products with at least one unit in stock (among `among`, when given). */
export async function inStockProductIds(conn: Conn, among?: readonly number[]): Promise<number[]> {
  const qb = conn('inventory_units').distinct('product_id').where('status', 'in_stock');
  if (among) qb.whereIn('product_id', among);
  return (await qb).map((r) => Number(r.product_id));
}

export interface UnitRef {
  id: number;
  productId: number;
  status: UnitStatus;
}

function toUnitRef(r: Record<string, any>): UnitRef {
  return { id: Number(r.id), productId: Number(r.product_id), status: r.status };
}

/**
 * Up to `quantity` in-stock units of a product for the caller's transaction
 * to move. MySQL/MariaDB: FOR UPDATE SKIP LOCKED, so concurrent checkouts take
 * different units without waiting on each other. SQLite has a single writer:
 * nothing else changes the rows before the caller's UPDATE.
 */
export async function pickInStock(conn: Conn, productId: number, quantity: number): Promise<UnitRef[]> {
  const qb = conn('inventory_units').where({ product_id: productId, status: 'in_stock' }).orderBy('id').limit(quantity).select('id', 'product_id', 'status');
  const rows = isMysql(conn) ? await qb.forUpdate().skipLocked() : await qb;
  return rows.map(toUnitRef);
}

/** The units an order or rental holds, in these states, locked for the caller's transaction on MySQL. */
export async function unitsHeldBy(conn: Conn, holder: { orderId: number } | { rentalId: number }, statuses: readonly UnitStatus[]): Promise<UnitRef[]> {
  const qb = conn('inventory_units')
    .where('orderId' in holder ? { order_id: holder.orderId } : { rental_id: holder.rentalId })
    .whereIn('status', statuses)
    .orderBy('id')
    .select('id', 'product_id', 'status');
  const rows = await lockedInTransaction(conn, qb);
  return rows.map(toUnitRef);
}

export async function unitsByIds(conn: Conn, ids: readonly number[]): Promise<UnitRef[]> {
  if (!ids.length) return [];
  const qb = conn('inventory_units').whereIn('id', ids).orderBy('id').select('id', 'product_id', 'status');
  const rows = await lockedInTransaction(conn, qb);
  return rows.map(toUnitRef);
}

/** Serial numbers of a product's units in stock, oldest first. */
export async function inStockSerials(conn: Conn, productId: number, limit: number): Promise<string[]> {
  return conn('inventory_units').where({ product_id: productId, status: 'in_stock' }).orderBy('id').limit(limit).pluck('serial_number');
}

export interface NewUnit {
  productId: number;
  serialNumber: string;
  grade: Grade;
  costCents: number | null;
  notes?: string | null;
}

/** Inserts in-stock units and returns them with their ids (read back by serial number, unique). */
export async function insertUnits(conn: Conn, units: readonly NewUnit[], now: Date): Promise<UnitRef[]> {
  const at = toDbTime(now);
  await insertInChunks(
    conn,
    'inventory_units',
    units.map((u) => ({ product_id: u.productId, serial_number: u.serialNumber, condition_grade: u.grade, status: 'in_stock', cost_cents: u.costCents, notes: u.notes ?? null, created_at: at, updated_at: at })),
  );
  const out: UnitRef[] = [];
  const serials = units.map((u) => u.serialNumber);
  for (let i = 0; i < serials.length; i += 1000) {
    out.push(...(await conn('inventory_units').whereIn('serial_number', serials.slice(i, i + 1000)).select('id', 'product_id', 'status')).map(toUnitRef));
  }
  return out;
}

export interface MovementRow {
  productId: number;
  unitId: number;
  reason: string;
  quantity: number;
  orderId: number | null;
  rentalId: number | null;
  actorUserId: number | null;
  note: string | null;
}

export async function insertMovements(conn: Conn, rows: readonly MovementRow[], now: Date): Promise<void> {
  const at = toDbTime(now);
  await insertInChunks(
    conn,
    'stock_movements',
    rows.map((m) => ({
      product_id: m.productId,
      inventory_unit_id: m.unitId,
      reason: m.reason,
      quantity: m.quantity,
      order_id: m.orderId,
      rental_id: m.rentalId,
      actor_user_id: m.actorUserId,
      note: m.note ? m.note.slice(0, 500) : null,
      created_at: at,
    })),
  );
}

export interface UnitDetail extends UnitRef {
  serialNumber: string;
  grade: Grade;
}

/** Units by serial number (exact), with their product and status, locked for the caller's transaction on MySQL. */
export async function unitsBySerial(conn: Conn, serials: readonly string[]): Promise<UnitDetail[]> {
  if (!serials.length) return [];
  const qb = conn('inventory_units').whereIn('serial_number', serials).select('id', 'product_id', 'status', 'serial_number', 'condition_grade');
  const rows = await lockedInTransaction(conn, qb);
  return rows.map((r) => ({ ...toUnitRef(r), serialNumber: r.serial_number, grade: r.condition_grade }));
}

/** The serial numbers of the units an order holds, by product. */
export async function heldSerials(conn: Conn, orderId: number): Promise<Map<number, string[]>> {
  const rows = await conn('inventory_units').where({ order_id: orderId }).whereIn('status', ['reserved', 'sold']).orderBy('id').select('product_id', 'serial_number');
  const out = new Map<number, string[]>();
  for (const r of rows) out.set(Number(r.product_id), [...(out.get(Number(r.product_id)) ?? []), r.serial_number]);
  return out;
}

export interface UnitRecord extends UnitDetail {
  costCents: number | null;
  notes: string | null;
  orderId: number | null;
  rentalId: number | null;
  updatedAt: string;
}

/** A product's units, newest first. */
export async function productUnits(conn: Conn, productId: number): Promise<UnitRecord[]> {
  const rows = await conn('inventory_units').where({ product_id: productId }).orderBy('id', 'desc');
  return rows.map((r) => ({
    ...toUnitRef(r),
    serialNumber: r.serial_number,
    grade: r.condition_grade,
    costCents: r.cost_cents ?? null,
    notes: r.notes ?? null,
    orderId: r.order_id ?? null,
    rentalId: r.rental_id ?? null,
    updatedAt: String(r.updated_at),
  }));
}

/** Units per status for each of these products. */
export async function unitCounts(conn: Conn, productIds: readonly number[]): Promise<Map<number, Partial<Record<UnitStatus, number>>>> {
  const out = new Map<number, Partial<Record<UnitStatus, number>>>();
  if (!productIds.length) return out;
  const rows = (await conn('inventory_units').whereIn('product_id', productIds).select('product_id', 'status').count({ n: '*' }).groupBy('product_id', 'status')) as Array<{ product_id: number; status: UnitStatus; n: unknown }>;
  for (const r of rows) out.set(Number(r.product_id), { ...out.get(Number(r.product_id)), [r.status]: Number(r.n) });
  return out;
}

export interface StockAlert {
  productId: number;
  name: string;
  inStock: number;
  threshold: number;
}

const IN_STOCK_COUNT = "(SELECT COUNT(*) FROM inventory_units u WHERE u.product_id = p.id AND u.status = 'in_stock')";

/** Active products at or below their low-stock threshold that staff have not been told about yet. */
export async function productsToAlert(conn: Conn): Promise<StockAlert[]> {
  const rows = await conn('products as p')
    .whereNotNull('p.low_stock_threshold')
    .whereNull('p.low_stock_alerted_at')
    .where('p.status', 'active')
    .whereRaw(`${IN_STOCK_COUNT} <= p.low_stock_threshold`)
    .select('p.id', 'p.name', 'p.low_stock_threshold', conn.raw(`${IN_STOCK_COUNT} as in_stock`));
  return rows.map((r) => ({ productId: Number(r.id), name: r.name, inStock: Number(r.in_stock ?? 0), threshold: Number(r.low_stock_threshold) }));
}

export async function markAlerted(conn: Conn, productId: number, now: Date): Promise<boolean> {
  return (await conn('products').where({ id: productId }).whereNull('low_stock_alerted_at').update({ low_stock_alerted_at: toDbTime(now) })) === 1;
}

/** Products back above their threshold are watched again: the next fall sends a new alert. */
export async function rearmAlerts(conn: Conn): Promise<number> {
  return conn('products as p').whereNotNull('p.low_stock_alerted_at').whereRaw(`${IN_STOCK_COUNT} > p.low_stock_threshold`).update({ low_stock_alerted_at: null });
}

export async function setLowStockThreshold(conn: Conn, productId: number, threshold: number | null): Promise<void> {
  await conn('products').where({ id: productId }).update({ low_stock_threshold: threshold, low_stock_alerted_at: null });
}
