import { inTransaction, type Db, type Trx } from '../db';
import { recordAudit, type StaffContext } from '../audit/repo';
import type { Actor } from '../db/state-machine';
import type { CatalogEvents } from '../catalog/changes';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import { UNIT_STATUS_LABELS } from '../inventory/lifecycle';
import { moveUnits } from '../inventory/operations';
import * as unitRepo from '../inventory/repo';
import { toDbTime, type Clock } from '../lib/clock';
import { dateOnly, shortDate, type DateOnly } from '../lib/dates';
import { owedNow } from './billing';
import * as inst from './installments';
import * as repo from './repo';
import { defaultAllowedFrom, mayDefault, pastDue } from './schedule';
import { RENTAL_STATUS_LABELS, rentalMachine, type RentalStatus } from './transitions';

export interface DeskDeps {
  db: Db;
  clock: Clock;
  catalog: CatalogEvents;
}

/** A waiver's reason, as staff must give it. */
export const WAIVER_REASON = { min: 3, max: 500 } as const;

const label = (s: RentalStatus) => RENTAL_STATUS_LABELS[s].toLowerCase();

/**
 * Ends a past-due agreement as defaulted when its oldest unpaid installment is
 * more than the agreement's default day late; otherwise says from which date
 * it may be. No more automatic charges; what is owed stays owed (and can
 * still be paid to reinstate). The calendar job and staff both default here.
 */
export async function defaultAgreement(trx: Trx, rental: repo.RentalRecord, today: DateOnly, by: { actor: string; now: Date }): Promise<{ defaulted: true } | { defaulted: false; reason: string }> {
  if (rental.status !== 'past_due') return { defaulted: false, reason: `Only an agreement with a payment overdue can be defaulted; ${rental.number} is ${label(rental.status)}.` };
  const owed = pastDue(inst.installmentStates(await inst.installmentsOf(trx, rental.id)), today);
  if (!mayDefault(rental.policy, owed.oldestDueOn, today)) {
    return {
      defaulted: false,
      reason: owed.oldestDueOn
        ? `${rental.number} may be defaulted from ${shortDate(defaultAllowedFrom(rental.policy, owed.oldestDueOn))}: its oldest unpaid payment, due ${shortDate(owed.oldestDueOn)}, must be more than ${rental.policy.defaultAfterDays} days late.`
        : `${rental.number} has no unpaid payment past its due date, so it cannot be defaulted.`,
    };
  }
  await rentalMachine.transition(trx, rental.id, 'defaulted', {
    actor: by.actor,
    at: by.now,
    note: `Payment due ${owed.oldestDueOn} not made after ${rental.policy.defaultAfterDays} days`,
    set: { outcome: 'defaulted', ended_at: toDbTime(by.now) },
  });
  await inst.stopCollecting(trx, rental.id, by.now);
  return { defaulted: true };
}

/**
 * What staff do to an agreement by hand, besides recording payments
 * (RentalBilling) and receiving returns (RentalReturns): default it, waive a
 * late fee, assign or replace its unit. Each runs in one transaction with its
 * audit row; a refusal changes nothing.
 */
export class RentalDesk {
  constructor(private readonly deps: DeskDeps) {}

  private async idOf(number: string): Promise<number> {
    const id = await repo.rentalIdByNumber(this.deps.db, number);
    if (!id) throw new NotFoundError('We could not find that agreement.');
    return id;
  }

  async markDefaulted(number: string, staff: StaffContext): Promise<void> {
    const id = await this.idOf(number);
    await inTransaction(this.deps.db, async (trx) => {
      const rental = (await repo.findRental(trx, id, { lock: true }))!;
      const now = this.deps.clock.now();
      const res = await defaultAgreement(trx, rental, dateOnly(now), { actor: staff.actor.label, now });
      if (!res.defaulted) throw new ConflictError(res.reason);
      await recordAudit(trx, staff, { action: 'rental.default', entity: 'rental', entityId: id, before: { status: rental.status }, after: { status: 'defaulted' } }, now);
    });
  }

