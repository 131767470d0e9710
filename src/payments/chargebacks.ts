import type { Trx } from '../db';
import { toDbTime } from '../lib/clock';
import { defineStateMachine, type Transitions } from '../db/state-machine';

export type DisputeStatus = 'open' | 'under_review' | 'resolved' | 'rejected';

/** SPEC §3: open → under_review → resolved|rejected (staff may also decide straight from open). */
export const DISPUTE_TRANSITIONS: Transitions<DisputeStatus> = {
  open: ['under_review', 'resolved', 'rejected'],
  under_review: ['resolved', 'rejected'],
  resolved: [],
  rejected: [],
};

export const disputeMachine = defineStateMachine<DisputeStatus>({ entity: 'dispute', table: 'disputes', transitions: DISPUTE_TRANSITIONS });

export interface StripeDispute {
  id: string;
  amount: number;
  reason: string | null;
  status: string;
}

/**
 * A Stripe chargeback becomes a dispute row (kind `chargeback`), matched by the
 * Stripe dispute id so created/updated/closed events in any order converge on
 * one row. Closed: won → rejected (the claim failed), lost → resolved in the customer's favour.
 */
export async function recordChargeback(
  trx: Trx,
  d: StripeDispute,
  ctx: { orderId: number | null; userId: number | null; closed: boolean; now: Date },
): Promise<void> {
  let row = await trx('disputes').where({ provider_ref: d.id }).first('id', 'status');
  if (!row) {
    const at = toDbTime(ctx.now);
    const [id] = await trx('disputes').insert({
      user_id: ctx.userId,
      order_id: ctx.orderId,
      kind: 'chargeback',
      status: 'open',
      provider_ref: d.id,
      amount_cents: d.amount,
      description: `Card chargeback${d.reason ? ` (${d.reason.replace(/_/g, ' ')})` : ''}`,
      created_at: at,
      updated_at: at,
    });
    await disputeMachine.recordInitial(trx, Number(id), 'open', { actor: 'stripe', at: ctx.now, note: `Stripe dispute ${d.id}` });
    row = { id: Number(id), status: 'open' };
  } else if (ctx.orderId !== null) {
    await trx('disputes').where({ id: row.id }).whereNull('order_id').update({ order_id: ctx.orderId, user_id: ctx.userId, updated_at: toDbTime(ctx.now) });
  }
  if (!ctx.closed) return;
  const final: DisputeStatus = d.status === 'won' ? 'rejected' : 'resolved';
  if (!disputeMachine.can(row.status, final)) return;
  await disputeMachine.transition(trx, row.id, final, {
    actor: 'stripe',
    at: ctx.now,
    note: `Stripe dispute closed: ${d.status}`,
    set: { resolution: d.status === 'won' ? 'Chargeback won: the payment stands.' : `Chargeback ${d.status.replace(/_/g, ' ')}: the card issuer returned the money to the customer.`, resolved_at: toDbTime(ctx.now) },
  });
}
