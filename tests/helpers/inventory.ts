import { expect } from 'vitest';
import type { Db } from '../../src/db';

/**
 * Every status change of every unit left exactly one stock_movements row and
 * one state_changes row: per unit, the two counts are equal, and the
 * movements' stock changes add up to the units now in stock.
 */
export async function expectOneMovementPerUnitChange(db: Db): Promise<void> {
  type Row = { id: unknown; n: unknown; stock?: unknown };
  const movements: Row[] = await db('stock_movements').whereNotNull('inventory_unit_id').groupBy('inventory_unit_id').select('inventory_unit_id as id').count({ n: '*' }).sum({ stock: 'quantity' });
  const changes: Row[] = await db('state_changes').where({ entity: 'inventory_unit' }).groupBy('entity_id').select('entity_id as id').count({ n: '*' });
  const asMap = (rows: Row[]) => new Map(rows.map((r) => [Number(r.id), Number(r.n)]));
  expect(asMap(movements)).toEqual(asMap(changes));
  expect(movements.length).toBeGreaterThan(0);
  // A unit's movements sum to +1 while it is in stock (received) or to its change since it was counted.
  const inStock = new Set((await db('inventory_units').where({ status: 'in_stock' }).select('id')).map((r) => Number(r.id)));
  for (const m of movements) {
    const received = await db('stock_movements').where({ inventory_unit_id: m.id, reason: 'received' }).first('id');
    const expected = (received ? 0 : 1) + Number(m.stock);
    expect(expected, `unit ${m.id}`).toBe(inStock.has(Number(m.id)) ? 1 : 0);
  }
}
