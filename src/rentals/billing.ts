import type { Conn, Db, Trx } from '../db';
import { inTransaction } from '../db';
import { recordAudit, type StaffContext } from '../audit/repo';
import type { CatalogEvents } from '../catalog/changes';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import { moveRentalUnit, reserveForRental } from '../inventory/operations';
import { MINUTE, toDbTime, type Clock } from '../lib/clock';
import { addDays, addMonthsClamped, dateOnly, type DateOnly } from '../lib/dates';
import type { Logger } from '../lib/log';
import { formatMoney } from '../lib/money';
import * as payRepo from '../payments/repo';
import type { PaymentPurposes, Payee, PurposeHandler, RecordedPayment, RentalPurpose, RentalTarget } from '../payments/purposes';
import type { PaymentService } from '../payments/service';
import type { StripeGateway } from '../payments/stripe';
import { queueRentalMail, queueRentalMails, type RentalMail, type RentalMailFacts } from './emails';
import * as inst from './installments';
import * as repo from './repo';
import { collectionDates, installmentDueDates, lateFeeFromOn, reinstatement, type AgreementTerms } from './schedule';
import { statementOn, type Statement } from './statement';
import { outcomeOf, rentalMachine, type RentalStatus } from './transitions';

export interface RentalBillingDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  gateway: StripeGateway | null;
  payments: PaymentService;
  catalog: CatalogEvents;
  currency: string;
}

/** An agreement as the payments side sees it: the record, its installments and where it stands today. */
export interface RentalPayee extends Payee {
  rental: repo.RentalRecord;
  installments: inst.Installment[];
}

/** What a customer or staff member can pay now. */
export type PayKind = 'first' | 'owed' | 'installment' | 'buyout';

export interface Due {
  kind: PayKind;
  purpose: RentalPurpose;
  amountCents: number;
  /** The installment paid, when one is named. */
  installmentId: number | null;
  /** For receipts and Checkout: "Payment 1 of 12", "Early purchase". */
  label: string;
}

/** Statuses in which the renter holds the device under a running agreement. */
const HOLDING: readonly RentalStatus[] = ['active', 'past_due'];

/** How long a signed agreement waits for its first payment before its unit goes back on sale. */
export const FIRST_PAYMENT_HOLD_DAYS = 3;

export function termsOf(r: repo.RentalRecord): AgreementTerms {
  return { cashPriceCents: r.cashPriceCents, monthlyCents: r.monthlyCents, termMonths: r.termMonths, startOn: r.startOn!, policy: r.policy };
}

/** Installments unpaid and due on or before `today`, and late fees owed: what paying "what is owed" settles. */
export function owedNow(installments: readonly inst.Installment[], today: DateOnly): { cents: number; installments: inst.Installment[]; feesCents: number } {
  const open = installments.filter((i) => (i.status === 'scheduled' || i.status === 'failed') && i.dueOn <= today);
  const feesCents = installments.reduce((s, i) => s + inst.lateFeeOwed(i), 0);
  return { cents: open.reduce((s, i) => s + i.amountCents, 0) + feesCents, installments: open, feesCents };
}

/**
 * Paying for rent-to-own agreements: what is due (first payment, what is
 * owed, one installment, the early purchase price), Stripe Checkout for the
 * customer, payments staff record by hand, and — as the payment purposes
 * installment, buyout, reinstatement and late_fee — what a payment does to
 * the agreement: activation with its schedule, installments paid, catching up,
 * ownership. Every effect happens in the transaction that records the payment.
 */
export class RentalBilling {
  constructor(private readonly deps: RentalBillingDeps) {}

  get cardPayments(): boolean {
    return this.deps.gateway !== null;
  }

  today(): DateOnly {
    return dateOnly(this.deps.clock.now());
  }

  /** An agreement's installments and where it stands today. */
  async standing(rental: repo.RentalRecord, conn: Conn = this.deps.db): Promise<{ installments: inst.Installment[]; statement: Statement | null }> {
    const installments = await inst.installmentsOf(conn, rental.id);
    const statement = rental.startOn && installments.length > 0 ? statementOn(termsOf(rental), inst.installmentStates(installments), this.deps.clock.now()) : null;
    return { installments, statement };
  }

