import crypto from 'node:crypto';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import type { AppContext } from '../app';
import type { Listing } from '../catalog/service';
import { quoteFor } from '../catalog/service';
import type { ProductDetail, ProductSummary } from '../catalog/repo';
import { ApiProductQuery, parseQuery, RentalQuoteQuery, toFilters } from '../catalog/schemas';
import { NotFoundError } from '../http/errors';
import type { RentalTerm } from '../rentals/quote';
import { openApiDocument } from './openapi';
import {
  ProductDetailOut, ProductIdParams, ProductListOut, RentalQuoteOut,
  type ProductDetailJson, type ProductListJson, type ProductSummaryJson, type RentalQuoteJson,
} from './schemas';

type Ctx = Pick<AppContext, 'catalog' | 'config'>;

/** A response body serialised once (and cached): its UTF-8 bytes and a strong ETag, as Express would make it. */
export class SerializedJson {
  readonly bytes: Buffer;
  readonly etag: string;

  constructor(text: string) {
    this.bytes = Buffer.from(text);
    this.etag = `"${this.bytes.length.toString(16)}-${crypto.createHash('sha1').update(this.bytes).digest('base64').slice(0, 27)}"`;
  }
}

const MAX_CACHED_URL_LENGTH = 2048;
const CACHE_CONTROL = 'public, max-age=30';

/** A SerializedJson as the response, with its ETag: 304 when the client holds these bytes (for HEAD, Node sends the headers only). */
function sendSerializedJson(req: Request, res: Response, body: SerializedJson): void {
  res.setHeader('Cache-Control', CACHE_CONTROL);
  res.setHeader('ETag', body.etag);
  if (req.fresh) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', body.bytes.length);
  res.end(body.bytes);
}

/**
 * GET /api/products answered from the catalog's cache of API responses by
 * URL (filled by its route), before the router, the query schema and the
 * rest of the middleware run: the same bytes and headers the route sends.
 */
export function serveCachedApiResponses(catalog: Pick<Ctx['catalog'], 'apiResponseOf'>): RequestHandler {
  return (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !req.originalUrl.startsWith('/api/')) return next();
    const body = catalog.apiResponseOf<SerializedJson>(req.originalUrl);
    if (body) sendSerializedJson(req, res, body);
    else next();
  };
}

/** One API endpoint: the router and the OpenAPI document are both built from this table. */
export interface ApiRoute {
  path: string;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  response: z.ZodType;
  /** The response body: a value for res.json, or a SerializedJson. */
  handler: (ctx: Ctx, req: Request) => Promise<unknown>;
}

export const API_ROUTES: ApiRoute[] = [
  {
    path: '/products',
    summary: 'List products with the storefront filters, sorted and paginated, with facet counts.',
    query: ApiProductQuery,
    response: ProductListOut,
    handler: async ({ catalog }, req) => {
      const since = catalog.readsSince();
      const filters = toFilters(parseQuery(ApiProductQuery, req.query));
      // Serialised, encoded and hashed once per cache period and filters, like the listing data it is made of…
      const body = () => catalog.renderedPage(`api:products:${JSON.stringify(filters)}`, async () => new SerializedJson(JSON.stringify(listingJson(await catalog.listing(filters)))));
      // …and kept by URL too, for serveCachedApiResponses to answer before the router runs (not URLs with parameters it ignores).
      const keepable = req.originalUrl.length <= MAX_CACHED_URL_LENGTH && Object.keys(req.query).every((name) => name in ApiProductQuery.shape);
      return keepable ? catalog.apiResponse(req.originalUrl, body, since) : body();
    },
  },
  {
    path: '/products/:id',
    summary: 'One product with its specifications, images, stock and rental prices.',
    params: ProductIdParams,
    response: ProductDetailOut,
    handler: async ({ catalog }, req) => productJson(await findProduct(catalog, req), await catalog.categories()),
  },
  {
    path: '/products/:id/rental-quote',
    summary: 'Rent-to-own quote for one term: payments, totals, cost of rental and the early purchase price after each payment.',
    params: ProductIdParams,
    query: RentalQuoteQuery,
    response: RentalQuoteOut,
    handler: async ({ catalog }, req) => {
      const { term } = parseQuery(RentalQuoteQuery, req.query);
      const product = await findProduct(catalog, req);
      if (product.status !== 'active') throw new NotFoundError('This product is no longer offered for rent.');
      return quoteJson(product, term as RentalTerm);
    },
  },
];

