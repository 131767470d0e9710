import crypto from 'node:crypto';
import { GRADES, type Grade } from '../catalog/grades';
import { longDate, type DateOnly } from '../lib/dates';
import { STORE_LOCALE } from '../lib/locale';
import { formatMoney } from '../lib/money';
import type { RentalPolicy } from './policy';
import { earlyPurchasePrice } from './quote';
import { lateFeeCents, REINSTATE_AFTER_RETURN_MONTHS, rentalSchedule, type FirstPeriodEnd, type RentalSchedule, type ScheduleRow } from './schedule';

/**
 * The rent-to-own agreement (SPEC §4) as data and as the exact plain text a
 * customer signs. Pure: the page, the stored signed copy, the e-mail and the
 * PDF all come from agreementFor() + agreementSections(), so they can never
 * say different things. The text is what is hashed (agreementSha256).
 */

export interface AgreementInput {
  storeName: string;
  currency: string;
  product: { name: string; description: string; grade: Grade; warrantyMonths: number };
  termMonths: number;
  cashPriceCents: number;
  monthlyCents: number;
  /** The policy the agreement is signed under (currentRentalPolicy). */
  policy: RentalPolicy;
  /** The signing date: the first payment's due date and day 1 of the agreement. */
  startOn: DateOnly;
  /** The account's full name, which the signature must match. */
  customerName: string;
}

export interface Agreement extends AgreementInput {
  schedule: RentalSchedule;
  /** The early purchase price on the start date before and after the first payment. */
  earlyPurchaseTodayCents: number;
  earlyPurchaseAfterFirstCents: number;
  lateFeeCents: number;
}

export interface AgreementSection {
  id: string;
  heading: string;
  paragraphs: string[];
}

