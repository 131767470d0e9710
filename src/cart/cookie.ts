import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config';
import type { Logger } from '../lib/log';
import { beforeRender } from '../http/render-locals';
import type { CartOwner, CartService } from './service';

/** The guest cart's token, in a signed, HttpOnly cookie. */
export const CART_COOKIE = 'gg_cart';
const TOKEN = /^[\w-]{43}$/;
const THIRTY_DAYS = 30 * 24 * 3600 * 1000;

export function guestToken(req: Request): string | null {
  const v = req.signedCookies?.[CART_COOKIE];
  return typeof v === 'string' && TOKEN.test(v) ? v : null;
}

/** Signed-in: the user's cart. Guest: the cookie's cart (possibly none yet). */
export function cartOwner(req: Request): CartOwner {
  return req.user ? { userId: req.user.id, token: null } : { userId: null, token: guestToken(req) };
}

export function setCartCookie(res: Response, config: Pick<Config, 'isProduction'>, token: string): void {
  res.cookie(CART_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: config.isProduction, signed: true, path: '/', maxAge: THIRTY_DAYS });
}

export function clearCartCookie(res: Response, config: Pick<Config, 'isProduction'>): void {
  res.clearCookie(CART_COOKIE, { httpOnly: true, sameSite: 'lax', secure: config.isProduction, signed: true, path: '/' });
}

/**
 * For every page: the header's cart count (res.locals.cartCount), looked up
 * only when a page is actually rendered (redirects and JSON skip the query).
 * A signed-in shopper who still carries a guest cart cookie gets it merged
 * here, so a cart filled before logging in is never lost, however they signed in.
 */
export function cartLocals(deps: { cart: CartService; config: Pick<Config, 'isProduction'>; logger: Logger }): RequestHandler {
  return async (req, res, next) => {
    if (req.path.startsWith('/api/')) return next();
    try {
      const token = guestToken(req);
      if (req.user && token) {
        await deps.cart.mergeGuestCart(token, req.user.id);
        clearCartCookie(res, deps.config);
      }
    } catch (err) {
      return next(err);
    }
    // The page (maybe the error page itself) still renders, with an empty badge, when the count fails.
    beforeRender(res, deps.logger, 'cart count', async () => ({ cartCount: await deps.cart.count(cartOwner(req)) }));
    next();
  };
}
