import type { Db, Trx } from '../db';
import { isMysql } from '../db';
import { DAY, MINUTE, type Clock, toDbTime } from '../lib/clock';
import type { Logger } from '../lib/log';
import { ConflictError, ValidationError } from '../http/errors';
import type { CurrentUser } from '../http/current-user';
import type { CartOwner, CartService, CartView } from '../cart/service';
import * as cartRepo from '../cart/repo';
import * as orderRepo from '../orders/repo';
import { orderMachine } from '../orders/transitions';
import { reserveForOrder, sellOrderUnits } from '../inventory/operations';
import { SYSTEM, type Actor } from '../db/state-machine';
import type { CatalogEvents } from '../catalog/changes';
import { queueOrderMail } from '../orders/emails';
import { manualPaymentDetails, type ManualPaymentDetails } from '../orders/manual-payment';
import { addCreditEntry, creditBalance } from '../payments/store-credit';
import * as payRepo from '../payments/repo';
import { scheduleExpiry, type PaymentService } from '../payments/service';
import type { SettingsService } from '../settings/service';
import { checkPromo, type PromoCode } from './promo';
import * as repo from './repo';
import { loadCheckoutSettings, taxBpsFor, type CheckoutSettings, type ShippingMethod } from './settings';
import { computeTotals, type Discount, type Totals } from './totals';
import type { CheckoutInput } from './schemas';

export type PaymentMethod = 'stripe' | 'manual';

export interface Shopper {
  user: CurrentUser | null;
  cart: CartOwner;
}

/** Not enough units left at the moment of placing the order. */
export class SoldOutError extends ConflictError {
  override readonly code = 'sold_out';
  constructor(readonly productName: string, readonly available: number) {
    super(
      available > 0
        ? `Sorry, only ${available} ${productName} ${available === 1 ? 'is' : 'are'} left. Please lower the quantity in your cart.`
        : `Sorry, ${productName} just sold out. Please remove it from your cart to continue.`,
    );
  }
}

/** A price changed since it was added; the shopper must see the new total before paying it. */
export class PriceChangedError extends ConflictError {
  override readonly code = 'price_changed';
  constructor(readonly cartId: number, changes: Array<{ name: string; from: string; to: string }>) {
    super(
      `${changes.map((c) => `The price of ${c.name} changed from ${c.from} to ${c.to}.`).join(' ')} Please review your order and place it again.`,
    );
  }
}

/** The total is no longer the amount on the button the shopper pressed (another shipping method or state, say). */
export class TotalChangedError extends ConflictError {
  override readonly code = 'total_changed';
  constructor(shown: string, now: string) {
    super(`The total for the shipping method and state you chose is ${now}, not the ${shown} shown when you pressed the button. Nothing was charged: please check the new total and place the order again.`);
  }
}

export interface PlacedOrder {
  id: number;
  number: string;
  status: 'pending_payment' | 'paid';
  paymentMethod: PaymentMethod;
  amountDueCents: number;
  userId: number | null;
}

export interface CheckoutSummary {
  cart: CartView;
  settings: CheckoutSettings;
  shippingMethod: ShippingMethod;
  /** False until a state is chosen: the tax is then left out (0) and the page says it comes with the state. */
  taxKnown: boolean;
  taxBps: number;
  creditBalanceCents: number;
  totals: Totals;
  paymentMethods: PaymentMethod[];
}

export interface CheckoutDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  currency: string;
  secret: string;
  cart: CartService;
  payments: PaymentService;
  settings: SettingsService;
  formatMoney: (cents: number) => string;
  /** How long a card order holds its units while the shopper pays (config ORDER_PAYMENT_TIMEOUT_MINUTES). */
  cardHoldMinutes: number;
  /** How long a bank-transfer / pay-on-pickup order holds its units. */
  manualHoldDays?: number;
  /** Told after commit which products had units reserved, so the catalog stops counting them in stock at once. */
  catalog: CatalogEvents;
}

