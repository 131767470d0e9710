import type { Router } from 'express';
import type { AppContext } from '../app';
import { decimalAmount } from '../lib/money';
import { PromoCodeService } from '../checkout/promo-codes';
import type { PromoCode } from '../checkout/promo';
import { setFlash } from '../http/flash';
import { formPage, validate } from '../http/validate';
import { staffContext } from './context';
import { PromoInput, PromoParams } from './schemas';

const FIELDS = ['code', 'kind', 'value', 'min_subtotal', 'starts_at', 'ends_at', 'usage_limit', 'per_customer_limit', 'active', 'description'];

/** A promo code as its form's fields. */
function formValues(p: PromoCode): Record<string, string> {
  const day = (d: Date | null, minus = 0) => (d ? new Date(d.getTime() - minus).toISOString().slice(0, 10) : '');
  return {
    code: p.code, kind: p.kind, value: p.kind === 'percent' ? String(p.value) : decimalAmount(p.value),
    min_subtotal: p.minSubtotalCents ? decimalAmount(p.minSubtotalCents) : '', starts_at: day(p.startsAt), ends_at: day(p.endsAt, 1),
    usage_limit: p.usageLimit === null ? '' : String(p.usageLimit), per_customer_limit: p.perCustomerLimit === null ? '' : String(p.perCustomerLimit),
    ...(p.active ? { active: 'on' } : {}), description: p.description ?? '',
  };
}

/** /admin/promo-codes: the codes with their use so far; create and edit (switching a code off is "active" unticked). */
export function promoCodeRoutes(router: Router, ctx: AppContext): void {
  const promos = new PromoCodeService({ db: ctx.db, clock: ctx.clock });
  const notFound = 'We could not find that promo code.';

  router.get('/promo-codes', async (_req, res) => {
    res.render('admin/promo-codes', { title: 'Promo codes', noindex: true, promos: await promos.list(), now: ctx.clock.now() });
  });

  const page = formPage({
    view: 'admin/promo-code',
    keep: FIELDS,
    locals: (req) => {
      const id = PromoParams.safeParse(req.params).data?.id ?? null;
      return { title: id ? 'Edit promo code' : 'New promo code', noindex: true, promoId: id };
    },
  });

  router.get('/promo-codes/new', (req, res) => page.render(req, res, { values: { kind: 'percent', active: 'on' } }));

  const create = validate({ body: PromoInput }, { form: page });
  router.post('/promo-codes', create, page.submit(async (req, res) => {
    const fields = create.body(req);
    await promos.create(fields, staffContext(req));
    setFlash(res, 'success', `Promo code ${fields.code} created.`);
    res.redirect(303, '/admin/promo-codes');
  }));

  const shown = validate({ params: PromoParams }, { notFound });
  router.get('/promo-codes/:id', shown, async (req, res) => {
    const promo = await promos.get(shown.params(req).id);
    await page.render(req, res, { values: formValues(promo) });
  });

  const update = validate({ params: PromoParams, body: PromoInput }, { form: page, notFound });
  router.post('/promo-codes/:id', update, page.submit(async (req, res) => {
    const fields = update.body(req);
    await promos.update(update.params(req).id, fields, staffContext(req));
    setFlash(res, 'success', `Promo code ${fields.code} saved.`);
    res.redirect(303, '/admin/promo-codes');
  }));
}
