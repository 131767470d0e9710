import { Router, type Request } from 'express';
import type { Config } from '../config';
import { setFlash } from '../http/flash';
import { formPage, validate } from '../http/validate';
import { cartOwner, setCartCookie } from './cookie';
import { AddItemInput, ItemParams, PromoInput, UpdateItemInput } from './schemas';
import type { CartChange, CartService } from './service';

/**
 * Cart (SPEC §7): GET /cart, POST /cart/items, POST /cart/items/:id,
 * POST /cart/items/:id/delete, POST /cart/promo, POST /cart/promo/delete.
 * Changes redirect back to /cart with a message; refused changes show the
 * cart again with the reason (422 bad input, 409 stock), nothing written.
 */
export function cartRoutes(deps: { cart: CartService; config: Pick<Config, 'isProduction'> }): Router {
  const { cart, config } = deps;
  const router = Router();

  const page = formPage({
    view: 'cart/show',
    keep: ['code'],
    showRefusals: true,
    locals: async (req) => ({ title: 'Your cart', cart: await cart.view(cartOwner(req)), noindex: true }),
  });
  const notInCart = 'That item is no longer in your cart.';
  const add = validate({ body: AddItemInput }, { form: page });
  const update = validate({ params: ItemParams, body: UpdateItemInput }, { form: page, notFound: notInCart });
  const remove = validate({ params: ItemParams }, { notFound: notInCart });
  const promo = validate({ body: PromoInput }, { form: page });

  /** A cart change: its message on the next page and back to the cart, or the cart again with the reason it was refused. */
  const done = (run: (req: Request) => Promise<CartChange>) =>
    page.submit(async (req, res) => {
      const result = await run(req);
      if (result.token) setCartCookie(res, config, result.token);
      setFlash(res, result.kind, result.message);
      res.redirect(303, '/cart');
    });

  router.get('/cart', (req, res) => page.render(req, res));

  router.post('/cart/items', add, done((req) => cart.addItem(cartOwner(req), add.body(req).product_id, add.body(req).quantity)));
  router.post('/cart/items/:id', update, done((req) => cart.updateItem(cartOwner(req), update.params(req).id, update.body(req).quantity)));
  router.post('/cart/items/:id/delete', remove, done((req) => cart.removeItem(cartOwner(req), remove.params(req).id)));
  router.post('/cart/promo', promo, done((req) => cart.applyPromo(cartOwner(req), promo.body(req).code)));
  router.post('/cart/promo/delete', done((req) => cart.removePromo(cartOwner(req))));

  return router;
}
