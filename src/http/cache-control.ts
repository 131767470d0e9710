import type { RequestHandler } from 'express';

/** App setting: whether cookies are sent with Secure (production, behind TLS). Read with res.app.get(SECURE_COOKIES). */
export const SECURE_COOKIES = 'secure cookies';

/** Where pages show personal data (accounts, carts, orders, rental agreements, checkout, the admin panel). */
export const PERSONAL_PAGES = ['/account', '/cart', '/checkout', '/orders', '/rentals', '/login', '/register', '/forgot-password', '/reset-password', '/verify-email', '/admin'];

/** Browsers and proxies keep no copy: a shared or back-buttoned computer must not show someone's order. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};
