import type { Conn, Db, Trx } from '../db';
import { inTransaction } from '../db';
import { isUniqueViolation } from '../db/errors';
import { MINUTE, type Clock } from '../lib/clock';
import type { Logger } from '../lib/log';
import { enqueue } from '../jobs/queue';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import { formatMoney } from '../lib/money';
import { recordAudit, type StaffContext } from '../audit/repo';
import * as orderRepo from '../orders/repo';
import { queueOrderMail } from '../orders/emails';
import { describeTarget, type Payee, type PaymentPurposes, type PaymentTarget, type RecordedPayment } from './purposes';
import { derivePaymentStatus } from './status';
import { addCreditEntry, creditBalance } from './store-credit';
import * as repo from './repo';
import type { CheckoutLine, StripeGateway } from './stripe';

export const REFUND_JOB = 'payments.refund';
export const EXPIRE_JOB = 'orders.expire';

/** Stripe accepts a Checkout Session expiry between 30 minutes and 24 hours from creation. */
const STRIPE_MIN_SESSION_MS = 31 * MINUTE;

export interface PaymentDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Server secret, for the keyed order links in e-mails. */
  secret: string;
  gateway: StripeGateway | null;
  /** The store currency, for amounts in messages. */
  currency: string;
  /** The feature handling each payment purpose (orders, rentals). */
  purposes: PaymentPurposes;
}

export interface IncomingPayment {
  provider: repo.Provider;
  providerRef: string;
  amountCents: number;
  /** `stripe`, `system`, `user:<id>` */
  actor: string;
  note?: string;
}

/** Could not open the Stripe payment page; the order stays pending_payment and can be retried. */
export class PaymentStartError extends ConflictError {
  constructor(readonly orderNumber: string) {
    super('We could not reach our card payment provider. Your order is saved and nothing was charged — please try again.');
  }
}

export interface RefundOptions {
  refundTo: 'original' | 'store_credit';
  reason: string;
  actorUserId?: number | null;
}

/**
 * Money in and out: recording payments of every purpose (idempotent per
 * provider reference; what a payment pays for is applied by its purpose's
 * handler), opening Stripe Checkout for orders, refunds of orders to card or
 * store credit, and keeping an order's derived payment_status in step.
 */
export class PaymentService {
  constructor(private readonly deps: PaymentDeps) {}

  get stripeEnabled(): boolean {
    return this.deps.gateway !== null;
  }

  private mailCtx() {
    return { clock: this.deps.clock, secret: this.deps.secret };
  }

  /**
   * Returns the Stripe Checkout URL for an unpaid card order: the open session
   * when there is one, else a new session (idempotency key per order and
   * session expiry, so SDK retries never create two and a shopper's retry after
   * an error gets a fresh attempt). Null when the order no longer needs paying.
   */
  async checkoutUrl(orderId: number): Promise<string | null> {
    const gateway = this.deps.gateway;
    const order = await orderRepo.findOrderById(this.deps.db, orderId);
    if (!order) throw new NotFoundError();
    if (order.status !== 'pending_payment' || order.paymentMethod !== 'stripe' || order.amountDueCents <= 0) return null;
    if (!gateway) throw new PaymentStartError(order.number);

    try {
      if (order.checkoutSessionId) {
        const s = await gateway.retrieveSession(order.checkoutSessionId);
        if (s.status === 'open' && s.url) return s.url;
        if (s.status === 'complete' && (s.paymentStatus === 'paid' || s.paymentStatus === 'no_payment_required') && s.paymentIntentId) {
          await inTransaction(this.deps.db, (trx) => this.recordStripeSuccess(trx, { purpose: 'order', orderId: order.id }, s.paymentIntentId!, s.amountTotal ?? order.amountDueCents));
          return null;
        }
      }
      const now = this.deps.clock.now();
      const expiresAt = new Date(Math.max(order.expiresAt?.getTime() ?? 0, now.getTime() + STRIPE_MIN_SESSION_MS));
      expiresAt.setUTCMilliseconds(0);
      const items = await orderRepo.orderItems(this.deps.db, order.id);
      // A failed call is replayed by Stripe for the same key, so each retry after a failure gets a new one.
      const failed = await repo.failedCheckoutStarts(this.deps.db, order.id);
      const session = await gateway.createCheckoutSession({
        orderId: order.id,
        orderNumber: order.number,
        email: order.email,
        currency: order.currency,
        lines: checkoutLines(order, items),
        expiresAt,
        attempt: `${failed + 1}-${Math.floor(expiresAt.getTime() / 1000)}`,
      });
      await inTransaction(this.deps.db, async (trx) => {
        await orderRepo.setCheckoutHold(trx, order.id, session.id, expiresAt, now);
        await scheduleExpiry(trx, this.deps.clock, order.id, expiresAt);
      });
      return session.url;
    } catch (err) {
      if (err instanceof NotFoundError) throw err;
      this.deps.logger.warn({ err, order: order.number }, 'could not start Stripe Checkout');
      const e = err as { code?: string; type?: string; message?: string };
      await repo
        .insertPayment(this.deps.db, {
          target: { purpose: 'order', orderId: order.id },
          provider: 'stripe',
          providerRef: null,
          amountCents: order.amountDueCents,
          currency: order.currency,
          status: 'failed',
          failureCode: `checkout_session:${e.code ?? e.type ?? 'error'}`.slice(0, 100),
          failureMessage: e.message ?? 'Stripe Checkout Session could not be created',
          now: this.deps.clock.now(),
        })
        .catch((dbErr) => this.deps.logger.error({ err: dbErr }, 'could not record the failed payment attempt'));
      throw new PaymentStartError(order.number);
    }
  }

