import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expectOneMovementPerUnitChange } from '../helpers/inventory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStorm } from '../../bench/storm';
import { startShop, type Shop } from './shop';

/**
 * 200 shoppers, 10 units, everyone presses "Place order" at once over real
 * HTTP: exactly 10 orders, 190 clear "sold out" answers, no errors, and the
 * units, order items and stock movements agree. Runs on SQLite and, with
 * TEST_DATABASE_URL, on MariaDB/MySQL (where SKIP LOCKED does the work).
 */
describe('checkout storm', () => {
  let t: Shop;
  let server: http.Server;
  let baseUrl: string;
  beforeAll(async () => {
    t = await startShop({ now: new Date().toISOString() });
    server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await t.destroy();
  });

  it('200 concurrent checkouts of 10 units → 10 orders, 190 sold out, 0 errors, no oversell', async () => {
    const r = await runStorm({ baseUrl, db: t.db, units: 10, shoppers: 200 });
    expect(r.statuses).toEqual({ 303: 10, 409: 190 });
    expect(r).toMatchObject({ orders: 10, soldOut: 190, errors: 0, oversell: 0 });
    expect(r.audit).toEqual({ orders: 10, items: 10, unitsReserved: 10, movements: 10, unitsPerOrderOk: true });
    // Nothing half-written by the 190 refused checkouts.
    expect(Number((await t.db('orders').count({ n: '*' }).first())!.n)).toBe(10);
    expect(Number((await t.db('state_changes').where({ entity: 'order' }).count({ n: '*' }).first())!.n)).toBe(10);
    expect(Number((await t.db('state_changes').where({ entity: 'inventory_unit', to_state: 'reserved' }).count({ n: '*' }).first())!.n)).toBe(10);
    await expectOneMovementPerUnitChange(t.db);
    const movementOrders = await t.db('stock_movements').where({ reason: 'reserved' }).distinct('order_id');
    expect(movementOrders).toHaveLength(10);
  }, 120_000);
});
