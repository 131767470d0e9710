import { isMysql, type Conn } from '../db';
import { fromDbTime, toDbTime } from '../lib/clock';
import type { DateOnly } from '../lib/dates';
import type { InstallmentState } from './schedule';

/** An agreement's monthly payments: queries only. */

export const INSTALLMENT_STATUSES = ['scheduled', 'paid', 'failed', 'cancelled'] as const;
export type InstallmentStatus = (typeof INSTALLMENT_STATUSES)[number];

export interface Installment {
  id: number;
  rentalId: number;
  seq: number;
  dueOn: DateOnly;
  amountCents: number;
  status: InstallmentStatus;
  attempts: number;
  nextAttemptOn: DateOnly | null;
  lastFailureCode: string | null;
  lateFeeCents: number;
  lateFeeAt: Date | null;
  lateFeePaidAt: Date | null;
  lateFeeWaivedAt: Date | null;
  lateFeeWaiverReason: string | null;
  paidAt: Date | null;
}

function dateOf(v: unknown): DateOnly | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);
}

function toInstallment(r: Record<string, any>): Installment {
  return {
    id: Number(r.id),
    rentalId: Number(r.rental_id),
    seq: r.seq,
    dueOn: dateOf(r.due_on)!,
    amountCents: r.amount_cents,
    status: r.status,
    attempts: r.attempts,
    nextAttemptOn: dateOf(r.next_attempt_on),
    lastFailureCode: r.last_failure_code ?? null,
    lateFeeCents: r.late_fee_cents,
    lateFeeAt: fromDbTime(r.late_fee_at),
    lateFeePaidAt: fromDbTime(r.late_fee_paid_at),
    lateFeeWaivedAt: fromDbTime(r.late_fee_waived_at),
    lateFeeWaiverReason: r.late_fee_waiver_reason ?? null,
    paidAt: fromDbTime(r.paid_at),
  };
}

/** The late fee still to pay on an installment: charged, and neither paid nor waived. */
export function lateFeeOwed(i: Installment): number {
  return i.lateFeeAt && !i.lateFeePaidAt && !i.lateFeeWaivedAt ? i.lateFeeCents : 0;
}

/** What the calendar functions (schedule.ts) need of each installment; cancelled ones are left out. */
export function installmentStates(list: readonly Installment[]): InstallmentState[] {
  return list
    .filter((i) => i.status !== 'cancelled')
    .map((i) => ({ seq: i.seq, dueOn: i.dueOn, amountCents: i.amountCents, paid: i.status === 'paid', lateFeeCharged: i.lateFeeAt !== null, lateFeeOwedCents: lateFeeOwed(i) }));
}

/** An agreement's installments in order, locked for the caller's transaction on MySQL when asked. */
export async function installmentsOf(conn: Conn, rentalId: number, opts: { lock?: boolean } = {}): Promise<Installment[]> {
  const qb = conn('rental_installments').where({ rental_id: rentalId }).orderBy('seq');
  if (opts.lock && isMysql(conn)) qb.forUpdate();
  return (await qb).map(toInstallment);
}

/** Several agreements' installments, by agreement, each in order. */
export async function installmentsOfMany(conn: Conn, rentalIds: readonly number[]): Promise<Map<number, Installment[]>> {
  const out = new Map<number, Installment[]>();
  if (rentalIds.length === 0) return out;
  for (const row of await conn('rental_installments').whereIn('rental_id', rentalIds).orderBy('rental_id').orderBy('seq')) {
    const i = toInstallment(row);
    out.set(i.rentalId, [...(out.get(i.rentalId) ?? []), i]);
  }
  return out;
}

/** Marks several unpaid installments paid in one statement; returns how many were still unpaid. */
export async function markManyPaid(conn: Conn, ids: readonly number[], now: Date): Promise<number> {
  const at = toDbTime(now);
  return conn('rental_installments').whereIn('id', ids).whereIn('status', ['scheduled', 'failed']).update({ status: 'paid', paid_at: at, next_attempt_on: null, claimed_until: null, updated_at: at });
}

export async function findInstallment(conn: Conn, id: number): Promise<Installment | null> {
  const row = await conn('rental_installments').where({ id }).first();
  return row ? toInstallment(row) : null;
}

/** Writes the whole schedule when the first payment arrives; `collectFrom` is false for renters paying by hand (nothing is charged automatically). */
export async function insertInstallments(conn: Conn, rentalId: number, rows: ReadonlyArray<{ seq: number; dueOn: DateOnly; amountCents: number }>, opts: { collect: boolean; now: Date }): Promise<void> {
  const at = toDbTime(opts.now);
  await conn('rental_installments').insert(
    rows.map((r) => ({
      rental_id: rentalId,
      seq: r.seq,
      due_on: r.dueOn,
      amount_cents: r.amountCents,
      status: 'scheduled',
      next_attempt_on: opts.collect ? r.dueOn : null,
      created_at: at,
      updated_at: at,
    })),
  );
}