  /** A succeeded Stripe payment (Checkout or PaymentIntent event, or a session we looked up). */
  recordStripeSuccess(trx: Trx, target: PaymentTarget, paymentIntentId: string, amountCents: number): Promise<{ recorded: boolean }> {
    return this.recordPayment(trx, target, { provider: 'stripe', providerRef: paymentIntentId, amountCents, actor: 'stripe' });
  }

  /**
   * Several succeeded Stripe payments of one purpose (a collection batch) in
   * the caller's transaction: the new ones are written in one statement and
   * handed to the purpose's paidMany() when it has one; payments already on
   * record, and whatever the handler leaves, go the one-by-one way
   * (recordStripeSuccess / paid()), so each is applied exactly once.
   */
  async recordStripeSuccesses(trx: Trx, items: ReadonlyArray<{ target: PaymentTarget; providerRef: string; amountCents: number }>): Promise<void> {
    if (items.length === 0) return;
    const purpose = items[0]!.target.purpose;
    const handler = this.deps.purposes.handlerFor(purpose);
    const known = await repo.findPayments(trx, 'stripe', items.map((i) => i.providerRef));
    const fresh = items.filter((i) => !known.has(i.providerRef) && i.target.purpose === purpose);
    for (const i of items) if (!fresh.includes(i)) await this.recordStripeSuccess(trx, i.target, i.providerRef, i.amountCents);
    if (fresh.length === 0) return;
    if (!handler.paidMany) {
      for (const i of fresh) await this.recordStripeSuccess(trx, i.target, i.providerRef, i.amountCents);
      return;
    }
    const now = this.deps.clock.now();
    const currency = this.deps.currency;
    await repo.insertPayments(trx, fresh.map((i) => ({ target: i.target, provider: 'stripe' as const, providerRef: i.providerRef, amountCents: i.amountCents, currency, status: 'succeeded' as const, now })));
    const rows = await repo.findPayments(trx, 'stripe', fresh.map((i) => i.providerRef));
    const recorded = fresh.map((i): RecordedPayment => ({ id: rows.get(i.providerRef)!.id, target: i.target, provider: 'stripe', providerRef: i.providerRef, amountCents: i.amountCents, currency, actor: 'stripe', at: now }));
    for (const left of await handler.paidMany(trx, recorded)) {
      const payee = await handler.find(trx, left.target, { lock: true });
      if (!payee) throw new NotFoundError(`No ${describeTarget(left.target)}.`);
      await handler.paid(trx, left, payee);
    }
  }

  /** What a payment would pay, as the feature handling its purpose knows it; null when there is no such thing. */
  payee(conn: Conn, target: PaymentTarget): Promise<Payee | null> {
    return this.deps.purposes.handlerFor(target.purpose).find(conn, target, { lock: false });
  }

  /** Stripe names the Checkout session paying this: the handler remembers it if it was never recorded. */
  async checkoutSessionSeen(trx: Trx, target: PaymentTarget, payee: Payee, sessionId: string): Promise<void> {
    await this.deps.purposes.handlerFor(target.purpose).checkoutSession?.(trx, payee, sessionId, this.deps.clock.now());
  }

