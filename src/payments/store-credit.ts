import type { Conn } from '../db';
import { countRows, lockedInTransaction } from '../db';
import { fromDbTime, toDbTime } from '../lib/clock';

export type CreditKind = 'refund' | 'goodwill' | 'purchase' | 'redemption' | 'adjustment';

/**
 * Store credit is a signed, append-only ledger per user; the balance is the sum.
 * Spending locks the user's row first (MySQL) so two checkouts cannot both
 * spend the same balance; SQLite transactions are already serial.
 */
export async function creditBalance(conn: Conn, userId: number, opts: { lock?: boolean } = {}): Promise<number> {
  if (opts.lock) await lockedInTransaction(conn, conn('users').where({ id: userId })).first('id');
  const row = (await conn('store_credit_entries').where({ user_id: userId }).sum({ n: 'amount_cents' }).first()) as { n: number | string | null } | undefined;
  return Number(row?.n ?? 0);
}

export async function addCreditEntry(
  conn: Conn,
  e: { userId: number; amountCents: number; kind: CreditKind; reason?: string | null; orderId?: number | null; rentalId?: number | null; actorUserId?: number | null; now: Date },
): Promise<void> {
  if (!Number.isInteger(e.amountCents) || e.amountCents === 0) throw new RangeError('credit entry must be a non-zero whole number of cents');
  await conn('store_credit_entries').insert({
    user_id: e.userId,
    amount_cents: e.amountCents,
    kind: e.kind,
    reason: e.reason ?? null,
    order_id: e.orderId ?? null,
    rental_id: e.rentalId ?? null,
    actor_user_id: e.actorUserId ?? null,
    created_at: toDbTime(e.now),
  });
}

export interface CreditEntry {
  id: number;
  amountCents: number;
  kind: CreditKind;
  reason: string | null;
  orderId: number | null;
  /** The order's number, for a link. */
  orderNumber: string | null;
  actorUserId: number | null;
  at: Date;
}

/** What each kind of entry is, in words for the customer. */
export const CREDIT_KIND_LABELS: Record<CreditKind, string> = {
  refund: 'Refund to store credit',
  goodwill: 'Goodwill credit',
  purchase: 'Spent on an order',
  redemption: 'Redeemed',
  adjustment: 'Adjustment',
};

/** A customer's ledger, newest first (`offset` to page through it). */
export async function creditEntries(conn: Conn, userId: number, limit = 200, offset = 0): Promise<CreditEntry[]> {
  const rows = await conn('store_credit_entries as e')
    .leftJoin('orders as o', 'o.id', 'e.order_id')
    .where('e.user_id', userId)
    .orderBy('e.id', 'desc')
    .limit(limit)
    .offset(offset)
    .select('e.*', 'o.number as order_number');
  return rows.map((r) => ({
    id: Number(r.id),
    amountCents: r.amount_cents,
    kind: r.kind,
    reason: r.reason ?? null,
    orderId: r.order_id ?? null,
    orderNumber: r.order_number ?? null,
    actorUserId: r.actor_user_id ?? null,
    at: fromDbTime(r.created_at)!,
  }));
}

export async function countCreditEntries(conn: Conn, userId: number): Promise<number> {
  return countRows(conn('store_credit_entries').where({ user_id: userId }));
}
