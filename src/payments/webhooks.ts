import { z } from 'zod';
import type { Db, Trx } from '../db';
import { isUniqueViolation } from '../db/errors';
import { toDbTime, type Clock } from '../lib/clock';
import type { Logger } from '../lib/log';
import * as orderRepo from '../orders/repo';
import type { OrderService } from '../orders/service';
import { recordChargeback } from '../disputes/chargebacks';
import { targetFromMetadata, targetOfPayment, type Payee, type PaymentTarget } from './purposes';
import * as repo from './repo';
import type { PaymentService } from './service';
import type { StripeGateway } from './stripe';

export interface WebhookDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  gateway: StripeGateway;
  payments: PaymentService;
  orders: OrderService;
}

export type WebhookResult = { status: 200; body: { received: true; duplicate?: true; ignored?: true } } | { status: 400; body: { error: string } };

type Obj = Record<string, any>;

/** Without an id an event cannot be processed once, without a type not at all: refused. */
const Envelope = z.object({ id: z.string().min(1).max(255), type: z.string().min(1).max(100) });
/** What the handlers read; a signed event without it is acknowledged and kept, as an unusable one. */
const Payload = z.object({ data: z.object({ object: z.record(z.string(), z.unknown()) }) });

interface ReceivedEvent {
  id: string;
  type: string;
  object: Obj;
}

/**
 * Stripe webhooks: the signature is checked on the raw body; each event id is
 * processed exactly once (the webhook_events row is claimed with a conditional
 * UPDATE in the same transaction as the effect); handlers look at the state
 * they find, so events may arrive in any order; unknown types are acknowledged.
 * A signed event without an id or type is refused (400); one without
 * data.object is acknowledged and kept as unusable; neither is a 5xx.
 */
export class StripeWebhooks {
  constructor(private readonly deps: WebhookDeps) {}

  async receive(rawBody: Buffer, signature: string | undefined): Promise<WebhookResult> {
    if (!signature) return { status: 400, body: { error: 'Missing Stripe-Signature header' } };
    let signed: unknown;
    try {
      signed = this.deps.gateway.verifyEvent(rawBody, signature);
    } catch {
      return { status: 400, body: { error: 'Invalid signature' } };
    }
    const envelope = Envelope.safeParse(signed);
    if (!envelope.success) return { status: 400, body: { error: 'Event without a usable id or type' } };
    const payload = Payload.safeParse(signed);
    if (!payload.success) return this.acknowledgeUnusable(envelope.data, rawBody);
    const event: ReceivedEvent = { ...envelope.data, object: payload.data.data.object };

    const { db, clock } = this.deps;
    await this.record(event, rawBody);
    // Charges and disputes name only the PaymentIntent; when it is not on record yet (events out of
    // order), ask Stripe which order it belongs to — before the transaction, so no lock waits on the network.
    const hintOrderId = await this.orderHint(event);
    try {
      const restocked: number[] = [];
      const processed = await db.transaction(async (trx) => {
        const claimed = await trx('webhook_events')
          .where({ provider: 'stripe', event_id: event.id })
          .whereNull('processed_at')
          .update({ processed_at: toDbTime(clock.now()), error: null });
        if (claimed !== 1) return 'duplicate' as const;
        return (await this.dispatch(trx, event, hintOrderId, restocked)) ? ('handled' as const) : ('ignored' as const);
      });
      await this.deps.orders.restocked(restocked);
      if (processed === 'duplicate') return { status: 200, body: { received: true, duplicate: true } };
      if (processed === 'ignored') return { status: 200, body: { received: true, ignored: true } };
      return { status: 200, body: { received: true } };
    } catch (err) {
      // Left unprocessed with the error visible; Stripe retries the delivery.
      await db('webhook_events')
        .where({ provider: 'stripe', event_id: event.id })
        .update({ error: String((err as Error).message ?? err).slice(0, 2000) })
        .catch(() => undefined);
      throw err;
    }
  }