  /**
   * Records money received, once per (provider, reference), and has the
   * feature handling its purpose apply what it pays for (for an order: paid,
   * units sold, the customer told) — the one place a payment's effects
   * happen. A purpose nobody handles is refused before anything is written.
   */
  async recordPayment(trx: Trx, target: PaymentTarget, p: IncomingPayment): Promise<{ recorded: boolean }> {
    const handler = this.deps.purposes.handlerFor(target.purpose);
    const now = this.deps.clock.now();
    const payee = await handler.find(trx, target, { lock: true });
    if (!payee) throw new NotFoundError(`No ${describeTarget(target)}.`);
    const { id: paymentId, existing } = await this.findOrInsert(trx, { target, provider: p.provider, providerRef: p.providerRef, amountCents: p.amountCents, currency: payee.currency, status: 'succeeded', now });
    if (existing) {
      if (existing.status === 'succeeded') return { recorded: false };
      await repo.updatePaymentStatus(trx, existing.id, { status: 'succeeded', amountCents: p.amountCents, now });
    }
    await handler.paid(trx, { id: paymentId, target, ...p, currency: payee.currency, at: now }, payee);
    return { recorded: true };
  }

  /**
   * A failed attempt is kept for staff (failure code); it never downgrades a
   * payment that succeeded. The purpose's handler hears of each attempt once.
   */
  async recordFailure(trx: Trx, target: PaymentTarget, f: { provider: repo.Provider; providerRef: string; amountCents: number; code: string | null; message: string | null }): Promise<void> {
    const handler = this.deps.purposes.handlerFor(target.purpose);
    const now = this.deps.clock.now();
    const attempt = { target, provider: f.provider, providerRef: f.providerRef, amountCents: f.amountCents, actor: f.provider === 'stripe' ? 'stripe' : 'system', at: now };
    const payee = await handler.find(trx, target, { lock: false });
    const { id, existing } = await this.findOrInsert(trx, { target, provider: f.provider, providerRef: f.providerRef, amountCents: f.amountCents, currency: payee?.currency ?? 'USD', status: 'failed', failureCode: f.code, failureMessage: f.message, now });
    if (existing) {
      const changed = await repo.updatePaymentStatus(trx, existing.id, { status: 'failed', failureCode: f.code, failureMessage: f.message, now });
      if (!changed || existing.status !== 'pending') return;
    }
    await handler.failed?.(trx, { ...attempt, id, currency: existing?.currency ?? payee?.currency ?? 'USD' }, payee);
  }

  /**
   * The payment row of a provider reference: the one on record, or the given
   * one inserted. On MariaDB a transaction that waited for the payee's lock
   * may still read from a snapshot taken before a concurrent delivery of the
   * same payment committed its row: the insert then meets the unique key, and
   * the row is read again as committed instead of failing the delivery.
   */
  private async findOrInsert(trx: Trx, row: repo.NewPayment & { providerRef: string }): Promise<{ id: number; existing: repo.Payment | null }> {
    const existing = await repo.findPayment(trx, row.provider, row.providerRef);
    if (existing) return { id: existing.id, existing };
    try {
      return { id: await repo.insertPayment(trx, row), existing: null };
    } catch (err) {
      const committed = isUniqueViolation(err) ? await repo.findPayment(trx, row.provider, row.providerRef, { lock: true }) : null;
      if (!committed) throw err;
      return { id: committed.id, existing: committed };
    }
  }

  async refreshPaymentStatus(conn: Conn, orderId: number): Promise<void> {
    const money = await repo.orderMoney(conn, orderId);
    await orderRepo.setPaymentStatus(conn, orderId, derivePaymentStatus(money.paidCents, money.refundedCents), this.deps.clock.now());
  }

  /**
   * Gives back everything still refundable on an order (cancellation). Store
   * credit goes back to the ledger at once; card payments become pending
   * refunds sent to Stripe by processRefund (now, and by a retrying job);
   * manual payments go to store credit when there is an account. Returns the
   * pending card refund ids.
   */
  async refundOrder(trx: Trx, order: orderRepo.Order, opts: RefundOptions): Promise<number[]> {
    return this.refundAmount(trx, order, Number.MAX_SAFE_INTEGER, opts);
  }

