import crypto from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler, Request } from 'express';
import { z } from 'zod';
import { isDatabaseUnavailable } from '../db/errors';
import { AppError, BadRequestError, NotFoundError, ServiceUnavailableError, ValidationError } from './errors';
import { redactUrl, type Logger } from '../lib/log';
import { fieldErrors } from './validate';

export function wantsJson(req: Request): boolean {
  return req.originalUrl.startsWith('/api/') || req.originalUrl === '/api' || req.originalUrl.startsWith('/webhooks/');
}

/** Unknown URL: the 404 page (or JSON under /api). */
export const notFound: RequestHandler = (_req, _res, next) => next(new NotFoundError());

/** Turns anything thrown into a typed AppError; driver errors never reach the user. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof z.ZodError) return new ValidationError('Some of the information was not valid.', fieldErrors(err));
  if (isDatabaseUnavailable(err)) return new ServiceUnavailableError();
  const e = err as { type?: string; status?: number; statusCode?: number };
  // body-parser / express errors carry a 4xx status and a safe type.
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (e.type === 'entity.too.large') return new AppError(413, 'payload_too_large', 'The form sent was too large.');
    if (e.type === 'parameters.too.many') return new AppError(413, 'payload_too_large', 'The form sent had too many fields.');
    if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') {
      return new AppError(415, 'unsupported_encoding', 'The form was sent in an encoding we do not accept. Please send it from our page again.');
    }
    if (status === 404) return new NotFoundError();
    return new BadRequestError('The request could not be read.');
  }
  return new AppError(500, 'internal_error', 'Something went wrong on our side. Please try again in a moment.');
}

/** The one error chain: HTML error page for pages, JSON envelope for /api. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appError = toAppError(err);
    const errorId = appError.status >= 500 ? (req.id ? String(req.id) : crypto.randomUUID()) : undefined;
    if (appError instanceof ServiceUnavailableError) {
      // One line per refused request while the database is away, not a stack each.
      logger.warn({ errorId, url: redactUrl(req.originalUrl), method: req.method, cause: (err as Error)?.message }, 'request refused: service unavailable');
    } else if (appError.status >= 500) {
      logger.error({ err, errorId, url: redactUrl(req.originalUrl), method: req.method }, 'request failed');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    if (appError.retryAfterSeconds) {
      res.setHeader('Retry-After', String(appError.retryAfterSeconds));
    }
    res.status(appError.status);
    if (wantsJson(req)) {
      res.json({ error: { code: appError.code, message: appError.message, details: appError.details ?? null, ...(errorId ? { id: errorId } : {}) } });
      return;
    }
    const [view, locals] = appError.view
      ? [appError.view.name, { ...appError.view.locals, message: appError.message }]
      : ['errors/error', { title: titleFor(appError.status), status: appError.status, message: appError.message, fields: appError instanceof ValidationError ? appError.fields : {}, errorId, retryUrl: retryUrl(req) }];
    // The layout's own data may be what failed to load (the database is down): render it without.
    res.locals.navCategories ??= [];
    res.locals.unreadCount ??= 0;
    res.render(view, locals, (renderError: Error | null, html?: string) => {
      if (!renderError) return void res.send(html);
      // The error page itself failed (a broken template, a database gone): a plain page, never Express's own.
      logger.error({ err: renderError, errorId }, 'error page could not be rendered');
      res.type('html').send(plainErrorPage(appError.status, titleFor(appError.status), appError.message, errorId));
    });
  };
}

function plainErrorPage(status: number, title: string, message: string, errorId?: string): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title></head>` +
    `<body><main><p>${status}</p><h1>${esc(title)}</h1><p>${esc(message)}</p>${errorId ? `<p>Error reference: <code>${esc(errorId)}</code></p>` : ''}<p><a href="/">Back to the store</a></p></main></body></html>`;
}

function titleFor(status: number): string {
  switch (status) {
    case 400: return 'Bad request';
    case 401: return 'Please log in';
    case 403: return 'Not allowed';
    case 404: return 'Page not found';
    case 409: return 'Conflict';
    case 413: return 'Too large';
    case 415: return 'Not readable';
    case 422: return 'Please check your input';
    case 429: return 'Slow down';
    case 503: return 'Temporarily unavailable';
    default: return status >= 500 ? 'Something went wrong' : 'Error';
  }
}

/** Where "Try again" leads on a 503: the page asked for when it was a GET (a form's answer cannot be asked for again by a link), else the home page. */
function retryUrl(req: Request): string {
  return req.method === 'GET' && req.originalUrl.startsWith('/') && !req.originalUrl.startsWith('//') ? req.originalUrl : '/';
}
