import Stripe from 'stripe';
import type { Config } from '../config';
import { targetMetadata } from './purposes';

export type StripeClient = InstanceType<typeof Stripe>;

/** The real SDK; host/port/protocol point it at a local test server in tests. */
export function createStripeClient(cfg: NonNullable<Config['stripe']>): StripeClient {
  return new Stripe(cfg.secretKey, {
    ...(cfg.host ? { host: cfg.host } : {}),
    ...(cfg.port ? { port: cfg.port } : {}),
    ...(cfg.protocol ? { protocol: cfg.protocol } : {}),
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    appInfo: { name: 'GigGatek' },
  });
}

export interface CheckoutLine {
  name: string;
  amountCents: number;
}

export interface SessionRequest {
  orderId: number;
  orderNumber: string;
  email: string;
  currency: string;
  lines: CheckoutLine[];
  expiresAt: Date;
  /** Distinguishes attempts for one order (a retry after a failed call, a new session after one expired). */
  attempt: string;
}

/** The few Stripe calls the store makes, with idempotency keys derived from our own rows. */
export class StripeGateway {
  constructor(
    readonly client: StripeClient,
    private readonly opts: { baseUrl: string; webhookSecret: string },
  ) {}

  async createCheckoutSession(req: SessionRequest): Promise<{ id: string; url: string }> {
    // The purpose and ids tell the webhook what a payment pays, on the session and on its PaymentIntent.
    const metadata = { ...targetMetadata({ purpose: 'order', orderId: req.orderId }), order_number: req.orderNumber };
    const session = await this.client.checkout.sessions.create(
      {
        mode: 'payment',
        line_items: req.lines.map((l) => ({
          quantity: 1,
          price_data: { currency: req.currency.toLowerCase(), unit_amount: l.amountCents, product_data: { name: l.name } },
        })),
        customer_email: req.email,
        client_reference_id: req.orderNumber,
        metadata,
        payment_intent_data: { metadata },
        success_url: `${this.opts.baseUrl}/orders/${req.orderNumber}/confirmation?session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${this.opts.baseUrl}/orders/${req.orderNumber}/confirmation?payment=cancelled`,
        expires_at: Math.floor(req.expiresAt.getTime() / 1000),
      },
      { idempotencyKey: `order-${req.orderId}-checkout-${req.attempt}` },
    );
    if (!session.url) throw new Error('Stripe returned a Checkout Session without a URL');
    return { id: session.id, url: session.url };
  }

  async retrieveSession(id: string): Promise<{ id: string; status: string | null; url: string | null; paymentStatus: string; paymentIntentId: string | null; amountTotal: number | null }> {
    const s = await this.client.checkout.sessions.retrieve(id);
    return {
      id: s.id,
      status: s.status ?? null,
      url: s.url ?? null,
      paymentStatus: s.payment_status,
      paymentIntentId: typeof s.payment_intent === 'string' ? s.payment_intent : (s.payment_intent?.id ?? null),
      amountTotal: s.amount_total ?? null,
    };
  }

  /** Our order id as recorded on a PaymentIntent (payment_intent_data.metadata), for events that only name the intent. */
  async orderIdOfPaymentIntent(id: string): Promise<number | null> {
    const pi = await this.client.paymentIntents.retrieve(id);
    const orderId = Number(pi.metadata?.order_id);
    return Number.isInteger(orderId) && orderId > 0 ? orderId : null;
  }

  /** Closes an open session so it can no longer be paid. */
  async expireSession(id: string): Promise<void> {
    await this.client.checkout.sessions.expire(id);
  }

  async refund(r: { refundId: number; paymentIntentId: string; amountCents: number; orderNumber: string }): Promise<{ id: string; status: string }> {
    const refund = await this.client.refunds.create(
      { payment_intent: r.paymentIntentId, amount: r.amountCents, metadata: { refund_id: String(r.refundId), order_number: r.orderNumber } },
      { idempotencyKey: `refund-${r.refundId}` },
    );
    return { id: refund.id, status: refund.status ?? 'pending' };
  }

  /**
   * Verifies the Stripe-Signature header against the raw body; throws when it
   * does not match or was signed more than the tolerance before or after now.
   * The event is what the body says: its shape is for the caller to check.
   */
  verifyEvent(rawBody: Buffer | string, signature: string, now = Date.now()): unknown {
    const event: unknown = this.client.webhooks.constructEvent(rawBody, signature, this.opts.webhookSecret, SIGNATURE_TOLERANCE_SECONDS, undefined, now);
    // The SDK only refuses signatures that are too old; one dated ahead (replayable for longer) is refused here.
    const t = signedAt(signature);
    if (!Number.isFinite(t) || t > now / 1000 + SIGNATURE_TOLERANCE_SECONDS) throw new Error('Stripe-Signature has no time or is dated too far ahead');
    return event;
  }
}

/** Stripe's own default: how far (in seconds) a signature's time may be from ours. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** The `t=` of a Stripe-Signature header, read as the SDK reads it (the last one counts). */
export function signedAt(header: string): number {
  let t = Number.NaN;
  for (const part of header.split(',')) {
    const [name, value] = part.split('=');
    if (name === 't') t = Number.parseInt(value ?? '', 10);
  }
  return t;
}
