import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../config';
import { AppError } from '../http/errors';
import { toAppError } from '../http/error-handler';
import { setFlash } from '../http/flash';
import { Quantity } from '../checkout/schemas';
import { cartOwner, setCartCookie } from './cookie';
import type { CartChange, CartService } from './service';

const Id = z.string().regex(/^\d{1,10}$/, 'Unknown product.').transform(Number);
const ItemId = z.string().regex(/^\d{1,10}$/, 'That item is no longer in your cart.').transform(Number);
const AddItem = z.object({ product_id: Id, quantity: Quantity.optional().default(1) });
const UpdateItem = z.object({ quantity: Quantity });
const PromoInput = z.object({
  code: z.string({ error: 'Enter a code.' }).trim().min(1, 'Enter a code.').max(40, 'That code is too long.').regex(/^[\w-]+$/, 'Codes are letters, digits and dashes.'),
});

/**
 * Cart (SPEC §7): GET /cart, POST /cart/items, POST /cart/items/:id,
 * POST /cart/items/:id/delete, POST /cart/promo, POST /cart/promo/delete.
 * Changes redirect back to /cart with a message; refused changes show the
 * cart again with the reason (422 bad input, 409 stock), nothing written.
 */
export function cartRoutes(deps: { cart: CartService; config: Pick<Config, 'isProduction'> }): Router {
  const { cart, config } = deps;
  const router = Router();

  const show = async (req: Request, res: Response, status = 200, error: string | null = null, errors: Record<string, string> = {}) => {
    const view = await cart.view(cartOwner(req));
    res.status(status).render('cart/show', { title: 'Your cart', cart: view, error, errors, noindex: true });
  };

  /** Runs a cart change: success → flash + redirect; a refused change → the cart page with the reason. */
  const change = (run: (req: Request) => Promise<CartChange>) => async (req: Request, res: Response, next: NextFunction) => {
    let result: CartChange;
    try {
      result = await run(req);
    } catch (err) {
      const e = toAppError(err);
      if (e instanceof AppError && e.status < 500) {
        const fields = (e.details as { fields?: Record<string, string> } | undefined)?.fields ?? {};
        // Field messages say exactly what was wrong ("Quantity must be at least 1.").
        const message = Object.keys(fields).length ? [...new Set(Object.values(fields))].join(' ') : e.message;
        return show(req, res, e.status, message, fields);
      }
      return next(err);
    }
    if (result.token) setCartCookie(res, config, result.token);
    setFlash(res, result.kind, result.message);
    res.redirect(303, '/cart');
  };

  const itemId = (req: Request) => ItemId.parse(req.params.id);

  router.get('/cart', (req, res) => show(req, res));

  router.post('/cart/items', change((req) => {
    const input = AddItem.parse(req.body);
    return cart.addItem(cartOwner(req), input.product_id, input.quantity);
  }));

  router.post('/cart/items/:id', change((req) => cart.updateItem(cartOwner(req), itemId(req), UpdateItem.parse(req.body).quantity)));

  router.post('/cart/items/:id/delete', change((req) => cart.removeItem(cartOwner(req), itemId(req))));

  router.post('/cart/promo', change((req) => cart.applyPromo(cartOwner(req), PromoInput.parse(req.body).code)));

  router.post('/cart/promo/delete', change((req) => cart.removePromo(cartOwner(req))));

  return router;
}
