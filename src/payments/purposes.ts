import type { Conn, Trx } from '../db';
import type { Payment, Provider } from './repo';

/** What a payment is for: the payments.purpose column. */
export const PAYMENT_PURPOSES = ['order', 'installment', 'buyout', 'late_fee', 'reinstatement'] as const;
export type PaymentPurpose = (typeof PAYMENT_PURPOSES)[number];
export type RentalPurpose = Exclude<PaymentPurpose, 'order'>;

export function isPaymentPurpose(value: unknown): value is PaymentPurpose {
  return typeof value === 'string' && (PAYMENT_PURPOSES as readonly string[]).includes(value);
}

export interface OrderTarget {
  purpose: 'order';
  orderId: number;
}

/** A rental agreement's payment; installments and their late fees also name the installment. */
export interface RentalTarget<K extends RentalPurpose = RentalPurpose> {
  purpose: K;
  rentalId: number;
  installmentId?: number | null;
}

/** What a payment pays. */
export type PaymentTarget = OrderTarget | RentalTarget;
export type TargetOf<K extends PaymentPurpose> = K extends 'order' ? OrderTarget : RentalTarget<Exclude<K, 'order'>>;

/** What the payments side needs to know of the thing being paid. */
export interface Payee {
  currency: string;
  /** What is due, for when a provider does not say how much was paid. */
  amountDueCents: number;
}

/** A payment attempt as just recorded, handed to its purpose's handler. */
export interface RecordedPayment {
  id: number;
  target: PaymentTarget;
  provider: Provider;
  providerRef: string;
  amountCents: number;
  currency: string;
  /** `stripe`, `system`, `user:<id>` */
  actor: string;
  note?: string;
  at: Date;
}

/**
 * What a feature does with payments for one purpose. Every method runs in the
 * caller's transaction; the payment row is written by the payments service,
 * which calls paid() exactly once per payment, when it first succeeds.
 */
export interface PurposeHandler<T extends PaymentTarget = PaymentTarget, P extends Payee = Payee> {
  /** The thing paid, locked until commit when asked (so two deliveries of one payment settle one after the other); null when there is none. */
  find(conn: Conn, target: T, opts: { lock: boolean }): Promise<P | null>;
  /** The payment succeeded: apply its effects (e.g. the order paid, units sold, the customer told). */
  paid(trx: Trx, payment: RecordedPayment, payee: P): Promise<void>;
  /**
   * Several payments of this purpose recorded together (a collection batch,
   * each payment's row already written): apply those it can in bulk and
   * return the others, which then get paid() one by one. Optional.
   */
  paidMany?(trx: Trx, payments: RecordedPayment[]): Promise<RecordedPayment[]>;
  /** An attempt failed (once per attempt; a failure never follows a success). Optional. */
  failed?(trx: Trx, payment: RecordedPayment, payee: P | null): Promise<void>;
  /** Stripe names the Checkout session that pays it: remember it if opening it was never recorded. Optional. */
  checkoutSession?(trx: Trx, payee: P, sessionId: string, now: Date): Promise<void>;
}

/** A payment for a purpose no feature handles (or no purpose at all): refused, never recorded without its effects. */
export class UnhandledPurposeError extends Error {
  constructor(readonly purpose: unknown) {
    super(`No handler for payments with purpose ${JSON.stringify(purpose)}: the payment was not recorded`);
  }
}

/**
 * The payment purposes and the feature handling each: orders register
 * `order`, rentals the rental purposes. Like the job registry, one lives on
 * the app context and every feature registers on it when the app is built.
 */
export class PaymentPurposes {
  private readonly handlers = new Map<PaymentPurpose, PurposeHandler<any, any>>();

  register<K extends PaymentPurpose>(purpose: K, handler: PurposeHandler<TargetOf<K>, any>): this {
    if (!isPaymentPurpose(purpose)) throw new UnhandledPurposeError(purpose);
    if (this.handlers.has(purpose)) throw new Error(`Payments for "${purpose}" are already handled`);
    this.handlers.set(purpose, handler);
    return this;
  }

  /** The handler for a purpose; throws UnhandledPurposeError when none is registered. */
  handlerFor(purpose: unknown): PurposeHandler {
    const handler = isPaymentPurpose(purpose) ? this.handlers.get(purpose) : undefined;
    if (!handler) throw new UnhandledPurposeError(purpose);
    return handler;
  }

  registered(): PaymentPurpose[] {
    return [...this.handlers.keys()];
  }
}

/** What a recorded payment paid, from its row. */
export function targetOfPayment(p: Payment): PaymentTarget | null {
  if (p.purpose === 'order') return p.orderId !== null ? { purpose: 'order', orderId: p.orderId } : null;
  return p.rentalId !== null ? { purpose: p.purpose, rentalId: p.rentalId, installmentId: p.rentalInstallmentId } : null;
}

/** The payments row's columns naming what it pays. */
export function targetColumns(t: PaymentTarget) {
  return t.purpose === 'order'
    ? { purpose: t.purpose, order_id: t.orderId, rental_id: null, rental_installment_id: null }
    : { purpose: t.purpose, order_id: null, rental_id: t.rentalId, rental_installment_id: t.installmentId ?? null };
}

/** The metadata a provider object carries to name what it pays (Stripe: Checkout sessions and PaymentIntents). */
export function targetMetadata(t: PaymentTarget): Record<string, string> {
  if (t.purpose === 'order') return { purpose: t.purpose, order_id: String(t.orderId) };
  return { purpose: t.purpose, rental_id: String(t.rentalId), ...(t.installmentId ? { rental_installment_id: String(t.installmentId) } : {}) };
}

/**
 * What provider metadata names: an order when no purpose is given (sessions
 * opened before payments carried one). Null when the ids are missing; a
 * purpose that is not one of ours throws UnhandledPurposeError.
 */
export function targetFromMetadata(metadata: unknown): PaymentTarget | null {
  const meta = (typeof metadata === 'object' && metadata !== null ? metadata : {}) as Record<string, unknown>;
  const purpose = meta.purpose ?? 'order';
  if (!isPaymentPurpose(purpose)) throw new UnhandledPurposeError(purpose);
  if (purpose === 'order') {
    const orderId = positiveId(meta.order_id);
    return orderId ? { purpose, orderId } : null;
  }
  const rentalId = positiveId(meta.rental_id);
  return rentalId ? { purpose, rentalId, installmentId: positiveId(meta.rental_installment_id) } : null;
}

function positiveId(v: unknown): number | null {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** `order 12`, `installment of rental 3`: for messages. */
export function describeTarget(t: PaymentTarget): string {
  return t.purpose === 'order' ? `order ${t.orderId}` : `${t.purpose.replace('_', ' ')} of rental ${t.rentalId}`;
}
