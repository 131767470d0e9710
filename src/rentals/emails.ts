import type { Conn } from '../db';
import type { Clock } from '../lib/clock';
import { enqueueMail, enqueueMails, type MailRequest } from '../mail/service';
import { formatMoney } from '../lib/money';
import { notify, notifyMany, type NewNotification, type NotificationKind } from '../notifications/repo';

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
  /** The renter's account, for the in-app notification some e-mails come with. */
  userId: number;
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
  ctx: { clock: Clock; currency?: string },
  template: RentalMail,
  facts: RentalMailFacts,
  extra: Record<string, unknown> = {},
  opts: { uniqueKey?: string } = {},
): Promise<void> {
  const { mail, note } = rentalMail(template, facts, extra, ctx.currency ?? 'USD');
  if (note) await notify(conn, note, ctx.clock.now());
  await enqueueMail(conn, mail, { clock: ctx.clock, ...(opts.uniqueKey ? { uniqueKey: opts.uniqueKey } : {}) });
}

/** Several rental e-mails (and their notifications) at once, in the caller's transaction: a collection batch's receipts. */
export async function queueRentalMails(conn: Conn, ctx: { clock: Clock; currency?: string }, mails: ReadonlyArray<{ template: RentalMail; facts: RentalMailFacts; extra?: Record<string, unknown> }>): Promise<void> {
  const built = mails.map((m) => rentalMail(m.template, m.facts, m.extra ?? {}, ctx.currency ?? 'USD'));
  await notifyMany(conn, built.flatMap((b) => (b.note ? [b.note] : [])), ctx.clock.now());
  await enqueueMails(conn, built.map((b) => b.mail), { clock: ctx.clock });
}

/** The e-mail a template sends with these figures, and the in-app notification that comes with it (if any). */
function rentalMail(template: RentalMail, facts: RentalMailFacts, extra: Record<string, unknown>, currency: string): { mail: MailRequest; note: NewNotification | null } {
  const { email, userId, ...rental } = facts;
  const note = rentalNotification(template, facts, extra, currency);
  return {
    mail: { to: email, template, data: { rental, firstName: facts.firstName, rentalPath: `/account/rentals/${facts.number}`, ...extra } },
    note: note ? { userId, url: `/account/rentals/${facts.number}`, ...note } : null,
  };
}

/**
 * The in-app notification that comes with a rental e-mail about money or the
 * agreement's end (SPEC §3: receipts, failed payments, late notices); none for
 * reminders and instructions, which only the e-mail carries.
 */
function rentalNotification(template: RentalMail, facts: RentalMailFacts, extra: Record<string, unknown>, currency: string): { kind: NotificationKind; title: string } | null {
  const amount = typeof extra.amountCents === 'number' ? formatMoney(extra.amountCents, currency) : null;
  switch (template) {
    case 'rental-receipt':
      return { kind: 'rental', title: `Payment received for agreement ${facts.number}${amount ? `: ${amount}` : ''}` };
    case 'rental-payment-failed':
      return { kind: 'payment_failed', title: extra.authenticationRequired ? `Please confirm your payment for agreement ${facts.number}` : `A payment for agreement ${facts.number} did not go through` };
    case 'rental-late-notice':
      return { kind: 'late_notice', title: `Agreement ${facts.number} has a payment past due` };
    case 'rental-owned':
      return { kind: 'rental', title: `The ${facts.productName} is yours: agreement ${facts.number} is complete` };
    case 'rental-return-received':
      return { kind: 'rental', title: `We received the ${facts.productName}: agreement ${facts.number} has ended` };
    default:
      return null;
  }
}
