import type { Conn } from '../db';
import type { Clock } from '../lib/clock';
import { enqueueMail } from '../mail/service';

export type RentalMail =
  | 'rental-signed'
  | 'rental-receipt'
  | 'rental-upcoming-payment'
  | 'rental-first-period-ending'
  | 'rental-payment-failed'
  | 'rental-late-notice'
  | 'rental-owned'
  | 'rental-return-instructions'
  | 'rental-return-received';

/** What every rental e-mail shows; the caller computes the figures (all money integer cents, dates 'YYYY-MM-DD' UTC). */
export interface RentalMailFacts {
  number: string; // RA-100001
  firstName: string;
  email: string; // recipient
  productName: string;
  serialNumber: string | null;
  termMonths: number;
  monthlyCents: number;
  cashPriceCents: number;
  totalCents: number; // total of payments
  paymentsMade: number;
  paidCents: number; // installments paid so far
  remainingCents: number; // total of payments still to pay
  earlyPurchaseCents: number | null; // today's early purchase price (null once owned/ended)
  earlyPurchaseUntil: string | null; // last date the first-period price holds, while in the first period
  nextDueOn: string | null;
  nextAmountCents: number | null;
}

/**
 * Queues a rent-to-own e-mail in the caller's transaction (outbox). Every
 * rental e-mail gets the same data — the agreement's figures (views/emails/
 * _rental-summary.*) and a link to it — plus the template's own `extra`.
 * A `uniqueKey` makes a reminder queue at most once however often the job runs.
 */
export async function queueRentalMail(
  conn: Conn,
  ctx: { clock: Clock },
  template: RentalMail,
  facts: RentalMailFacts,
  extra: Record<string, unknown> = {},
  opts: { uniqueKey?: string } = {},
): Promise<void> {
  const { email, ...rental } = facts;
  await enqueueMail(
    conn,
    {
      to: email,
      template,
      data: { rental, firstName: facts.firstName, rentalPath: `/account/rentals/${facts.number}`, ...extra },
    },
    { clock: ctx.clock, ...(opts.uniqueKey ? { uniqueKey: opts.uniqueKey } : {}) },
  );
}
