import type { Router } from 'express';
import type { AppContext } from '../app';
import { stateHistory } from '../db/state-machine';
import { NotFoundError } from '../http/errors';
import { validate } from '../http/validate';
import * as rentalRepo from '../rentals/repo';
import { RentalParams } from '../rentals/schemas';
import { RENTAL_STATUSES, RENTAL_STATUS_LABELS } from '../rentals/transitions';
import { queryString } from './context';
import { RentalListQuery } from './schemas';

const PER_PAGE = 50;

/**
 * /admin/rentals: every rent-to-own agreement with its status, and each one
 * with its agreement text, signature record and history. Staff actions on
 * agreements (payments, returns, defaults) come with the payment slice.
 */
export function rentalAdminRoutes(router: Router, ctx: AppContext): void {
  const list = validate({ query: RentalListQuery });
  router.get('/rentals', list, async (req, res) => {
    const q = list.query(req);
    const { rentals, total } = await rentalRepo.listRentalsForStaff(ctx.db, { status: q.status ?? null, q: q.q ?? null }, q.page, PER_PAGE);
    res.render('admin/rentals', {
      title: 'Rentals', noindex: true, rentals, total, page: q.page, pages: Math.max(1, Math.ceil(total / PER_PAGE)), filters: q,
      query: queryString({ status: q.status, q: q.q }), statuses: RENTAL_STATUSES, statusLabels: RENTAL_STATUS_LABELS,
    });
  });

  const shown = validate({ params: RentalParams }, { notFound: 'We could not find that agreement.' });
  router.get('/rentals/:number', shown, async (req, res) => {
    const rental = await rentalRepo.rentalForStaff(ctx.db, shown.params(req).number);
    if (!rental) throw new NotFoundError('We could not find that agreement.');
    res.render('admin/rental', { title: `Agreement ${rental.number}`, noindex: true, rental, history: await stateHistory(ctx.db, 'rental', rental.id), statusLabels: RENTAL_STATUS_LABELS });
  });
}
