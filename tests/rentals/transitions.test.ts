import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OPEN_RENTAL_STATUSES, RENTAL_OUTCOMES, RENTAL_STATUS_LABELS, RENTAL_STATUSES, RENTAL_TRANSITIONS, outcomeOf, rentalMachine, type RentalStatus,
} from '../../src/rentals/transitions';
import { IllegalTransitionError, stateHistory } from '../../src/db/state-machine';
import { insertProduct } from '../helpers/fixtures';
import { freshDb, type TestDb } from '../helpers/db';

const allowed: Array<[RentalStatus, RentalStatus]> = [
  ['pending_signature', 'pending_payment'], ['pending_signature', 'cancelled'],
  ['pending_payment', 'active'], ['pending_payment', 'cancelled'],
  ['active', 'past_due'], ['active', 'returning'], ['active', 'owned'],
  ['past_due', 'active'], ['past_due', 'defaulted'], ['past_due', 'returning'], ['past_due', 'owned'],
  ['returning', 'returned'],
  ['returned', 'active'], // reinstatement within a year of the return
  ['defaulted', 'active'], // reinstatement while holding the device
];

describe('rental state machine (SPEC §4)', () => {
  it('has an entry for every status', () => {
    expect(Object.keys(RENTAL_TRANSITIONS).sort()).toEqual([...RENTAL_STATUSES].sort());
  });

  const pairs = RENTAL_STATUSES.flatMap((from) => RENTAL_STATUSES.map((to) => [from, to] as [RentalStatus, RentalStatus]));
  const isAllowed = (from: RentalStatus, to: RentalStatus) => allowed.some(([f, t]) => f === from && t === to);

  it.each(pairs.filter(([f, t]) => isAllowed(f, t)))('allows %s → %s', (from, to) => {
    expect(rentalMachine.can(from, to)).toBe(true);
    expect(() => rentalMachine.assert(from, to)).not.toThrow();
  });

  it.each(pairs.filter(([f, t]) => !isAllowed(f, t)))('refuses %s → %s', (from, to) => {
    expect(rentalMachine.can(from, to)).toBe(false);
    expect(() => rentalMachine.assert(from, to)).toThrow(IllegalTransitionError);
  });

  it('owned and cancelled are final; returned and defaulted only lead back to active (reinstatement)', () => {
    expect(RENTAL_TRANSITIONS.owned).toEqual([]);
    expect(RENTAL_TRANSITIONS.cancelled).toEqual([]);
    expect(RENTAL_TRANSITIONS.returned).toEqual(['active']);
    expect(RENTAL_TRANSITIONS.defaulted).toEqual(['active']);
  });

  it.each([
    ['pending_signature', null], ['pending_payment', null], ['active', null], ['past_due', null], ['returning', null],
    ['returned', 'returned'], ['owned', 'owned'], ['defaulted', 'defaulted'], ['cancelled', 'cancelled'],
  ] as const)('outcome of %s is %s', (status, outcome) => {
    expect(outcomeOf(status)).toBe(outcome);
  });

  it('open statuses are the ones without an outcome', () => {
    expect(RENTAL_OUTCOMES).toEqual(['owned', 'returned', 'defaulted', 'cancelled']);
    expect(OPEN_RENTAL_STATUSES).toEqual(['pending_signature', 'pending_payment', 'active', 'past_due', 'returning']);
  });

  it('every status has a plain-words label', () => {
    for (const s of RENTAL_STATUSES) expect(RENTAL_STATUS_LABELS[s], s).toMatch(/^[A-Z][^_]+$/);
    expect(new Set(Object.values(RENTAL_STATUS_LABELS)).size).toBe(RENTAL_STATUSES.length);
  });

  describe('transition() on the rentals table', () => {
    let t: TestDb;
    let id: number;
    beforeAll(async () => {
      t = await freshDb();
      const [categoryId] = await t.db('categories').insert({ slug: 'laptops', name: 'Laptops', position: 1 });
      const productId = await insertProduct(t.db, { categoryId: Number(categoryId), name: 'ThinkPad T14' });
      const [userId] = await t.db('users').insert({ email: 'renter@example.com', password_hash: 'x' });
      const [rid] = await t.db('rentals').insert({
        user_id: Number(userId), product_id: productId, status: 'pending_signature', term_months: 12, monthly_cents: 8_750, cash_price_cents: 60_000, total_cents: 105_000,
      });
      id = Number(rid);
    });
    afterAll(() => t.destroy());

    it('walks a rental through signing, a missed payment, default and reinstatement, and keeps the history', async () => {
      const at = new Date('2026-01-01T10:00:00Z');
      await rentalMachine.recordInitial(t.db, id, 'pending_signature', { actor: 'user:1', at });
      for (const to of ['pending_payment', 'active', 'past_due', 'defaulted', 'active', 'owned'] as const) {
        await rentalMachine.transition(t.db, id, to, { actor: 'system', at, set: { outcome: outcomeOf(to) } });
      }
      await expect(rentalMachine.transition(t.db, id, 'returning', { actor: 'system', at })).rejects.toBeInstanceOf(IllegalTransitionError);
      expect(await t.db('rentals').where({ id }).first('status', 'outcome')).toEqual({ status: 'owned', outcome: 'owned' });
      expect((await stateHistory(t.db, 'rental', id)).map((h) => [h.from, h.to])).toEqual([
        [null, 'pending_signature'],
        ['pending_signature', 'pending_payment'],
        ['pending_payment', 'active'],
        ['active', 'past_due'],
        ['past_due', 'defaulted'],
        ['defaulted', 'active'],
        ['active', 'owned'],
      ]);
    });
  });
});