  /** The webhook_events row, written once per event id; an unusable event is written as already processed. */
  private async record(event: { id: string; type: string }, rawBody: Buffer, unusable?: { error: string }): Promise<void> {
    const now = toDbTime(this.deps.clock.now());
    try {
      await this.deps.db('webhook_events').insert({
        provider: 'stripe',
        event_id: event.id,
        type: event.type,
        payload: rawBody.toString('utf8'),
        created_at: now,
        ...(unusable ? { processed_at: now, error: unusable.error } : {}),
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }

  /** Signed, but without the object the handlers read: kept for staff, acknowledged so Stripe does not retry it. */
  private async acknowledgeUnusable(event: { id: string; type: string }, rawBody: Buffer): Promise<WebhookResult> {
    await this.record(event, rawBody, { error: 'Unusable event: no data.object' });
    this.deps.logger.warn({ id: event.id, type: event.type }, 'Stripe event without data.object: acknowledged, nothing changed');
    return { status: 200, body: { received: true, ignored: true } };
  }

  /** The order a charge or dispute event belongs to, asked of Stripe when its PaymentIntent is not on record yet. */
  private async orderHint(event: ReceivedEvent): Promise<number | null> {
    if (!event.type.startsWith('charge.')) return null;
    const pi = idOf(event.object.payment_intent);
    if (!pi || (await repo.findPayment(this.deps.db, 'stripe', pi))) return null;
    return this.deps.gateway.orderIdOfPaymentIntent(pi);
  }

  /** Returns false for event types the store does not act on. */
  /** `restocked` collects the products whose units went back on sale, for the catalog after commit. */
  private async dispatch(trx: Trx, event: ReceivedEvent, hintOrderId: number | null, restocked: number[]): Promise<boolean> {
    const obj = event.object;
    switch (event.type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded':
        await this.sessionPaid(trx, obj);
        return true;
      case 'checkout.session.expired':
        restocked.push(...(await this.sessionExpired(trx, obj)));
        return true;
      case 'checkout.session.async_payment_failed':
        await this.sessionFailed(trx, obj);
        return true;
      case 'payment_intent.succeeded':
        await this.intentSucceeded(trx, obj);
        return true;
      case 'payment_intent.payment_failed':
        await this.intentFailed(trx, obj);
        return true;
      case 'charge.refunded':
        await this.chargeRefunded(trx, obj, hintOrderId);
        return true;
      case 'charge.dispute.created':
      case 'charge.dispute.updated':
      case 'charge.dispute.closed':
        await this.dispute(trx, obj, event.type === 'charge.dispute.closed', hintOrderId);
        return true;
      default:
        return false;
    }
  }

  /**
   * What a Stripe payment object pays: the payment on record for its
   * PaymentIntent, else the purpose and ids in its metadata (an order when it
   * names no purpose), else the order whose Checkout session or number it
   * carries. A purpose no feature handles throws (the event is retried).
   */
  private async payeeFor(trx: Trx, obj: Obj, paymentIntentId: string | null): Promise<{ target: PaymentTarget; payee: Payee } | null> {
    const recorded = paymentIntentId ? await repo.findPayment(trx, 'stripe', paymentIntentId) : null;
    const target = (recorded && targetOfPayment(recorded)) ?? targetFromMetadata(obj.metadata);
    if (target) {
      const payee = await this.deps.payments.payee(trx, target);
      if (payee) return { target, payee };
      if (target.purpose !== 'order') return null;
    }
    const order = await this.orderOfCheckout(trx, obj);
    return order ? { target: { purpose: 'order', orderId: order.id }, payee: order } : null;
  }

  /** Our order for a Stripe object: metadata first, then the session id or client_reference_id. */
  private async orderFor(trx: Trx, obj: Obj): Promise<orderRepo.Order | null> {
    const id = Number(obj.metadata?.order_id);
    if (Number.isInteger(id) && id > 0) {
      const o = await orderRepo.findOrderById(trx, id);
      if (o) return o;
    }
    return this.orderOfCheckout(trx, obj);
  }

  /** The order a Checkout session was opened for, by the session id or its client_reference_id (the order number). */
  private async orderOfCheckout(trx: Trx, obj: Obj): Promise<orderRepo.Order | null> {
    if (typeof obj.id === 'string' && obj.object === 'checkout.session') {
      const o = await orderRepo.findOrderBySession(trx, obj.id);
      if (o) return o;
    }
    if (typeof obj.client_reference_id === 'string') return orderRepo.findOrderByNumber(trx, obj.client_reference_id);
    return null;
  }

  private async orderForIntent(trx: Trx, paymentIntentId: string | null, obj: Obj, hintOrderId: number | null): Promise<orderRepo.Order | null> {
    if (paymentIntentId) {
      const payment = await repo.findPayment(trx, 'stripe', paymentIntentId);
      if (payment?.orderId) return orderRepo.findOrderById(trx, payment.orderId);
    }
    if (hintOrderId) return orderRepo.findOrderById(trx, hintOrderId);
    return this.orderFor(trx, obj);
  }

  private async sessionPaid(trx: Trx, s: Obj): Promise<void> {
    const pi = idOf(s.payment_intent);
    const found = await this.payeeFor(trx, s, pi);
    if (!found) return this.unmatched('checkout.session', s.id);
    await this.deps.payments.checkoutSessionSeen(trx, found.target, found.payee, s.id);
    if (s.payment_status !== 'paid' && s.payment_status !== 'no_payment_required') return; // async method: wait for async_payment_succeeded
    await this.deps.payments.recordStripeSuccess(trx, found.target, pi ?? `cs:${s.id}`, Number(s.amount_total ?? found.payee.amountDueCents));
  }

  private async sessionExpired(trx: Trx, s: Obj): Promise<number[]> {
    const order = await this.orderFor(trx, s);
    if (!order) {
      this.unmatched('checkout.session', s.id);
      return [];
    }
    // Only the order's current session decides; an older, replaced session expiring changes nothing.
    if (order.checkoutSessionId !== s.id) return [];
    const { restocked } = await this.deps.orders.expireInTrx(trx, order.id, { userId: null, label: 'stripe' }, 'Stripe Checkout session expired');
    return restocked;
  }

  private async sessionFailed(trx: Trx, s: Obj): Promise<void> {
    const pi = idOf(s.payment_intent);
    const found = await this.payeeFor(trx, s, pi);
    if (!found || !pi) return;
    await this.deps.payments.recordFailure(trx, found.target, { provider: 'stripe', providerRef: pi, amountCents: Number(s.amount_total ?? 0), code: 'async_payment_failed', message: 'The payment could not be completed.' });
  }

  private async intentSucceeded(trx: Trx, pi: Obj): Promise<void> {
    const found = await this.payeeFor(trx, pi, idOf(pi.id));
    if (!found) return this.unmatched('payment_intent', pi.id);
    await this.deps.payments.recordStripeSuccess(trx, found.target, pi.id, Number(pi.amount_received ?? pi.amount));
  }

  private async intentFailed(trx: Trx, pi: Obj): Promise<void> {
    const found = await this.payeeFor(trx, pi, idOf(pi.id));
    if (!found) return this.unmatched('payment_intent', pi.id);
    const err = (pi.last_payment_error ?? {}) as Obj;
    await this.deps.payments.recordFailure(trx, found.target, {
      provider: 'stripe',
      providerRef: pi.id,
      amountCents: Number(pi.amount ?? 0),
      code: err.decline_code ?? err.code ?? 'payment_failed',
      message: err.message ?? null,
    });
  }

  private async chargeRefunded(trx: Trx, charge: Obj, hintOrderId: number | null): Promise<void> {
    const pi = idOf(charge.payment_intent);
    const order = await this.orderForIntent(trx, pi, charge, hintOrderId);
    if (!order || !pi) return this.unmatched('charge', charge.id);
    // A refund implies the charge succeeded: record it if its own event has not arrived yet.
    if (charge.status === 'succeeded' || charge.paid) {
      await this.deps.payments.recordStripeSuccess(trx, { purpose: 'order', orderId: order.id }, pi, Number(charge.amount_captured ?? charge.amount));
    }
    const list = Array.isArray(charge.refunds?.data) ? (charge.refunds.data as unknown[]).filter(isObj) : [];
    await this.deps.payments.reconcileCardRefunds(trx, order.id, pi, {
      id: charge.id,
      amountRefunded: Number(charge.amount_refunded ?? 0),
      refunds: list.map((r) => ({ id: String(r.id), amount: Number(r.amount), status: r.status ?? null })),
    });
  }

  private async dispute(trx: Trx, d: Obj, closed: boolean, hintOrderId: number | null): Promise<void> {
    if (typeof d.id !== 'string') return this.unmatched('dispute', d.id);
    const pi = idOf(d.payment_intent);
    const order = await this.orderForIntent(trx, pi, d, hintOrderId);
    await recordChargeback(trx, { id: d.id, amount: Number(d.amount ?? 0), reason: typeof d.reason === 'string' ? d.reason : null, status: String(d.status ?? '') }, {
      orderId: order?.id ?? null,
      userId: order?.userId ?? null,
      closed,
      now: this.deps.clock.now(),
    });
  }

  private unmatched(kind: string, id: unknown): void {
    this.deps.logger.warn({ kind, id }, 'Stripe event for an unknown order: acknowledged, nothing changed');
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function idOf(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Obj).id === 'string') return (v as Obj).id;
  return null;
}
