import Stripe from 'stripe';
import type { Config } from '../config';
import { targetMetadata, type RentalTarget } from './purposes';

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

/** Checkout for a rental payment: the first installment (saving the card), a past-due amount or a buyout. */
export interface RentalSessionRequest {
  target: RentalTarget;
  rentalNumber: string;
  customerId: string;
  currency: string;
  line: CheckoutLine;
  /** The first payment saves the card for the monthly charges (setup_future_usage=off_session). */
  saveCard: boolean;
  expiresAt: Date;
  attempt: string;
}

/** An off-session charge of a saved card (a monthly installment). */
export interface OffSessionCharge {
  target: RentalTarget;
  customerId: string;
  paymentMethodId: string;
  amountCents: number;
  currency: string;
  description: string;
  /** rental:{id}:{n}:{attempt} — a retry of the same attempt is the same charge. */
  idempotencyKey: string;
}

export type OffSessionResult =
  | { status: 'succeeded'; paymentIntentId: string; amountCents: number }
  | { status: 'failed'; paymentIntentId: string | null; code: string; message: string; authenticationRequired: boolean };

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

  async retrieveSession(id: string): Promise<{ id: string; status: string | null; url: string | null; paymentStatus: string; paymentIntentId: string | null; amountTotal: number | null; metadata: Record<string, string> }> {
    const s = await this.client.checkout.sessions.retrieve(id);
    return {
      id: s.id,
      status: s.status ?? null,
      url: s.url ?? null,
      paymentStatus: s.payment_status,
      paymentIntentId: typeof s.payment_intent === 'string' ? s.payment_intent : (s.payment_intent?.id ?? null),
      amountTotal: s.amount_total ?? null,
      metadata: (s.metadata ?? {}) as Record<string, string>,
    };
  }

  /** The renter's Stripe customer, created once per account (the idempotency key makes a retry return the same one). */
  async createCustomer(c: { userId: number; email: string; name: string }): Promise<string> {
    const customer = await this.client.customers.create(
      { email: c.email, name: c.name, metadata: { user_id: String(c.userId) } },
      { idempotencyKey: `customer-user-${c.userId}` },
    );
    return customer.id;
  }

  async createRentalCheckoutSession(req: RentalSessionRequest): Promise<{ id: string; url: string }> {
    const metadata = { ...targetMetadata(req.target), rental_number: req.rentalNumber };
    const back = `${this.opts.baseUrl}/account/rentals/${req.rentalNumber}`;
    const session = await this.client.checkout.sessions.create(
      {
        mode: 'payment',
        customer: req.customerId,
        line_items: [{ quantity: 1, price_data: { currency: req.currency.toLowerCase(), unit_amount: req.line.amountCents, product_data: { name: req.line.name } } }],
        client_reference_id: req.rentalNumber,
        metadata,
        payment_intent_data: { metadata, ...(req.saveCard ? { setup_future_usage: 'off_session' as const } : {}) },
        success_url: `${back}?payment=done&session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${back}?payment=cancelled`,
        expires_at: Math.floor(req.expiresAt.getTime() / 1000),
      },
      { idempotencyKey: `rental-${req.target.rentalId}-${req.target.purpose}-checkout-${req.attempt}` },
    );
    if (!session.url) throw new Error('Stripe returned a Checkout Session without a URL');
    return { id: session.id, url: session.url };
  }

  /**
   * Charges a saved card without the renter present. A declined card or a
   * bank asking the renter to confirm comes back as `failed`; anything else
   * (network, Stripe down) throws, and the same idempotency key is used again.
   */
  async chargeOffSession(c: OffSessionCharge): Promise<OffSessionResult> {
    try {
      const pi = await this.client.paymentIntents.create(
        {
          amount: c.amountCents,
          currency: c.currency.toLowerCase(),
          customer: c.customerId,
          payment_method: c.paymentMethodId,
          off_session: true,
          confirm: true,
          description: c.description,
          metadata: targetMetadata(c.target),
        },
        { idempotencyKey: c.idempotencyKey },
      );
      if (pi.status === 'succeeded') return { status: 'succeeded', paymentIntentId: pi.id, amountCents: pi.amount_received || pi.amount };
      const authenticationRequired = pi.status === 'requires_action';
      return { status: 'failed', paymentIntentId: pi.id, code: authenticationRequired ? 'authentication_required' : `status_${pi.status}`, message: 'The payment was not completed.', authenticationRequired };
    } catch (err) {
      const e = err as { type?: string; code?: string; decline_code?: string; message?: string; payment_intent?: { id?: string }; raw?: { payment_intent?: { id?: string } } };
      if (e.type !== 'StripeCardError') throw err;
      const code = e.code === 'card_declined' && e.decline_code ? e.decline_code : (e.code ?? 'card_declined');
      return {
        status: 'failed',
        paymentIntentId: e.payment_intent?.id ?? e.raw?.payment_intent?.id ?? null,
        code,
        message: e.message ?? 'The card was declined.',
        authenticationRequired: e.code === 'authentication_required',
      };
    }
  }

  /** The card a paid PaymentIntent saved (setup_future_usage), to charge the later installments. */
  async savedCardOf(paymentIntentId: string): Promise<{ customerId: string | null; paymentMethodId: string | null }> {
    const pi = await this.client.paymentIntents.retrieve(paymentIntentId);
    const idOf = (v: unknown) => (typeof v === 'string' ? v : ((v as { id?: string } | null)?.id ?? null));
    return { customerId: idOf(pi.customer), paymentMethodId: idOf(pi.payment_method) };
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
