import type { CookieOptions, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Config } from '../config';
import type { Logger } from '../lib/log';
import type { Role } from './current-user';
import { ForbiddenError, UnauthorizedError } from './errors';
import { wantsJson } from './error-handler';
import { setFlash } from './flash';
import { ACCESS_TTL_SECONDS, REFRESH_TTL_MS } from '../accounts/tokens';
import type { SessionService, SessionMeta } from '../accounts/sessions';
import { toCurrentUser } from '../accounts/service';

/** Cookie names: `__Host-` prefixed (Secure, Path=/, no Domain) in production. */
export function authCookieNames(config: Pick<Config, 'isProduction'>): { access: string; refresh: string } {
  const prefix = config.isProduction ? '__Host-' : '';
  return { access: `${prefix}gg_at`, refresh: `${prefix}gg_rt` };
}

function cookieOptions(config: Pick<Config, 'isProduction'>, maxAgeMs: number): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: config.isProduction, path: '/', maxAge: maxAgeMs };
}

export function setSessionCookies(res: Response, config: Pick<Config, 'isProduction'>, tokens: { accessToken: string; refreshToken?: string }): void {
  const names = authCookieNames(config);
  res.cookie(names.access, tokens.accessToken, cookieOptions(config, ACCESS_TTL_SECONDS * 1000));
  if (tokens.refreshToken) res.cookie(names.refresh, tokens.refreshToken, cookieOptions(config, REFRESH_TTL_MS));
}

export function clearSessionCookies(res: Response, config: Pick<Config, 'isProduction'>): void {
  const names = authCookieNames(config);
  const { maxAge: _drop, ...opts } = cookieOptions(config, 0);
  res.clearCookie(names.access, opts);
  res.clearCookie(names.refresh, opts);
}

export function sessionMeta(req: Request): SessionMeta {
  const ua = req.get('user-agent');
  return { ip: req.ip, userAgent: ua ? ua.slice(0, 255) : undefined };
}

const sessions = new WeakMap<Request, string>();

/** The signed-in session's id (refresh-token family), or undefined for guests. */
export function sessionIdOf(req: Request): string | undefined {
  return sessions.get(req);
}

/** Records the session a request was found to belong to (by authenticate(), or the shopper page path). */
export function noteSession(req: Request, sessionId: string): void {
  sessions.set(req, sessionId);
}

/**
 * Reads the session cookies and sets req.user and res.locals.currentUser.
 * An expired or missing access token is renewed from the refresh cookie
 * (rotating it). Anything invalid — tampered, wrong algorithm, expired,
 * revoked — simply means "not signed in", and stale cookies are cleared.
 */
export function authenticate(deps: { sessions: SessionService; config: Pick<Config, 'isProduction'>; logger: Logger }): RequestHandler {
  const names = authCookieNames(deps.config);
  return async (req: Request, res: Response, next: NextFunction) => {
    res.locals.currentUser = null;
    const access = req.cookies?.[names.access];
    const refresh = req.cookies?.[names.refresh];
    if (typeof access !== 'string' && typeof refresh !== 'string') return next();
    try {
      let auth = typeof access === 'string' ? await deps.sessions.fromAccessToken(access) : null;
      if (!auth && typeof refresh === 'string') {
        auth = await deps.sessions.refresh(refresh, sessionMeta(req));
        if (auth?.renewed) setSessionCookies(res, deps.config, auth.renewed);
      }
      if (!auth) {
        clearSessionCookies(res, deps.config);
        return next();
      }
      req.user = toCurrentUser(auth.user);
      res.locals.currentUser = req.user;
      noteSession(req, auth.sessionId);
      // Whatever this post changed of the shopper shows on their next page here at once, not when the page-change feed reports it
      // ('close': also when the client went away before the answer).
      if (req.method !== 'GET' && req.method !== 'HEAD') res.once('close', () => deps.sessions.forgetStatesOf(auth.user.id));
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** A same-site path to return to after logging in; anything else becomes /account. */
export function safeNext(next: unknown, fallback = '/account'): string {
  if (typeof next !== 'string' || next.length > 500) return fallback;
  if (!/^\/(?![/\\])[\x21-\x7e]*$/.test(next)) return fallback;
  return next;
}

function loginRedirect(req: Request, res: Response, next: NextFunction): void {
  if (wantsJson(req)) return next(new UnauthorizedError());
  const back = req.method === 'GET' || req.method === 'HEAD' ? req.originalUrl : undefined;
  res.redirect(303, back && back !== '/' ? `/login?next=${encodeURIComponent(back)}` : '/login');
}

/** Guests are sent to /login?next=… (pages) or get 401 JSON (/api). */
export const requireAuth: RequestHandler = (req, res, next) => {
  if (req.user) return next();
  loginRedirect(req, res, next);
};

const RANK: Record<Role, number> = { customer: 0, staff: 1, admin: 2 };

/** Staff areas: requireRole('staff') lets staff and admins in; requireRole('admin') only admins. */
export function requireRole(role: Exclude<Role, 'customer'>): RequestHandler {
  return (req, res, next) => {
    if (!req.user) return loginRedirect(req, res, next);
    if (RANK[req.user.role] < RANK[role]) return next(new ForbiddenError('Your account does not have access to this area.'));
    next();
  };
}

/** For actions that need a confirmed e-mail address (starting a rental). */
export const requireVerifiedEmail: RequestHandler = (req, res, next) => {
  if (!req.user) return loginRedirect(req, res, next);
  if (req.user.emailVerified) return next();
  const message = 'Please confirm your e-mail address first: open the link we sent you, or ask for a new one on your account page.';
  if (wantsJson(req)) return next(new ForbiddenError(message, 'email_unverified'));
  setFlash(res, 'error', message);
  res.redirect(303, '/account');
};

