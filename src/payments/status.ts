export const PAYMENT_STATUSES = ['unpaid', 'paid', 'partially_refunded', 'refunded'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * payment_status is derived from the payment and refund rows, never set by
 * hand: what was taken (succeeded payments) against what went back (succeeded refunds).
 */
export function derivePaymentStatus(paidCents: number, refundedCents: number): PaymentStatus {
  if (paidCents <= 0) return 'unpaid';
  if (refundedCents <= 0) return 'paid';
  return refundedCents >= paidCents ? 'refunded' : 'partially_refunded';
}
