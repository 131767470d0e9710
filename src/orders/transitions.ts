import { defineStateMachine, type Transitions } from '../db/state-machine';

export const ORDER_STATUSES = ['pending_payment', 'paid', 'processing', 'shipped', 'delivered', 'cancelled', 'expired'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** SPEC §3: pending_payment → paid → processing → shipped → delivered; any pre-shipment state → cancelled; pending_payment → expired. */
export const ORDER_TRANSITIONS: Transitions<OrderStatus> = {
  pending_payment: ['paid', 'cancelled', 'expired'],
  paid: ['processing', 'cancelled'],
  processing: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
  expired: [],
};

export const orderMachine = defineStateMachine<OrderStatus>({ entity: 'order', table: 'orders', transitions: ORDER_TRANSITIONS });

/** States in which the customer may still cancel (nothing has left the warehouse). */
export function isCancellable(status: OrderStatus): boolean {
  return orderMachine.can(status, 'cancelled');
}

export const ORDER_STATUS_LABELS: Record<OrderStatus, string> = {
  pending_payment: 'Awaiting payment',
  paid: 'Paid',
  processing: 'Being prepared',
  shipped: 'Shipped',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
  expired: 'Expired (not paid in time)',
};
