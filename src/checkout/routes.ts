import { Router, type Request, type Response } from 'express';
import type { Config } from '../config';
import { MINUTE } from '../lib/clock';
import { setFlash } from '../http/flash';
import type { RateLimits } from '../http/rate-limit';
import { formPage, validate } from '../http/validate';
import { renderToString } from '../http/views';
import { cartOwner, guestToken } from '../cart/cookie';
import { confirmationPath } from '../orders/access';
import { PaymentStartError, type PaymentService } from '../payments/service';
import { US_STATES } from './regions';
import { CheckoutForm, GuestCheckoutForm, SHIP_COUNTRIES, TotalsQuery } from './schemas';
import type { CheckoutService, Shopper } from './service';
import type { AccountService } from '../accounts/service';

const FIELDS = ['email', 'first_name', 'last_name', 'line1', 'line2', 'city', 'region', 'postal_code', 'country', 'phone', 'shipping_method', 'use_store_credit', 'payment_method'];

export interface CheckoutRouteDeps {
  checkout: CheckoutService;
  /** The signed-in shopper's address book, to fill the form from. */
  accounts: Pick<AccountService, 'listAddresses'>;
  payments: PaymentService;
  config: Pick<Config, 'isProduction' | 'secrets'>;
  rateLimits: RateLimits;
}

function shopperOf(req: Request): Shopper {
  return { user: req.user ?? null, cart: cartOwner(req) };
}

/**
 * GET /checkout shows the form with the order review; POST /checkout places
 * the order (or, with intent=review, only recomputes the totals); GET
 * /checkout/totals gives the page's script the totals of a selection.
 * Refusals (bad input, sold out, price or total changed, promo no longer
 * valid) render the page again with the reason and write nothing.
 */
export function checkoutRoutes(deps: CheckoutRouteDeps): Router {
  const { checkout, payments, config, accounts } = deps;
  const router = Router();
  // Per cart (or account): retries are fine, hammering is not. Many shoppers behind one address are not punished.
  const limit = deps.rateLimits.limit({
    name: 'checkout',
    windowMs: 10 * MINUTE,
    limit: 20,
    key: (req) => {
      if ((req.body as Record<string, unknown> | undefined)?.intent === 'review') return undefined; // recalculating places nothing
      return req.user ? `user:${req.user.id}` : guestToken(req) ? `cart:${guestToken(req)}` : `ip:${req.ip}`;
    },
    message: 'Too many checkout attempts for this cart.',
  });

  const page = formPage({
    view: 'checkout/show',
    keep: FIELDS,
    showRefusals: true,
    locals: async (req, _res, values) => {
      const summary = await checkout.summary(shopperOf(req), selectionOf(values));
      return {
        title: 'Checkout',
        noindex: true,
        summary,
        values: { ...values, shipping_method: summary.shippingMethod.code, payment_method: values.payment_method ?? summary.paymentMethods[0] },
        addresses: req.user ? await accounts.listAddresses(req.user.id) : [],
        regions: US_STATES,
        countries: SHIP_COUNTRIES,
      };
    },
  });
  const place = validate({ body: (req) => (req.user ? CheckoutForm : GuestCheckoutForm) }, { form: page });
  const totals = validate({ query: TotalsQuery });

  router.get('/checkout', async (req, res) => {
    const view = await checkout.summary(shopperOf(req), {});
    if (view.cart.lines.length === 0) {
      setFlash(res, 'info', 'Your cart is empty. Add something before checking out.');
      return res.redirect(303, '/cart');
    }
    const values: Record<string, string> = { country: 'US' };
    if (req.user) {
      const addresses = await accounts.listAddresses(req.user.id);
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
    await page.render(req, res, { values });
  });

  router.get('/checkout/totals', totals, async (req, res) => {
    const summary = await checkout.summary(shopperOf(req), selectionOf(totals.query(req)));
    const totalsHtml = await renderToString(res, 'checkout/_totals', { summary });
    const money = res.locals.money as (cents: number) => string;
    res.json({ amountDueCents: summary.totals.amountDueCents, amountDue: money(summary.totals.amountDueCents), totalsHtml });
  });

  /** "Update totals" without JavaScript: the same page for the new selection, nothing placed. */
  const reviewOnly = (req: Request, res: Response, next: () => void) => {
    if ((req.body as Record<string, unknown> | undefined)?.intent === 'review') return void page.render(req, res).catch(next);
    next();
  };

  router.post('/checkout', limit, reviewOnly, place, page.submit(async (req, res) => {
    const placed = await checkout.placeOrder(shopperOf(req), place.body(req));
    if (placed.paymentMethod === 'stripe' && placed.status === 'pending_payment') {
      try {
        const url = await payments.checkoutUrl(placed.id);
        if (url) return res.redirect(303, url);
      } catch (err) {
        if (!(err instanceof PaymentStartError)) throw err;
        setFlash(res, 'error', err.message);
      }
    }
    res.redirect(303, confirmationPath(placed, config.secrets.cookie));
  }));

  return router;
}

function selectionOf(values: { shipping_method?: string; region?: string; use_store_credit?: string }) {
  return { shippingMethod: values.shipping_method, region: values.region, useStoreCredit: Boolean(values.use_store_credit) };
}
