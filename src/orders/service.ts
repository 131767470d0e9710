import type { Db, Trx } from '../db';
import { inTransaction } from '../db';
import type { Clock } from '../lib/clock';
import { toDbTime } from '../lib/clock';
import { formatMoney } from '../lib/money';
import type { Logger } from '../lib/log';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import { stateHistory, SYSTEM, type Actor, type StateChange } from '../db/state-machine';
import * as payRepo from '../payments/repo';
import type { PaymentService } from '../payments/service';
import type { StripeGateway } from '../payments/stripe';
import { queueOrderMail } from './emails';
import * as repo from './repo';
import type { CatalogEvents } from '../catalog/changes';
import { moveUnits, releaseOrderUnits } from '../inventory/operations';
import { recordAudit, type StaffContext } from '../audit/repo';
import { planShipment } from './shipment';
import { isCancellable, orderMachine, ORDER_STATUS_LABELS } from './transitions';

export interface OrderDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  secret: string;
  payments: PaymentService;
  gateway: StripeGateway | null;
  /** Told after commit when units went back in stock. */
  catalog: CatalogEvents;
}

export interface OrderDetails {
  order: repo.Order;
  items: repo.OrderItem[];
  payments: payRepo.Payment[];
  refunds: payRepo.Refund[];
  history: StateChange[];
  cancellable: boolean;
}

export type { Actor };

export const ORDERS_PER_PAGE = 10;

/** The life of an order after it is placed: reading, paying by hand, cancelling, expiring. */
export class OrderService {
  constructor(private readonly deps: OrderDeps) {}

  private mailCtx() {
    return { clock: this.deps.clock, secret: this.deps.secret };
  }

  async byNumber(number: string): Promise<repo.Order | null> {
    return repo.findOrderByNumber(this.deps.db, number);
  }

  async details(orderId: number): Promise<OrderDetails> {
    const db = this.deps.db;
    const order = await repo.findOrderById(db, orderId);
    if (!order) throw new NotFoundError('We could not find that order.');
    const [items, payments, refunds, history] = await Promise.all([
      repo.orderItems(db, orderId),
      payRepo.orderPayments(db, orderId),
      payRepo.orderRefunds(db, orderId),
      stateHistory(db, 'order', orderId),
    ]);
    return { order, items, payments, refunds, history, cancellable: isCancellable(order.status) };
  }

  /** A customer's own order; anyone else's is "not found". */
  async forCustomer(userId: number, number: string): Promise<OrderDetails> {
    const order = await repo.findOrderByNumber(this.deps.db, number);
    if (!order || order.userId !== userId) throw new NotFoundError('We could not find that order.');
    return this.details(order.id);
  }

  refundableCents(orderId: number): Promise<number> {
    return this.deps.payments.refundableCents(this.deps.db, orderId);
  }

  /**
   * Staff's order list. Past ORDER_COUNT_CAP matches the count stops
   * (`countCapped`): the page says "more than" and offers the next page while
   * this one is full.
   */
  async listForStaff(filter: repo.OrderFilter, page: number, perPage: number) {
    const { orders, total } = await repo.listOrders(this.deps.db, filter, page, perPage);
    const countCapped = total > repo.ORDER_COUNT_CAP;
    const pages = countCapped ? page + (orders.length === perPage ? 1 : 0) : Math.max(1, Math.ceil(total / perPage));
    return { orders, total: Math.min(total, repo.ORDER_COUNT_CAP), countCapped, page, pages };
  }

  async listForCustomer(userId: number, page: number) {
    const { orders, total } = await repo.listUserOrders(this.deps.db, userId, page, ORDERS_PER_PAGE);
    return { orders, total, page, pages: Math.max(1, Math.ceil(total / ORDERS_PER_PAGE)) };
  }