  /** What an agreement's pages show of its money: the installments, where it stands today and what can be paid now. */
  async overview(rental: repo.RentalRecord): Promise<{ installments: inst.Installment[]; statement: Statement | null; dues: Due[]; today: DateOnly }> {
    const { installments, statement } = await this.standing(rental);
    return { installments, statement, dues: this.dues(rental, installments), today: this.today() };
  }

  /**
   * What can be paid now, by kind. `first`: the first installment of a signed
   * agreement; `owed`: everything due up to today with late fees (catching up,
   * or reinstating a defaulted agreement); `installment`: the next one, early
   * (staff recording a bank transfer); `buyout`: today's early purchase price.
   */
  dues(rental: repo.RentalRecord, installments: readonly inst.Installment[]): Due[] {
    const today = this.today();
    if (rental.status === 'pending_payment') {
      return [{ kind: 'first', purpose: 'installment', amountCents: rental.monthlyCents, installmentId: null, label: `Payment 1 of ${rental.termMonths}` }];
    }
    const out: Due[] = [];
    const holding = HOLDING.includes(rental.status) || (rental.status === 'defaulted' && rental.returnedAt === null);
    const owed = owedNow(installments, today);
    // Sending the device back ends future payments; what fell due before stays payable.
    if (rental.status === 'returning' && owed.cents > 0) return [{ kind: 'owed', purpose: 'reinstatement', amountCents: owed.cents, installmentId: null, label: 'Payments due before the return' }];
    const back = this.reinstatementAfterReturn(rental, installments);
    if (back) return [back];
    if (!holding) return out;
    if (owed.cents > 0) {
      out.push({ kind: 'owed', purpose: 'reinstatement', amountCents: owed.cents, installmentId: null, label: rental.status === 'defaulted' ? 'Reinstatement: everything past due' : 'Everything due to date' });
    }
    const next = installments.find((i) => (i.status === 'scheduled' || i.status === 'failed') && i.dueOn > today);
    if (next && owed.cents === 0) out.push({ kind: 'installment', purpose: 'installment', amountCents: next.amountCents, installmentId: next.id, label: `Payment ${next.seq} of ${rental.termMonths}` });
    if (rental.status !== 'defaulted') {
      const st = statementOn(termsOf(rental), inst.installmentStates(installments), this.deps.clock.now());
      if (st.earlyPurchase) out.push({ kind: 'buyout', purpose: 'buyout', amountCents: st.earlyPurchase.cents, installmentId: null, label: 'Early purchase' });
    }
    return out;
  }

  /**
   * Within a year of sending the device back (SPEC §4), a renter can take the
   * agreement up again: they pay what was past due when it came back and the
   * next payment, and earlier payments still count towards owning it.
   */
  private reinstatementAfterReturn(rental: repo.RentalRecord, installments: readonly inst.Installment[]): Due | null {
    if ((rental.status !== 'returned' && rental.status !== 'defaulted') || !rental.returnedAt) return null;
    const r = reinstatement({ status: rental.status, returnedOn: dateOnly(rental.returnedAt), installments: inst.installmentStates(installments) }, this.deps.clock.now());
    if (!r.allowed || r.paymentsCredited >= rental.termMonths) return null;
    return { kind: 'owed', purpose: 'reinstatement', amountCents: r.amountCents + rental.monthlyCents, installmentId: null, label: `Reinstatement: payment ${r.paymentsCredited + 1} of ${rental.termMonths}${r.amountCents > 0 ? ' and what was past due' : ''}` };
  }

  // ------------------------------------------------------------ customer pays online

