import { daysAfterSql, inTransaction, type Conn, type Db } from '../db';
import type { CatalogEvents } from '../catalog/changes';
import { moveRentalUnit } from '../inventory/operations';
import { DAY, toDbTime, type Clock } from '../lib/clock';
import { addDays, dateOnly } from '../lib/dates';
import type { Logger } from '../lib/log';
import { FIRST_PAYMENT_HOLD_DAYS, termsOf, type RentalBilling } from './billing';
import * as inst from './installments';
import * as repo from './repo';
import { hasOpenBillingDispute } from '../disputes/repo';
import { defaultAgreement } from './desk';
import { defaultAllowedFrom, FIRST_PERIOD_REMINDER_DAYS, lateFeeDue, pastDue } from './schedule';
import { statementOn } from './statement';
import { rentalMachine } from './transitions';

export interface CalendarDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  billing: RentalBilling;
  catalog: CatalogEvents;
}

/** Days before a due date the renter is reminded of it (SPEC §6). */
export const UPCOMING_REMINDER_DAYS = 3;

/** How far back a run looks, so a day the job did not run is caught up. */
const CATCH_UP_DAYS = 3;

/** Rows a step reads at a time (it goes on until it has seen them all). */
const PAGE = 1000;

const actor = { userId: null, label: 'system' };

/** The unique keys among `keys` already queued (an e-mail sent once per key). */
async function queuedKeys(conn: Conn, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  return new Set(await conn('jobs').whereIn('unique_key', keys).pluck('unique_key'));
}

/**
 * The agreements' daily dates (SPEC §4, §6), each step idempotent so the job
 * can run every hour and after a missed day: agreements behind on a payment
 * become past due; one late fee per installment from the day after the grace
 * period, with a late notice; default only after the default day; reminders 3
 * days before each due date and 7 days before the first-period price ends;
 * unpaid signed agreements let their unit go after the hold.
 */
export class RentalCalendar {
  constructor(private readonly deps: CalendarDeps) {}

  async run(): Promise<Record<string, number>> {
    return {
      expired: await this.expireUnpaid(),
      pastDue: await this.markPastDue(),
      lateFees: await this.chargeLateFees(),
      defaulted: await this.defaultOverdue(),
      upcoming: await this.remindUpcoming(),
      firstPeriod: await this.remindFirstPeriodEnd(),
    };
  }

  private today() {
    return dateOnly(this.deps.clock.now());
  }

  /** Signed but unpaid after the hold: cancelled, the unit back on sale. */
  async expireUnpaid(): Promise<number> {
    const { db, clock } = this.deps;
    const now = clock.now();
    const before = toDbTime(new Date(now.getTime() - FIRST_PAYMENT_HOLD_DAYS * DAY));
    const ids = (await db('rentals').where({ status: 'pending_payment' }).where('signed_at', '<', before).limit(500).pluck('id')).map(Number);
    const restocked: number[] = [];
    for (const id of ids) {
      await inTransaction(db, async (trx) => {
        const rental = await repo.findRental(trx, id, { lock: true });
        if (rental?.status !== 'pending_payment') return;
        await rentalMachine.transition(trx, id, 'cancelled', { actor: 'system', at: now, note: 'First payment not received in time', set: { outcome: 'cancelled', pending_key: null, ended_at: toDbTime(now) } });
        restocked.push(...(await moveRentalUnit(trx, id, 'in_stock', { actor, now, note: `Rental ${rental.number} not paid` })));
      });
    }
    if (restocked.length) await this.deps.catalog.changed({ what: 'stock', productIds: [...new Set(restocked)] }).catch(() => undefined);
    return ids.length;
  }