  /** Waives a charged late fee not yet paid; an agreement behind on nothing else is up to date again. */
  async waiveLateFee(number: string, installmentId: number, reason: string, staff: StaffContext): Promise<void> {
    const why = reason.trim();
    if (why.length < WAIVER_REASON.min || why.length > WAIVER_REASON.max) {
      throw new ValidationError('Say why the late fee is waived.', { reason: `Give a reason of ${WAIVER_REASON.min} to ${WAIVER_REASON.max} characters.` });
    }
    const id = await this.idOf(number);
    await inTransaction(this.deps.db, async (trx) => {
      const rental = (await repo.findRental(trx, id, { lock: true }))!;
      const list = await inst.installmentsOf(trx, id, { lock: true });
      const i = list.find((x) => x.id === installmentId);
      if (!i) throw new NotFoundError(`Agreement ${rental.number} has no such payment.`);
      if (!i.lateFeeAt) throw new ConflictError(`No late fee was charged on payment ${i.seq}.`);
      if (i.lateFeeWaivedAt) throw new ConflictError(`The late fee on payment ${i.seq} is already waived.`);
      if (i.lateFeePaidAt) throw new ConflictError(`The late fee on payment ${i.seq} is already paid.`);
      const now = this.deps.clock.now();
      await inst.waiveLateFee(trx, i.id, why, now);
      if (rental.status === 'past_due' && owedNow(await inst.installmentsOf(trx, id), dateOnly(now)).cents === 0) {
        await rentalMachine.transition(trx, id, 'active', { actor: staff.actor.label, at: now, note: `Late fee on payment ${i.seq} waived; nothing else overdue` });
      }
      await recordAudit(trx, staff, { action: 'rental.late_fee_waived', entity: 'rental', entityId: id, before: { seq: i.seq, lateFeeCents: i.lateFeeCents }, after: { waived: true, reason: why } }, now);
    });
  }

  /**
   * Assigns the agreement's unit, or replaces it, by serial number: an
   * in-stock unit of the agreement's product. Waiting for the first payment,
   * the new unit is held (reserved) and the old one goes back in stock; while
   * the renter holds the device, the new one goes out on rent and the old one
   * is expected back (returned, for staff to check).
   */
  async assignUnit(number: string, serial: string, staff: StaffContext): Promise<{ serial: string; replaced: string | null }> {
    const wanted = serial.trim();
    if (!wanted) throw new ValidationError('Enter a serial number.', { serial: 'Enter the serial number of an in-stock unit.' });
    const id = await this.idOf(number);
    const { changed, replaced } = await inTransaction(this.deps.db, async (trx) => {
      const rental = (await repo.findRental(trx, id, { lock: true }))!;
      const holding = rental.status === 'active' || rental.status === 'past_due';
      if (!holding && rental.status !== 'pending_payment') {
        throw new ConflictError(`The unit of ${rental.number} cannot be changed now (it is ${label(rental.status)}).`);
      }
      const [unit] = await unitRepo.unitsBySerial(trx, [wanted]);
      if (!unit) throw new ValidationError(`No unit has serial ${wanted}.`, { serial: `No unit has serial ${wanted}.` });
      if (unit.id === rental.inventoryUnitId) throw new ConflictError(`Unit ${wanted} is already the unit of ${rental.number}.`);
      if (unit.productId !== rental.productId) throw new ValidationError(`Unit ${wanted} is not a ${rental.productName}.`, { serial: `Unit ${wanted} is another product; choose a ${rental.productName}.` });
      if (unit.status !== 'in_stock') throw new ValidationError(`Unit ${wanted} is not in stock.`, { serial: `Unit ${wanted} is ${UNIT_STATUS_LABELS[unit.status].toLowerCase()}, not in stock.` });

      const now = this.deps.clock.now();
      const actor: Actor = staff.actor;
      const note = `Unit of rental ${rental.number} replaced`;
      const changed = new Set<number>();
      const add = (ids: number[]) => ids.forEach((p) => changed.add(p));
      const [old] = rental.inventoryUnitId ? await unitRepo.unitsByIds(trx, [rental.inventoryUnitId]) : [];
      const oldSerial = rental.serialNumber;
      // The old unit is no longer this agreement's: back on sale if only held, expected back from the renter if out on rent.
      if (old?.status === 'reserved' && !holding) add(await moveUnits(trx, [old], 'in_stock', { reason: 'released', actor, now, note, rentalId: id }, { rental_id: null }));
      if (old?.status === 'rented' && holding) add(await moveUnits(trx, [old], 'returned', { reason: 'returned', actor, now, note, rentalId: id }, { rental_id: null }));
      add(await moveUnits(trx, [unit], 'reserved', { reason: 'reserved', actor, now, note: `Rental ${rental.number}`, rentalId: id }, { rental_id: id }));
      if (holding) add(await moveUnits(trx, [{ ...unit, status: 'reserved' }], 'rented', { reason: 'rented', actor, now, note: `Rental ${rental.number}`, rentalId: id }));
      await repo.updateRental(trx, id, { inventory_unit_id: unit.id }, now);
      await recordAudit(trx, staff, { action: 'rental.unit', entity: 'rental', entityId: id, before: { serial: oldSerial }, after: { serial: unit.serialNumber } }, now);
      return { changed: [...changed], replaced: oldSerial };
    });
    if (changed.length) await this.deps.catalog.changed({ what: 'stock', productIds: changed }).catch(() => undefined);
    return { serial: wanted, replaced };
  }

  /** Serial numbers of a product's units in stock, for staff to choose from. */
  inStockSerials(productId: number, limit = 200): Promise<string[]> {
    return unitRepo.inStockSerials(this.deps.db, productId, limit);
  }
}