/** Marks an installment paid (and its late fee, when the payment covered it); false when it was no longer unpaid. */
export async function markInstallmentPaid(conn: Conn, id: number, opts: { lateFeePaid: boolean; now: Date }): Promise<boolean> {
  const paid = (await markManyPaid(conn, [id], opts.now)) === 1;
  if (paid && opts.lateFeePaid) await markLateFeePaid(conn, id, opts.now);
  return paid;
}

/** A charged late fee paid on its own (or with a past-due payment). */
export async function markLateFeePaid(conn: Conn, id: number, now: Date): Promise<void> {
  const at = toDbTime(now);
  await conn('rental_installments').where({ id }).whereNotNull('late_fee_at').whereNull('late_fee_paid_at').whereNull('late_fee_waived_at').update({ late_fee_paid_at: at, updated_at: at });
}

/** A failed attempt: counted, with its code and the day of the next one (null: no more automatic attempts). */
export async function recordAttemptFailed(conn: Conn, id: number, f: { attempts: number; code: string | null; nextAttemptOn: DateOnly | null; now: Date }): Promise<boolean> {
  const at = toDbTime(f.now);
  const n = await conn('rental_installments')
    .where({ id })
    .whereIn('status', ['scheduled', 'failed'])
    .update({ status: 'failed', attempts: f.attempts, last_failure_code: f.code?.slice(0, 100) ?? null, next_attempt_on: f.nextAttemptOn, claimed_until: null, updated_at: at });
  return n === 1;
}

/** Remaining installments after a buyout: never charged. */
export async function cancelUnpaidInstallments(conn: Conn, rentalId: number, now: Date): Promise<number> {
  const at = toDbTime(now);
  return conn('rental_installments').where({ rental_id: rentalId }).whereIn('status', ['scheduled', 'failed']).update({ status: 'cancelled', next_attempt_on: null, claimed_until: null, updated_at: at });
}

/** No more automatic charges for an agreement (returned, defaulted, owned): what is owed stays owed. */
export async function stopCollecting(conn: Conn, rentalId: number, now: Date): Promise<void> {
  await conn('rental_installments').where({ rental_id: rentalId }).whereNotNull('next_attempt_on').update({ next_attempt_on: null, claimed_until: null, updated_at: toDbTime(now) });
}

export async function chargeLateFee(conn: Conn, id: number, cents: number, now: Date): Promise<boolean> {
  const at = toDbTime(now);
  const n = await conn('rental_installments').where({ id }).whereNull('late_fee_at').whereIn('status', ['scheduled', 'failed']).update({ late_fee_cents: cents, late_fee_at: at, updated_at: at });
  return n === 1;
}

export async function waiveLateFee(conn: Conn, id: number, reason: string, now: Date): Promise<boolean> {
  const at = toDbTime(now);
  const n = await conn('rental_installments').where({ id }).whereNotNull('late_fee_at').whereNull('late_fee_paid_at').whereNull('late_fee_waived_at').update({ late_fee_waived_at: at, late_fee_waiver_reason: reason.slice(0, 500), updated_at: at });
  return n === 1;
}

/** The oldest unpaid installment of each of these agreements (a list page's "next payment"). */
export async function nextUnpaid(conn: Conn, rentalIds: readonly number[]): Promise<Map<number, { dueOn: DateOnly; amountCents: number }>> {
  const out = new Map<number, { dueOn: DateOnly; amountCents: number }>();
  if (!rentalIds.length) return out;
  const rows = await conn('rental_installments').whereIn('rental_id', rentalIds).whereIn('status', ['scheduled', 'failed']).orderBy('seq').select('rental_id', 'due_on', 'amount_cents');
  for (const r of rows) if (!out.has(Number(r.rental_id))) out.set(Number(r.rental_id), { dueOn: dateOf(r.due_on)!, amountCents: r.amount_cents });
  return out;
}

/**
 * Keeps the collector off an agreement's unpaid installments while the
 * renter pays them on a Checkout page (what is owed, or the buyout), so the
 * saved card is not charged for the same payment at the same time. Uses the
 * collector's own lease: it lapses with the page.
 */
export async function holdForCheckout(conn: Conn, rentalId: number, until: Date): Promise<void> {
  await conn('rental_installments').where({ rental_id: rentalId }).whereIn('status', ['scheduled', 'failed']).whereNotNull('next_attempt_on').update({ claimed_until: toDbTime(until) });
}
