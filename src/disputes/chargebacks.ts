import type { Trx } from '../db';
import { toDbTime } from '../lib/clock';
import * as repo from './repo';
import { disputeMachine, type DisputeStatus } from './transitions';

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
  let row = await repo.findByProviderRef(trx, d.id);
  if (!row) {
    const id = await repo.insertDispute(trx, {
      userId: ctx.userId,
      orderId: ctx.orderId,
      kind: 'chargeback',
      status: 'open',
      providerRef: d.id,
      amountCents: d.amount,
      description: `Card chargeback${d.reason ? ` (${d.reason.replace(/_/g, ' ')})` : ''}`,
      now: ctx.now,
    });
    await disputeMachine.recordInitial(trx, id, 'open', { actor: 'stripe', at: ctx.now, note: `Stripe dispute ${d.id}` });
    row = { id, status: 'open' };
  } else if (ctx.orderId !== null) {
    await repo.attachOrder(trx, row.id, ctx.orderId, ctx.userId, ctx.now);
  }
  if (!ctx.closed) return;
  const final: DisputeStatus = d.status === 'won' ? 'rejected' : 'resolved';
  if (!disputeMachine.can(row.status, final)) return;
  await disputeMachine.transition(trx, row.id, final, {
    actor: 'stripe',
    at: ctx.now,
    note: `Stripe dispute closed: ${d.status}`,
    set: { outcome: d.status === 'won' ? 'chargeback_won' : 'chargeback_lost', resolution: d.status === 'won' ? 'Chargeback won: the payment stands.' : `Chargeback ${d.status.replace(/_/g, ' ')}: the card issuer returned the money to the customer.`, resolved_at: toDbTime(ctx.now) },
  });
}
