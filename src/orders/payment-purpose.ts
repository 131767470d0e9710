import type { Clock } from '../lib/clock';
import { toDbTime } from '../lib/clock';
import type { Logger } from '../lib/log';
import { sellOrderUnits } from '../inventory/operations';
import * as payRepo from '../payments/repo';
import type { OrderTarget, PurposeHandler } from '../payments/purposes';
import type { PaymentService } from '../payments/service';
import { queueOrderMail } from './emails';
import * as repo from './repo';
import { orderMachine } from './transitions';

export interface OrderPurposeDeps {
  clock: Clock;
  logger: Logger;
  /** Server secret, for the keyed order links in e-mails. */
  secret: string;
  payments: PaymentService;
}

/**
 * What a payment for an order does (purpose `order`): when the payments cover
 * the total, the order becomes paid, its units sold, and the customer is told.
 * Money arriving for an order that already expired or was cancelled is
 * refunded automatically.
 */
export function orderPaymentPurpose(deps: OrderPurposeDeps): PurposeHandler<OrderTarget, repo.Order> {
  const mailCtx = { clock: deps.clock, secret: deps.secret };
  return {
    find: (conn, target, { lock }) => repo.findOrderById(conn, target.orderId, lock),

    async paid(trx, payment, order) {
      const now = payment.at;
      const money = await payRepo.orderMoney(trx, order.id);
      if (order.status === 'pending_payment' && money.paidCents >= order.totalCents) {
        await orderMachine.transition(trx, order.id, 'paid', { actor: payment.actor, at: now, note: payment.note ?? `${payment.provider} payment ${payment.providerRef}`, set: { paid_at: toDbTime(now), expires_at: null } });
        await sellOrderUnits(trx, order.id, { actor: { userId: null, label: payment.actor }, note: `Order ${order.number} paid`, now });
        await deps.payments.refreshPaymentStatus(trx, order.id);
        await queueOrderMail(trx, mailCtx, 'order-payment-received', (await repo.findOrderById(trx, order.id))!, { paidCents: payment.amountCents });
      } else if (order.status === 'expired' || order.status === 'cancelled') {
        // Too late to fulfil: the units went back on sale. Give the money back.
        await deps.payments.refreshPaymentStatus(trx, order.id);
        await deps.payments.refundPayment(trx, order, payment, payment.amountCents, { refundTo: 'original', reason: `Payment arrived after the order was ${order.status}` });
        deps.logger.warn({ order: order.number, status: order.status }, 'late payment: refund queued');
      } else {
        await deps.payments.refreshPaymentStatus(trx, order.id);
      }
    },

    async checkoutSession(trx, order, sessionId, now) {
      if (!order.checkoutSessionId) await repo.setCheckoutSession(trx, order.id, sessionId, now);
    },
  };
}
