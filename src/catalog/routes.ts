import { Router, type Response } from 'express';
import type { AppContext } from '../app';
import { NotFoundError } from '../http/errors';
import { dateOnly } from '../lib/dates';
import { firstPeriodNote, marksFirstPeriodEndAfter } from '../rentals/agreement';
import { currentRentalPolicy } from '../rentals/policy';
import { RENTAL_POLICY, RENTAL_TERMS, monthlyFor, rentalQuote, type RentalTerm } from '../rentals/quote';
import { rentalSchedule } from '../rentals/schedule';
import { REVIEWS_PER_PAGE } from '../reviews/service';
import { averageLabel } from '../reviews/summary';
import { markCatalogReads, sendCatalogPage } from './fragments';
import { GRADES, gradeExplanations } from './grades';
import { filterChips, fullRowsOf, galleryPhotos, pageLinks, specRows, spellingSuggestion, SORT_LABELS } from './present';
import { FREE_RETURNS_DAYS } from './returns';
import { filtersToQuery, hasNarrowingFilters, parseQuery, ProductQuery, toFilters, withoutNarrowing, type ProductFilters } from './schemas';
import { searchWords } from './search';
import { productBodyKey } from './service';

/** Storefront catalog pages: home, listings, product pages and the rent-to-own explainer. */
export function catalogRoutes(ctx: Pick<AppContext, 'catalog' | 'config' | 'clock' | 'settings' | 'reviews'>): Router {
  const { catalog, config, clock, settings, reviews } = ctx;
  const router = Router();

  // Each page is rendered from data its handler reads first: mark when that reading began (CatalogService.readsSince), so a page read before a change is not kept.
  router.use((_req, res, next) => {
    markCatalogReads(res, catalog);
    next();
  });

  router.get('/', async (_req, res) => {
    const [candidates, categories] = await Promise.all([catalog.featured(12), catalog.categoryTree()]);
    const featured = candidates.slice(0, fullRowsOf(candidates.length));
    await sendCatalogPage(res, catalog, 'home', 'catalog/home', () => ({ featured, categories, gradeExplanations, here: '/' }), {
      title: 'Refurbished computers you can buy or rent to own',
      canonical: `${config.baseUrl}/`,
    });
  });

  router.get('/products', async (req, res) => {
    const filters = toFilters(parseQuery(ProductQuery, req.query));
    await renderListing(res, '/products', filters, false);
  });

  router.get('/categories/:slug', async (req, res) => {
    const category = await catalog.categoryBySlug(req.params.slug);
    if (!category) throw new NotFoundError('We could not find that category.');
    const filters = { ...toFilters(parseQuery(ProductQuery, req.query)), category: category.slug };
    await renderListing(res, `/categories/${category.slug}`, filters, true);
  });

  router.get('/products/:slug', async (req, res) => {
    const page = await catalog.productPage(req.params.slug);
    if (!page) throw new NotFoundError('We could not find that product. It may have been sold out and removed.');
    const { product } = page;
    const term = chosenTerm(req.query.term);
    // Approved reviews, REVIEWS_PER_PAGE a page (?review_page=); past the last page goes to the last.
    const reviewPages = Math.max(1, Math.ceil(product.ratingCount / REVIEWS_PER_PAGE));
    const reviewPage = chosenPage(req.query.review_page);
    const reviewsHref = (n: number) => `/products/${product.slug}${productQuery(term, n)}#reviews`;
    if (reviewPage > reviewPages) {
      res.redirect(302, reviewsHref(reviewPages));
      return;
    }
    // The calculator's schedules are dated for an agreement signed today, under today's policy: both are in the cache key.
    const today = dateOnly(clock.now());
    const policy = await currentRentalPolicy(settings);
    const data = async () => ({
      ...page,
      here: `/products/${product.slug}`,
      grade: { grade: product.conditionGrade, ...GRADES[product.conditionGrade] },
      specs: specRows(product.specifications),
      photos: galleryPhotos(product.name, product.gallery),
      freeReturnsDays: FREE_RETURNS_DAYS,
      term,
      related: await catalog.related(product, 4),
      maxQuantity: Math.min(product.inStock, 10),
      today,
      firstPeriodDays: policy.firstPeriodDays,
      schedules: RENTAL_TERMS.map((t) => rentalSchedule({ cashPriceCents: product.priceCents, monthlyCents: monthlyFor(product, t), termMonths: t, startOn: today, policy })),
      firstPeriodNote,
      marksFirstPeriodEndAfter,
      // The shared body holds approved reviews only; the shopper's own review is on /products/:slug/review (src/reviews/routes.ts).
      reviews: {
        ...(await reviews.productReviews(product.id, reviewPage)),
        page: reviewPage,
        pages: reviewPages,
        prevHref: reviewPage > 1 ? reviewsHref(reviewPage - 1) : null,
        nextHref: reviewPage < reviewPages ? reviewsHref(reviewPage + 1) : null,
        averageLabel,
      },
    });
    const bodyKey = productBodyKey(product.slug, term, `${today}:${policy.firstPeriodDays}:reviews-${reviewPage}`);
    await sendCatalogPage(res, catalog, bodyKey, 'catalog/product', data, {
      title: product.name,
      description: `${product.name}, refurbished, grade ${product.conditionGrade}. Buy or rent to own.`,
      canonical: `${config.baseUrl}/products/${product.slug}`,
    });
  });

  router.get('/rent-to-own', async (_req, res) => {
    const data = () => ({ policy: RENTAL_POLICY, terms: RENTAL_TERMS, example: rentalQuote(60_000, 8_750, 12) });
    await sendCatalogPage(res, catalog, 'rent-to-own', 'catalog/rent-to-own', data, {
      title: 'How rent-to-own works',
      canonical: `${config.baseUrl}/rent-to-own`,
    });
  });

  async function renderListing(res: Response, basePath: string, filters: ProductFilters, inCategory: boolean): Promise<void> {
    const listing = await catalog.listing(filters, { byFamily: true });
    if (filters.page > listing.pages) {
      // Past the last page: send the shopper to the last page that exists.
      res.redirect(302, basePath + filtersToQuery({ ...filters, page: listing.pages }, { omitCategory: inCategory }));
      return;
    }
    const heading = listing.category ? listing.category.name : filters.q ? `Results for “${filters.q}”` : 'All products';
    const query = filtersToQuery(filters, { omitCategory: inCategory });
    const data = async () => {
      const empty = listing.total === 0;
      const words = searchWords(filters.q);
      const didYouMean = empty && words.length ? spellingSuggestion(words, await catalog.vocabulary()) : null;
      return {
        heading,
        here: basePath + query,
        basePath,
        inCategory,
        filters,
        listing,
        pageLinks: pageLinks(basePath, filters, listing.pages, inCategory),
        prevHref: filters.page > 1 ? basePath + filtersToQuery(filters, { page: filters.page - 1, omitCategory: inCategory }) : null,
        nextHref: filters.page < listing.pages ? basePath + filtersToQuery(filters, { page: filters.page + 1, omitCategory: inCategory }) : null,
        chips: filterChips(basePath, filters, inCategory, res.locals.money),
        subcategoryHref: (slug: string) => `/categories/${slug}${filtersToQuery({ ...filters, category: null, page: 1 }, { omitCategory: true })}`,
        clearHref: basePath + (filters.q ? filtersToQuery(withoutNarrowing(filters), { omitCategory: inCategory }) : ''),
        sortLabels: SORT_LABELS,
        empty,
        didYouMean,
        didYouMeanHref: didYouMean ? `/products${filtersToQuery({ ...filters, q: didYouMean, page: 1, category: null })}` : null,
        broaderHref: empty && hasNarrowingFilters(filters) && filters.q ? `/products?q=${encodeURIComponent(filters.q)}` : null,
        suggestions: empty ? await catalog.featured(4) : [],
        categoryTree: await catalog.categoryTree(),
      };
    };
    await sendCatalogPage(res, catalog, `listing:${basePath}${query}`, 'catalog/list', data, {
      title: `${heading}${filters.page > 1 ? ` – page ${filters.page}` : ''}`,
      canonical: config.baseUrl + basePath + query,
      noindex: Boolean(filters.q) || hasNarrowingFilters(filters),
    });
  }

  return router;
}

/** A ?…page= number; anything but a whole number from 1 is page 1. */
function chosenPage(v: unknown): number {
  const n = typeof v === 'string' && /^\d{1,6}$/.test(v) ? Number(v) : 1;
  return n >= 1 ? n : 1;
}

/** A product page's query: the calculator's term when not the default, and the page of reviews after the first. */
function productQuery(term: RentalTerm, reviewPage: number): string {
  const q = new URLSearchParams();
  if (term !== 12) q.set('term', String(term));
  if (reviewPage > 1) q.set('review_page', String(reviewPage));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** ?term= on a product page picks the calculator's term; anything else falls back to 12 months. */
function chosenTerm(v: unknown): RentalTerm {
  const n = Number(v);
  return (RENTAL_TERMS as readonly number[]).includes(n) ? (n as RentalTerm) : 12;
}
