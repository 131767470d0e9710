import type { Request, Router } from 'express';
import type { z } from 'zod';
import type { AppContext } from '../app';
import type { StaffContext } from '../audit/repo';
import { AppError, NotFoundError } from '../http/errors';
import { setFlash } from '../http/flash';
import { formPage, validate } from '../http/validate';
import { heldSerials } from '../inventory/repo';
import { ORDER_STATUS_LABELS, ORDER_STATUSES, orderMachine } from '../orders/transitions';
import { PAYMENT_STATUSES } from '../payments/status';
import { queryString, staffContext } from './context';
import { BULK_ACTIONS, BulkInput, CancelInput, dayStart, MarkPaidInput, NoInput, OrderListQuery, OrderParams, PackingSlipsQuery, RefundInput, ShipInput } from './schemas';

const PER_PAGE = 50;

/**
 * /admin/orders: the list with filters; each order with the actions its
 * state allows; bulk actions; packing slips.
 */
export function orderRoutes(router: Router, ctx: AppContext): void {
  const { orders, db } = ctx;
  const notFound = 'We could not find that order.';

  const list = validate({ query: OrderListQuery });
  router.get('/orders', list, async (req, res) => {
    const q = list.query(req);
    const found = await orders.listForStaff(
      { status: q.status ?? null, paymentStatus: q.payment_status ?? null, q: q.q ?? null, from: dayStart(q.from), to: dayStart(q.to, 1) },
      q.page,
      PER_PAGE,
    );
    const query = queryString({ status: q.status, payment_status: q.payment_status, q: q.q, from: q.from, to: q.to });
    res.render('admin/orders', {
      title: 'Orders', noindex: true, bulkActions: BULK_ACTIONS, ...found, filters: q, query, statuses: ORDER_STATUSES, paymentStatuses: PAYMENT_STATUSES, statusLabels: ORDER_STATUS_LABELS,
    });
  });

  const orderPage = formPage({
    view: 'admin/order',
    keep: ['reference', 'carrier', 'tracking_number', 'serials', 'reason', 'refund_to', 'amount', 'destination', 'note'],
    showRefusals: true,
    locals: async (req, _res, values) => {
      const order = await orders.byNumber(OrderParams.parse(req.params).number);
      if (!order) throw new NotFoundError(notFound);
      const details = await orders.details(order.id);
      const held = await heldSerials(db, order.id);
      const proposed = details.items.flatMap((i) => (held.get(i.productId) ?? []).slice(0, i.quantity));
      return {
        title: `Order ${order.number}`,
        noindex: true,
        ...details,
        statusLabels: ORDER_STATUS_LABELS,
        can: (to: string) => orderMachine.can(order.status, to as never),
        refundableCents: await orders.refundableCents(order.id),
        values: { serials: proposed.join('\n'), ...values },
      };
    },
  });
  const numbered = validate({ params: OrderParams }, { notFound });
  /** The order named in the path, or a 404. */
  const orderOf = async (req: Request) => {
    const order = await orders.byNumber(OrderParams.parse(req.params).number);
    if (!order) throw new NotFoundError(notFound);
    return order;
  };

  /** Printable packing slips for one or many orders (?numbers=GG-1&numbers=GG-2). */
  const slips = validate({ query: PackingSlipsQuery });
  router.get('/orders/packing-slips', slips, async (req, res) => {
    const found = [];
    for (const number of slips.query(req).numbers) {
      const order = await orders.byNumber(number);
      if (order) found.push(await orders.details(order.id));
    }
    if (!found.length) throw new NotFoundError('None of those orders exist.');
    res.render('admin/packing-slips', { title: found.length === 1 ? `Packing slip ${found[0]!.order.number}` : `${found.length} packing slips`, noindex: true, slips: found, store: res.locals.store, storeInfo: await ctx.settings.get('store') });
  });

  // The page's locals read the order (a 404 when there is none).
  router.get('/orders/:number', numbered, (req, res) => orderPage.render(req, res));

  /** An order action: validate, run it as this staff member, then back to the order with a message. */
  const action = <S extends z.ZodType>(path: string, body: S, run: (orderId: number, input: z.output<S>, by: StaffContext) => Promise<unknown>, done: string) => {
    const v = validate({ params: OrderParams, body }, { form: orderPage, notFound });
    router.post(`/orders/:number/${path}`, v, orderPage.submit(async (req, res) => {
      const order = await orderOf(req);
      await run(order.id, v.body(req) as z.output<S>, staffContext(req));
      setFlash(res, 'success', done.replace('{number}', order.number));
      res.redirect(303, `/admin/orders/${order.number}`);
    }));
  };

  action('mark-paid', MarkPaidInput, (id, input, by) => orders.markOrderPaid(id, { by, reference: input.reference }), 'Order {number} is marked paid; the customer has been e-mailed.');
  action('processing', NoInput, (id, _input, by) => orders.startProcessing(id, by), 'Order {number} is being prepared.');
  action('ship', ShipInput, (id, input, by) => orders.shipOrder(id, { carrier: input.carrier, trackingNumber: input.tracking_number, serials: input.serials }, by), 'Order {number} is shipped; the customer has the tracking number.');
  action('deliver', NoInput, (id, _input, by) => orders.markDelivered(id, by), 'Order {number} is marked delivered.');
  action('refunds', RefundInput, (id, input, by) => orders.refundOrderAmount(id, { amountCents: input.amount, refundTo: input.destination, reason: input.note }, by), 'The refund for order {number} is recorded; the customer is e-mailed when it is through.');
  action('cancel', CancelInput, (id, input, by) => orders.cancelOrder(id, { actor: by.actor, ip: by.ip, audited: true, reason: input.reason, refundTo: input.refund_to }), 'Order {number} is cancelled; its units are back in stock.');

  /** Many orders at once: each gets the same action; the page lists what happened to each. */
  const bulk = validate({ body: BulkInput });
  router.post('/orders/bulk', bulk, async (req, res) => {
    const { bulk_action: what, numbers } = bulk.body(req);
    const by = staffContext(req);
    const run = {
      'mark-paid': (id: number) => orders.markOrderPaid(id, { by }),
      processing: (id: number) => orders.startProcessing(id, by),
      deliver: (id: number) => orders.markDelivered(id, by),
    }[what];
    const results: Array<{ number: string; ok: boolean; message: string }> = [];
    for (const number of numbers) {
      const order = await orders.byNumber(number);
      if (!order) {
        results.push({ number, ok: false, message: 'No such order.' });
        continue;
      }
      try {
        const after = await run(order.id);
        results.push({ number, ok: true, message: `Now ${ORDER_STATUS_LABELS[after.status].toLowerCase()}.` });
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        results.push({ number, ok: false, message: err.message });
      }
    }
    res.render('admin/bulk-result', { title: `${BULK_ACTIONS[what]}: results`, noindex: true, actionLabel: BULK_ACTIONS[what], results });
  });

}
