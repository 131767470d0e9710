import { Router, type Request, type Response } from 'express';
import type { Config } from '../config';
import type { Db } from '../db';
import { MINUTE } from '../lib/clock';
import { AppError, ValidationError } from '../http/errors';
import { toAppError } from '../http/error-handler';
import { setFlash } from '../http/flash';
import { rateLimit } from '../http/rate-limit';
import { cartOwner, guestToken } from '../cart/cookie';
import { confirmationPath } from '../orders/access';
import { PaymentStartError, type PaymentService } from '../payments/service';
import * as repo from './repo';
import { US_STATES } from './regions';
import { CheckoutForm, SHIP_COUNTRIES } from './schemas';
import type { CheckoutService, Shopper } from './service';

const FIELDS = ['email', 'first_name', 'last_name', 'line1', 'line2', 'city', 'region', 'postal_code', 'country', 'phone', 'shipping_method', 'use_store_credit', 'payment_method'];

export interface CheckoutRouteDeps {
  db: Db;
  checkout: CheckoutService;
  payments: PaymentService;
  config: Pick<Config, 'isProduction' | 'secrets'>;
}

function shopperOf(req: Request): Shopper {
  return { user: req.user ?? null, cart: cartOwner(req) };
}

/** The submitted values to show again (strings only). */
function keep(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of FIELDS) if (typeof body[f] === 'string') out[f] = (body[f] as string).slice(0, 300);
  return out;
}

/**
 * GET /checkout shows the form with the order review; POST /checkout places
 * the order (or, with intent=review, only recomputes the totals). Refusals
 * (bad input, sold out, price changed, promo no longer valid) render the page
 * again with the reason and write nothing.
 */
export function checkoutRoutes(deps: CheckoutRouteDeps): Router {
  const { checkout, payments, config } = deps;
  const router = Router();
  // Per cart (or account): retries are fine, hammering is not. Many shoppers behind one address are not punished.
  const limit = rateLimit({
    windowMs: 10 * MINUTE,
    limit: 20,
    key: (req) => {
      if ((req.body as Record<string, unknown> | undefined)?.intent === 'review') return undefined; // recalculating places nothing
      return req.user ? `user:${req.user.id}` : guestToken(req) ? `cart:${guestToken(req)}` : `ip:${req.ip}`;
    },
    message: 'Too many checkout attempts for this cart.',
  });

  const render = async (req: Request, res: Response, values: Record<string, string>, status = 200, formError: string | null = null, errors: Record<string, string> = {}) => {
    const shopper = shopperOf(req);
    const summary = await checkout.summary(shopper, {
      shippingMethod: values.shipping_method,
      region: values.region,
      useStoreCredit: Boolean(values.use_store_credit),
    });
    const addresses = req.user ? await repo.savedAddresses(deps.db, req.user.id) : [];
    res.status(status).render('checkout/show', {
      title: 'Checkout',
      noindex: true,
      summary,
      values: { ...values, shipping_method: summary.shippingMethod.code, payment_method: values.payment_method ?? summary.paymentMethods[0] },
      errors,
      formError,
      addresses,
      regions: US_STATES,
      countries: SHIP_COUNTRIES,
    });
  };

  router.get('/checkout', async (req, res) => {
    const view = await checkout.summary(shopperOf(req), {});
    if (view.cart.lines.length === 0) {
      setFlash(res, 'info', 'Your cart is empty. Add something before checking out.');
      return res.redirect(303, '/cart');
    }
    const values: Record<string, string> = { country: 'US' };
    if (req.user) {
      const addresses = await repo.savedAddresses(deps.db, req.user.id);
      const wanted = Number(req.query.address);
      const a = addresses.find((x) => x.id === wanted) ?? addresses.find((x) => x.isDefault) ?? addresses[0];
      if (a) {
        Object.assign(values, {
          first_name: a.firstName, last_name: a.lastName, line1: a.line1, line2: a.line2 ?? '', city: a.city,
          region: a.region, postal_code: a.postalCode, country: a.country, phone: a.phone ?? '',
        });
      } else {
        Object.assign(values, { first_name: req.user.firstName, last_name: req.user.lastName });
      }
    }
    await render(req, res, values);
  });

  router.post('/checkout', limit, async (req, res, next) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = keep(body);
    if (body.intent === 'review') return render(req, res, values);

    const parsed = CheckoutForm.safeParse(body);
    const guestWithoutEmail = !req.user && !(parsed.success ? parsed.data.email : values.email?.trim());
    if (!parsed.success || guestWithoutEmail) {
      const fields = parsed.success ? {} : (toAppError(parsed.error) as ValidationError).fields;
      if (guestWithoutEmail) fields.email ??= 'Enter your e-mail address so we can send your receipt.';
      return render(req, res, values, 422, 'Please check the highlighted fields.', fields);
    }
    let placed;
    try {
      placed = await checkout.placeOrder(shopperOf(req), parsed.data);
    } catch (err) {
      const e = toAppError(err);
      if (e instanceof AppError && e.status < 500) {
        return render(req, res, values, e.status, e.message, e instanceof ValidationError ? e.fields : {});
      }
      return next(err);
    }
    if (placed.paymentMethod === 'stripe' && placed.status === 'pending_payment') {
      try {
        const url = await payments.checkoutUrl(placed.id);
        if (url) return res.redirect(303, url);
      } catch (err) {
        if (!(err instanceof PaymentStartError)) return next(err);
        setFlash(res, 'error', err.message);
      }
    }
    res.redirect(303, confirmationPath(placed, config.secrets.cookie));
  });

  return router;
}
