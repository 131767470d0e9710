import { countRows, daySql, lockedInTransaction, type Conn } from '../db';
import { fromDbTime, toDbTime } from '../lib/clock';
import { insertInChunks } from '../db/batch';
import { targetColumns, type PaymentPurpose, type PaymentTarget } from './purposes';

type Row = Record<string, any>;

export type Provider = 'stripe' | 'manual' | 'store_credit';

export interface Payment {
  id: number;
  purpose: PaymentPurpose;
  orderId: number | null;
  rentalId: number | null;
  rentalInstallmentId: number | null;
  provider: Provider;
  providerRef: string | null;
  amountCents: number;
  currency: string;
  status: 'pending' | 'succeeded' | 'failed';
  failureCode: string | null;
  failureMessage: string | null;
  createdAt: Date;
}

export interface Refund {
  id: number;
  paymentId: number | null;
  orderId: number | null;
  rentalId: number | null;
  /** card: back through Stripe; bank_transfer: sent back by hand by staff (a bank-transfer payment); store_credit. */
  destination: 'card' | 'bank_transfer' | 'store_credit';
  providerRef: string | null;
  amountCents: number;
  status: 'pending' | 'succeeded' | 'failed';
  reason: string | null;
  createdAt: Date;
}

function toPayment(r: Row): Payment {
  return {
    id: r.id,
    purpose: r.purpose,
    orderId: r.order_id ?? null,
    rentalId: r.rental_id ?? null,
    rentalInstallmentId: r.rental_installment_id ?? null,
    provider: r.provider,
    providerRef: r.provider_ref ?? null,
    amountCents: r.amount_cents,
    currency: r.currency,
    status: r.status,
    failureCode: r.failure_code ?? null,
    failureMessage: r.failure_message ?? null,
    createdAt: fromDbTime(r.created_at)!,
  };
}

function toRefund(r: Row): Refund {
  return {
    id: r.id,
    paymentId: r.payment_id ?? null,
    orderId: r.order_id ?? null,
    rentalId: r.rental_id ?? null,
    destination: r.destination,
    providerRef: r.provider_ref ?? null,
    amountCents: r.amount_cents,
    status: r.status,
    reason: r.reason ?? null,
    createdAt: fromDbTime(r.created_at)!,
  };
}

/** `lock`: read as committed and keep it until commit (MySQL), for a row another transaction may just have written. */
export async function findPayment(conn: Conn, provider: Provider, providerRef: string, opts: { lock?: boolean } = {}): Promise<Payment | null> {
  const q = conn('payments').where({ provider, provider_ref: providerRef }).first();
  const row = await (opts.lock ? lockedInTransaction(conn, q) : q);
  return row ? toPayment(row) : null;
}

export async function findPaymentById(conn: Conn, id: number): Promise<Payment | null> {
  const row = await conn('payments').where({ id }).first();
  return row ? toPayment(row) : null;
}

/** Stripe Checkout sessions that could not be opened for an order (failed rows without a provider reference). */
export async function failedCheckoutStarts(conn: Conn, orderId: number): Promise<number> {
  return countRows(conn('payments').where({ order_id: orderId, provider: 'stripe', status: 'failed' }).whereNull('provider_ref'));
}

export interface NewPayment {
  target: PaymentTarget;
  provider: Provider;
  providerRef: string | null;
  amountCents: number;
  currency: string;
  status: Payment['status'];
  failureCode?: string | null;
  failureMessage?: string | null;
  now: Date;
}

export async function insertPayment(conn: Conn, p: NewPayment): Promise<number> {
  const [id] = await conn('payments').insert(paymentRow(p));
  return Number(id);
}

function paymentRow(p: NewPayment) {
  const at = toDbTime(p.now);
  return {
    ...targetColumns(p.target),
    provider: p.provider,
    provider_ref: p.providerRef,
    amount_cents: p.amountCents,
    currency: p.currency,
    status: p.status,
    failure_code: p.failureCode ?? null,
    failure_message: p.failureMessage ? p.failureMessage.slice(0, 500) : null,
    created_at: at,
    updated_at: at,
  };
}

