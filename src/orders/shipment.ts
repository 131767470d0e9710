import type { Conn } from '../db';
import { ValidationError } from '../http/errors';
import * as inventory from '../inventory/repo';
import type { UnitRef } from '../inventory/repo';
import type { OrderItem } from './repo';

export interface ShipmentPlan {
  /** The serials each item ships with. */
  serialsByItem: Map<number, string[]>;
  /** In-stock units sent instead of the ones the order held. */
  swappedIn: UnitRef[];
  /** Units the order held that stay in the warehouse. */
  leftBehind: UnitRef[];
}

/**
 * Checks the serials staff typed against the order: one per unit ordered,
 * each a unit of the item's product that the order holds or that is in
 * stock, none twice. Any problem refuses the whole shipment with every
 * reason, keyed by the `serials` field.
 */
export async function planShipment(conn: Conn, orderId: number, items: OrderItem[], typed: string[]): Promise<ShipmentPlan> {
  const serials = typed.map((s) => s.trim()).filter(Boolean);
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const s of serials) {
    if (seen.has(s)) problems.push(`${s} is listed twice.`);
    seen.add(s);
  }
  const units = new Map((await inventory.unitsBySerial(conn, serials)).map((u) => [u.serialNumber, u]));
  const held = await inventory.unitsHeldBy(conn, { orderId }, ['sold']);
  const heldIds = new Set(held.map((u) => u.id));

  const serialsByItem = new Map<number, string[]>();
  const remaining = [...new Set(serials)];
  for (const item of items) {
    const mine = remaining.filter((s) => units.get(s)?.productId === item.productId);
    if (mine.length !== item.quantity) {
      problems.push(`${item.productName} needs ${item.quantity} serial number${item.quantity === 1 ? '' : 's'}; ${mine.length === 0 ? 'none was' : `${mine.length} ${mine.length === 1 ? 'was' : 'were'}`} given.`);
    }
    serialsByItem.set(item.id, mine.slice(0, item.quantity));
  }
  const wanted = new Set([...serialsByItem.values()].flat());
  for (const s of new Set(serials)) {
    const unit = units.get(s);
    if (!unit) problems.push(`There is no unit with serial number ${s}.`);
    else if (!items.some((i) => i.productId === unit.productId)) problems.push(`${s} is a unit of another product.`);
    else if (!heldIds.has(unit.id) && unit.status !== 'in_stock') problems.push(`${s} is not in stock (it is ${unit.status.replace(/_/g, ' ')}).`);
  }
  if (problems.length) throw new ValidationError('The order cannot ship with these serial numbers.', { serials: [...new Set(problems)].join(' ') });

  const chosen = [...wanted].map((s) => units.get(s)!);
  return {
    serialsByItem,
    swappedIn: chosen.filter((u) => !heldIds.has(u.id)),
    leftBehind: held.filter((u) => !chosen.some((c) => c.id === u.id)),
  };
}
