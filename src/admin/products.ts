import type { Request, Router } from 'express';
import type { AppContext } from '../app';
import { decimalAmount, parseMoney } from '../lib/money';
import { formatCount } from '../lib/locale';
import { GRADES, GRADE_VALUES } from '../catalog/grades';
import { MAX_SPECS, monthlyPrices, PRODUCT_STATUSES, type ProductFields } from '../catalog/product-input';
import { rentalPrices, type Specs } from '../catalog/product-row';
import * as catalogRepo from '../catalog/repo';
import { NotFoundError, ValidationError } from '../http/errors';
import { setFlash } from '../http/flash';
import { formPage, validate } from '../http/validate';
import { STAFF_MOVES } from '../inventory/service';
import { UNIT_STATUS_LABELS } from '../inventory/lifecycle';
import { queryString, staffContext } from './context';
import { MoveInput, NoInput, PRODUCT_SORTS, ProductInput, ProductListQuery, ProductParams, ProductVersionInput, ReceiveInput, ThresholdInput, UnitParams } from './schemas';

const PER_PAGE = 50;
/** Empty specification rows under the filled ones, for adding specifications without JavaScript. */
const BLANK_SPEC_ROWS = 3;
const FORM_FIELDS = ['slug', 'name', 'brand', 'category', 'grade', 'status', 'price', 'unit_cost', 'rent_3', 'rent_6', 'rent_12', 'warranty_months', 'featured', 'version'];

const cents = (c: number | null) => (c === null ? '' : decimalAmount(c));

/** A product as its form's fields; monthly prices equal to the suggested ones show empty (they follow the cash price). */
function formValues(p: ProductFields, version: number | null): Record<string, string> {
  const suggested = rentalPrices(p.priceCents);
  const monthly = monthlyPrices(p);
  const rent = (term: 3 | 6 | 12, s: number) => (monthly[term] === s ? '' : cents(monthly[term]));
  return {
    slug: p.slug, name: p.name, brand: p.brand, description: p.description, category: String(p.categoryId), grade: p.grade, status: p.status,
    price: cents(p.priceCents), unit_cost: cents(p.unitCostCents), rent_3: rent(3, suggested.rent3), rent_6: rent(6, suggested.rent6), rent_12: rent(12, suggested.rent12),
    warranty_months: String(p.warrantyMonths), family: p.family ?? '', ...(p.featured ? { featured: 'on' } : {}), ...(version === null ? {} : { version: String(version) }),
  };
}

function specRows(specs: Specs): Array<[string, string]> {
  return Object.entries(specs).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]);
}

/** The specification rows a refused form shows again: as submitted. */
function submittedSpecRows(req: Request): Array<[string, string]> {
  const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => (typeof x === 'string' ? x.slice(0, 1000) : ''));
  const keys = list(req.body?.spec_key);
  const values = list(req.body?.spec_value);
  const rows: Array<[string, string]> = [];
  for (let i = 0; i < Math.min(Math.max(keys.length, values.length), MAX_SPECS + BLANK_SPEC_ROWS); i++) {
    if (keys[i]?.trim() || values[i]?.trim()) rows.push([keys[i] ?? '', values[i] ?? '']);
  }
  return rows;
}

/** /admin/products: every product with its stock; create, edit and archive; each product's units, receiving serials and moving units. */
export function productRoutes(router: Router, ctx: AppContext): void {
  const { inventory } = ctx;
  const notFound = 'We could not find that product.';
  const editor = ctx.products;

  const list = validate({ query: ProductListQuery });
  router.get('/products', list, async (req, res) => {
    const q = list.query(req);
    const { products, total } = await catalogRepo.listProductsForStaff(ctx.db, { q: q.q ?? null, status: q.status ?? null, categoryId: q.category ?? null, sort: q.sort }, q.page, PER_PAGE);
    const [counts, categories] = await Promise.all([inventory.unitCounts(products.map((p) => p.id)), catalogRepo.listCategories(ctx.db)]);
    res.render('admin/products', {
      title: 'Products', noindex: true, products, counts, categories, sorts: PRODUCT_SORTS, total, page: q.page, pages: Math.max(1, Math.ceil(total / PER_PAGE)), filters: q,
      query: queryString({ q: q.q, status: q.status, category: q.category?.toString(), sort: q.sort === 'newest' ? undefined : q.sort }),
    });
  });

  // ---- create, edit, archive

  const form = formPage({
    view: 'admin/product',
    keep: FORM_FIELDS,
    showRefusals: true,
    locals: async (req, _res, submitted) => {
      const id = ProductParams.safeParse(req.params).data?.id ?? null;
      const product = id === null ? null : await catalogRepo.productForEditing(ctx.db, { id });
      if (id !== null && !product) throw new NotFoundError(notFound);
      const posted = req.method === 'POST';
      const rows = posted ? submittedSpecRows(req) : product ? specRows(product.fields.specs) : [['cpu', ''], ['ram_gb', ''], ['storage_gb', '']] as Array<[string, string]>;
      const description = posted ? String(req.body?.description ?? '').slice(0, 10_000) : (submitted.description ?? '');
      const price = parseMoney(submitted.price ?? '');
      return {
        suggested: price !== null && price >= 100 ? { price, ...rentalPrices(price) } : null,
        title: product ? `Edit ${product.fields.name}` : 'New product', noindex: true, product, categories: await catalogRepo.listCategories(ctx.db),
        grades: GRADE_VALUES.map((g) => ({ grade: g, label: GRADES[g].label })), statuses: PRODUCT_STATUSES,
        specRows: [...rows, ...Array.from({ length: Math.max(0, Math.min(BLANK_SPEC_ROWS, MAX_SPECS - rows.length)) }, () => ['', ''])],
        values: { ...submitted, description },
      };
    },
  });

  router.get('/products/new', (req, res) => form.render(req, res, { values: { grade: 'A', status: 'draft', warranty_months: '12' } }));

  const create = validate({ body: ProductInput }, { form });
  router.post('/products', create, form.submit(async (req, res) => {
    const fields = create.body(req);
    const id = await editor.create(fields, staffContext(req));
    setFlash(res, 'success', `${fields.name} created${fields.status === 'active' ? ' and on sale' : ` as ${fields.status}`}. Add its images and units next.`);
    res.redirect(303, `/admin/products/${id}`);
  }));

  const edited = validate({ params: ProductParams }, { notFound });
  router.get('/products/:id', edited, async (req, res) => {
    const product = await editor.get(edited.params(req).id);
    await form.render(req, res, { values: formValues(product.fields, product.version) });
  });

  const update = validate({ params: ProductParams, body: ProductInput }, { form, notFound });
  router.post('/products/:id', update, form.submit(async (req, res) => {
    const { id } = update.params(req);
    const version = ProductVersionInput.safeParse(req.body);
    if (!version.success) throw new ValidationError('This form is missing the product version: open the product again and make your changes.');
    const fields = update.body(req);
    await editor.update(id, version.data.version, fields, staffContext(req));
    setFlash(res, 'success', `${fields.name} saved.`);
    res.redirect(303, `/admin/products/${id}`);
  }));

  const archive = validate({ params: ProductParams, body: NoInput }, { notFound });
  router.post('/products/:id/archive', archive, async (req, res) => {
    const { id } = archive.params(req);
    await editor.archive(id, staffContext(req));
    setFlash(res, 'success', 'The product is archived: it is off the shop. Set its status to active to sell it again.');
    res.redirect(303, `/admin/products/${id}`);
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
    setFlash(res, 'success', `${formatCount(n)} unit${n === 1 ? '' : 's'} received into stock.`);
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