const MAX_ATTEMPTS = 4;

export class CheckoutService {
  constructor(private readonly deps: CheckoutDeps) {}

  private settings(): Promise<CheckoutSettings> {
    return loadCheckoutSettings(this.deps.settings);
  }

  paymentMethods(): PaymentMethod[] {
    return this.deps.payments.stripeEnabled ? ['stripe'] : ['manual'];
  }

  /** What the checkout page shows for the current selection; writes nothing. */
  async summary(shopper: Shopper, sel: { shippingMethod?: string | null; region?: string | null; useStoreCredit?: boolean }): Promise<CheckoutSummary> {
    const db = this.deps.db;
    const [cart, settings] = await Promise.all([this.deps.cart.view(shopper.cart), this.settings()]);
    const shippingMethod = settings.shippingMethods.find((m) => m.code === sel.shippingMethod) ?? settings.shippingMethods[0]!;
    const taxKnown = Boolean(sel.region?.trim());
    const taxBps = taxKnown ? taxBpsFor(settings.taxRates, sel.region) : 0;
    const creditBalanceCents = shopper.user ? Math.max(0, await creditBalance(db, shopper.user.id)) : 0;
    let discount: Discount | null = null;
    if (cart.promo && !cart.promoProblem && cart.id !== null) {
      const c = await db('carts').where({ id: cart.id }).first('promo_code_id');
      const promo = c?.promo_code_id ? await repo.findPromoById(db, c.promo_code_id) : null;
      if (promo) discount = { kind: promo.kind, value: promo.value };
    }
    const totals = computeTotals({
      lines: cart.lines.map((l) => ({ unitPriceCents: l.unitPriceCents, quantity: l.quantity })),
      discount,
      shipping: shippingMethod,
      taxBps,
      taxShipping: settings.taxRates.shippingTaxable,
      storeCreditCents: sel.useStoreCredit ? creditBalanceCents : 0,
    });
    return { cart, settings, shippingMethod, taxKnown, taxBps, creditBalanceCents, totals, paymentMethods: this.paymentMethods() };
  }

  /**
   * Places the order in ONE transaction: re-price the cart, re-check the promo
   * and the credit balance, reserve units atomically, write the order, items,
   * stock movements, promo redemption, credit entry, state change, the
   * confirmation e-mail and the expiry job, and empty the cart. Any failure
   * rolls all of it back. MySQL deadlocks (rare, under heavy contention) are retried.
   */
  async placeOrder(shopper: Shopper, input: CheckoutInput): Promise<PlacedOrder> {
    const settings = await this.settings();
    // Read before the transaction: on SQLite it holds the only connection.
    const manualPayment = input.payment_method === 'manual' ? await manualPaymentDetails(this.deps.settings) : null;
    const method = settings.shippingMethods.find((m) => m.code === input.shipping_method);
    if (!method) throw new ValidationError('Choose one of the shipping methods shown.', { shipping_method: 'Choose one of the shipping methods shown.' });
    if (!this.paymentMethods().includes(input.payment_method)) {
      throw new ValidationError('That payment method is not available.', { payment_method: 'Choose one of the payment methods shown.' });
    }
    const email = shopper.user?.email ?? input.email;
    if (!email) throw new ValidationError('Enter your e-mail address so we can send your receipt.', { email: 'Enter a valid e-mail address, like you@example.com.' });

    const mysql = isMysql(this.deps.db);
    for (let attempt = 1; ; attempt++) {
      try {
        const { placed, productIds } = await this.deps.db.transaction(
          (trx) => this.placeInTrx(trx, shopper, input, email, settings, method, manualPayment),
          // READ COMMITTED: no gap locks, so concurrent checkouts only meet on the units they both want.
          mysql ? { isolationLevel: 'read committed' } : undefined,
        );
        await this.deps.catalog.changed({ what: 'stock', productIds }).catch((err) => this.deps.logger.warn({ err }, 'catalog not told of reserved stock'));
        return placed;
      } catch (err) {
        if (err instanceof PriceChangedError) await this.deps.cart.acceptCurrentPrices(err.cartId);
        if (attempt < MAX_ATTEMPTS && isTransientTxError(err)) {
          await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
          continue;
        }
        throw err;
      }
    }
  }