  /**
   * Opens Stripe Checkout for what the customer chose to pay (`pay`: the
   * first payment or what is owed; `buyout`: the early purchase price) and
   * returns its URL. The first payment saves the card for the monthly
   * charges; the renter's Stripe customer is created once and reused.
   */
  async checkoutUrl(userId: number, number: string, what: 'pay' | 'buyout'): Promise<string> {
    const gateway = this.deps.gateway;
    const rental = await repo.customerRental(this.deps.db, userId, number);
    if (!rental) throw new NotFoundError('We could not find that agreement.');
    if (!gateway) throw new ValidationError('Card payments are not available at the moment. Pay by bank transfer with your agreement number as the reference; we record it as soon as it arrives.');
    const installments = await inst.installmentsOf(this.deps.db, rental.id);
    const dues = this.dues(rental, installments);
    const due = what === 'buyout' ? dues.find((d) => d.kind === 'buyout') : dues.find((d) => d.kind === 'first' || d.kind === 'owed');
    if (!due) {
      throw new ConflictError(
        what === 'buyout'
          ? rental.status === 'owned' ? 'This device is already yours.' : 'This agreement cannot be bought out now. If a payment is overdue, pay what is owed first.'
          : 'Nothing is due on this agreement right now.',
      );
    }
    if (rental.status === 'returned' && !(await this.deps.db('inventory_units').where({ product_id: rental.productId, status: 'in_stock' }).first('id'))) {
      throw new ConflictError(`${rental.productName} is out of stock right now, so the agreement cannot be taken up again today. Nothing was charged.`);
    }
    try {
      // The page already open for the same payment, when the renter presses the button again.
      if (rental.checkoutSessionId) {
        const open = await gateway.retrieveSession(rental.checkoutSessionId);
        if (open.status === 'open' && open.url && open.amountTotal === due.amountCents && open.metadata.purpose === due.purpose) return open.url;
      }
      const renter = await repo.renterOf(this.deps.db, rental.userId);
      let customerId = rental.stripeCustomerId ?? (await repo.stripeCustomerOfUser(this.deps.db, rental.userId));
      if (!customerId) customerId = await gateway.createCustomer({ userId: rental.userId, email: renter.email, name: `${renter.firstName} ${renter.lastName}`.trim() });
      const now = this.deps.clock.now();
      const expiresAt = new Date(now.getTime() + 31 * MINUTE);
      expiresAt.setUTCMilliseconds(0);
      const target: RentalTarget = { purpose: due.purpose, rentalId: rental.id, installmentId: due.installmentId };
      const session = await gateway.createRentalCheckoutSession({
        target,
        rentalNumber: rental.number,
        customerId,
        currency: this.deps.currency,
        line: { name: `${rental.productName} — ${due.label} (agreement ${rental.number})`, amountCents: due.amountCents },
        saveCard: due.kind === 'first' || !rental.stripePaymentMethodId,
        expiresAt,
        attempt: `${due.amountCents}-${Math.floor(expiresAt.getTime() / 1000)}`,
      });
      await repo.updateRental(this.deps.db, rental.id, { stripe_customer_id: customerId, checkout_session_id: session.id }, now);
      if (due.kind !== 'first') await inst.holdForCheckout(this.deps.db, rental.id, expiresAt);
      return session.url;
    } catch (err) {
      this.deps.logger.warn({ err, rental: rental.number }, 'could not start Stripe Checkout for a rental payment');
      throw new ConflictError('We could not reach our card payment provider. Nothing was charged — please try again in a moment.');
    }
  }

  /**
   * The renter is back from Stripe Checkout: when Stripe says the session is
   * paid, record it now instead of waiting for the webhook (which then finds
   * it recorded). Sessions of other agreements are ignored.
   */
  async confirmSession(rental: repo.RentalRecord, sessionId: string): Promise<void> {
    const gateway = this.deps.gateway;
    if (!gateway || !/^cs_[A-Za-z0-9_]+$/.test(sessionId)) return;
    try {
      const s = await gateway.retrieveSession(sessionId);
      if (s.status !== 'complete' || s.paymentStatus !== 'paid' || !s.paymentIntentId || s.metadata?.rental_id !== String(rental.id)) return;
      const purpose = s.metadata.purpose as RentalPurpose;
      const installmentId = Number(s.metadata.rental_installment_id) || null;
      await inTransaction(this.deps.db, (trx) => this.deps.payments.recordStripeSuccess(trx, { purpose, rentalId: rental.id, installmentId }, s.paymentIntentId!, s.amountTotal ?? 0));
    } catch (err) {
      this.deps.logger.warn({ err, rental: rental.number }, 'could not confirm a rental Checkout session; the webhook will');
    }
  }

  // ------------------------------------------------------------ staff record a payment

