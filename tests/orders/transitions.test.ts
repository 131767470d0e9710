import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_STATUSES, ORDER_TRANSITIONS, orderMachine, isCancellable, type OrderStatus } from '../../src/orders/transitions';
import { IllegalTransitionError, stateHistory } from '../../src/db/state-machine';
import { ConflictError } from '../../src/http/errors';
import { freshDb, type TestDb } from '../helpers/db';

describe('order state machine (SPEC §3)', () => {
  const allowed: Array<[OrderStatus, OrderStatus]> = [
    ['pending_payment', 'paid'], ['paid', 'processing'], ['processing', 'shipped'], ['shipped', 'delivered'],
    ['pending_payment', 'cancelled'], ['paid', 'cancelled'], ['processing', 'cancelled'], ['pending_payment', 'expired'],
  ];

  it('allows exactly the listed moves', () => {
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        const want = allowed.some(([f, t]) => f === from && t === to);
        expect(orderMachine.can(from, to), `${from} → ${to}`).toBe(want);
      }
    }
    expect(Object.keys(ORDER_TRANSITIONS).sort()).toEqual([...ORDER_STATUSES].sort());
  });

  it('cancellation only before shipping', () => {
    expect(ORDER_STATUSES.filter(isCancellable)).toEqual(['pending_payment', 'paid', 'processing']);
  });

  describe('transition() on the database', () => {
    let t: TestDb;
    let id: number;
    beforeAll(async () => {
      t = await freshDb();
      const [oid] = await t.db('orders').insert({ email: 'sm@example.com', subtotal_cents: 1, total_cents: 1, shipping_method: 'standard', shipping_address: '{}', payment_method: 'manual' });
      id = Number(oid);
    });
    afterAll(() => t.destroy());

    it('moves, records history, and refuses illegal or stale moves', async () => {
      const at = new Date('2026-11-21T10:00:00Z');
      await orderMachine.recordInitial(t.db, id, 'pending_payment', { actor: 'guest', at });
      expect(await orderMachine.transition(t.db, id, 'paid', { actor: 'stripe', at, note: 'pi_1', set: { paid_at: '2026-11-21 10:00:00.000' } })).toBe('pending_payment');
      await expect(orderMachine.transition(t.db, id, 'expired', { actor: 'system', at })).rejects.toBeInstanceOf(IllegalTransitionError);
      await expect(orderMachine.transition(t.db, id, 'delivered', { actor: 'system', at })).rejects.toBeInstanceOf(ConflictError);
      const row = await t.db('orders').where({ id }).first();
      expect(row).toMatchObject({ status: 'paid', paid_at: expect.stringMatching(/^2026-11-21 10:00:00/) });
      const history = await stateHistory(t.db, 'order', id);
      expect(history.map((h) => [h.from, h.to, h.actor, h.note])).toEqual([
        [null, 'pending_payment', 'guest', null],
        ['pending_payment', 'paid', 'stripe', 'pi_1'],
      ]);
    });
  });
});