  /**
   * Staff record a manual payment (bank transfer, cash on pickup) for the
   * amount still due. Safe to repeat: the reference makes it one payment.
   */
  async markOrderPaid(orderId: number, opts: { by: StaffContext; reference?: string; note?: string }): Promise<repo.Order> {
    return inTransaction(this.deps.db, async (trx) => {
      const order = await this.lockedOrder(trx, orderId);
      if (order.status !== 'pending_payment') throw new ConflictError(`Order ${order.number} is ${ORDER_STATUS_LABELS[order.status].toLowerCase()}, not awaiting payment.`);
      const money = await payRepo.orderMoney(trx, orderId);
      const reference = (opts.reference?.trim() || `order:${order.number}`).slice(0, 255);
      await this.deps.payments.recordPayment(trx, { purpose: 'order', orderId }, {
        provider: 'manual',
        providerRef: reference,
        amountCents: Math.max(0, order.totalCents - money.paidCents),
        actor: opts.by.actor.label,
        note: opts.note ?? 'Marked paid by staff',
      });
      const after = (await repo.findOrderById(trx, orderId))!;
      await this.audit(trx, opts.by, 'order.mark_paid', order, after, { reference });
      return after;
    });
  }

  /** Staff start picking a paid order. */
  async startProcessing(orderId: number, by: StaffContext): Promise<repo.Order> {
    return inTransaction(this.deps.db, async (trx) => {
      const order = await this.lockedOrder(trx, orderId);
      await orderMachine.transition(trx, orderId, 'processing', { actor: by.actor.label, at: this.deps.clock.now(), note: 'Being prepared' });
      const after = (await repo.findOrderById(trx, orderId))!;
      await this.audit(trx, by, 'order.process', order, after);
      return after;
    });
  }

  /**
   * Ships a paid order: the serial of every unit that leaves is recorded on
   * its item. The units the order holds are proposed; staff may send another
   * in-stock unit of the same product instead (a held one that stays behind
   * goes back in stock). Then carrier and tracking number, the shipped state
   * (through processing when staff skipped it) and the customer's e-mail.
   */
  async shipOrder(orderId: number, input: { carrier: string; trackingNumber: string; serials: string[] }, by: StaffContext): Promise<repo.Order> {
    const { after, restocked } = await inTransaction(this.deps.db, async (trx) => {
      const now = this.deps.clock.now();
      const order = await this.lockedOrder(trx, orderId);
      if (order.status !== 'paid' && order.status !== 'processing') {
        throw new ConflictError(`Order ${order.number} cannot be shipped: it is ${ORDER_STATUS_LABELS[order.status].toLowerCase()}.`);
      }
      const items = await repo.orderItems(trx, orderId);
      const plan = await planShipment(trx, orderId, items, input.serials);
      const movement = { actor: by.actor, now, orderId, note: `Order ${order.number} shipped` };
      // Units swapped in: held for the order, then sold; held units left behind go back on sale.
      await moveUnits(trx, plan.swappedIn, 'reserved', { ...movement, reason: 'reserved' }, { order_id: orderId });
      await moveUnits(trx, plan.swappedIn.map((u) => ({ ...u, status: 'reserved' as const })), 'sold', { ...movement, reason: 'sold' });
      const restocked = await moveUnits(trx, plan.leftBehind, 'in_stock', { ...movement, reason: 'released', note: `Not shipped with order ${order.number}` }, { order_id: null });
      for (const [itemId, serials] of plan.serialsByItem) await repo.setItemSerials(trx, itemId, serials, now);
      await repo.setShipment(trx, orderId, { carrier: input.carrier, trackingNumber: input.trackingNumber }, now);
      if (order.status === 'paid') await orderMachine.transition(trx, orderId, 'processing', { actor: by.actor.label, at: now, note: 'Being prepared' });
      await orderMachine.transition(trx, orderId, 'shipped', { actor: by.actor.label, at: now, note: `${input.carrier} ${input.trackingNumber}`, set: { shipped_at: toDbTime(now) } });
      const after = (await repo.findOrderById(trx, orderId))!;
      await queueOrderMail(trx, this.mailCtx(), 'order-shipped', after);
      await this.audit(trx, by, 'order.ship', order, after, { carrier: input.carrier, trackingNumber: input.trackingNumber, serials: input.serials });
      return { after, restocked };
    });
    await this.restocked(restocked);
    return after;
  }

  async markDelivered(orderId: number, by: StaffContext): Promise<repo.Order> {
    return inTransaction(this.deps.db, async (trx) => {
      const now = this.deps.clock.now();
      const order = await this.lockedOrder(trx, orderId);
      await orderMachine.transition(trx, orderId, 'delivered', { actor: by.actor.label, at: now, note: 'Delivered', set: { delivered_at: toDbTime(now) } });
      const after = (await repo.findOrderById(trx, orderId))!;
      await queueOrderMail(trx, this.mailCtx(), 'order-delivered', after);
      await this.audit(trx, by, 'order.deliver', order, after);
      return after;
    });
  }