  /**
   * Staff record money received by bank transfer for what they chose (the
   * first payment, what is owed, the next installment or the buyout), for the
   * amount the store computes. The reference (bank transfer id) makes a
   * second recording of the same transfer a no-op.
   */
  async recordManualPayment(number: string, input: { kind: PayKind; reference: string }, staff: StaffContext): Promise<{ recorded: boolean; due: Due }> {
    const id = await repo.rentalIdByNumber(this.deps.db, number);
    if (!id) throw new NotFoundError('We could not find that agreement.');
    return inTransaction(this.deps.db, async (trx) => {
      const rental = (await repo.findRental(trx, id, { lock: true }))!;
      const installments = await inst.installmentsOf(trx, id);
      const due = this.dues(rental, installments).find((d) => d.kind === input.kind);
      if (!due) throw new ValidationError(`Nothing of that kind can be paid on ${rental.number} now (it is ${rental.status.replace('_', ' ')}).`, { kind: 'Choose what the transfer pays.' });
      const res = await this.deps.payments.recordPayment(trx, { purpose: due.purpose, rentalId: id, installmentId: due.installmentId }, {
        provider: 'manual',
        providerRef: `rental:${id}:${input.reference.trim()}`,
        amountCents: due.amountCents,
        actor: staff.actor.label,
        note: `Bank transfer ${input.reference.trim()}`,
      });
      if (!res.recorded) throw new ConflictError(`Transfer ${input.reference.trim()} is already recorded on ${rental.number}.`);
      const now = this.deps.clock.now();
      await recordAudit(trx, staff, { action: 'rental.payment', entity: 'rental', entityId: id, after: { kind: due.kind, amountCents: due.amountCents, reference: input.reference.trim() } }, now);
      return { recorded: true, due };
    });
  }

  // ------------------------------------------------------------ payment purposes

  /** Registers the rental purposes on the payments side. */
  register(purposes: PaymentPurposes): void {
    const handler: PurposeHandler<RentalTarget, RentalPayee> = {
      find: (conn, target, { lock }) => this.payee(conn, target, lock),
      paid: (trx, payment, payee) => this.paid(trx, payment, payee),
      failed: (trx, payment, payee) => this.failed(trx, payment, payee),
      paidMany: (trx, payments) => this.installmentsPaidTogether(trx, payments),
      checkoutSession: async (trx, payee, sessionId, now) => {
        if (!payee.rental.checkoutSessionId) await repo.updateRental(trx, payee.rental.id, { checkout_session_id: sessionId }, now);
      },
    };
    for (const purpose of ['installment', 'buyout', 'reinstatement', 'late_fee'] as const) purposes.register(purpose, handler);
  }

  private async payee(conn: Conn, target: RentalTarget, lock: boolean): Promise<RentalPayee | null> {
    const rental = await repo.findRental(conn, target.rentalId, { lock });
    if (!rental) return null;
    const installments = await inst.installmentsOf(conn, rental.id, { lock });
    const due = this.dues(rental, installments).find((d) => d.purpose === target.purpose && (target.installmentId ? d.installmentId === target.installmentId : true));
    const named = target.installmentId ? installments.find((i) => i.id === target.installmentId) : undefined;
    return { rental, installments, currency: this.deps.currency, amountDueCents: due?.amountCents ?? named?.amountCents ?? rental.monthlyCents };
  }