  /** Running agreements with an installment unpaid after its due date (renters paying by hand have no failed charge to say so). */
  async markPastDue(): Promise<number> {
    const { db, clock } = this.deps;
    const now = clock.now();
    const ids = (
      await db('rentals as r')
        .where('r.status', 'active')
        .whereExists(db('rental_installments as i').whereRaw('i.rental_id = r.id').whereIn('i.status', ['scheduled', 'failed']).where('i.due_on', '<', this.today()).whereNull('i.next_attempt_on'))
        .limit(1000)
        .pluck('r.id')
    ).map(Number);
    let moved = 0;
    for (const id of ids) {
      await inTransaction(db, async (trx) => {
        const rental = await repo.findRental(trx, id, { lock: true });
        if (rental?.status !== 'active') return;
        await rentalMachine.transition(trx, id, 'past_due', { actor: 'system', at: now, note: 'A payment is overdue' });
        moved++;
      });
    }
    return moved;
  }

  /** One late fee per unpaid installment once the grace period is over, with a late notice. */
  async chargeLateFees(): Promise<number> {
    const { db, clock, billing } = this.deps;
    const now = clock.now();
    const today = this.today();
    // Only installments past their agreement's own grace period: the ones still in it are not read (nor locked) every hour.
    const rows = await db('rental_installments as i')
      .join('rentals as r', 'r.id', 'i.rental_id')
      .whereIn('r.status', ['active', 'past_due'])
      .whereIn('i.status', ['scheduled', 'failed'])
      .whereNull('i.late_fee_at')
      .where('i.due_on', '<', today)
      .whereRaw(`${daysAfterSql(db, 'i.due_on', 'r.grace_days + 1')} <= ?`, [today])
      .orderBy('i.due_on')
      .orderBy('i.id')
      .limit(2000)
      .select('i.id', 'i.rental_id');
    let charged = 0;
    for (const row of rows) {
      await inTransaction(db, async (trx) => {
        const rental = await repo.findRental(trx, Number(row.rental_id), { lock: true });
        // An open billing claim on the agreement pauses its late fees until it is decided.
        if (!rental || (await hasOpenBillingDispute(trx, rental.id))) return;
        const list = await inst.installmentsOf(trx, rental.id);
        const i = list.find((x) => x.id === Number(row.id));
        if (!i) return;
        const fee = lateFeeDue(rental.policy, inst.installmentStates([i])[0]!, today);
        if (fee <= 0 || !(await inst.chargeLateFee(trx, i.id, fee, now))) return;
        if (rental.status === 'active') await rentalMachine.transition(trx, rental.id, 'past_due', { actor: 'system', at: now, note: `Payment ${i.seq} overdue` });
        const owed = pastDue(inst.installmentStates(await inst.installmentsOf(trx, rental.id)), today);
        await billing.mail(trx, 'rental-late-notice', rental.id, {
          lateFeeCents: fee,
          pastDueCents: owed.totalCents,
          defaultFromOn: defaultAllowedFrom(rental.policy, owed.oldestDueOn ?? i.dueOn),
          payPath: `/account/rentals/${rental.number}`,
        }, `rental-late:${i.id}`);
        charged++;
      });
    }
    return charged;
  }

  /** Past-due agreements whose oldest unpaid payment is more than the default day late: defaulted, no more charges. */
  async defaultOverdue(): Promise<number> {
    const { db, clock } = this.deps;
    const now = clock.now();
    const today = this.today();
    // Only agreements with a payment later than their own default day: the others are not locked and read every hour.
    const ids = (
      await db('rentals as r')
        .where('r.status', 'past_due')
        .whereExists(
          db('rental_installments as i')
            .whereRaw('i.rental_id = r.id')
            .whereIn('i.status', ['scheduled', 'failed'])
            .whereRaw(`${daysAfterSql(db, 'i.due_on', 'r.default_after_days')} < ?`, [today]),
        )
        .orderBy('r.id')
        .limit(1000)
        .pluck('r.id')
    ).map(Number);
    let n = 0;
    for (const id of ids) {
      await inTransaction(db, async (trx) => {
        const rental = await repo.findRental(trx, id, { lock: true });
        if (rental && (await defaultAgreement(trx, rental, today, { actor: 'system', now })).defaulted) n++;
      });
    }
    return n;
  }

