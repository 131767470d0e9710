import type { Request, Router } from 'express';
import type { z } from 'zod';
import type { AppContext } from '../app';
import type { StaffContext } from '../audit/repo';
import { stateHistory } from '../db/state-machine';
import { NotFoundError } from '../http/errors';
import { setFlash } from '../http/flash';
import { formPage, validate } from '../http/validate';
import { dateOnly } from '../lib/dates';
import { formatMoney } from '../lib/money';
import { rentalPayments } from '../payments/repo';
import { nextUnpaid } from '../rentals/installments';
import * as rentalRepo from '../rentals/repo';
import { defaultAllowedFrom } from '../rentals/schedule';
import { RentalParams } from '../rentals/schemas';
import { RENTAL_STATUSES, RENTAL_STATUS_LABELS } from '../rentals/transitions';
import { queryString, staffContext } from './context';
import { AssignUnitInput, NoInput, RENTAL_DUE_FILTERS, RentalListQuery, RentalPaymentInput, RentalWaiveParams, WaiveLateFeeInput } from './schemas';

const PER_PAGE = 50;

/**
 * /admin/rentals: every rent-to-own agreement, filtered by status and by
 * payments overdue or due this week; each one with its agreement, signature
 * record, standing, schedule, payments and history, and the staff actions
 * its state allows: record a bank transfer, waive a late fee, assign or
 * replace the unit, receive the return, default it.
 */
export function rentalAdminRoutes(router: Router, ctx: AppContext): void {
  const { db, rentalBilling: billing, rentalDesk: desk } = ctx;
  const notFound = 'We could not find that agreement.';

  const list = validate({ query: RentalListQuery });
  router.get('/rentals', list, async (req, res) => {
    const q = list.query(req);
    const today = dateOnly(ctx.clock.now());
    const { rentals, total } = await rentalRepo.listRentalsForStaff(db, { status: q.status ?? null, q: q.q ?? null, due: q.due ? { what: q.due, today } : null }, q.page, PER_PAGE);
    res.render('admin/rentals', {
      title: 'Rentals', noindex: true, rentals, total, page: q.page, pages: Math.max(1, Math.ceil(total / PER_PAGE)), filters: q,
      query: queryString({ status: q.status, due: q.due, q: q.q }), statuses: RENTAL_STATUSES, statusLabels: RENTAL_STATUS_LABELS, dueFilters: RENTAL_DUE_FILTERS,
      nextDue: await nextUnpaid(db, rentals.map((r) => r.id)), today,
    });
  });

  const rentalPage = formPage({
    view: 'admin/rental',
    keep: ['kind', 'reference', 'reason', 'serial'],
    showRefusals: true,
    locals: async (req) => {
      const rental = await rentalRepo.rentalForStaff(db, RentalParams.parse(req.params).number);
      if (!rental) throw new NotFoundError(notFound);
      const money = await billing.overview(rental);
      const oldest = money.statement?.pastDue.oldestDueOn ?? null;
      return {
        title: `Agreement ${rental.number}`,
        noindex: true,
        rental,
        ...money,
        payments: await rentalPayments(db, rental.id),
        serials: rental.status === 'pending_payment' || rental.status === 'active' || rental.status === 'past_due' ? await desk.inStockSerials(rental.productId) : [],
        defaultFrom: rental.status === 'past_due' && oldest ? defaultAllowedFrom(rental.policy, oldest) : null,
        // The waive form that was sent, so a refusal shows its reason field's message on that form only.
        waiving: Number(req.params.installmentId) || null,
        history: await stateHistory(db, 'rental', rental.id),
        statusLabels: RENTAL_STATUS_LABELS,
      };
    },
  });

  const shown = validate({ params: RentalParams }, { notFound });
  router.get('/rentals/:number', shown, (req, res) => rentalPage.render(req, res));

  /** An agreement action: validate, run it as this staff member, then back to the agreement with a message. */
  const action = <P extends z.ZodType, S extends z.ZodType>(
    path: string,
    params: P,
    body: S,
    run: (p: z.output<P> & { number: string }, input: z.output<S>, by: StaffContext) => Promise<string>,
  ) => {
    const v = validate({ params, body }, { form: rentalPage, notFound });
    router.post(`/rentals/:number/${path}`, v, rentalPage.submit(async (req: Request, res) => {
      const p = v.params(req) as z.output<P> & { number: string };
      setFlash(res, 'success', await run(p, v.body(req) as z.output<S>, staffContext(req)));
      res.redirect(303, `/admin/rentals/${p.number}`);
    }));
  };

  action('payments', RentalParams, RentalPaymentInput, async ({ number }, input, by) => {
    const { due } = await billing.recordManualPayment(number, input, by);
    return `Bank transfer ${input.reference} recorded on ${number}: ${due.label}, ${formatMoney(due.amountCents, ctx.config.currency)}.`;
  });
  action('return-received', RentalParams, NoInput, async ({ number }, _input, by) => {
    await ctx.rentalReturns.received(number, by);
    return `The device of ${number} is received back; the unit goes to refurbishing and the renter is e-mailed.`;
  });
  action('default', RentalParams, NoInput, async ({ number }, _input, by) => {
    await desk.markDefaulted(number, by);
    return `${number} is defaulted; nothing more is charged automatically.`;
  });
  action('late-fees/:installmentId/waive', RentalWaiveParams, WaiveLateFeeInput, async ({ number, installmentId }, input, by) => {
    await desk.waiveLateFee(number, installmentId, input.reason, by);
    return `The late fee on ${number} is waived.`;
  });
  action('unit', RentalParams, AssignUnitInput, async ({ number }, input, by) => {
    const { serial, replaced } = await desk.assignUnit(number, input.serial, by);
    return replaced ? `Unit ${serial} replaces ${replaced} on ${number}.` : `Unit ${serial} is assigned to ${number}.`;
  });
}