  private async paid(trx: Trx, payment: RecordedPayment, payee: RentalPayee): Promise<void> {
    const { rental } = payee;
    const target = payment.target as RentalTarget;
    const now = payment.at;
    const today = dateOnly(now);
    const actor = payment.actor;
    let paidFor: string;

    if (rental.status === 'pending_payment') {
      await this.activate(trx, rental, payment);
      return;
    } else if (rental.returnedAt && (rental.status === 'returned' || rental.status === 'defaulted') && target.purpose === 'reinstatement') {
      await this.reinstateAfterReturn(trx, rental, payee.installments, payment);
      return;
    } else if (rental.status === 'cancelled' || rental.status === 'owned' || rental.status === 'returned') {
      // Nothing left to pay for: kept on record for staff to give back.
      this.deps.logger.warn({ rental: rental.number, status: rental.status, payment: payment.providerRef }, 'payment for an agreement that needs none: recorded for staff to refund');
      return;
    } else if (target.purpose === 'buyout') {
      await this.settleOwed(trx, payee.installments, today, now);
      await inst.cancelUnpaidInstallments(trx, rental.id, now);
      await this.own(trx, rental, 'buyout', payment);
      return;
    } else if (target.purpose === 'installment' && target.installmentId) {
      const i = payee.installments.find((x) => x.id === target.installmentId);
      // The late fee is paid with it when one is owed and the payment covers both.
      const lateFeePaid = i !== undefined && inst.lateFeeOwed(i) > 0 && payment.amountCents >= i.amountCents + inst.lateFeeOwed(i);
      if (!i || !(await inst.markInstallmentPaid(trx, i.id, { lateFeePaid, now }))) {
        this.deps.logger.warn({ rental: rental.number, installment: target.installmentId }, 'installment already paid: the second payment is kept on record for staff');
        return;
      }
      paidFor = `Payment ${i.seq} of ${rental.termMonths}`;
      // The monthly charge's case: only this installment changed, so the agreement and its schedule are known without reading them again.
      const after = payee.installments.map((x) => (x.id === i.id ? { ...x, status: 'paid' as const, paidAt: now, nextAttemptOn: null, lateFeePaidAt: lateFeePaid ? now : x.lateFeePaidAt } : x));
      if (rental.status === 'active' && after.some((x) => x.status === 'scheduled' || x.status === 'failed')) {
        await this.mailWith(trx, 'rental-receipt', rental, after, { amountCents: payment.amountCents, paidFor, paidOn: today, provider: payment.provider });
        return;
      }
    } else if (target.purpose === 'late_fee' && target.installmentId) {
      await inst.markLateFeePaid(trx, target.installmentId, now);
      paidFor = 'Late fee';
    } else if (target.purpose === 'reinstatement') {
      // Catching up or reinstating: everything due to date, with late fees.
      await this.settleOwed(trx, payee.installments, today, now);
      paidFor = rental.status === 'defaulted' ? 'Reinstatement' : 'Past-due amount';
    } else {
      // A second first payment (two Checkout pages paid): kept on record for staff to give back.
      this.deps.logger.warn({ rental: rental.number, payment: payment.providerRef, purpose: target.purpose }, 'payment that pays nothing on this agreement: recorded for staff to refund');
      return;
    }

    const after = await inst.installmentsOf(trx, rental.id);
    const current = (await repo.findRental(trx, rental.id))!;
    if (after.every((i) => i.status === 'paid' || i.status === 'cancelled')) {
      await this.own(trx, current, 'paid_in_full', payment);
      return;
    }
    if ((current.status === 'past_due' || current.status === 'defaulted') && owedNow(after, today).cents === 0) {
      await rentalMachine.transition(trx, rental.id, 'active', { actor, at: now, note: current.status === 'defaulted' ? 'Reinstated: everything past due paid' : 'Caught up', set: { outcome: null, ended_at: null } });
      if (current.status === 'defaulted') await this.resumeCollecting(trx, current, after, today, now);
    }
    await this.mail(trx, 'rental-receipt', rental.id, { amountCents: payment.amountCents, paidFor, paidOn: today, provider: payment.provider });
  }

