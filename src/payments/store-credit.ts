import type { Conn } from '../db';
import { lockedInTransaction } from '../db';
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
  actorUserId: number | null;
  at: Date;
}

/** A customer's ledger, newest first. */
export async function creditEntries(conn: Conn, userId: number, limit = 200): Promise<CreditEntry[]> {
  const rows = await conn('store_credit_entries').where({ user_id: userId }).orderBy('id', 'desc').limit(limit);
  return rows.map((r) => ({
    id: Number(r.id),
    amountCents: r.amount_cents,
    kind: r.kind,
    reason: r.reason ?? null,
    orderId: r.order_id ?? null,
    actorUserId: r.actor_user_id ?? null,
    at: fromDbTime(r.created_at)!,
  }));
}