  /**
   * Staff add to or take from a customer's store credit, with a reason kept
   * on the ledger. A deduction can never take the balance below zero.
   */
  async adjustCredit(userId: number, amountCents: number, reason: string, by: StaffContext): Promise<number> {
    return inTransaction(this.deps.db, async (trx) => {
      const now = this.deps.clock.now();
      const balance = await creditBalance(trx, userId, { lock: true });
      if (balance + amountCents < 0) {
        throw new ValidationError(`The balance is ${formatMoney(balance, this.deps.currency)}: at most that much can be taken.`, { amount: `Take at most ${formatMoney(balance, this.deps.currency)}.` });
      }
      await addCreditEntry(trx, { userId, amountCents, kind: amountCents > 0 ? 'goodwill' : 'adjustment', reason, actorUserId: by.actor.userId, now });
      await recordAudit(trx, by, { action: 'customer.credit', entity: 'user', entityId: userId, before: { balanceCents: balance }, after: { balanceCents: balance + amountCents, amountCents, reason } }, now);
      return balance + amountCents;
    });
  }

  /** What can still be given back on an order: succeeded payments less refunds made or under way. */
  async refundableCents(conn: Conn, orderId: number): Promise<number> {
    let left = 0;
    for (const pay of await repo.orderPayments(conn, orderId)) {
      if (pay.status === 'succeeded') left += pay.amountCents - (await repo.refundedAgainst(conn, pay.id));
    }
    return Math.max(0, left);
  }

  /**
   * Gives back up to `amountCents`, taken from the order's payments in the
   * order they were made (each to its own destination, see refundPayment). Returns the
   * pending card refund ids.
   */
  async refundAmount(trx: Trx, order: orderRepo.Order, amountCents: number, opts: RefundOptions): Promise<number[]> {
    const pending: number[] = [];
    let remaining = amountCents;
    const payments = (await repo.orderPayments(trx, order.id)).filter((p) => p.status === 'succeeded');
    for (const pay of payments) {
      if (remaining <= 0) break;
      const { cents, pendingIds } = await this.refundPayment(trx, order, pay, remaining, opts);
      remaining -= cents;
      pending.push(...pendingIds);
    }
    await this.refreshPaymentStatus(trx, order.id);
    return pending;
  }

  /** Gives back up to `upTo` of one payment of the order: to store credit, by hand (a guest's bank transfer) or to the card. */
  async refundPayment(
    trx: Trx,
    order: orderRepo.Order,
    pay: { id: number; provider: repo.Provider; amountCents: number },
    upTo: number,
    opts: RefundOptions,
  ): Promise<{ cents: number; pendingIds: number[] }> {
    const now = this.deps.clock.now();
    const left = Math.min(upTo, pay.amountCents - (await repo.refundedAgainst(trx, pay.id)));
    if (left <= 0) return { cents: 0, pendingIds: [] };
    const toCredit = pay.provider === 'store_credit' || (order.userId !== null && (opts.refundTo === 'store_credit' || pay.provider === 'manual'));
    if (toCredit && order.userId !== null) {
      await addCreditEntry(trx, { userId: order.userId, amountCents: left, kind: 'refund', reason: `${opts.reason} (${order.number})`, orderId: order.id, actorUserId: opts.actorUserId, now });
      await repo.insertRefund(trx, { paymentId: pay.id, orderId: order.id, destination: 'store_credit', providerRef: null, amountCents: left, status: 'succeeded', reason: opts.reason, actorUserId: opts.actorUserId, now });
      await this.refreshPaymentStatus(trx, order.id);
      await queueOrderMail(trx, this.mailCtx(), 'order-refunded', order, { refundCents: left, destination: 'store_credit' });
      return { cents: left, pendingIds: [] };
    }
    if (pay.provider === 'manual') {
      // A guest's bank transfer: staff send the money back by hand and record it when sent.
      await repo.insertRefund(trx, { paymentId: pay.id, orderId: order.id, destination: 'bank_transfer', providerRef: null, amountCents: left, status: 'succeeded', reason: opts.reason, actorUserId: opts.actorUserId, now });
      await this.refreshPaymentStatus(trx, order.id);
      await queueOrderMail(trx, this.mailCtx(), 'order-refunded', order, { refundCents: left, destination: 'bank_transfer' });
      return { cents: left, pendingIds: [] };
    }
    // Card: pending until Stripe confirms.
    const id = await repo.insertRefund(trx, { paymentId: pay.id, orderId: order.id, destination: 'card', providerRef: null, amountCents: left, status: 'pending', reason: opts.reason, actorUserId: opts.actorUserId, now });
    if (pay.provider === 'stripe') {
      await enqueue(trx, REFUND_JOB, { refundId: id }, { runAt: new Date(now.getTime() + MINUTE), uniqueKey: `refund:${id}`, maxAttempts: 10, clock: this.deps.clock });
      return { cents: left, pendingIds: [id] };
    }
    return { cents: left, pendingIds: [] };
  }