async function findProduct(catalog: Ctx['catalog'], req: Request): Promise<ProductDetail> {
  const { id } = parseQuery(ProductIdParams, req.params);
  const product = await catalog.productById(id);
  if (!product) throw new NotFoundError('No product with that id.');
  return product;
}

/** The /api sub-app: its own JSON body parser and cache policy; errors become the JSON envelope. */
export function apiRoutes(ctx: Ctx): Router {
  const router = Router();
  router.use(express.json({ limit: '10kb' }));
  for (const route of API_ROUTES) {
    router.get(route.path, async (req: Request, res: Response) => {
      const body = await route.handler(ctx, req);
      // Catalog reads are themselves cached for 30 s; errors are not cacheable.
      if (body instanceof SerializedJson) return sendSerializedJson(req, res, body);
      res.setHeader('Cache-Control', CACHE_CONTROL);
      res.json(body);
    });
  }
  let doc: object | null = null;
  router.get('/openapi.json', (_req, res) => {
    doc ??= openApiDocument(API_ROUTES, ctx.config.baseUrl);
    res.json(doc);
  });
  router.use((_req, _res, next) => next(new NotFoundError('No such API endpoint.')));
  return router;
}

function summaryJson(p: ProductSummary): ProductSummaryJson {
  return {
    id: p.id,
    slug: p.slug,
    name: p.name,
    brand: p.brand,
    category_id: p.categoryId,
    condition_grade: p.conditionGrade,
    price_cents: p.priceCents,
    rent_12_cents: p.rent12Cents,
    image: p.image,
    in_stock: p.inStock,
    rating_avg: p.ratingCount > 0 ? p.ratingAvgX100 / 100 : null,
    rating_count: p.ratingCount,
    url: `/products/${p.slug}`,
  };
}

function listingJson(l: Listing): ProductListJson {
  return {
    items: l.items.map(summaryJson),
    page: l.page,
    per_page: l.perPage,
    total: l.total,
    total_pages: l.pages,
    facets: l.facets.map((f) => ({ param: f.param, title: f.title, values: f.values })),
  };
}

function productJson(p: ProductDetail, categories: Array<{ id: number; slug: string; name: string }>): ProductDetailJson {
  const c = categories.find((x) => x.id === p.categoryId);
  return {
    ...summaryJson(p),
    description: p.description,
    specifications: p.specifications,
    cpu_family: p.cpuFamily,
    ram_gb: p.ramGb,
    storage_gb: p.storageGb,
    screen_in: p.screenIn,
    rent_3_cents: p.rent3Cents,
    rent_6_cents: p.rent6Cents,
    warranty_months: p.warrantyMonths,
    images: p.images,
    status: p.status,
    category: c ? { id: c.id, slug: c.slug, name: c.name } : null,
  };
}

function quoteJson(p: ProductDetail, term: RentalTerm): RentalQuoteJson {
  const q = quoteFor(p, term);
  return {
    product_id: p.id,
    term_months: q.termMonths,
    cash_price_cents: q.cashPriceCents,
    monthly_cents: q.monthlyCents,
    number_of_payments: q.numberOfPayments,
    total_of_payments_cents: q.totalOfPaymentsCents,
    cost_of_rental_cents: q.costOfRentalCents,
    within_pricing_guard: q.withinPricingGuard,
    early_purchase: q.schedule.map((r) => ({
      after_payment: r.payment,
      day: r.day,
      paid_to_date_cents: r.paidToDateCents,
      remaining_payments_cents: r.remainingPaymentsCents,
      early_purchase_cents: r.earlyPurchaseCents,
      rule: r.rule,
    })),
    rounding: 'Through day 90: cash price − payments made. From day 91: cash price × payments left ÷ number of payments, rounded to the nearest cent (halves away from zero).',
  };
}
