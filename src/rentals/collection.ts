import { inTransaction, isMysql, type Conn, type Db, type Trx } from '../db';
import { toDbTime, type Clock } from '../lib/clock';
import { dateOnly } from '../lib/dates';
import type { Logger } from '../lib/log';
import type { PaymentService } from '../payments/service';
import type { OffSessionResult, StripeGateway } from '../payments/stripe';
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

/** A claimed installment charged at Stripe, to record. */
interface Charged {
  claimed: Claimed;
  target: RentalTarget;
  key: string;
  res: OffSessionResult;
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
 * rental:{id}:{n}:{attempt} and records the outcomes through the payments
 * service (the installment purpose applies each), a claimed batch in one
 * transaction. A crash between charging and
 * recording leaves the claim to run out: the next sweep sends the same key,
 * Stripe answers with the same PaymentIntent, and the webhook would have
 * recorded it meanwhile anyway.
 */
export class RentalCollector {
  constructor(private readonly deps: CollectorDeps) {}

  /**
   * Charges due installments until none is left to claim, or — with
   * `budgetMs` — until that much (real) time has passed: it then stops
   * claiming, finishes the batch in hand and returns (the job queues another
   * sweep when some are still due).
   */
  async sweep(opts: { batchSize?: number; concurrency?: number; budgetMs?: number } = {}): Promise<SweepResult> {
    const result: SweepResult = { charged: 0, failed: 0, skipped: 0 };
    if (!this.deps.gateway) return result;
    const batchSize = opts.batchSize ?? 50;
    const concurrency = opts.concurrency ?? 8;
    const stopAt = opts.budgetMs === undefined ? Infinity : Date.now() + opts.budgetMs;
    while (Date.now() < stopAt) {
      const batch = await this.claim(batchSize);
      if (batch.length === 0) return result;
      let next = 0;
      // Lanes charge the claimed installments side by side; the batch is then recorded together.
      const charged: Charged[] = [];
      const lane = async () => {
        while (next < batch.length) {
          const c = batch[next++]!;
          const res = await this.charge(c).catch((err) => {
            this.deps.logger.warn({ err, rental: c.number, seq: c.seq }, 'could not charge an installment; the claim runs out and it is tried again');
            return null;
          });
          if (res) charged.push(res);
          else result.skipped++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, lane));
      for (const outcome of await this.recordAll(charged)) result[outcome]++;
    }
    return result;
  }

  /** Whether an installment is due to be charged and not claimed (what a sweep would take now). */
  async hasDue(): Promise<boolean> {
    if (!this.deps.gateway) return false;
    return (await this.claimable(this.deps.db, this.deps.clock.now()).first('i.id')) !== undefined;
  }
  /** Installments to charge now, oldest first: due (next_attempt_on) and unpaid, of agreements that are running and pay by card, not claimed. */
  private claimable(conn: Conn, now: Date) {
    return conn('rental_installments as i')
      .join('rentals as r', 'r.id', 'i.rental_id')
      .where('i.next_attempt_on', '<=', dateOnly(now))
      .whereIn('i.status', ['scheduled', 'failed'])
      .whereIn('r.status', ['active', 'past_due'])
      .where('r.provider', 'stripe')
      .where((w) => w.whereNull('i.claimed_until').orWhere('i.claimed_until', '<', toDbTime(now)))
      .orderBy('i.next_attempt_on')
      .orderBy('i.id');
  }

  /** Claims up to `limit` installments to charge now, for agreements that are running and pay by card. */
  private async claim(limit: number): Promise<Claimed[]> {
    const { db, clock } = this.deps;
    const now = clock.now();
    return inTransaction(db, async (trx) => {
      const qb = this.claimable(trx, now)
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

  /** Charges one claimed installment; null when it cannot be charged now (no saved card). */
  private async charge(c: Claimed): Promise<Charged | null> {
    const gateway = this.deps.gateway!;
    const card = c.paymentMethodId && c.customerId ? { customerId: c.customerId, paymentMethodId: c.paymentMethodId } : await this.savedCard(c);
    if (!card) return null;
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
    return { claimed: c, target, key, res };
  }

  /**
   * Records a batch's charges through the payments service, in one
   * transaction (one commit for the batch instead of one per charge); when
   * that fails, each is recorded in a transaction of its own so one bad
   * record does not hold back the others. What still cannot be recorded is
   * left to its claim running out: the next sweep sends the same key.
   */
  private async recordAll(charged: readonly Charged[]): Promise<Array<'charged' | 'failed' | 'skipped'>> {
    if (charged.length === 0) return [];
    try {
      return await inTransaction(this.deps.db, async (trx) => {
        const succeeded = charged.flatMap(({ target, res }) => (res.status === 'succeeded' ? [{ target, providerRef: res.paymentIntentId, amountCents: res.amountCents }] : []));
        await this.deps.payments.recordStripeSuccesses(trx, succeeded);
        const out: Array<'charged' | 'failed'> = succeeded.map(() => 'charged' as const);
        for (const x of charged) if (x.res.status !== 'succeeded') out.push(await this.record(trx, x));
        return out;
      });
    } catch {
      const out: Array<'charged' | 'failed' | 'skipped'> = [];
      for (const x of charged) {
        out.push(
          await inTransaction(this.deps.db, (trx) => this.record(trx, x)).catch((err) => {
            this.deps.logger.warn({ err, rental: x.claimed.number, seq: x.claimed.seq, key: x.key }, 'charged but not recorded; the claim runs out and the same key is sent again');
            return 'skipped' as const;
          }),
        );
      }
      return out;
    }
  }

  private async record(trx: Trx, { claimed: c, target, key, res }: Charged): Promise<'charged' | 'failed'> {
    if (res.status === 'succeeded') {
      await this.deps.payments.recordStripeSuccess(trx, target, res.paymentIntentId, res.amountCents);
      return 'charged';
    }
    await this.deps.payments.recordFailure(trx, target, { provider: 'stripe', providerRef: res.paymentIntentId ?? key, amountCents: c.amountCents, code: res.code, message: res.message });
    return 'failed';
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