  /**
   * Staff give back part or all of what was paid, to the card (or by hand for
   * a bank transfer) or to the customer's store credit. The order keeps its
   * state; its payment status becomes partially_refunded or refunded.
   */
  async refundOrderAmount(orderId: number, input: { amountCents: number; refundTo: 'original' | 'store_credit'; reason: string }, by: StaffContext): Promise<repo.Order> {
    const { after, cardRefunds } = await inTransaction(this.deps.db, async (trx) => {
      const order = await this.lockedOrder(trx, orderId);
      const refundable = await this.deps.payments.refundableCents(trx, orderId);
      const money = (cents: number) => formatMoney(cents, order.currency);
      if (refundable === 0) throw new ConflictError(`Nothing is left to refund on order ${order.number}.`);
      if (input.amountCents > refundable) {
        throw new ValidationError(`At most ${money(refundable)} can still be refunded on this order.`, { amount: `Enter at most ${money(refundable)}.` });
      }
      if (input.refundTo === 'store_credit' && order.userId === null) {
        throw new ValidationError('A guest has no store credit: refund this order the way it was paid.', { destination: 'Guests are refunded the way they paid.' });
      }
      const cardRefunds = await this.deps.payments.refundAmount(trx, order, input.amountCents, { refundTo: input.refundTo, reason: input.reason, actorUserId: by.actor.userId });
      const after = (await repo.findOrderById(trx, orderId))!;
      await this.audit(trx, by, 'order.refund', order, after, { amountCents: input.amountCents, refundTo: input.refundTo, reason: input.reason });
      return { after, cardRefunds };
    });
    await this.afterCommit(cardRefunds, null);
    return after;
  }

  private async lockedOrder(trx: Trx, orderId: number): Promise<repo.Order> {
    const order = await repo.findOrderById(trx, orderId, true);
    if (!order) throw new NotFoundError('We could not find that order.');
    return order;
  }

  private async audit(trx: Trx, by: StaffContext, action: string, before: repo.Order, after: repo.Order, extra: Record<string, unknown> = {}): Promise<void> {
    const snapshot = (o: repo.Order) => ({ status: o.status, paymentStatus: o.paymentStatus, carrier: o.carrier, trackingNumber: o.trackingNumber });
    await recordAudit(trx, by, { action, entity: 'order', entityId: before.number, before: snapshot(before), after: { ...snapshot(after), ...extra } }, this.deps.clock.now());
  }

  /**
   * Cancels an order that has not shipped: its units go back in stock (with
   * movements), what was paid is refunded (card via Stripe, or store credit),
   * and the customer gets an e-mail. Card refunds are sent right after commit
   * and retried by a job if Stripe is unreachable.
   */
  async cancelOrder(orderId: number, opts: { actor: Actor; reason: string; refundTo?: 'original' | 'store_credit'; ip?: string | null; audited?: boolean }): Promise<repo.Order> {
    const { order, cardRefunds, sessionToClose, restocked } = await inTransaction(this.deps.db, async (trx) => {
      const now = this.deps.clock.now();
      const current = await repo.findOrderById(trx, orderId, true);
      if (!current) throw new NotFoundError('We could not find that order.');
      if (!isCancellable(current.status)) {
        throw new ConflictError(`Order ${current.number} can no longer be cancelled (it is ${current.status.replace('_', ' ')}).`);
      }
      await orderMachine.transition(trx, orderId, 'cancelled', { actor: opts.actor.label, at: now, note: opts.reason, set: { cancelled_at: toDbTime(now), expires_at: null } });
      const restocked = await releaseOrderUnits(trx, orderId, { actor: opts.actor, note: `Order ${current.number} cancelled`, now });
      const cancelled = (await repo.findOrderById(trx, orderId))!;
      const cardRefunds = await this.deps.payments.refundOrder(trx, cancelled, { refundTo: opts.refundTo ?? 'original', reason: opts.reason, actorUserId: opts.actor.userId });
      const after = (await repo.findOrderById(trx, orderId))!;
      await queueOrderMail(trx, this.mailCtx(), 'order-cancelled', after, { reason: opts.reason, cardRefundPending: cardRefunds.length > 0 });
      if (opts.audited) await this.audit(trx, { actor: opts.actor, ip: opts.ip ?? null }, 'order.cancel', current, after, { reason: opts.reason, refundTo: opts.refundTo ?? 'original' });
      const sessionToClose = current.status === 'pending_payment' ? current.checkoutSessionId : null;
      return { order: after, cardRefunds, sessionToClose, restocked };
    });
    await this.restocked(restocked);
    await this.afterCommit(cardRefunds, sessionToClose);
    return (await repo.findOrderById(this.deps.db, order.id))!;
  }