  private async placeInTrx(
    trx: Trx, shopper: Shopper, input: CheckoutInput, email: string, settings: CheckoutSettings, method: ShippingMethod,
    manualPayment: ManualPaymentDetails | null,
  ): Promise<{ placed: PlacedOrder; productIds: number[] }> {
    const now = this.deps.clock.now();
    const userId = shopper.user?.id ?? null;
    const found = await cartRepo.cartWithLines(trx, shopper.cart);
    const cart = found?.cart ?? null;
    const lines = found?.lines ?? [];
    if (!cart || lines.length === 0) throw new ValidationError('Your cart is empty. Add something before checking out.', { cart: 'Your cart is empty.' });

    const fmt = this.deps.formatMoney;
    for (const l of lines) {
      if (!l.active) throw new ConflictError(`${l.name} is no longer sold. Please remove it from your cart.`);
    }
    const changed = lines.filter((l) => l.addedPriceCents !== l.priceCents);
    if (changed.length) throw new PriceChangedError(cart.id, changed.map((l) => ({ name: l.name, from: fmt(l.addedPriceCents), to: fmt(l.priceCents) })));
    // Cheap early answer; the reservation below is what actually decides.
    for (const l of lines) if (l.available < l.quantity) throw new SoldOutError(l.name, l.available);

    const subtotal = lines.reduce((a, l) => a + l.priceCents * l.quantity, 0);
    let promo: PromoCode | null = null;
    let discount: Discount | null = null;
    if (cart.promoCodeId !== null) {
      promo = await repo.findPromoById(trx, cart.promoCodeId, true);
      if (promo) {
        const usage = await repo.promoUsage(trx, promo.id, { userId, email });
        const check = checkPromo(promo, { subtotalCents: subtotal, now, timesUsed: usage.total, timesUsedByCustomer: usage.byCustomer }, fmt);
        if (!check.ok) throw new ValidationError(`${check.message} Remove the code to continue.`, { code: check.message });
        discount = check.discount;
      }
    }

    const balance = userId !== null && input.use_store_credit ? Math.max(0, await creditBalance(trx, userId, { lock: true })) : 0;
    const totals = computeTotals({
      lines: lines.map((l) => ({ unitPriceCents: l.priceCents, quantity: l.quantity })),
      discount,
      shipping: method,
      taxBps: taxBpsFor(settings.taxRates, input.region),
      taxShipping: settings.taxRates.shippingTaxable,
      storeCreditCents: balance,
    });
    if (input.expected_amount_cents !== undefined && input.expected_amount_cents !== totals.amountDueCents) {
      throw new TotalChangedError(fmt(input.expected_amount_cents), fmt(totals.amountDueCents));
    }

    const holdMs = input.payment_method === 'stripe' ? this.deps.cardHoldMinutes * MINUTE : (this.deps.manualHoldDays ?? 7) * DAY;
    const expiresAt = totals.amountDueCents > 0 ? new Date(now.getTime() + holdMs) : null;
    const order = await orderRepo.insertOrder(trx, {
      userId,
      email,
      currency: this.deps.currency,
      subtotalCents: totals.subtotalCents,
      discountCents: totals.discountCents,
      storeCreditCents: totals.storeCreditCents,
      shippingCents: totals.shippingCents,
      taxCents: totals.taxCents,
      totalCents: totals.totalCents,
      promoCodeId: discount ? promo!.id : null,
      shippingMethod: method.code,
      shippingAddress: {
        firstName: input.first_name,
        lastName: input.last_name,
        line1: input.line1,
        line2: input.line2,
        city: input.city,
        region: input.region,
        postalCode: input.postal_code,
        country: input.country,
        phone: input.phone,
      },
      paymentMethod: input.payment_method,
      expiresAt,
      now,
    });

    const actor: Actor = userId !== null ? { userId, label: `user:${userId}` } : { userId: null, label: 'guest' };
    for (const l of lines) {
      const held = await reserveForOrder(trx, l.productId, l.quantity, order.id, { actor, note: `Order ${order.number}`, now });
      if (held.length < l.quantity) throw new SoldOutError(l.name, held.length);
    }
    await orderRepo.insertItems(
      trx,
      order.id,
      lines.map((l) => ({
        productId: l.productId,
        productName: l.name,
        productSlug: l.slug,
        conditionGrade: l.conditionGrade,
        quantity: l.quantity,
        unitPriceCents: l.priceCents,
        totalCents: l.priceCents * l.quantity,
      })),
      now,
    );

    if (discount && promo) {
      await trx('promo_redemptions').insert({
        promo_code_id: promo.id,
        order_id: order.id,
        user_id: userId,
        email,
        amount_cents: totals.discountCents,
        created_at: toDbTime(now),
        updated_at: toDbTime(now),
      });
    }
    if (totals.storeCreditCents > 0 && userId !== null) {
      await addCreditEntry(trx, { userId, amountCents: -totals.storeCreditCents, kind: 'redemption', reason: `Used on order ${order.number}`, orderId: order.id, now });
      await payRepo.insertPayment(trx, { target: { purpose: 'order', orderId: order.id }, provider: 'store_credit', providerRef: `order:${order.number}`, amountCents: totals.storeCreditCents, currency: this.deps.currency, status: 'succeeded', now });
    }

    await orderMachine.recordInitial(trx, order.id, 'pending_payment', { actor: actor.label, at: now, note: input.payment_method === 'stripe' ? 'Placed, paying by card' : 'Placed, paying by bank transfer or on pickup' });
    let status: PlacedOrder['status'] = 'pending_payment';
    if (totals.amountDueCents === 0) {
      await orderMachine.transition(trx, order.id, 'paid', { actor: 'system', at: now, note: 'Covered by store credit', set: { paid_at: toDbTime(now) } });
      await sellOrderUnits(trx, order.id, { actor: SYSTEM, note: 'Covered by store credit', now });
      await this.deps.payments.refreshPaymentStatus(trx, order.id);
      status = 'paid';
    } else {
      if (totals.storeCreditCents > 0) await this.deps.payments.refreshPaymentStatus(trx, order.id);
      await scheduleExpiry(trx, this.deps.clock, order.id, expiresAt!);
    }
    const items = lines.map((l) => ({ productName: l.name, conditionGrade: l.conditionGrade, quantity: l.quantity, totalCents: l.priceCents * l.quantity }));
    const placed: orderRepo.Order = status === 'paid' ? { ...order, status, paymentStatus: 'paid', paidAt: now, expiresAt: null } : order;
    const payBy = status === 'pending_payment' && manualPayment ? { manualPayment } : {};
    await queueOrderMail(trx, { clock: this.deps.clock, secret: this.deps.secret }, 'order-confirmation', placed, payBy, items);
    await cartRepo.dropCart(trx, cart.id);

    return {
      placed: { id: order.id, number: order.number, status, paymentMethod: input.payment_method, amountDueCents: totals.amountDueCents, userId },
      productIds: lines.map((l) => l.productId),
    };
  }
}

/** Deadlock / lock wait timeout (MySQL) and busy (SQLite): safe to run the whole transaction again. */
function isTransientTxError(err: unknown): boolean {
  const e = err as { code?: string; errno?: number } | null;
  if (!e) return false;
  return e.errno === 1213 || e.errno === 1205 || e.code === 'ER_LOCK_DEADLOCK' || e.code === 'ER_LOCK_WAIT_TIMEOUT' || e.code === 'SQLITE_BUSY';
}