  /** What can still be given back on an agreement's payments. */
  async rentalRefundableCents(conn: Conn, rentalId: number): Promise<number> {
    let left = 0;
    for (const pay of await repo.rentalPayments(conn, rentalId)) {
      if (pay.status === 'succeeded') left += pay.amountCents - (await repo.refundedAgainst(conn, pay.id));
    }
    return Math.max(0, left);
  }

  /**
   * Gives back up to `amountCents` of an agreement's payments, newest first:
   * card payments to the card (pending until Stripe confirms; processRefund
   * sends them, a job retries), bank transfers to the renter's store credit.
   * Returns the pending card refund ids.
   */
  async refundRentalAmount(trx: Trx, rental: { id: number; userId: number; number: string }, amountCents: number, opts: { reason: string; actorUserId?: number | null }): Promise<number[]> {
    const now = this.deps.clock.now();
    const pending: number[] = [];
    let remaining = amountCents;
    for (const pay of (await repo.rentalPayments(trx, rental.id)).filter((p) => p.status === 'succeeded')) {
      if (remaining <= 0) break;
      const cents = Math.min(remaining, pay.amountCents - (await repo.refundedAgainst(trx, pay.id)));
      if (cents <= 0) continue;
      remaining -= cents;
      if (pay.provider === 'stripe') {
        const id = await repo.insertRefund(trx, { paymentId: pay.id, orderId: null, rentalId: rental.id, destination: 'card', providerRef: null, amountCents: cents, status: 'pending', reason: opts.reason, actorUserId: opts.actorUserId, now });
        await enqueue(trx, REFUND_JOB, { refundId: id }, { runAt: new Date(now.getTime() + MINUTE), uniqueKey: `refund:${id}`, maxAttempts: 10, clock: this.deps.clock });
        pending.push(id);
      } else {
        await addCreditEntry(trx, { userId: rental.userId, amountCents: cents, kind: 'refund', reason: `${opts.reason} (${rental.number})`, rentalId: rental.id, actorUserId: opts.actorUserId, now });
        await repo.insertRefund(trx, { paymentId: pay.id, orderId: null, rentalId: rental.id, destination: 'store_credit', providerRef: null, amountCents: cents, status: 'succeeded', reason: opts.reason, actorUserId: opts.actorUserId, now });
      }
    }
    return pending;
  }

  /** Sends a pending card refund to Stripe (idempotency key per refund row); safe to call again. */
  async processRefund(refundId: number): Promise<void> {
    const refund = await repo.findRefund(this.deps.db, refundId);
    if (!refund || refund.status !== 'pending' || refund.providerRef) return;
    const payment = refund.paymentId ? await repo.findPaymentById(this.deps.db, refund.paymentId) : null;
    if (!payment || payment.provider !== 'stripe' || !payment.providerRef) return;
    if (!this.deps.gateway) throw new Error('Stripe is not configured; cannot send the refund');
    const order = refund.orderId !== null ? await orderRepo.findOrderById(this.deps.db, refund.orderId) : null;
    const result = await this.deps.gateway.refund({ refundId, paymentIntentId: payment.providerRef, amountCents: refund.amountCents, orderNumber: order?.number ?? (refund.rentalId ? `rental ${refund.rentalId}` : '') });
    await inTransaction(this.deps.db, async (trx) => {
      const now = this.deps.clock.now();
      if (result.status === 'succeeded') {
        const settled = await repo.settleRefund(trx, refundId, { status: 'succeeded', providerRef: result.id, now });
        if (settled && order) {
          await this.refreshPaymentStatus(trx, order.id);
          await queueOrderMail(trx, this.mailCtx(), 'order-refunded', order, { refundCents: refund.amountCents, destination: 'card' });
        }
      } else if (result.status === 'failed' || result.status === 'canceled') {
        await repo.settleRefund(trx, refundId, { status: 'failed', providerRef: result.id, now });
      } else {
        // Stripe will tell us with charge.refunded; remember which refund this is.
        await repo.setRefundRef(trx, refundId, result.id, now);
      }
    });
  }