  /** 3 days before each due date (caught up for a missed day, once per installment); returns how many were queued. */
  async remindUpcoming(): Promise<number> {
    const { db, billing } = this.deps;
    const today = this.today();
    let queued = 0;
    // Every installment in the window, a page at a time (a busy day has more than one page); those already reminded are skipped before their figures are read.
    for (let after = 0; ; ) {
      const rows = await db('rental_installments as i')
        .join('rentals as r', 'r.id', 'i.rental_id')
        .whereIn('r.status', ['active', 'past_due'])
        .where('i.status', 'scheduled')
        .whereBetween('i.due_on', [addDays(today, UPCOMING_REMINDER_DAYS - CATCH_UP_DAYS + 1), addDays(today, UPCOMING_REMINDER_DAYS)])
        .where('i.due_on', '>', today)
        .where('i.id', '>', after)
        .orderBy('i.id')
        .limit(PAGE)
        .select('i.id', 'i.rental_id', 'i.seq', 'i.due_on', 'i.amount_cents', 'r.number', 'r.provider');
      if (rows.length === 0) return queued;
      after = Number(rows.at(-1)!.id);
      const key = (r: (typeof rows)[number]) => `rental-upcoming-payment:${r.number}:${r.seq}`;
      const done = await queuedKeys(db, rows.map(key));
      for (const r of rows) {
        if (done.has(key(r))) continue;
        await inTransaction(db, (trx) =>
          billing.mail(trx, 'rental-upcoming-payment', Number(r.rental_id), { dueOn: String(r.due_on instanceof Date ? r.due_on.toISOString() : r.due_on).slice(0, 10), amountCents: r.amount_cents, card: r.provider === 'stripe' }, key(r)),
        );
        queued++;
      }
    }
  }

  /** 7 days before the first-period early purchase price ends, when the device is not owned before then; returns how many were queued. */
  async remindFirstPeriodEnd(): Promise<number> {
    const { db, clock, billing } = this.deps;
    const today = this.today();
    let n = 0;
    // Agreements whose reminder window (reminder day to the first period's last day, by their own first period) holds today, a page at a time.
    for (let after = 0; ; ) {
      const rows = await db('rentals as r')
        .whereIn('r.status', ['active', 'past_due'])
        .whereNotNull('r.start_on')
        .whereRaw(`${daysAfterSql(db, 'r.start_on', `r.early_purchase_discount_days - ${FIRST_PERIOD_REMINDER_DAYS}`)} <= ?`, [today])
        .whereRaw(`${daysAfterSql(db, 'r.start_on', 'r.early_purchase_discount_days - 1')} >= ?`, [today])
        .where('r.id', '>', after)
        .orderBy('r.id')
        .limit(PAGE)
        .select('r.id', 'r.number');
      if (rows.length === 0) return n;
      after = Number(rows.at(-1)!.id);
      const key = (number: string) => `rental-first-period-ending:${number}`;
      const done = await queuedKeys(db, rows.map((r) => key(r.number)));
      for (const row of rows) {
        if (done.has(key(row.number))) continue;
        const id = Number(row.id);
        const rental = await repo.findRental(db, id);
        if (!rental?.startOn) continue;
        const list = await inst.installmentsOf(db, id);
        const st = statementOn(termsOf(rental), inst.installmentStates(list), clock.now());
        const end = st.firstPeriodEnd;
        if (today < end.reminderOn || today > end.lastDayOn || !st.earlyPurchase || st.earlyPurchase.rule !== 'first_90_days') continue;
        const nextPrice = statementOn(termsOf(rental), inst.installmentStates(list), end.changesOn).earlyPurchase?.cents ?? end.nextPriceCents;
        await inTransaction(db, (trx) =>
          billing.mail(trx, 'rental-first-period-ending', id, { lastDayOn: end.lastDayOn, lastPriceCents: st.earlyPurchase!.cents, nextPriceCents: nextPrice, reason: end.reason }, key(rental.number)),
        );
        n++;
      }
    }
  }
}