  /**
   * A collection batch's payments, applied together where each is an
   * ordinary monthly payment — an active agreement, the installment unpaid
   * with no late fee, not its last — with the same effects paid() has for it
   * (installment paid, receipt and notification) in a handful of statements.
   * Returns the others, which paid() handles one by one.
   */
  private async installmentsPaidTogether(trx: Trx, payments: RecordedPayment[]): Promise<RecordedPayment[]> {
    const targets = payments.map((p) => p.target as RentalTarget);
    const rentals = await repo.findRentals(trx, [...new Set(targets.map((t) => t.rentalId))], { lock: true });
    const schedules = await inst.installmentsOfMany(trx, [...rentals.keys()]);
    const together: Array<{ payment: RecordedPayment; rental: repo.RentalRecord; installment: inst.Installment; schedule: inst.Installment[] }> = [];
    const rest: RecordedPayment[] = [];
    for (const payment of payments) {
      const t = payment.target as RentalTarget;
      const rental = rentals.get(t.rentalId);
      const schedule = schedules.get(t.rentalId) ?? [];
      const installment = schedule.find((i) => i.id === t.installmentId);
      const unpaid = (i: inst.Installment) => i.status === 'scheduled' || i.status === 'failed';
      const ordinary =
        t.purpose === 'installment' && rental?.status === 'active' && installment !== undefined && unpaid(installment) && inst.lateFeeOwed(installment) === 0 &&
        payment.amountCents >= installment.amountCents && schedule.some((i) => i !== installment && unpaid(i)) && !together.some((x) => x.rental.id === t.rentalId);
      if (ordinary) together.push({ payment, rental: rental!, installment: installment!, schedule });
      else rest.push(payment);
    }
    if (together.length === 0) return rest;
    const now = payments[0]!.at;
    if ((await inst.markManyPaid(trx, together.map((x) => x.installment.id), now)) !== together.length) {
      throw new Error('installments changed while a collection batch was recorded; each is recorded on its own instead');
    }
    const renters = await repo.rentersOf(trx, together.map((x) => x.rental.userId));
    const paidOn = dateOnly(now);
    await queueRentalMails(
      trx,
      { clock: this.deps.clock, currency: this.deps.currency },
      together.map(({ payment, rental, installment, schedule }) => {
        installment.status = 'paid';
        installment.paidAt = now;
        return {
          template: 'rental-receipt' as const,
          facts: this.factsOf(rental, renters.get(rental.userId)!, schedule),
          extra: { amountCents: payment.amountCents, paidFor: `Payment ${installment.seq} of ${rental.termMonths}`, paidOn, provider: payment.provider },
        };
      }),
    );
    return rest;
  }

  /** The first payment: the agreement runs, its schedule is written, the unit goes out on rent, the renter gets the signed copy and a receipt. */
  private async activate(trx: Trx, rental: repo.RentalRecord, payment: RecordedPayment): Promise<void> {
    const now = payment.at;
    const collect = payment.provider === 'stripe';
    const rows = installmentDueDates(rental.startOn!, rental.termMonths).map((dueOn, i) => ({ seq: i + 1, dueOn, amountCents: rental.monthlyCents }));
    await inst.insertInstallments(trx, rental.id, rows, { collect, now });
    const [first] = await inst.installmentsOf(trx, rental.id);
    await inst.markInstallmentPaid(trx, first!.id, { lateFeePaid: false, now });
    await payRepo.setPaymentInstallment(trx, payment.id, first!.id);
    await rentalMachine.transition(trx, rental.id, 'active', {
      actor: payment.actor,
      at: now,
      note: `First payment received (${payment.provider})`,
      set: { pending_key: null, provider: collect ? 'stripe' : 'manual' },
    });
    await moveRentalUnit(trx, rental.id, 'rented', { actor: { userId: null, label: payment.actor }, now, note: `Rental ${rental.number} started` });
    await this.mail(trx, 'rental-signed', rental.id, {
      agreementText: rental.agreementText,
      signedAt: rental.signedAt?.toISOString() ?? null,
      agreementSha256: rental.agreementSha256,
      pdfPath: `/account/rentals/${rental.number}/agreement.pdf`,
    });
    await this.mail(trx, 'rental-receipt', rental.id, { amountCents: payment.amountCents, paidFor: `Payment 1 of ${rental.termMonths}`, paidOn: dateOnly(now), provider: payment.provider });
  }

