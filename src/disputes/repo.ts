import type { Conn } from '../db';
import { toDbTime } from '../lib/clock';
import type { DisputeStatus } from './transitions';

/** Disputes: queries only. */

export type DisputeKind = 'not_as_described' | 'damaged' | 'billing' | 'chargeback';

/** The dispute recorded for a provider's own dispute id (a Stripe chargeback), if any. */
export async function findByProviderRef(conn: Conn, providerRef: string): Promise<{ id: number; status: DisputeStatus } | null> {
  const row = await conn('disputes').where({ provider_ref: providerRef }).first('id', 'status');
  return row ? { id: Number(row.id), status: row.status } : null;
}

export async function insertDispute(
  conn: Conn,
  d: { userId: number | null; orderId: number | null; kind: DisputeKind; status: DisputeStatus; providerRef: string | null; amountCents: number | null; description: string; now: Date },
): Promise<number> {
  const at = toDbTime(d.now);
  const [id] = await conn('disputes').insert({
    user_id: d.userId,
    order_id: d.orderId,
    kind: d.kind,
    status: d.status,
    provider_ref: d.providerRef,
    amount_cents: d.amountCents,
    description: d.description,
    created_at: at,
    updated_at: at,
  });
  return Number(id);
}

/** Names the order (and its customer) of a dispute recorded before its order was known; a known order is kept. */
export async function attachOrder(conn: Conn, id: number, orderId: number, userId: number | null, now: Date): Promise<void> {
  await conn('disputes').where({ id }).whereNull('order_id').update({ order_id: orderId, user_id: userId, updated_at: toDbTime(now) });
}
