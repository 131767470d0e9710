import type { Config } from '../config';
import type { Db } from '../db';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/log';
import { formatMoney } from '../lib/money';
import type { JobRegistry } from '../jobs/registry';
import type { LoginHook } from '../accounts/routes';
import { CartService } from '../cart/service';
import { clearCartCookie, guestToken } from '../cart/cookie';
import { OrderService } from '../orders/service';
import { orderPaymentPurpose } from '../orders/payment-purpose';
import { PaymentPurposes } from '../payments/purposes';
import { EXPIRE_JOB, PaymentService, REFUND_JOB } from '../payments/service';
import { createStripeClient, StripeGateway, type StripeClient } from '../payments/stripe';
import { StripeWebhooks } from '../payments/webhooks';
import type { SettingsService } from '../settings/service';
import type { CatalogEvents } from '../catalog/changes';
import { CheckoutService } from './service';

export interface Commerce {
  cart: CartService;
  checkout: CheckoutService;
  orders: OrderService;
  payments: PaymentService;
  /** What each payment purpose does once paid: orders register theirs here, rentals theirs on the app context. */
  paymentPurposes: PaymentPurposes;
  /** Null without Stripe keys (the manual provider serves the same flows). */
  webhooks: StripeWebhooks | null;
  /** The Stripe calls the store makes; null without Stripe keys. */
  stripeGateway: StripeGateway | null;
}

export interface CommerceDeps {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  jobs: JobRegistry;
  settings: SettingsService;
  /** A Stripe client to use instead of one built from config.stripe (tests); null forces the manual provider. */
  stripe?: StripeClient | null;
  /** Told after commit whenever units leave or come back into stock. */
  catalog: CatalogEvents;
}

/** Builds the buy journey's services, registers its jobs and returns the login hook that merges carts. */
export function buildCommerce(deps: CommerceDeps): Commerce & { loginHook: LoginHook } {
  const { config, db, clock, logger } = deps;
  const secret = config.secrets.cookie;
  const money = (cents: number) => formatMoney(cents, config.currency);
  const client = deps.stripe !== undefined ? deps.stripe : config.stripe ? createStripeClient(config.stripe) : null;
  const gateway = client && config.stripe ? new StripeGateway(client, { baseUrl: config.baseUrl, webhookSecret: config.stripe.webhookSecret }) : null;

  const cart = new CartService({ db, clock, formatMoney: money });
  const paymentPurposes = new PaymentPurposes();
  const payments = new PaymentService({ db, clock, logger, secret, gateway, currency: config.currency, purposes: paymentPurposes });
  paymentPurposes.register('order', orderPaymentPurpose({ clock, logger, secret, payments }));
  const orders = new OrderService({ db, clock, logger, secret, payments, gateway, catalog: deps.catalog });
  const checkout = new CheckoutService({
    db, clock, logger, secret, cart, payments,
    settings: deps.settings,
    currency: config.currency,
    formatMoney: money,
    cardHoldMinutes: config.orderPaymentTimeoutMinutes,
    catalog: deps.catalog,
  });
  const webhooks = gateway ? new StripeWebhooks({ db, clock, logger, gateway, payments, orders }) : null;

  deps.jobs.register<{ orderId: number }>(EXPIRE_JOB, async ({ orderId }) => {
    await orders.expireOrder(orderId);
  });
  deps.jobs.register('orders.expire-overdue', async () => {
    await orders.expireOverdue();
  });
  deps.jobs.every('orders.expire-overdue', 5 * 60_000);
  deps.jobs.register<{ refundId: number }>(REFUND_JOB, async ({ refundId }) => {
    await payments.processRefund(refundId);
  });

  const loginHook: LoginHook = async ({ req, res, user }) => {
    const token = guestToken(req);
    if (!token) return;
    await cart.mergeGuestCart(token, user.id);
    clearCartCookie(res, config);
  };

  return { cart, checkout, orders, payments, paymentPurposes, webhooks, stripeGateway: gateway, loginHook };
}