  /**
   * Taken up again after a return: what was past due at the return is
   * settled, the payments still to make are scheduled monthly from today (the
   * first of them paid now), and a unit of the device goes out again — staff
   * assign one by hand when none is in stock.
   */
  private async reinstateAfterReturn(trx: Trx, rental: repo.RentalRecord, installments: readonly inst.Installment[], payment: RecordedPayment): Promise<void> {
    const now = payment.at;
    const today = dateOnly(now);
    await this.settleOwed(trx, installments, dateOnly(rental.returnedAt!), now);
    const left = (await inst.installmentsOf(trx, rental.id)).filter((i) => i.status !== 'paid');
    const collect = rental.provider === 'stripe';
    for (const [k, i] of left.entries()) {
      const dueOn = addMonthsClamped(today, k);
      await trx('rental_installments').where({ id: i.id }).update({
        due_on: dueOn,
        status: k === 0 ? 'paid' : 'scheduled',
        paid_at: k === 0 ? toDbTime(now) : null,
        attempts: 0,
        next_attempt_on: k === 0 || !collect ? null : dueOn,
        updated_at: toDbTime(now),
      });
    }
    await rentalMachine.transition(trx, rental.id, 'active', { actor: payment.actor, at: now, note: 'Reinstated after the return; earlier payments credited', set: { outcome: null, ended_at: null } });
    const unit = await reserveForRental(trx, rental.productId, rental.id, { actor: { userId: null, label: payment.actor }, now, note: `Rental ${rental.number} reinstated` });
    if (unit) {
      await repo.updateRental(trx, rental.id, { inventory_unit_id: unit.id }, now);
      await moveRentalUnit(trx, rental.id, 'rented', { actor: { userId: null, label: payment.actor }, now, note: `Rental ${rental.number} reinstated` });
    } else {
      this.deps.logger.warn({ rental: rental.number }, 'reinstated agreement waits for a unit: none in stock');
    }
    await this.mail(trx, 'rental-receipt', rental.id, { amountCents: payment.amountCents, paidFor: 'Reinstatement', paidOn: today, provider: payment.provider });
  }

  /** Marks everything due to date paid, with its late fees. */
  private async settleOwed(trx: Trx, installments: readonly inst.Installment[], today: DateOnly, now: Date): Promise<void> {
    const owed = owedNow(installments, today);
    for (const i of owed.installments) await inst.markInstallmentPaid(trx, i.id, { lateFeePaid: true, now });
    for (const i of installments) if (i.status === 'paid' && inst.lateFeeOwed(i) > 0) await inst.markLateFeePaid(trx, i.id, now);
  }

  /** After a reinstatement the saved card is charged again from the next due date. */
  private async resumeCollecting(trx: Trx, rental: repo.RentalRecord, installments: readonly inst.Installment[], today: DateOnly, now: Date): Promise<void> {
    if (rental.provider !== 'stripe') return;
    for (const i of installments) {
      if (i.status === 'scheduled' && i.dueOn > today) await trx('rental_installments').where({ id: i.id }).update({ next_attempt_on: i.dueOn, updated_at: toDbTime(now) });
    }
  }

  /** Last payment or buyout: the device is the renter's. */
  private async own(trx: Trx, rental: repo.RentalRecord, how: 'paid_in_full' | 'buyout', payment: RecordedPayment): Promise<void> {
    const now = payment.at;
    await rentalMachine.transition(trx, rental.id, 'owned', {
      actor: payment.actor,
      at: now,
      note: how === 'buyout' ? `Bought out for ${formatMoney(payment.amountCents, this.deps.currency)}` : 'Last payment received',
      set: { outcome: outcomeOf('owned'), ended_at: toDbTime(now) },
    });
    await inst.stopCollecting(trx, rental.id, now);
    await moveRentalUnit(trx, rental.id, 'sold', { actor: { userId: null, label: payment.actor }, now, note: `Rental ${rental.number} owned` });
    await this.mail(trx, 'rental-receipt', rental.id, { amountCents: payment.amountCents, paidFor: how === 'buyout' ? 'Early purchase' : `Payment ${rental.termMonths} of ${rental.termMonths}`, paidOn: dateOnly(now), provider: payment.provider });
    await this.mail(trx, 'rental-owned', rental.id, { how, amountCents: payment.amountCents });
  }

  /**
   * An attempt to charge an installment failed (the collector, or Stripe's
   * payment_intent.payment_failed, whichever comes first): counted, the next
   * attempt set to the next retry day, the agreement past due, the renter told
   * with a link to pay (and that the bank wants them to confirm, when it does).
   */
  private async failed(trx: Trx, payment: RecordedPayment, payee: RentalPayee | null): Promise<void> {
    const target = payment.target as RentalTarget;
    if (!payee || target.purpose !== 'installment' || !target.installmentId) return;
    const { rental } = payee;
    const i = payee.installments.find((x) => x.id === target.installmentId);
    if (!i || (i.status !== 'scheduled' && i.status !== 'failed') || !HOLDING.includes(rental.status)) return;
    const now = payment.at;
    const today = dateOnly(now);
    const nextAttemptOn = rental.provider === 'stripe' ? (collectionDates(rental.policy, i.dueOn).find((d) => d > today) ?? null) : null;
    const code = (await payRepo.findPaymentById(trx, payment.id))?.failureCode ?? null;
    await inst.recordAttemptFailed(trx, i.id, { attempts: i.attempts + 1, code, nextAttemptOn, now });
    if (rental.status === 'active') await rentalMachine.transition(trx, rental.id, 'past_due', { actor: payment.actor, at: now, note: `Payment ${i.seq} failed${code ? ` (${code})` : ''}` });
    await this.mail(trx, 'rental-payment-failed', rental.id, {
      amountCents: i.amountCents,
      dueOn: i.dueOn,
      reason: failureReason(code),
      authenticationRequired: code === 'authentication_required',
      payPath: `/account/rentals/${rental.number}`,
      nextRetryOn: nextAttemptOn,
      lateFeeFromOn: lateFeeFromOn(rental.policy, i.dueOn),
    }, `rental-failed:${i.id}:${i.attempts + 1}`);
  }

