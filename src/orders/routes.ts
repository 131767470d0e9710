import { Router, type Request } from 'express';
import type { Config } from '../config';
import { ConflictError, NotFoundError, UnauthorizedError } from '../http/errors';
import { setFlash } from '../http/flash';
import { validate } from '../http/validate';
import { CancelInput, OrderListQuery, OrderParams } from './schemas';
import { manualPaymentDetails } from './manual-payment';
import type { SettingsService } from '../settings/service';
import { PaymentStartError, type PaymentService } from '../payments/service';
import { confirmationPath, hasOrderAccess, orderAccessKey } from './access';
import type { OrderService } from './service';
import { ORDER_STATUS_LABELS } from './transitions';


export interface OrderRouteDeps {
  orders: OrderService;
  payments: PaymentService;
  settings: SettingsService;
  config: Pick<Config, 'secrets'>;
}

/**
 * GET /orders/:number/confirmation (the shopper's own: signed in, or the
 * keyed link) with POST /orders/:number/pay to (re)open Stripe; the account
 * pages /account/orders, /account/orders/:number and POST …/cancel.
 */
export function orderRoutes(deps: OrderRouteDeps): Router {
  const { orders, payments, config } = deps;
  const secret = config.secrets.cookie;
  const router = Router();

  const notFound = 'We could not find that order.';
  const numbered = validate({ params: OrderParams }, { notFound });
  const listed = validate({ query: OrderListQuery });
  const cancel = validate({ params: OrderParams, body: CancelInput }, { notFound });

  /** The order the request may see: owner, keyed link, or the Stripe session returning to us. */
  const accessible = async (req: Request) => {
    const order = await orders.byNumber(numbered.params(req).number);
    const key = req.query.key ?? (req.body as Record<string, unknown> | undefined)?.key;
    const sessionId = req.query.session_id;
    const ok =
      order &&
      (hasOrderAccess(order, { userId: req.user?.id ?? null, key }, secret) ||
        (typeof sessionId === 'string' && order.checkoutSessionId !== null && sessionId === order.checkoutSessionId));
    if (!order || !ok) throw new NotFoundError(notFound);
    return order;
  };

  router.get('/orders/:number/confirmation', numbered, async (req, res) => {
    const order = await accessible(req);
    const details = await orders.details(order.id);
    res.render('orders/confirmation', {
      title: `Order ${order.number}`,
      noindex: true,
      ...details,
      statusLabels: ORDER_STATUS_LABELS,
      accessKey: orderAccessKey(order.number, secret),
      paymentCancelled: req.query.payment === 'cancelled',
      returnedFromStripe: typeof req.query.session_id === 'string',
      stripeEnabled: payments.stripeEnabled,
      manualPayment: await manualPaymentDetails(deps.settings),
    });
  });

  router.post('/orders/:number/pay', numbered, async (req, res) => {
    const order = await accessible(req);
    const back = confirmationPath(order, secret);
    try {
      const url = await payments.checkoutUrl(order.id);
      if (url) return res.redirect(303, url);
    } catch (err) {
      if (!(err instanceof PaymentStartError)) throw err;
      setFlash(res, 'error', err.message);
    }
    res.redirect(303, back);
  });

  const me = (req: Request) => {
    if (!req.user) throw new UnauthorizedError();
    return req.user;
  };

  router.get('/account/orders', listed, async (req, res) => {
    const list = await orders.listForCustomer(me(req).id, listed.query(req).page);
    res.render('orders/list', { title: 'Your orders', noindex: true, ...list, statusLabels: ORDER_STATUS_LABELS });
  });

  router.get('/account/orders/:number', numbered, async (req, res) => {
    const details = await orders.forCustomer(me(req).id, numbered.params(req).number);
    res.render('orders/show', { title: `Order ${details.order.number}`, noindex: true, ...details, statusLabels: ORDER_STATUS_LABELS, manualPayment: await manualPaymentDetails(deps.settings) });
  });

  router.post('/account/orders/:number/cancel', cancel, async (req, res) => {
    const user = me(req);
    const { order } = await orders.forCustomer(user.id, cancel.params(req).number);
    const input = cancel.body(req);
    try {
      await orders.cancelOrder(order.id, { actor: { userId: user.id, label: `user:${user.id}` }, reason: 'Cancelled by the customer', refundTo: input.refund_to });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      setFlash(res, 'error', err.message);
      return res.redirect(303, `/account/orders/${order.number}`);
    }
    setFlash(res, 'success', `Order ${order.number} was cancelled.${order.paymentStatus === 'unpaid' && order.storeCreditCents === 0 ? '' : ' Your refund is on its way; we have e-mailed you the details.'}`);
    res.redirect(303, `/account/orders/${order.number}`);
  });

  return router;
}