export function agreementFor(input: AgreementInput): Agreement {
  const { cashPriceCents, monthlyCents, termMonths, policy, startOn } = input;
  const schedule = rentalSchedule({ cashPriceCents, monthlyCents, termMonths, startOn, policy });
  const price = (paymentsMade: number) =>
    earlyPurchasePrice({ cashPriceCents, monthlyCents, termMonths, paymentsMade, day: 1, firstPeriodDays: policy.firstPeriodDays }).cents;
  return {
    ...input,
    schedule,
    earlyPurchaseTodayCents: price(0),
    earlyPurchaseAfterFirstCents: price(1),
    lateFeeCents: lateFeeCents(policy, monthlyCents),
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Where the early purchase price changes formula, in plain words (the schedule's day-90 mark). */
export function firstPeriodNote(end: FirstPeriodEnd, money: (cents: number) => string, firstPeriodDays: number): string {
  if (end.ownedBefore) {
    return `Day ${firstPeriodDays} of the agreement is ${longDate(end.lastDayOn)}. Paid on time, the device is yours before then, so the change of formula on day ${firstPeriodDays + 1} never applies.`;
  }
  return (
    `The first ${firstPeriodDays} days end on ${longDate(end.lastDayOn)}. ${end.reason} ` +
    `Paid on time, you will have made ${plural(end.paymentsByThen, 'payment')} by then: the early purchase price is ${money(end.lastPriceCents)} on ${longDate(end.lastDayOn)} and ${money(end.nextPriceCents)} on ${longDate(end.changesOn)}. ` +
    `We e-mail you a reminder on ${longDate(end.reminderOn)}.`
  );
}

/** The agreement's clauses, in order; the schedule goes after "payments". */
export function agreementSections(a: Agreement): AgreementSection[] {
  const money = (cents: number) => formatMoney(cents, a.currency);
  const { policy, schedule } = a;
  const grade = GRADES[a.product.grade];
  const end = schedule.firstPeriodEnd;
  const n = policy.firstPeriodDays;
  const retries = policy.retryDays.length ? `We try the payment again on ${policy.retryDays.map((d) => `day ${d}`).join(' and ')} after its due date. ` : '';
  return [
    {
      id: 'parties',
      heading: 'Who this agreement is between',
      paragraphs: [
        `This rent-to-own agreement is between ${a.storeName} ("we") and ${a.customerName} ("you"). It starts on ${longDate(a.startOn)}, the day you sign it and make the first payment.`,
        'It runs one month at a time: each monthly payment renews it for the next month. You own the device once every payment is made, or earlier if you pay the early purchase price. You may end it at any time by returning the device.',
      ],
    },
    {
      id: 'device',
      heading: 'The device',
      paragraphs: [
        `${a.product.name}. ${a.product.description}`,
        `The device is refurbished, not new. Its condition is grade ${a.product.grade} (${grade.label}): ${grade.text}`,
        'Its serial number is recorded on this agreement when a unit is assigned to you, before it ships.',
      ],
    },
    {
      id: 'payments',
      heading: 'Price and payments',
      paragraphs: [
        `Cash price (what the device costs if you buy it outright today): ${money(a.cashPriceCents)}.`,
        `Monthly payment: ${money(a.monthlyCents)}. Number of payments: ${a.termMonths}.`,
        `Total of payments: ${money(schedule.totalOfPaymentsCents)}. You pay this in total to own the device by renting.`,
        `Cost of rental: ${money(schedule.costOfRentalCents)}. This is the total of payments minus the cash price: what renting costs you over buying outright.`,
        `The first payment is due when you sign. The others are due on the same day of each following month, or on the last day of a month that is shorter. The dates are in the schedule below.`,
      ],
    },
    {
      id: 'early-purchase',
      heading: 'Buying the device early',
      paragraphs: [
        `You can buy the device at any time by paying the early purchase price online. Through day ${n} of the agreement (the start date is day 1, so through ${longDate(end.lastDayOn)}) it is the cash price minus the payments you have made. From day ${n + 1} it is the cash price × the payments still to make ÷ the number of payments (${a.termMonths}), rounded to the cent. Any past-due amount is added.`,
        `Today's figure: ${money(a.earlyPurchaseTodayCents)} before your first payment, ${money(a.earlyPurchaseAfterFirstCents)} after it. The schedule shows the price after each payment.`,
        firstPeriodNote(end, money, n),
      ],
    },
    {
      id: 'late',
      heading: 'Late payments',
      paragraphs: [
        `${retries}There is no late fee through day ${policy.graceDays} after a due date (the grace period). From day ${policy.lateFeeFromDay} we may charge one late fee per payment: ${policy.lateFeePercent}% of the payment, at most ${money(policy.lateFeeCapCents)}. On this agreement that is ${money(a.lateFeeCents)}.`,
        `We may end the agreement as defaulted only when a payment is more than ${policy.defaultAfterDays} days late.`,
      ],
    },
    {
      id: 'reinstatement',
      heading: 'Reinstatement',
      paragraphs: [
        `If you fall behind, or the agreement ends because of missed payments or a return, you can reinstate it by paying what is past due: at any time while you still have the device, or within ${REINSTATE_AFTER_RETURN_MONTHS} months after you returned it. The payments you made before count towards ownership as if there had been no break.`,
      ],
    },
    {
      id: 'loss',
      heading: 'Loss or damage',
      paragraphs: [
        'While you have the device you are responsible for its loss, theft or damage beyond normal wear. What you owe for it is never more than the early purchase price at that time.',
      ],
    },
    {
      id: 'maintenance',
      heading: 'Maintenance',
      paragraphs: [
        `${a.storeName} maintains the device: for as long as the agreement runs we repair or replace it free of charge when it develops a fault that was not caused by misuse or accident. Contact us before paying anyone else for a repair.`,
      ],
    },
    {
      id: 'return',
      heading: 'Your right to return it',
      paragraphs: [
        'You may end this agreement at any time by returning the device. You pay no penalty and no fee for returning it, and you owe nothing more than the payments already due on the day you end it.',
      ],
    },
    {
      id: 'signing',
      heading: 'Signing',
      paragraphs: [
        'You sign by typing your full name and ticking the consent box. We keep this text, a SHA-256 fingerprint of it, the time you signed, your IP address and your browser, and e-mail you a copy.',
      ],
    },
  ];
}

/** Whether the schedule's day-90 mark goes right after this row. */
export function marksFirstPeriodEndAfter(schedule: RentalSchedule, row: ScheduleRow): boolean {
  const end = schedule.firstPeriodEnd;
  if (end.ownedBefore) return false;
  return row.seq === end.paymentsByThen;
}

function scheduleText(a: Agreement, money: (cents: number) => string): string[] {
  const lines = ['Payment schedule (the early purchase price is the price right after that payment, made on its due date):', ''];
  for (const row of a.schedule.rows) {
    const after = row.rule === 'owned' ? 'nothing: the device is yours' : money(row.earlyPurchaseCents);
    lines.push(`${row.seq} of ${a.termMonths}, due ${longDate(row.dueOn)} (day ${row.day}): ${money(row.amountCents)}. Paid to date ${money(row.paidToDateCents)}. Early purchase price after it: ${after}.`);
    if (marksFirstPeriodEndAfter(a.schedule, row)) {
      lines.push(`-- Day ${a.policy.firstPeriodDays} ends on ${longDate(a.schedule.firstPeriodEnd.lastDayOn)}. From ${longDate(a.schedule.firstPeriodEnd.changesOn)} the early purchase price is the cash price × payments left ÷ ${a.termMonths}, which can be more than the day before. --`);
    }
  }
  return lines;
}

/** The exact text of the agreement: what the customer signs and what is stored and hashed. */
export function agreementText(a: Agreement): string {
  const money = (cents: number) => formatMoney(cents, a.currency);
  const lines = [`${a.storeName.toUpperCase()} RENT-TO-OWN AGREEMENT`, '', `Customer: ${a.customerName}`, `Date: ${longDate(a.startOn)}`, ''];
  for (const s of agreementSections(a)) {
    lines.push(s.heading.toUpperCase(), '', ...s.paragraphs.flatMap((p) => [p, '']));
    if (s.id === 'payments') lines.push(...scheduleText(a, money), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** SHA-256 of the text's UTF-8 bytes, lower-case hex. */
export function agreementSha256(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The typed signature matches the account's full name: case, accents' composition and spacing ignored. */
export function signatureMatches(typed: string, fullName: string): boolean {
  const norm = (s: string) => s.normalize('NFC').toLocaleLowerCase(STORE_LOCALE).replace(/\s+/g, '');
  return norm(typed) !== '' && norm(typed) === norm(fullName);
}