  // ------------------------------------------------------------ e-mail

  /** Queues a rental e-mail with the agreement's figures as of now, in the caller's transaction. */
  async mail(conn: Conn, template: RentalMail, rentalId: number, extra: Record<string, unknown> = {}, uniqueKey?: string): Promise<void> {
    const facts = await this.mailFacts(conn, rentalId);
    await queueRentalMail(conn, { clock: this.deps.clock, currency: this.deps.currency }, template, facts, extra, uniqueKey ? { uniqueKey } : undefined);
  }

  /** mail(), for a caller that holds the agreement and its installments as they now are (saves reading them again). */
  private async mailWith(conn: Conn, template: RentalMail, rental: repo.RentalRecord, installments: readonly inst.Installment[], extra: Record<string, unknown>): Promise<void> {
    const facts = this.factsOf(rental, await repo.renterOf(conn, rental.userId), installments);
    await queueRentalMail(conn, { clock: this.deps.clock, currency: this.deps.currency }, template, facts, extra);
  }

  async mailFacts(conn: Conn, rentalId: number): Promise<RentalMailFacts> {
    const rental = (await repo.findRental(conn, rentalId))!;
    const renter = await repo.renterOf(conn, rental.userId);
    return this.factsOf(rental, renter, await inst.installmentsOf(conn, rental.id));
  }

  private factsOf(rental: repo.RentalRecord, renter: { email: string; firstName: string }, installments: readonly inst.Installment[]): RentalMailFacts {
    const statement = rental.startOn && installments.length > 0 ? statementOn(termsOf(rental), inst.installmentStates(installments), this.deps.clock.now()) : null;
    const open = !outcomeOf(rental.status);
    return {
      number: rental.number,
      userId: rental.userId,
      firstName: renter.firstName,
      email: renter.email,
      productName: rental.productName,
      serialNumber: rental.serialNumber,
      termMonths: rental.termMonths,
      monthlyCents: rental.monthlyCents,
      cashPriceCents: rental.cashPriceCents,
      totalCents: rental.totalCents,
      paymentsMade: statement?.paymentsMade ?? 0,
      paidCents: statement?.paidCents ?? 0,
      remainingCents: statement?.remainingCents ?? rental.totalCents,
      earlyPurchaseCents: open ? (statement?.earlyPurchase?.cents ?? null) : null,
      earlyPurchaseUntil: open ? (statement?.earlyPurchase?.firstPeriodPriceUntil ?? null) : null,
      nextDueOn: open ? (statement?.next?.dueOn ?? null) : null,
      nextAmountCents: open ? (statement?.next?.amountCents ?? null) : null,
    };
  }
}

/** A decline code in words for the renter. */
export function failureReason(code: string | null): string {
  switch (code) {
    case 'authentication_required':
      return 'Your bank asks you to confirm this payment yourself.';
    case 'insufficient_funds':
      return 'The card did not have enough funds.';
    case 'expired_card':
      return 'The card on file has expired.';
    default:
      return 'The card was declined.';
  }
}

/** When a signed, unpaid agreement lets its unit go: FIRST_PAYMENT_HOLD_DAYS after signing. */
export function firstPaymentDeadline(signedOn: DateOnly): DateOnly {
  return addDays(signedOn, FIRST_PAYMENT_HOLD_DAYS);
}