  private async afterCommit(cardRefunds: number[], sessionToClose: string | null): Promise<void> {
    for (const id of cardRefunds) {
      await this.deps.payments.processRefund(id).catch((err) => this.deps.logger.warn({ err, refund: id }, 'refund not sent yet; the job will retry'));
    }
    if (sessionToClose && this.deps.gateway) {
      await this.deps.gateway.expireSession(sessionToClose).catch((err) => this.deps.logger.info({ err }, 'checkout session already closed'));
    }
  }

  /**
   * An unpaid order whose hold ran out: expired, units back in stock. For a
   * card order the Stripe session is checked first — if it was paid and the
   * webhook is late, the order is marked paid instead. Returns what happened.
   */
  async expireOrder(orderId: number): Promise<'expired' | 'paid' | 'skipped'> {
    const order = await repo.findOrderById(this.deps.db, orderId);
    const now = this.deps.clock.now();
    if (!order || order.status !== 'pending_payment' || !order.expiresAt || order.expiresAt > now) return 'skipped';
    if (order.paymentMethod === 'stripe' && order.checkoutSessionId && this.deps.gateway) {
      const s = await this.deps.gateway.retrieveSession(order.checkoutSessionId);
      if (s.status === 'complete' && (s.paymentStatus === 'paid' || s.paymentStatus === 'no_payment_required') && s.paymentIntentId) {
        await inTransaction(this.deps.db, (trx) => this.deps.payments.recordStripeSuccess(trx, { purpose: 'order', orderId }, s.paymentIntentId!, s.amountTotal ?? order.amountDueCents));
        return 'paid';
      }
      if (s.status === 'open') await this.deps.gateway.expireSession(order.checkoutSessionId);
    }
    const { outcome, restocked } = await inTransaction(this.deps.db, (trx) => this.expireInTrx(trx, orderId, SYSTEM, 'Not paid in time'));
    await this.restocked(restocked);
    return outcome;
  }

  /**
   * Expires a pending order inside a transaction (job, or Stripe's
   * checkout.session.expired). The caller tells the catalog about the
   * restocked products after commit (restocked()).
   */
  async expireInTrx(trx: Trx, orderId: number, actor: Actor, note: string): Promise<{ outcome: 'expired' | 'skipped'; restocked: number[] }> {
    const now = this.deps.clock.now();
    const order = await repo.findOrderById(trx, orderId, true);
    if (!order || order.status !== 'pending_payment') return { outcome: 'skipped', restocked: [] };
    await orderMachine.transition(trx, orderId, 'expired', { actor: actor.label, at: now, note });
    const restocked = await releaseOrderUnits(trx, orderId, { actor, note: `Order ${order.number} expired unpaid`, now });
    return { outcome: 'expired', restocked };
  }

  /** Units of these products are back on sale: the catalog shows them at once. */
  async restocked(productIds: number[]): Promise<void> {
    if (!productIds.length) return;
    await this.deps.catalog.changed({ what: 'stock', productIds }).catch((err) => this.deps.logger.warn({ err }, 'catalog not told of restocked units'));
  }

  /** Safety net for lost jobs: expires every overdue order (recurring job). */
  async expireOverdue(limit = 100): Promise<number> {
    const ids = await repo.overdueOrderIds(this.deps.db, this.deps.clock.now(), limit);
    let n = 0;
    for (const id of ids) {
      try {
        if ((await this.expireOrder(id)) !== 'skipped') n++;
      } catch (err) {
        this.deps.logger.warn({ err, order: id }, 'could not expire order');
      }
    }
    return n;
  }
}
