import { defineStateMachine, type Transitions } from '../db/state-machine';

/**
 * The life of one physical unit (SPEC §3). Saleable stock is the units
 * in_stock; every move below changes a unit's status through
 * inventory/operations.ts, which also writes its stock_movements row.
 */
export const UNIT_STATUSES = ['in_stock', 'reserved', 'sold', 'rented', 'returned', 'refurbishing', 'retired'] as const;
export type UnitStatus = (typeof UNIT_STATUSES)[number];

export const UNIT_TRANSITIONS: Transitions<UnitStatus> = {
  // Held for an unpaid order or a rental awaiting its first payment; pulled for repair; written off.
  in_stock: ['reserved', 'refurbishing', 'retired'],
  // Released (cancelled, expired), paid for, or out on a rental.
  reserved: ['in_stock', 'sold', 'rented'],
  // A paid order cancelled before it shipped puts the unit back; a shipped one comes back as a return.
  sold: ['in_stock', 'returned'],
  // The renter returns it, or owns it (last payment or buyout).
  rented: ['returned', 'sold'],
  // Checked after coming back: straight to stock, to the workshop, or written off.
  returned: ['in_stock', 'refurbishing', 'retired'],
  refurbishing: ['in_stock', 'retired'],
  retired: [],
};

export const unitMachine = defineStateMachine<UnitStatus>({ entity: 'inventory_unit', table: 'inventory_units', transitions: UNIT_TRANSITIONS });

/** How a move changes saleable stock: +1 into in_stock, −1 out of it, else 0 (null: a unit just received). */
export function stockDelta(from: UnitStatus | null, to: UnitStatus): -1 | 0 | 1 {
  if (from === to) return 0;
  if (to === 'in_stock') return 1;
  if (from === 'in_stock') return -1;
  return 0;
}

export const UNIT_STATUS_LABELS: Record<UnitStatus, string> = {
  in_stock: 'In stock',
  reserved: 'Reserved',
  sold: 'Sold',
  rented: 'Rented out',
  returned: 'Returned',
  refurbishing: 'Being refurbished',
  retired: 'Retired',
};
