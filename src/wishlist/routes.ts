import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { safeNext } from '../http/auth';
import { UnauthorizedError } from '../http/errors';
import { setFlash } from '../http/flash';
import { chooseVariants } from '../http/page-cache';
import { validate } from '../http/validate';
import { UNKNOWN_PRODUCT, type WishlistService } from './service';

const PER_PAGE = 50;
const ProductParams = z.object({ productId: z.coerce.number().int().positive().max(2_147_483_647) });
/** Where to go back to; anything unusable means the product page (safeNext). */
const HeartInput = z.object({ next: z.string().max(500).optional().catch(undefined) });
const PageQuery = z.object({ page: z.coerce.number().int().min(1).max(10_000).catch(1) });

/** The variant slot of a product's wishlist button (views/wishlist/_heart.ejs, src/http/page-cache.ts): its alternative is "Saved". */
export const heartKey = (productId: number) => `wish:${productId}`;

/**
 * Wishlist (SPEC §7): POST /wishlist/:productId saves, POST
 * /wishlist/:productId/delete removes (both idempotent; an unknown product is
 * a 404), back to the page the heart was on. A guest's heart leads to log in
 * and back to the product. /account/wishlist lists what is saved with
 * today's price and stock.
 */
export function wishlistRoutes(deps: { wishlist: WishlistService }): Router {
  const { wishlist } = deps;
  const router = Router();
  const heart = validate({ params: ProductParams, body: HeartInput }, { notFound: UNKNOWN_PRODUCT });

  router.post('/wishlist/:productId', heart, async (req, res) => {
    const { productId } = heart.params(req);
    if (!req.user) {
      const product = await wishlist.saveable(productId);
      setFlash(res, 'info', `Log in to save ${product.name} to your wishlist.`);
      res.redirect(303, `/login?next=${encodeURIComponent(`/products/${product.slug}`)}`);
      return;
    }
    const product = await wishlist.add(req.user.id, productId);
    setFlash(res, 'success', `${product.name} is on your wishlist. We tell you when it is back in stock or its price drops.`);
    res.redirect(303, safeNext(heart.body(req).next, `/products/${product.slug}`));
  });

  router.post('/wishlist/:productId/delete', heart, async (req, res) => {
    const { productId } = heart.params(req);
    if (!req.user) {
      res.redirect(303, '/login?next=%2Faccount%2Fwishlist');
      return;
    }
    const product = await wishlist.remove(req.user.id, productId);
    setFlash(res, 'success', `${product.name} is no longer on your wishlist.`);
    res.redirect(303, safeNext(heart.body(req).next, '/account/wishlist'));
  });

  const listed = validate({ query: PageQuery });
  router.get('/account/wishlist', listed, async (req, res) => {
    if (!req.user) throw new UnauthorizedError();
    const { page } = listed.query(req);
    const list = await wishlist.list(req.user.id, page, PER_PAGE);
    res.render('wishlist/list', { title: 'Your wishlist', noindex: true, ...list, page });
  });

  return router;
}

/** Signed-in shoppers see their own saved products as "Saved" in shared catalog pages. */
export function wishlistHearts(deps: { wishlist: WishlistService }): RequestHandler {
  return (req, res, next) => {
    const user = req.user;
    if (user) {
      chooseVariants(res, async (keys) => {
        const ids = keys.filter((k) => k.startsWith('wish:')).map((k) => Number(k.slice(5)));
        return (await deps.wishlist.savedAmong(user.id, ids)).map(heartKey);
      });
    }
    next();
  };
}