/** A provider object moves forward (pending/failed → succeeded); a succeeded payment is never downgraded. */
export async function updatePaymentStatus(conn: Conn, id: number, p: { status: Payment['status']; amountCents?: number; failureCode?: string | null; failureMessage?: string | null; now: Date }): Promise<number> {
  return conn('payments')
    .where({ id })
    .whereNot({ status: 'succeeded' })
    .update({
      status: p.status,
      ...(p.amountCents !== undefined ? { amount_cents: p.amountCents } : {}),
      failure_code: p.failureCode ?? null,
      failure_message: p.failureMessage ? p.failureMessage.slice(0, 500) : null,
      updated_at: toDbTime(p.now),
    });
}

export async function orderPayments(conn: Conn, orderId: number): Promise<Payment[]> {
  const rows = await conn('payments').where({ order_id: orderId }).orderBy('id');
  return rows.map(toPayment);
}

export async function orderRefunds(conn: Conn, orderId: number): Promise<Refund[]> {
  const rows = await conn('refunds').where({ order_id: orderId }).orderBy('id');
  return rows.map(toRefund);
}

export async function findRefund(conn: Conn, id: number): Promise<Refund | null> {
  const row = await conn('refunds').where({ id }).first();
  return row ? toRefund(row) : null;
}

export async function findRefundByRef(conn: Conn, providerRef: string): Promise<Refund | null> {
  const row = await conn('refunds').where({ provider_ref: providerRef }).first();
  return row ? toRefund(row) : null;
}

export async function insertRefund(
  conn: Conn,
  r: { paymentId: number | null; orderId: number | null; rentalId?: number | null; destination: Refund['destination']; providerRef: string | null; amountCents: number; status: Refund['status']; reason: string | null; actorUserId?: number | null; now: Date },
): Promise<number> {
  const at = toDbTime(r.now);
  const [id] = await conn('refunds').insert({
    payment_id: r.paymentId,
    order_id: r.orderId,
    rental_id: r.rentalId ?? null,
    destination: r.destination,
    provider_ref: r.providerRef,
    amount_cents: r.amountCents,
    status: r.status,
    reason: r.reason ? r.reason.slice(0, 500) : null,
    actor_user_id: r.actorUserId ?? null,
    created_at: at,
    updated_at: at,
  });
  return Number(id);
}

/** Remembers the provider's id of a refund still pending, so its later confirmation finds it. */
export async function setRefundRef(conn: Conn, id: number, providerRef: string, now: Date): Promise<void> {
  await conn('refunds').where({ id, status: 'pending' }).whereNull('provider_ref').update({ provider_ref: providerRef, updated_at: toDbTime(now) });
}

/** The oldest pending refund of exactly this amount against a payment, not yet matched to a provider refund. */
export async function unmatchedPendingRefund(conn: Conn, paymentId: number, amountCents: number): Promise<number | null> {
  const row = await conn('refunds').where({ payment_id: paymentId, status: 'pending', amount_cents: amountCents }).whereNull('provider_ref').orderBy('id').first('id');
  return row ? Number(row.id) : null;
}

/** A payment's refunds to the card in one status, oldest first. */
export async function cardRefunds(conn: Conn, paymentId: number, status: Refund['status']): Promise<Refund[]> {
  const rows = await conn('refunds').where({ payment_id: paymentId, destination: 'card', status }).orderBy('id');
  return rows.map(toRefund);
}

/** Given back to the card so far against one payment (succeeded refunds). */
export async function cardRefundedCents(conn: Conn, paymentId: number): Promise<number> {
  const row = (await conn('refunds').where({ payment_id: paymentId, destination: 'card', status: 'succeeded' }).sum({ n: 'amount_cents' }).first()) as { n: unknown } | undefined;
  return Number(row?.n ?? 0);
}

