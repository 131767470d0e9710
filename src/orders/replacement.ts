import type { Trx } from '../db';
import type { Actor } from '../db/state-machine';
import { ConflictError } from '../http/errors';
import { reserveForOrder, sellOrderUnits } from '../inventory/operations';
import { toDbTime } from '../lib/clock';
import type { PaymentService } from '../payments/service';
import * as repo from './repo';
import { orderMachine } from './transitions';

/**
 * A replacement sent for an order at no charge (a claim decided that way): a
 * new order with the same items at $0, to the same address, its units taken
 * from stock and the order paid at once, so staff ship it like any other.
 * Refused, with nothing written, when the stock cannot cover it.
 */
export async function placeReplacementOrder(
  trx: Trx,
  original: repo.Order,
  ctx: { actor: Actor; note: string; now: Date; payments: PaymentService },
): Promise<repo.Order> {
  const { actor, note, now } = ctx;
  const items = await repo.orderItems(trx, original.id);
  const order = await repo.insertOrder(trx, {
    userId: original.userId,
    email: original.email,
    currency: original.currency,
    subtotalCents: 0,
    discountCents: 0,
    storeCreditCents: 0,
    shippingCents: 0,
    taxCents: 0,
    totalCents: 0,
    promoCodeId: null,
    shippingMethod: original.shippingMethod,
    shippingAddress: original.shippingAddress,
    paymentMethod: 'manual',
    expiresAt: null,
    now,
  });
  for (const i of items) {
    const held = await reserveForOrder(trx, i.productId, i.quantity, order.id, { actor, note: `Replacement order ${order.number}`, now });
    if (held.length < i.quantity) throw new ConflictError(`${i.productName} is out of stock, so no replacement can be sent now. Choose a refund or store credit, or decide the claim once units arrive.`);
  }
  await repo.insertItems(
    trx,
    order.id,
    items.map((i) => ({ productId: i.productId, productName: i.productName, productSlug: i.productSlug, conditionGrade: i.conditionGrade, quantity: i.quantity, unitPriceCents: 0, totalCents: 0 })),
    now,
  );
  await orderMachine.recordInitial(trx, order.id, 'pending_payment', { actor: actor.label, at: now, note });
  await orderMachine.transition(trx, order.id, 'paid', { actor: actor.label, at: now, note: `No charge: ${note}`, set: { paid_at: toDbTime(now) } });
  await sellOrderUnits(trx, order.id, { actor, note: `Replacement order ${order.number}`, now });
  await ctx.payments.refreshPaymentStatus(trx, order.id);
  return order;
}
