import { Router, type Request } from 'express';
import type { AppContext } from '../app';
import { requireAuth } from '../http/auth';
import { noStore } from '../http/cache-control';
import { NotFoundError, UnauthorizedError } from '../http/errors';
import { setFlash } from '../http/flash';
import { formPage, validate } from '../http/validate';
import { BODY_MAX, ProductSlugParams, ReviewInput, TITLE_MAX } from './schemas';

const NOT_FOUND = 'We could not find that product. It may have been removed.';

/**
 * Writing a review. The product page's body is rendered once and shared by
 * every shopper (src/catalog/fragments.ts), so it holds only approved
 * reviews and a link here; the form with the shopper's own review (to edit)
 * is this small page of its own, GET /products/:slug/review. The form posts
 * to POST /products/:slug/reviews (SPEC §7); a refusal is shown here again.
 */
export function reviewRoutes(ctx: Pick<AppContext, 'catalog' | 'reviews'>): Router {
  const { catalog, reviews } = ctx;
  const router = Router();
  const me = (req: Request) => {
    if (!req.user) throw new UnauthorizedError();
    return req.user;
  };

  const page = formPage({
    view: 'reviews/form',
    keep: ['rating', 'title', 'body'],
    showRefusals: true,
    locals: async (req, _res, submitted) => {
      const found = await catalog.productPage(String(req.params.slug));
      if (!found) throw new NotFoundError(NOT_FOUND);
      const { product } = found;
      const own = await reviews.ownReview(product.id, me(req).id);
      // A refused review is shown again whole (the form helper keeps 500 characters of a field), so nothing typed is lost.
      const values = req.method === 'POST' && typeof req.body?.body === 'string' ? { ...submitted, body: req.body.body.slice(0, BODY_MAX * 4) } : submitted;
      return { title: own.review ? `Your review of the ${product.name}` : `Review the ${product.name}`, noindex: true, product, ...own, values, titleMax: TITLE_MAX, bodyMax: BODY_MAX };
    },
  });

  const shown = validate({ params: ProductSlugParams }, { notFound: NOT_FOUND });
  router.get('/products/:slug/review', noStore, requireAuth, shown, async (req, res) => {
    const found = await catalog.productPage(shown.params(req).slug);
    if (!found) throw new NotFoundError(NOT_FOUND);
    const { review } = await reviews.ownReview(found.product.id, me(req).id);
    await page.render(req, res, { values: review ? { rating: String(review.rating), title: review.title, body: review.body } : {} });
  });

  const sent = validate({ params: ProductSlugParams, body: ReviewInput }, { form: page, notFound: NOT_FOUND });
  router.post('/products/:slug/reviews', noStore, requireAuth, sent, page.submit(async (req, res) => {
    const found = await catalog.productPage(sent.params(req).slug);
    if (!found) throw new NotFoundError(NOT_FOUND);
    const { created } = await reviews.submit(found.product.id, me(req).id, sent.body(req));
    setFlash(res, 'success', created
      ? 'Thank you for your review. It will appear on the product page once our team has read it.'
      : 'Your review is updated. It will appear on the product page once our team has read it again.');
    res.redirect(303, `/products/${found.product.slug}/review`);
  }));

  return router;
}