  /**
   * charge.refunded: Stripe's running total of refunds on a charge. Our pending
   * refunds are settled, and refunds made elsewhere (the Stripe dashboard) are
   * recorded, until our rows add up to Stripe's amount.
   */
  async reconcileCardRefunds(trx: Trx, orderId: number, paymentIntentId: string, charge: { id: string; amountRefunded: number; refunds: Array<{ id: string; amount: number; status: string | null }> }): Promise<void> {
    const now = this.deps.clock.now();
    const payment = await repo.findPayment(trx, 'stripe', paymentIntentId);
    if (!payment) return;
    const order = (await orderRepo.findOrderById(trx, orderId))!;
    let newlySettled = 0;
    for (const r of charge.refunds.filter((x) => x.status === 'succeeded')) {
      const known = await repo.findRefundByRef(trx, r.id);
      if (known) {
        if (known.status === 'pending' && (await repo.settleRefund(trx, known.id, { status: 'succeeded', now }))) newlySettled += known.amountCents;
        continue;
      }
      const claimable = await repo.unmatchedPendingRefund(trx, payment.id, r.amount);
      if (claimable !== null) {
        await repo.settleRefund(trx, claimable, { status: 'succeeded', providerRef: r.id, now });
      } else {
        await repo.insertRefund(trx, { paymentId: payment.id, orderId, destination: 'card', providerRef: r.id, amountCents: r.amount, status: 'succeeded', reason: 'Refunded in Stripe', now });
      }
      newlySettled += r.amount;
    }
    // Without the refund list, settle by amount: pending rows first, then whatever is left.
    let missing = charge.amountRefunded - (await repo.cardRefundedCents(trx, payment.id));
    if (missing > 0) {
      for (const pending of await repo.cardRefunds(trx, payment.id, 'pending')) {
        if (pending.amountCents > missing) break;
        await repo.settleRefund(trx, pending.id, { status: 'succeeded', now });
        missing -= pending.amountCents;
        newlySettled += pending.amountCents;
      }
      if (missing > 0) {
        await repo.insertRefund(trx, { paymentId: payment.id, orderId, destination: 'card', providerRef: `${charge.id}:${charge.amountRefunded}`, amountCents: missing, status: 'succeeded', reason: 'Refunded in Stripe', now });
        newlySettled += missing;
      }
    }
    await this.refreshPaymentStatus(trx, orderId);
    if (newlySettled > 0) await queueOrderMail(trx, this.mailCtx(), 'order-refunded', order, { refundCents: newlySettled, destination: 'card' });
  }
}

/** An expiry job per hold (a later Stripe session extends the hold and queues another); expiring is idempotent. */
export async function scheduleExpiry(conn: Conn, clock: Clock, orderId: number, expiresAt: Date): Promise<void> {
  await enqueue(conn, EXPIRE_JOB, { orderId }, { runAt: expiresAt, maxAttempts: 10, clock });
}

/**
 * What Stripe Checkout shows: one line per item at its discounted price, then
 * shipping and tax; store credit already used comes off the last lines, so the
 * lines add up to exactly the amount due.
 */
export function checkoutLines(order: orderRepo.Order, items: orderRepo.OrderItem[]): CheckoutLine[] {
  const lines: CheckoutLine[] = [];
  let discountLeft = order.discountCents;
  items.forEach((i, idx) => {
    const share = idx === items.length - 1 ? discountLeft : Math.min(discountLeft, Math.round((order.discountCents * i.totalCents) / Math.max(1, order.subtotalCents)));
    discountLeft -= share;
    lines.push({ name: `${i.productName} (grade ${i.conditionGrade})${i.quantity > 1 ? ` × ${i.quantity}` : ''}`, amountCents: i.totalCents - share });
  });
  if (order.shippingCents > 0) lines.push({ name: 'Shipping', amountCents: order.shippingCents });
  if (order.taxCents > 0) lines.push({ name: 'Sales tax', amountCents: order.taxCents });
  let creditLeft = order.storeCreditCents;
  for (let i = lines.length - 1; i >= 0 && creditLeft > 0; i--) {
    const take = Math.min(creditLeft, lines[i]!.amountCents);
    lines[i]!.amountCents -= take;
    creditLeft -= take;
  }
  return lines.filter((l) => l.amountCents > 0);
}
