import type { Router } from 'express';
import type { z } from 'zod';
import type { AppContext } from '../app';
import { setFlash } from '../http/flash';
import { formPage, validate } from '../http/validate';
import { creditBalance, creditEntries } from '../payments/store-credit';
import { ORDER_STATUS_LABELS } from '../orders/transitions';
import { queryString, staffContext } from './context';
import { CreditInput, CustomerListQuery, CustomerParams, NoInput, NoteInput } from './schemas';

const PER_PAGE = 50;

/** /admin/customers: find a customer; their orders, credit ledger and notes; credit adjustments; disable or enable. */
export function customerRoutes(router: Router, ctx: AppContext): void {
  const { accounts, orders, payments, db } = ctx;
  const notFound = 'We could not find that customer.';

  const list = validate({ query: CustomerListQuery });
  router.get('/customers', list, async (req, res) => {
    const q = list.query(req);
    const { customers, total } = await accounts.listCustomers(q.q ?? null, q.page, PER_PAGE);
    res.render('admin/customers', { title: 'Customers', noindex: true, customers, total, page: q.page, pages: Math.max(1, Math.ceil(total / PER_PAGE)), filters: q, query: queryString({ q: q.q }) });
  });

  const page = formPage({
    view: 'admin/customer',
    keep: ['amount', 'reason', 'body'],
    showRefusals: true,
    locals: async (req) => {
      const id = CustomerParams.parse(req.params).id;
      const { customer, notes } = await accounts.customer(id);
      const [orderList, balanceCents, ledger] = await Promise.all([orders.listForCustomer(id, 1), creditBalance(db, id), creditEntries(db, id)]);
      return { title: `${customer.firstName} ${customer.lastName}`.trim() || customer.email, noindex: true, customer, notes, orders: orderList.orders, orderCount: orderList.total, balanceCents, ledger, statusLabels: ORDER_STATUS_LABELS };
    },
  });
  const viewed = validate({ params: CustomerParams }, { notFound });
  router.get('/customers/:id', viewed, (req, res) => page.render(req, res));

  const action = <S extends z.ZodType>(path: string, body: S, run: (userId: number, input: z.output<S>, by: ReturnType<typeof staffContext>) => Promise<unknown>, done: string) => {
    const v = validate({ params: CustomerParams, body }, { form: page, notFound });
    router.post(`/customers/:id/${path}`, v, page.submit(async (req, res) => {
      const { id } = v.params(req);
      await accounts.customer(id); // 404 before anything else
      await run(id, v.body(req) as z.output<S>, staffContext(req));
      setFlash(res, 'success', done);
      res.redirect(303, `/admin/customers/${id}`);
    }));
  };

  action('credit', CreditInput, (id, input, by) => payments.adjustCredit(id, input.amount, input.reason, by), 'Store credit adjusted; the reason is on the ledger.');
  action('notes', NoteInput, (id, input, by) => accounts.addNote(id, input.body, by), 'Note added.');
  action('disable', NoInput, (id, _input, by) => accounts.setDisabled(id, true, by), 'Account disabled and signed out everywhere.');
  action('enable', NoInput, (id, _input, by) => accounts.setDisabled(id, false, by), 'Account enabled: the customer can log in again.');
}
