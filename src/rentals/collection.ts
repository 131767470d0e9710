import { inTransaction, isMysql, type Db } from '../db';
import { toDbTime, type Clock } from '../lib/clock';
import { dateOnly } from '../lib/dates';
import type { Logger } from '../lib/log';
import type { PaymentService } from '../payments/service';
import type { StripeGateway } from '../payments/stripe';
import type { RentalTarget } from '../payments/purposes';
import * as repo from './repo';

export interface CollectorDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  gateway: StripeGateway | null;
  payments: PaymentService;
  currency: string;
}

/** One installment claimed for charging, with what charging it needs. */
interface Claimed {
  id: number;
  rentalId: number;
  number: string;
  seq: number;
  amountCents: number;
  attempt: number;
  customerId: string | null;
  paymentMethodId: string | null;
}

export interface SweepResult {
  charged: number;
  failed: number;
  /** Left for a later run (no saved card yet, Stripe unreachable). */
  skipped: number;
}

/** How long a claim keeps other workers off an installment; a crashed worker's claims come back after it. */
export const CLAIM_MS = 10 * 60_000;

/** The idempotency key of one attempt to charge one installment (SPEC §5): retrying the same attempt is the same charge. */
export function collectionKey(rentalId: number, seq: number, attempt: number): string {
  return `rental:${rentalId}:${seq}:${attempt}`;
}

/**
 * Charges due installments to the renters' saved cards (SPEC §5). Any number
 * of sweeps may run at once, in one process or several: each claims a batch
 * of installments due today or earlier (next_attempt_on) with a lease —
 * FOR UPDATE SKIP LOCKED on MySQL/MariaDB, the single writer on SQLite — so
 * no two charge the same one, charges it with the idempotency key
 * rental:{id}:{n}:{attempt} and records the outcome through the payments
 * service (the installment purpose applies it). A crash between charging and
 * recording leaves the claim to run out: the next sweep sends the same key,
 * Stripe answers with the same PaymentIntent, and the webhook would have
 * recorded it meanwhile anyway.
 */
export class RentalCollector {
  constructor(private readonly deps: CollectorDeps) {}

  async sweep(opts: { batchSize?: number; concurrency?: number } = {}): Promise<SweepResult> {
    const result: SweepResult = { charged: 0, failed: 0, skipped: 0 };
    if (!this.deps.gateway) return result;
    const batchSize = opts.batchSize ?? 50;
    const concurrency = opts.concurrency ?? 8;
    for (;;) {
      const batch = await this.claim(batchSize);
      if (batch.length === 0) return result;
      let next = 0;
      const run = async () => {
        while (next < batch.length) {
          const c = batch[next++]!;
          const outcome = await this.charge(c).catch((err) => {
            this.deps.logger.warn({ err, rental: c.number, seq: c.seq }, 'could not charge an installment; the claim runs out and it is tried again');
            return 'skipped' as const;
          });
          result[outcome]++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, run));
    }
  }

  /** Claims up to `limit` installments to charge now, for agreements that are running and pay by card. */
  private async claim(limit: number): Promise<Claimed[]> {
    const { db, clock } = this.deps;
    const now = clock.now();
    const today = dateOnly(now);
    return inTransaction(db, async (trx) => {
      const qb = trx('rental_installments as i')
        .join('rentals as r', 'r.id', 'i.rental_id')
        .where('i.next_attempt_on', '<=', today)
        .whereIn('i.status', ['scheduled', 'failed'])
        .whereIn('r.status', ['active', 'past_due'])
        .where('r.provider', 'stripe')
        .where((w) => w.whereNull('i.claimed_until').orWhere('i.claimed_until', '<', toDbTime(now)))
        .orderBy('i.next_attempt_on')
        .orderBy('i.id')
        .limit(limit)
        .select('i.id', 'i.rental_id', 'i.seq', 'i.amount_cents', 'i.attempts', 'r.number', 'r.stripe_customer_id', 'r.stripe_payment_method_id');
      if (isMysql(trx)) qb.forUpdate('i').skipLocked();
      const rows = await qb;
      if (rows.length === 0) return [];
      await trx('rental_installments')
        .whereIn('id', rows.map((r) => r.id))
        .update({ claimed_until: toDbTime(new Date(now.getTime() + CLAIM_MS)) });
      return rows.map((r) => ({
        id: Number(r.id),
        rentalId: Number(r.rental_id),
        number: r.number,
        seq: r.seq,
        amountCents: r.amount_cents,
        attempt: r.attempts + 1,
        customerId: r.stripe_customer_id ?? null,
        paymentMethodId: r.stripe_payment_method_id ?? null,
      }));
    });
  }

  private async charge(c: Claimed): Promise<'charged' | 'failed' | 'skipped'> {
    const gateway = this.deps.gateway!;
    const card = c.paymentMethodId && c.customerId ? { customerId: c.customerId, paymentMethodId: c.paymentMethodId } : await this.savedCard(c);
    if (!card) return 'skipped';
    const target: RentalTarget = { purpose: 'installment', rentalId: c.rentalId, installmentId: c.id };
    const key = collectionKey(c.rentalId, c.seq, c.attempt);
    const res = await gateway.chargeOffSession({
      target,
      customerId: card.customerId,
      paymentMethodId: card.paymentMethodId,
      amountCents: c.amountCents,
      currency: this.deps.currency,
      description: `Agreement ${c.number}, payment ${c.seq}`,
      idempotencyKey: key,
    });
    return inTransaction(this.deps.db, async (trx) => {
      if (res.status === 'succeeded') {
        await this.deps.payments.recordStripeSuccess(trx, target, res.paymentIntentId, res.amountCents);
        return 'charged' as const;
      }
      await this.deps.payments.recordFailure(trx, target, { provider: 'stripe', providerRef: res.paymentIntentId ?? key, amountCents: c.amountCents, code: res.code, message: res.message });
      return 'failed' as const;
    });
  }

  /** The card the first payment saved, looked up once at Stripe and kept on the agreement. */
  private async savedCard(c: Claimed): Promise<{ customerId: string; paymentMethodId: string } | null> {
    const first = await this.deps.db('payments').where({ rental_id: c.rentalId, provider: 'stripe', status: 'succeeded' }).orderBy('id').first('provider_ref');
    if (!first?.provider_ref || !String(first.provider_ref).startsWith('pi_')) {
      this.deps.logger.warn({ rental: c.number }, 'no card saved for this agreement: the installment is left for staff');
      await this.deps.db('rental_installments').where({ id: c.id }).update({ next_attempt_on: null, claimed_until: null });
      return null;
    }
    const saved = await this.deps.gateway!.savedCardOf(first.provider_ref);
    const customerId = saved.customerId ?? c.customerId;
    if (!saved.paymentMethodId || !customerId) return null;
    await repo.updateRental(this.deps.db, c.rentalId, { stripe_customer_id: customerId, stripe_payment_method_id: saved.paymentMethodId }, this.deps.clock.now());
    return { customerId, paymentMethodId: saved.paymentMethodId };
  }
}