export async function settleRefund(conn: Conn, id: number, r: { status: Refund['status']; providerRef?: string | null; now: Date }): Promise<number> {
  return conn('refunds')
    .where({ id, status: 'pending' })
    .update({ status: r.status, ...(r.providerRef ? { provider_ref: r.providerRef } : {}), updated_at: toDbTime(r.now) });
}

/** Money taken and money given back for an order (succeeded rows only). */
export async function orderMoney(conn: Conn, orderId: number): Promise<{ paidCents: number; refundedCents: number }> {
  const paid = (await conn('payments').where({ order_id: orderId, status: 'succeeded' }).sum({ n: 'amount_cents' }).first()) as { n: unknown } | undefined;
  const refunded = (await conn('refunds').where({ order_id: orderId, status: 'succeeded' }).sum({ n: 'amount_cents' }).first()) as { n: unknown } | undefined;
  return { paidCents: Number(paid?.n ?? 0), refundedCents: Number(refunded?.n ?? 0) };
}

/** Refunded (or being refunded) so far against one payment. */
export async function refundedAgainst(conn: Conn, paymentId: number): Promise<number> {
  const row = (await conn('refunds').where({ payment_id: paymentId }).whereNot({ status: 'failed' }).sum({ n: 'amount_cents' }).first()) as { n: unknown } | undefined;
  return Number(row?.n ?? 0);
}

/**
 * Money in and out per UTC day since `from`: payments received (card and
 * manual; store credit is not new money) and refunds sent back to the card or
 * by hand, by the day they succeeded.
 */
export async function dailyMoney(conn: Conn, from: Date): Promise<Map<string, { receivedCents: number; refundedCents: number }>> {
  const day = daySql(conn, 'updated_at');
  const [paid, refunded] = await Promise.all([
    conn('payments').select({ day: conn.raw(day) }).sum({ n: 'amount_cents' }).where('status', 'succeeded').whereNot('provider', 'store_credit').where('updated_at', '>=', toDbTime(from)).groupByRaw(day),
    conn('refunds').select({ day: conn.raw(day) }).sum({ n: 'amount_cents' }).where('status', 'succeeded').whereIn('destination', ['card', 'bank_transfer']).where('updated_at', '>=', toDbTime(from)).groupByRaw(day),
  ]);
  const out = new Map<string, { receivedCents: number; refundedCents: number }>();
  const entry = (d: string) => out.get(d) ?? (out.set(d, { receivedCents: 0, refundedCents: 0 }), out.get(d)!);
  for (const r of paid as Array<{ day: string; n: unknown }>) entry(String(r.day)).receivedCents += Number(r.n ?? 0);
  for (const r of refunded as Array<{ day: string; n: unknown }>) entry(String(r.day)).refundedCents += Number(r.n ?? 0);
  return out;
}

/** A rental's first payment names its installment once the schedule has been written. */
export async function setPaymentInstallment(conn: Conn, paymentId: number, installmentId: number): Promise<void> {
  await conn('payments').where({ id: paymentId }).update({ rental_installment_id: installmentId });
}

/** A rental's payments, newest first. */
export async function rentalPayments(conn: Conn, rentalId: number): Promise<Payment[]> {
  const rows = await conn('payments').where({ rental_id: rentalId }).orderBy('id', 'desc');
  return rows.map(toPayment);
}

/** The payments on record for several provider references, by reference. */
export async function findPayments(conn: Conn, provider: Provider, providerRefs: readonly string[]): Promise<Map<string, Payment>> {
  if (providerRefs.length === 0) return new Map();
  const rows = await conn('payments').where({ provider }).whereIn('provider_ref', providerRefs);
  return new Map(rows.map((r) => [r.provider_ref as string, toPayment(r)]));
}

/** Several payments in one statement per chunk (a collection batch). */
export async function insertPayments(conn: Conn, list: readonly NewPayment[]): Promise<void> {
  await insertInChunks(conn, 'payments', list.map(paymentRow));
}
