import type { Conn } from '../db';
import type { Actor } from '../db/state-machine';
import { stockDelta, unitMachine, type UnitStatus } from './lifecycle';
import * as repo from './repo';
import { recordStockArrivals } from '../wishlist/alerts';

/**
 * The one way a unit changes status: along the lifecycle (lifecycle.ts),
 * with its state_changes row and its stock_movements row, in the caller's
 * transaction. Checkout, cancellation, expiry, rentals and staff all move
 * units through here; each returns the products whose saleable stock
 * changed, for the caller to tell the catalog after commit. Units coming
 * into stock of a product that had none are a restock: customers who wish
 * for it hear of it (wishlist/alerts.ts, queued in the same transaction).
 */

export type MovementReason = 'received' | 'reserved' | 'released' | 'sold' | 'rented' | 'returned' | 'restocked' | 'refurbishing' | 'retired' | 'adjusted';

export interface Movement {
  reason: MovementReason;
  actor: Actor;
  now: Date;
  note?: string | null;
  /** The order or rental the move is for (recorded on the movement). */
  orderId?: number | null;
  rentalId?: number | null;
}

/** Who holds the units after the move (inventory_units.order_id / rental_id); omitted columns stay as they are. */
export interface Holder {
  order_id?: number | null;
  rental_id?: number | null;
}

export type { UnitRef } from './repo';

/** Moves units (each from its current status) to `to`. Returns the ids of the products whose saleable stock changed. */
export async function moveUnits(conn: Conn, units: readonly repo.UnitRef[], to: UnitStatus, m: Movement, holder: Holder = {}): Promise<number[]> {
  const byStatus = new Map<UnitStatus, repo.UnitRef[]>();
  for (const u of units) byStatus.set(u.status, [...(byStatus.get(u.status) ?? []), u]);
  const changed = new Set<number>();
  const arrived = new Map<number, number>();
  for (const [from, group] of byStatus) {
    await unitMachine.transitionMany(conn, group.map((u) => u.id), from, to, { actor: m.actor.label, at: m.now, note: m.note ?? undefined, set: { ...holder } });
    const quantity = stockDelta(from, to);
    await repo.insertMovements(conn, group.map((u) => movementRow(u, m, quantity)), m.now);
    if (quantity !== 0) for (const u of group) changed.add(u.productId);
    if (quantity > 0) countByProduct(group, arrived);
  }
  await recordStockArrivals(conn, arrived, m.now);
  return [...changed];
}

function countByProduct(units: readonly repo.UnitRef[], into: Map<number, number>): Map<number, number> {
  for (const u of units) into.set(u.productId, (into.get(u.productId) ?? 0) + 1);
  return into;
}

function movementRow(u: repo.UnitRef, m: Movement, quantity: number): repo.MovementRow {
  return {
    productId: u.productId,
    unitId: u.id,
    reason: m.reason,
    quantity,
    orderId: m.orderId ?? null,
    rentalId: m.rentalId ?? null,
    actorUserId: m.actor.userId,
    note: m.note ?? null,
  };
}

/** New units arrive in stock: inserted with their first state and a "received" movement each. */
export async function receiveUnits(conn: Conn, units: readonly repo.NewUnit[], m: Omit<Movement, 'reason'>): Promise<repo.UnitRef[]> {
  if (!units.length) return [];
  const added = await repo.insertUnits(conn, units, m.now);
  await unitMachine.recordInitial(conn, added.map((u) => u.id), 'in_stock', { actor: m.actor.label, at: m.now, note: m.note ?? undefined });
  await repo.insertMovements(conn, added.map((u) => movementRow(u, { ...m, reason: 'received' }, stockDelta(null, 'in_stock'))), m.now);
  await recordStockArrivals(conn, countByProduct(added, new Map()), m.now);
  return added;
}

/**
 * Holds `quantity` in-stock units of a product for an order. Returns the
 * units held; fewer than asked means it sold out (nothing was moved: the
 * caller reports it and rolls back).
 */
export async function reserveForOrder(conn: Conn, productId: number, quantity: number, orderId: number, m: Omit<Movement, 'reason' | 'orderId'>): Promise<repo.UnitRef[]> {
  const units = await repo.pickInStock(conn, productId, quantity);
  if (units.length < quantity) return units;
  await moveUnits(conn, units, 'reserved', { ...m, reason: 'reserved', orderId }, { order_id: orderId });
  return units;
}

/**
 * Holds one in-stock unit of a product for a rental awaiting its first
 * payment (unit's rental_id set, a "reserved" movement). Null when none is
 * left; nothing was moved.
 */
export async function reserveForRental(conn: Conn, productId: number, rentalId: number, m: Omit<Movement, 'reason' | 'rentalId'>): Promise<repo.UnitRef | null> {
  const [unit] = await repo.pickInStock(conn, productId, 1);
  if (!unit) return null;
  await moveUnits(conn, [unit], 'reserved', { ...m, reason: 'reserved', rentalId }, { rental_id: rentalId });
  return unit;
}

/** Payment received: the order's held units are sold. */
export async function sellOrderUnits(conn: Conn, orderId: number, m: Omit<Movement, 'reason' | 'orderId'>): Promise<number[]> {
  const units = await repo.unitsHeldBy(conn, { orderId }, ['reserved']);
  return moveUnits(conn, units, 'sold', { ...m, reason: 'sold', orderId });
}

/** An order cancelled before it shipped, or expired unpaid: its units go back in stock. Returns the products restocked. */
export async function releaseOrderUnits(conn: Conn, orderId: number, m: Omit<Movement, 'reason' | 'orderId'>): Promise<number[]> {
  const units = await repo.unitsHeldBy(conn, { orderId }, ['reserved', 'sold']);
  return moveUnits(conn, units, 'in_stock', { ...m, reason: 'released', orderId }, { order_id: null });
}

/**
 * A rental's unit moves with the agreement: out on rent when the first
 * payment arrives, sold to the renter when owned, back (returned, then to the
 * workshop) when the renter sends it back, in stock again when an unpaid
 * agreement is cancelled. Returns the products whose saleable stock changed.
 */
export async function moveRentalUnit(
  conn: Conn,
  rentalId: number,
  to: 'rented' | 'sold' | 'returned' | 'refurbishing' | 'in_stock',
  m: Omit<Movement, 'reason' | 'rentalId'>,
): Promise<number[]> {
  const from: Record<typeof to, UnitStatus[]> = { rented: ['reserved'], sold: ['rented'], returned: ['rented'], refurbishing: ['returned'], in_stock: ['reserved'] };
  const reason: Record<typeof to, MovementReason> = { rented: 'rented', sold: 'sold', returned: 'returned', refurbishing: 'refurbishing', in_stock: 'released' };
  const units = await repo.unitsHeldBy(conn, { rentalId }, from[to]);
  // A unit back from a renter or released is no longer theirs; one sold stays recorded against the agreement.
  const holder = to === 'in_stock' || to === 'refurbishing' ? { rental_id: null } : {};
  return moveUnits(conn, units, to, { ...m, reason: reason[to], rentalId }, holder);
}
