import { Router, type Request } from 'express';
import { requireAuth } from '../http/auth';
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '../http/errors';
import type { SettingsService } from '../settings/service';
import type { RentalBilling } from './billing';
import type { RentalReturns } from './returns';
import { agreementPdf } from './agreement-pdf';
import { setFlash } from '../http/flash';
import { formPage, validate } from '../http/validate';
import { RentalSoldOutError, type RentalOffer, type RentalService } from './service';
import { marksFirstPeriodEndAfter, firstPeriodNote } from './agreement';
import { NewRentalQuery, RentalParams, SignRentalForm } from './schemas';
import { RENTAL_STATUS_LABELS } from './transitions';
import { REINSTATE_AFTER_RETURN_MONTHS } from './schedule';
import { addMonthsClamped, dateOnly } from '../lib/dates';

export interface RentalRouteDeps {
  rentals: RentalService;
  rentalBilling: RentalBilling;
  rentalReturns: RentalReturns;
  settings: Pick<SettingsService, 'get'>;
}

/**
 * GET /rentals/new (the agreement with its disclosures), POST /rentals
 * (signing), and the customer's agreements under /account/rentals. Every
 * route needs a signed-in customer; signing also a confirmed e-mail.
 */
export function rentalRoutes(deps: RentalRouteDeps): Router {
  const { rentals, rentalBilling: billing, rentalReturns: returns } = deps;
  const router = Router();

  const me = (req: Request) => {
    if (!req.user) throw new UnauthorizedError();
    return req.user;
  };

  const offerLocals = (req: Request, offer: RentalOffer) => ({
    title: `Rent-to-own agreement: ${offer.product.name}`,
    noindex: true,
    offer,
    canSign: me(req).emailVerified && offer.product.inStock > 0,
    emailVerified: me(req).emailVerified,
    marksFirstPeriodEndAfter,
    firstPeriodNote,
  });

  const signPage = formPage({
    view: 'rentals/new',
    keep: ['signature_name'],
    showRefusals: true,
    locals: async (req) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const offer = await rentals.offer(me(req), { id: Number(body.product_id) || 0 }, Number(body.term_months));
      return offerLocals(req, offer);
    },
  });
  const shown = validate({ query: NewRentalQuery });
  const sign = validate({ body: SignRentalForm }, { form: signPage });

  router.get('/rentals/new', requireAuth, shown, async (req, res) => {
    const q = shown.query(req);
    const offer = await rentals.offer(me(req), { slug: q.product }, Number(q.term));
    if (offer.product.inStock < 1) throw new RentalSoldOutError(offer.product.name);
    res.render('rentals/new', { ...offerLocals(req, offer), values: {}, errors: {}, formError: null });
  });

  router.post('/rentals', requireAuth, sign, signPage.submit(async (req, res) => {
    const signed = await rentals.sign(me(req), sign.body(req), { ip: req.ip ?? '', userAgent: req.get('user-agent') ?? '' });
    if (signed.existing) setFlash(res, 'info', `You have already signed agreement ${signed.number} for this device. It is shown below.`);
    else setFlash(res, 'success', `Agreement ${signed.number} is signed. The first payment is next.`);
    res.redirect(303, `/account/rentals/${signed.number}`);
  }));

  const numbered = validate({ params: RentalParams }, { notFound: 'We could not find that agreement.' });

  router.get('/account/rentals', async (req, res) => {
    const list = await rentals.listForCustomer(me(req).id);
    const standings = await Promise.all(list.map((r) => billing.standing(r)));
    res.render('rentals/list', {
      title: 'Your rent-to-own agreements',
      noindex: true,
      rentals: list.map((r, i) => ({ ...r, next: ['active', 'past_due'].includes(r.status) ? (standings[i]!.statement?.next ?? null) : null })),
      statusLabels: RENTAL_STATUS_LABELS,
    });
  });

  router.get('/account/rentals/:number', numbered, async (req, res) => {
    let rental = await rentals.forCustomer(me(req).id, numbered.params(req).number);
    // Back from Stripe Checkout: record the payment now if Stripe says it is paid (the webhook may still be on its way).
    if (typeof req.query.session_id === 'string') {
      await billing.confirmSession(rental, req.query.session_id);
      rental = await rentals.forCustomer(me(req).id, rental.number);
    }
    res.render('rentals/show', {
      title: `Agreement ${rental.number}`,
      noindex: true,
      rental,
      ...(await billing.overview(rental)),
      cardPayments: billing.cardPayments,
      bankTransfer: await deps.settings.get('bank_transfer'),
      reinstateUntil: rental.returnedAt ? addMonthsClamped(dateOnly(rental.returnedAt), REINSTATE_AFTER_RETURN_MONTHS) : null,
      paymentNote: req.query.payment === 'cancelled' ? 'cancelled' : req.query.payment === 'done' ? 'done' : null,
      statusLabels: RENTAL_STATUS_LABELS,
    });
  });

  /** Customer actions answer with a message on the agreement page, whatever stops them. */
  const action = (fn: (req: Request) => Promise<string | void>, done: string) =>
    async (req: Request, res: import('express').Response) => {
      const number = numbered.params(req).number;
      try {
        const url = await fn(req);
        if (url) return res.redirect(303, url);
        setFlash(res, 'success', done);
      } catch (err) {
        if (!(err instanceof ConflictError || err instanceof ValidationError)) throw err;
        setFlash(res, 'error', err.message);
      }
      res.redirect(303, `/account/rentals/${number}`);
    };

  router.post('/account/rentals/:number/pay', numbered, action((req) => billing.checkoutUrl(me(req).id, numbered.params(req).number, 'pay'), ''));
  router.post('/account/rentals/:number/buyout', numbered, action((req) => billing.checkoutUrl(me(req).id, numbered.params(req).number, 'buyout'), ''));
  router.post(
    '/account/rentals/:number/return',
    numbered,
    action(async (req) => {
      await returns.request(me(req).id, numbered.params(req).number);
    }, 'The agreement is ending. We have e-mailed you how to send the device back; nothing more falls due.'),
  );

  router.get('/account/rentals/:number/agreement.pdf', numbered, async (req, res) => {
    const rental = await rentals.forCustomer(me(req).id, numbered.params(req).number);
    if (!rental.agreementText || !rental.agreementSha256 || !rental.signedAt) throw new NotFoundError('This agreement has not been signed.');
    const pdf = await agreementPdf({ number: rental.number, agreementText: rental.agreementText, agreementSha256: rental.agreementSha256, signatureName: rental.signatureName ?? '', signedAt: rental.signedAt, signedIp: rental.signedIp });
    res.set({ 'Content-Type': 'application/pdf', 'Content-Disposition': `attachment; filename="GigGatek-agreement-${rental.number}.pdf"` }).send(pdf);
  });

  return router;
}
