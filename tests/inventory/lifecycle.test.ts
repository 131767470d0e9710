import { describe, expect, it } from 'vitest';
import { stockDelta, UNIT_STATUSES, UNIT_TRANSITIONS, unitMachine, type UnitStatus } from '../../src/inventory/lifecycle';

describe('unit lifecycle', () => {
  const allowed: Array<[UnitStatus, UnitStatus]> = [
    ['in_stock', 'reserved'], ['in_stock', 'refurbishing'], ['in_stock', 'retired'],
    ['reserved', 'in_stock'], ['reserved', 'sold'], ['reserved', 'rented'],
    ['sold', 'in_stock'], ['sold', 'returned'],
    ['rented', 'returned'], ['rented', 'sold'],
    ['returned', 'in_stock'], ['returned', 'refurbishing'], ['returned', 'retired'],
    ['refurbishing', 'in_stock'], ['refurbishing', 'retired'],
  ];

  it('allows exactly these moves', () => {
    const table = UNIT_STATUSES.flatMap((from) => UNIT_TRANSITIONS[from].map((to) => [from, to]));
    expect(table.sort()).toEqual([...allowed].sort());
  });

  it.each([
    ['in_stock', 'sold'], ['in_stock', 'rented'], ['reserved', 'returned'], ['sold', 'rented'],
    ['rented', 'in_stock'], ['retired', 'in_stock'], ['retired', 'refurbishing'], ['returned', 'sold'],
  ] as const)('refuses %s → %s', (from, to) => {
    expect(unitMachine.can(from, to)).toBe(false);
    expect(() => unitMachine.assert(from, to)).toThrow(/cannot go from/);
  });

  it.each([
    [null, 'in_stock', 1],
    ['in_stock', 'reserved', -1],
    ['in_stock', 'refurbishing', -1],
    ['in_stock', 'retired', -1],
    ['reserved', 'in_stock', 1],
    ['reserved', 'sold', 0],
    ['reserved', 'rented', 0],
    ['sold', 'in_stock', 1],
    ['sold', 'returned', 0],
    ['rented', 'sold', 0],
    ['returned', 'in_stock', 1],
    ['refurbishing', 'in_stock', 1],
    ['refurbishing', 'retired', 0],
  ] as const)('stock change of %s → %s is %i', (from, to, delta) => {
    expect(stockDelta(from, to)).toBe(delta);
  });
});
