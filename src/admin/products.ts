import type { Router } from 'express';
import type { AppContext } from '../app';
import * as catalogRepo from '../catalog/repo';
import { NotFoundError } from '../http/errors';
import { setFlash } from '../http/flash';
import { formPage, validate } from '../http/validate';
import { STAFF_MOVES } from '../inventory/service';
import { UNIT_STATUS_LABELS } from '../inventory/lifecycle';
import { queryString, staffContext } from './context';
import { MoveInput, ProductListQuery, ProductParams, ReceiveInput, ThresholdInput, UnitParams } from './schemas';

const PER_PAGE = 50;

/** /admin/products: every product with its stock; each product's units, receiving serials and moving units. */
export function productRoutes(router: Router, ctx: AppContext): void {
  const { inventory } = ctx;
  const notFound = 'We could not find that product.';

  const list = validate({ query: ProductListQuery });
  router.get('/products', list, async (req, res) => {
    const q = list.query(req);
    const { products, total } = await catalogRepo.listProductsForStaff(ctx.db, { q: q.q ?? null, status: q.status ?? null }, q.page, PER_PAGE);
    const counts = await inventory.unitCounts(products.map((p) => p.id));
    res.render('admin/products', {
      title: 'Products', noindex: true, products, counts, total, page: q.page, pages: Math.max(1, Math.ceil(total / PER_PAGE)), filters: q, query: queryString({ q: q.q, status: q.status }),
    });
  });

  const page = formPage({
    view: 'admin/units',
    keep: ['serials', 'grade', 'cost', 'notes', 'to', 'reason', 'threshold'],
    showRefusals: true,
    locals: async (req) => {
      const product = await catalogRepo.findProductForStaff(ctx.db, ProductParams.parse(req.params).id);
      if (!product) throw new NotFoundError(notFound);
      return { title: `Units of ${product.name}`, noindex: true, product, units: await inventory.units(product.id), statusLabels: UNIT_STATUS_LABELS, staffMoves: STAFF_MOVES, threshold: await catalogRepo.lowStockThreshold(ctx.db, product.id) };
    },
  });
  const shown = validate({ params: ProductParams }, { notFound });
  router.get('/products/:id/units', shown, (req, res) => page.render(req, res, { values: { grade: 'A' } }));

  const receive = validate({ params: ProductParams, body: ReceiveInput }, { form: page, notFound });
  router.post('/products/:id/units', receive, page.submit(async (req, res) => {
    const { id } = receive.params(req);
    if (!(await catalogRepo.findProductForStaff(ctx.db, id))) throw new NotFoundError(notFound);
    const input = receive.body(req);
    const n = await inventory.receive(id, { serials: input.serials, grade: input.grade, costCents: input.cost ?? null, notes: input.notes ?? null }, staffContext(req));
    setFlash(res, 'success', `${n} unit${n === 1 ? '' : 's'} received into stock.`);
    res.redirect(303, `/admin/products/${id}/units`);
  }));

  const threshold = validate({ params: ProductParams, body: ThresholdInput }, { form: page, notFound });
  router.post('/products/:id/low-stock', threshold, page.submit(async (req, res) => {
    const { id } = threshold.params(req);
    if (!(await catalogRepo.findProductForStaff(ctx.db, id))) throw new NotFoundError(notFound);
    const value = threshold.body(req).threshold ?? null;
    await inventory.setLowStockThreshold(id, value, staffContext(req));
    setFlash(res, 'success', value === null ? 'No low-stock e-mail for this product.' : `We e-mail the store when stock falls to ${value}.`);
    res.redirect(303, `/admin/products/${id}/units`);
  }));

  const move = validate({ params: UnitParams, body: MoveInput }, { form: page, notFound: 'We could not find that unit.' });
  router.post('/products/:id/units/:unitId/status', move, page.submit(async (req, res) => {
    const { id, unitId } = move.params(req);
    const input = move.body(req);
    await inventory.move(id, unitId, input.to, input.reason, staffContext(req));
    setFlash(res, 'success', `The unit is now ${UNIT_STATUS_LABELS[input.to].toLowerCase()}.`);
    res.redirect(303, `/admin/products/${id}/units`);
  }));
}
