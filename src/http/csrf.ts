import crypto from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import type { Config } from '../config';
import { ForbiddenError } from './errors';
import { sessionIdOf } from './auth';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Webhooks authenticate with their own signatures. */
export function csrfExempt(req: Request): boolean {
  return req.path.startsWith('/webhooks/');
}

function tokenFromRequest(req: Request): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  if (body && typeof body._csrf === 'string') return body._csrf;
  const header = req.get('x-csrf-token');
  if (header) return header;
  // multipart forms are parsed after this middleware: they carry the token in the action URL.
  if (req.is('multipart/form-data') && typeof req.query._csrf === 'string') return req.query._csrf;
  return undefined;
}

export interface Csrf {
  /** The middleware: defines res.locals.csrfToken and rejects unsafe requests without a valid token. */
  protect: RequestHandler;
  /** The token for this visitor (reusing a valid cookie), setting its cookie on the response. */
  tokenFor(req: Request, res: Response): string;
}

/**
 * CSRF protection (signed double-submit cookie, csrf-csrf). The token is
 * bound to the signed-in session, so it changes at log-in and log-out.
 * Views get `csrfToken` (views/partials/csrf.ejs puts it in a hidden `_csrf`
 * field; scripts send it as an `X-CSRF-Token` header). Every request but
 * GET/HEAD/OPTIONS and /webhooks/* must carry it, or gets a 403 page.
 * Mount `protect` after the body parser and the auth middleware.
 */
export function createCsrf(config: Pick<Config, 'isProduction' | 'secrets'>): Csrf {
  const secret = crypto.createHmac('sha256', config.secrets.cookie).update('giggatek csrf').digest('hex');
  const { generateCsrfToken, validateRequest } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req) => sessionIdOf(req) ?? '',
    cookieName: config.isProduction ? '__Host-gg_csrf' : 'gg_csrf',
    cookieOptions: { httpOnly: true, sameSite: 'lax', secure: config.isProduction, path: '/' },
    getCsrfTokenFromRequest: tokenFromRequest,
  });

  const protect: RequestHandler = (req, res, next) => {
    let token: string | undefined;
    // Lazily: the cookie is only set on responses that render a form or the layout.
    Object.defineProperty(res.locals, 'csrfToken', {
      configurable: true,
      enumerable: true,
      get: () => (token ??= generateCsrfToken(req, res)),
    });
    if (SAFE_METHODS.has(req.method) || csrfExempt(req)) return next();
    if (validateRequest(req)) return next();
    next(new ForbiddenError('This form has expired or did not come from our site. Please go back, reload the page and try again.', 'csrf_invalid'));
  };
  return { protect, tokenFor: (req, res) => generateCsrfToken(req, res) };
}
