import type { Conn } from '../db';
import { enqueueMail } from '../mail/service';
import type { Clock } from '../lib/clock';
import { orderPath } from './access';
import * as repo from './repo';
import { ORDER_STATUS_LABELS } from './transitions';
import { notify } from '../notifications/repo';

/** Status changes a customer with an account is also told of in the store (the confirmation itself is the order page). */
const ORDER_NOTIFICATIONS: Partial<Record<OrderMail, (number: string) => string>> = {
  'order-payment-received': (n) => `Payment received: order ${n} is confirmed`,
  'order-shipped': (n) => `Order ${n} has shipped`,
  'order-delivered': (n) => `Order ${n} was delivered`,
  'order-cancelled': (n) => `Order ${n} was cancelled`,
  'order-refunded': (n) => `A refund was issued on order ${n}`,
};

export type OrderMail = 'order-confirmation' | 'order-payment-received' | 'order-shipped' | 'order-delivered' | 'order-cancelled' | 'order-refunded';

/**
 * Queues an order e-mail in the caller's transaction (outbox). Every order
 * e-mail gets the same data: the order, its items and a link to it.
 */
export async function queueOrderMail(
  conn: Conn,
  ctx: { clock: Clock; secret: string },
  template: OrderMail,
  order: repo.Order,
  extra: Record<string, unknown> = {},
  knownItems?: Array<Pick<repo.OrderItem, 'productName' | 'conditionGrade' | 'quantity' | 'totalCents'>>,
): Promise<void> {
  const items = knownItems ?? (await repo.orderItems(conn, order.id));
  const title = ORDER_NOTIFICATIONS[template];
  if (title && order.userId !== null) await notify(conn, { userId: order.userId, kind: 'order', title: title(order.number), url: `/account/orders/${order.number}` }, ctx.clock.now());
  await enqueueMail(
    conn,
    {
      to: order.email,
      template,
      data: {
        order: {
          number: order.number,
          status: ORDER_STATUS_LABELS[order.status],
          paymentMethod: order.paymentMethod,
          subtotalCents: order.subtotalCents,
          discountCents: order.discountCents,
          shippingCents: order.shippingCents,
          taxCents: order.taxCents,
          totalCents: order.totalCents,
          storeCreditCents: order.storeCreditCents,
          amountDueCents: order.amountDueCents,
          shippingMethod: order.shippingMethod,
          address: order.shippingAddress,
          expiresAt: order.expiresAt ? order.expiresAt.toISOString() : null,
          carrier: order.carrier,
          trackingNumber: order.trackingNumber,
        },
        items: items.map((i) => ({ name: i.productName, grade: i.conditionGrade, quantity: i.quantity, totalCents: i.totalCents, serials: 'serialNumbers' in i ? i.serialNumbers : [] })),
        firstName: order.shippingAddress.firstName,
        orderPath: orderPath(order, ctx.secret),
        ...extra,
      },
    },
    { clock: ctx.clock },
  );
}
