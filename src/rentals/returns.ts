import { inTransaction, type Db } from '../db';
import { recordAudit, type StaffContext } from '../audit/repo';
import type { CatalogEvents } from '../catalog/changes';
import { ConflictError, NotFoundError } from '../http/errors';
import { moveRentalUnit } from '../inventory/operations';
import { toDbTime, type Clock } from '../lib/clock';
import { addDays, dateOnly } from '../lib/dates';
import type { SettingsService } from '../settings/service';
import { owedNow, type RentalBilling } from './billing';
import * as inst from './installments';
import * as repo from './repo';
import { rentalMachine } from './transitions';

export interface ReturnDeps {
  db: Db;
  clock: Clock;
  settings: Pick<SettingsService, 'get'>;
  billing: RentalBilling;
  catalog: CatalogEvents;
}

/** Days the renter has to send the device back after ending the agreement. */
export const RETURN_WITHIN_DAYS = 14;

/**
 * Ending an agreement by sending the device back, without penalty (SPEC §4):
 * the renter asks (returning: no more payments fall due, what was already due
 * stays owed), staff mark it received (returned: the unit goes to the
 * workshop to be refurbished).
 */
export class RentalReturns {
  constructor(private readonly deps: ReturnDeps) {}

  async request(userId: number, number: string): Promise<void> {
    const { db, clock } = this.deps;
    const id = (await repo.customerRental(db, userId, number))?.id;
    if (!id) throw new NotFoundError('We could not find that agreement.');
    const store = await this.deps.settings.get('store');
    await inTransaction(db, async (trx) => {
      const rental = (await repo.findRental(trx, id, { lock: true }))!;
      if (rental.status === 'returning') return;
      if (rental.status !== 'active' && rental.status !== 'past_due') throw new ConflictError(`Agreement ${rental.number} cannot be ended by a return now (it is ${rental.status.replace('_', ' ')}).`);
      const now = clock.now();
      const today = dateOnly(now);
      await rentalMachine.transition(trx, id, 'returning', { actor: `user:${userId}`, at: now, note: 'The renter is sending the device back' });
      const installments = await inst.installmentsOf(trx, id);
      for (const i of installments) {
        if ((i.status === 'scheduled' || i.status === 'failed') && i.dueOn > today) await trx('rental_installments').where({ id: i.id }).update({ status: 'cancelled', next_attempt_on: null, updated_at: toDbTime(now) });
      }
      await inst.stopCollecting(trx, id, now);
      await this.deps.billing.mail(trx, 'rental-return-instructions', id, {
        returnBy: addDays(today, RETURN_WITHIN_DAYS),
        returnAddress: `${store.name}\n${store.address}`,
        owedCents: owedNow(await inst.installmentsOf(trx, id), today).cents,
      });
    });
  }

  /** Staff received the device: the agreement ends as returned and the unit goes to refurbishing. */
  async received(number: string, staff: StaffContext): Promise<void> {
    const { db, clock } = this.deps;
    const id = await repo.rentalIdByNumber(db, number);
    if (!id) throw new NotFoundError('We could not find that agreement.');
    const restocked = await inTransaction(db, async (trx) => {
      const rental = (await repo.findRental(trx, id, { lock: true }))!;
      if (rental.status !== 'returning') throw new ConflictError(`Agreement ${rental.number} is not waiting for a return (it is ${rental.status.replace('_', ' ')}).`);
      const now = clock.now();
      await rentalMachine.transition(trx, id, 'returned', { actor: staff.actor.label, at: now, note: 'Device received back', set: { outcome: 'returned', returned_at: toDbTime(now), ended_at: toDbTime(now) } });
      const unit = { actor: staff.actor, now, note: `Returned from rental ${rental.number}` };
      const changed = [...(await moveRentalUnit(trx, id, 'returned', unit)), ...(await moveRentalUnit(trx, id, 'refurbishing', unit))];
      await recordAudit(trx, staff, { action: 'rental.return_received', entity: 'rental', entityId: id, before: { status: rental.status }, after: { status: 'returned' } }, now);
      await this.deps.billing.mail(trx, 'rental-return-received', id, { receivedOn: dateOnly(now), owedCents: owedNow(await inst.installmentsOf(trx, id), dateOnly(now)).cents });
      return changed;
    });
    if (restocked.length) await this.deps.catalog.changed({ what: 'stock', productIds: restocked }).catch(() => undefined);
  }
}
