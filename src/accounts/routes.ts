import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { Config } from '../config';
import { type Clock, HOUR, MINUTE } from '../lib/clock';
import type { Logger } from '../lib/log';
import type { CurrentUser } from '../http/current-user';
import { NotFoundError, TooManyRequestsError, UnauthorizedError, ValidationError } from '../http/errors';
import { toAppError } from '../http/error-handler';
import { setFlash } from '../http/flash';
import { clearSessionCookies, safeNext, sessionIdOf, sessionMeta, setSessionCookies, authCookieNames } from '../http/auth';
import { describeWait, emailKey, GrowingDelay, rateLimit } from '../http/rate-limit';
import { AddressInput, ForgotInput, IdParam, LoginInput, PasswordChangeInput, ProfileInput, RegisterInput, ResetInput } from './schemas';
import { InvalidCredentialsError, InvalidLinkError, toCurrentUser, type AccountService } from './service';
import type { SessionService } from './sessions';
import type { AddressRow } from './repo';

export interface AccountRoutesDeps {
  accounts: AccountService;
  sessions: SessionService;
  config: Pick<Config, 'isProduction'>;
  clock: Clock;
  logger: Logger;
  loginHooks: LoginHook[];
}

/** Runs after a successful log-in, before the redirect (e.g. merging the guest cart). Failures are logged, not shown. */
export type LoginHook = (event: { req: Request; res: Response; user: CurrentUser }) => Promise<void>;

type Locals = Record<string, unknown>;

/** The form body without the CSRF field. */
function form(req: Request): Record<string, unknown> {
  const { _csrf: _ignored, ...rest } = (req.body ?? {}) as Record<string, unknown>;
  return rest;
}

/** The submitted values to show again: strings only, never passwords. */
function keep(body: Record<string, unknown>, fields: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) if (typeof body[f] === 'string') out[f] = (body[f] as string).slice(0, 500);
  return out;
}

/** Re-renders the form with field messages for validation errors; anything else goes to the error handler. */
function renderInvalid(res: Response, err: unknown, view: string, locals: Locals): void {
  const e = toAppError(err);
  if (!(e instanceof ValidationError)) throw err;
  res.status(422).render(view, { errors: e.fields, formError: e.message, ...locals });
}

function me(req: Request): CurrentUser {
  if (!req.user) throw new UnauthorizedError();
  return req.user;
}

function addressId(req: Request): number {
  const id = IdParam.safeParse(req.params.id);
  if (!id.success) throw new NotFoundError('We could not find that address.');
  return id.data;
}

function addressValues(a: AddressRow): Record<string, unknown> {
  return {
    label: a.label, first_name: a.first_name, last_name: a.last_name, line1: a.line1, line2: a.line2,
    city: a.city, region: a.region, postal_code: a.postal_code, country: a.country, phone: a.phone, is_default: Boolean(a.is_default),
  };
}

const ADDRESS_FIELDS = ['label', 'first_name', 'last_name', 'line1', 'line2', 'city', 'region', 'postal_code', 'country', 'phone'];

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  return schema.parse(body);
}

function queryToken(req: Request): string {
  const t = req.query.token;
  return typeof t === 'string' ? t : '';
}

/**
 * Accounts (SPEC §7): /register, /login, /logout, /forgot-password,
 * /reset-password, /verify-email and the account area pages it owns.
 * /account/* is guarded by requireAuth in app.ts.
 */
export function accountRoutes(deps: AccountRoutesDeps): Router {
  const { accounts, sessions, config, logger } = deps;
  const router = Router();

  const loginDelay = new GrowingDelay({ clock: deps.clock });
  const limit = {
    login: rateLimit({ windowMs: 15 * MINUTE, limit: 20, count: 'failures', message: 'Too many failed log-in attempts from your network.' }),
    register: rateLimit({ windowMs: HOUR, limit: 10, message: 'Too many accounts were created from your network.' }),
    forgot: rateLimit({ windowMs: 15 * MINUTE, limit: 5, message: 'Too many password reset requests from your network.' }),
    forgotEmail: rateLimit({ windowMs: HOUR, limit: 3, key: emailKey, message: 'Too many password reset requests for this address.' }),
    // Registering an existing address e-mails its owner: cap that per address too.
    registerEmail: rateLimit({ windowMs: HOUR, limit: 3, key: emailKey, count: 'successes', message: 'Too many sign-ups for this address.' }),
    reset: rateLimit({ windowMs: 15 * MINUTE, limit: 10, message: 'Too many password reset attempts from your network.' }),
    resend: rateLimit({ windowMs: 15 * MINUTE, limit: 3, key: (req) => (req.user ? `user:${req.user.id}` : undefined), message: 'We have sent several links already.' }),
  };

  // ---- register

  router.get('/register', (req, res) => {
    if (req.user) return res.redirect(303, '/account');
    res.render('accounts/register', { title: 'Create an account', values: {}, errors: {}, noindex: true });
  });

  router.post('/register', limit.register, limit.registerEmail, async (req, res) => {
    const body = form(req);
    const values = keep(body, ['email', 'first_name', 'last_name']);
    try {
      await accounts.register(parse(RegisterInput, body));
    } catch (err) {
      return renderInvalid(res, err, 'accounts/register', { title: 'Create an account', values, noindex: true });
    }
    // Same answer whether or not the address already had an account.
    res.redirect(303, '/register/done');
  });

  router.get('/register/done', (_req, res) => {
    res.render('accounts/register-done', { title: 'Check your inbox', noindex: true });
  });

  // ---- log in / out

  router.get('/login', (req, res) => {
    const next = safeNext(req.query.next, '');
    if (req.user) return res.redirect(303, next || '/account');
    res.render('accounts/login', { title: 'Log in', values: { next }, errors: {}, noindex: true });
  });

  router.post('/login', limit.login, async (req, res) => {
    const body = form(req);
    const values = { ...keep(body, ['email']), next: safeNext(body.next, '') };
    let input: LoginInput;
    try {
      input = parse(LoginInput, body);
    } catch (err) {
      return renderInvalid(res, err, 'accounts/login', { title: 'Log in', values, noindex: true });
    }
    const key = `login:${input.email}`;
    const wait = loginDelay.waitSeconds(key);
    if (wait > 0) {
      logger.warn({ event: 'login.throttled', email: input.email, ip: req.ip }, 'log-in throttled');
      throw new TooManyRequestsError(`Too many failed log-in attempts for this account. You can try again in ${describeWait(wait)}.`, wait);
    }
    try {
      const { user, session } = await accounts.login(input.email, input.password, sessionMeta(req));
      loginDelay.succeed(key);
      setSessionCookies(res, config, session);
      const current = toCurrentUser(user);
      for (const hook of deps.loginHooks) {
        await hook({ req, res, user: current }).catch((err: unknown) => logger.error({ err, userId: user.id }, 'after-login hook failed'));
      }
      res.redirect(303, safeNext(input.next));
    } catch (err) {
      if (!(err instanceof InvalidCredentialsError)) throw err;
      loginDelay.fail(key);
      res.status(401).render('accounts/login', { title: 'Log in', values, errors: {}, formError: err.message, noindex: true });
    }
  });

  router.post('/logout', async (req, res) => {
    const sessionId = sessionIdOf(req);
    const refresh = req.cookies?.[authCookieNames(config).refresh];
    if (sessionId) await sessions.end(sessionId);
    else if (typeof refresh === 'string') await sessions.endByRefreshToken(refresh);
    clearSessionCookies(res, config);
    setFlash(res, 'success', 'You are logged out.');
    res.redirect(303, '/');
  });

  // ---- e-mail verification

  router.get('/verify-email', async (req, res) => {
    try {
      const { alreadyVerified } = await accounts.verifyEmail(queryToken(req));
      res.render('accounts/verified', { title: 'E-mail address confirmed', alreadyVerified, noindex: true });
    } catch (err) {
      if (!(err instanceof InvalidLinkError)) throw err;
      res.status(400).render('accounts/link-invalid', { title: 'Link not valid', purpose: err.purpose, message: err.message, noindex: true });
    }
  });

  router.post('/account/verify-email', limit.resend, async (req, res) => {
    const outcome = await accounts.resendVerification(me(req).id);
    if (outcome === 'already_verified') setFlash(res, 'info', 'Your e-mail address is already confirmed.');
    else setFlash(res, 'success', `We sent a new confirmation link to ${me(req).email}. It is valid for 24 hours.`);
    res.redirect(303, '/account');
  });

  // ---- password reset

  router.get('/forgot-password', (_req, res) => {
    res.render('accounts/forgot-password', { title: 'Forgot your password?', values: {}, errors: {}, noindex: true });
  });

  router.post('/forgot-password', limit.forgot, limit.forgotEmail, async (req, res) => {
    const body = form(req);
    let input: ForgotInput;
    try {
      input = parse(ForgotInput, body);
    } catch (err) {
      return renderInvalid(res, err, 'accounts/forgot-password', { title: 'Forgot your password?', values: keep(body, ['email']), noindex: true });
    }
    await accounts.requestPasswordReset(input.email, sessionMeta(req));
    // Same answer whether or not the address has an account.
    res.redirect(303, '/forgot-password/sent');
  });

  router.get('/forgot-password/sent', (_req, res) => {
    res.render('accounts/forgot-sent', { title: 'Check your inbox', noindex: true });
  });

  const invalidLink = (res: Response, err: InvalidLinkError) =>
    res.status(400).render('accounts/link-invalid', { title: 'Link not valid', purpose: err.purpose, message: err.message, noindex: true });

  router.get('/reset-password', async (req, res) => {
    const token = queryToken(req);
    try {
      await accounts.checkResetToken(token);
    } catch (err) {
      if (err instanceof InvalidLinkError) return invalidLink(res, err);
      throw err;
    }
    res.render('accounts/reset-password', { title: 'Choose a new password', token, errors: {}, noindex: true });
  });

  router.post('/reset-password', limit.reset, async (req, res) => {
    const body = form(req);
    const token = typeof body.token === 'string' && body.token ? body.token : queryToken(req);
    try {
      await accounts.checkResetToken(token); // a dead link is reported before any password advice
      const input = parse(ResetInput, { token, password: body.password });
      await accounts.resetPassword(input.token, input.password);
    } catch (err) {
      if (err instanceof InvalidLinkError) return invalidLink(res, err);
      return renderInvalid(res, err, 'accounts/reset-password', { title: 'Choose a new password', token, noindex: true });
    }
    clearSessionCookies(res, config);
    setFlash(res, 'success', 'Your password has been changed and every device signed out. Log in with your new password.');
    res.redirect(303, '/login');
  });

  // ---- account area (guarded by requireAuth for /account in app.ts)

  router.get('/account', async (req, res) => {
    const user = await accounts.user(me(req).id);
    const glance = await accounts.dashboard(user.id);
    res.render('accounts/dashboard', { title: 'Your account', user, glance, noindex: true });
  });

  router.get('/account/profile', async (req, res) => {
    const user = await accounts.user(me(req).id);
    res.render('accounts/profile', {
      title: 'Your profile',
      values: { first_name: user.first_name, last_name: user.last_name, phone: user.phone, email: user.email },
      verified: Boolean(user.email_verified_at),
      errors: {},
      noindex: true,
    });
  });

  router.post('/account/profile', async (req, res) => {
    const body = form(req);
    const user = me(req);
    try {
      const { emailChanged } = await accounts.updateProfile(user.id, parse(ProfileInput, body));
      setFlash(res, 'success', emailChanged ? 'Profile saved. We sent a confirmation link to your new e-mail address; please open it to confirm the change.' : 'Profile saved.');
    } catch (err) {
      return renderInvalid(res, err, 'accounts/profile', {
        title: 'Your profile',
        values: keep(body, ['first_name', 'last_name', 'phone', 'email']),
        verified: user.emailVerified,
        noindex: true,
      });
    }
    res.redirect(303, '/account/profile');
  });

  const passwordPage = async (req: Request, res: Response, status: number, extra: Locals) => {
    const { activeSessions } = await accounts.dashboard(me(req).id);
    res.status(status).render('accounts/password', { title: 'Password and security', activeSessions, errors: {}, noindex: true, ...extra });
  };

  router.get('/account/password', (req, res) => passwordPage(req, res, 200, {}));

  router.post('/account/password', async (req, res) => {
    const user = me(req);
    try {
      const { accessToken } = await accounts.changePassword(user.id, sessionIdOf(req) ?? '', parse(PasswordChangeInput, form(req)));
      setSessionCookies(res, config, { accessToken });
    } catch (err) {
      const e = toAppError(err);
      if (!(e instanceof ValidationError)) throw err;
      return passwordPage(req, res, 422, { errors: e.fields, formError: e.message });
    }
    setFlash(res, 'success', 'Password changed. Your other devices have been signed out.');
    res.redirect(303, '/account/password');
  });

  router.post('/account/sign-out-everywhere', async (req, res) => {
    await accounts.signOutEverywhere(me(req).id);
    clearSessionCookies(res, config);
    setFlash(res, 'success', 'You have been signed out on every device.');
    res.redirect(303, '/login');
  });

  // ---- addresses

  router.get('/account/addresses', async (req, res) => {
    const addresses = await accounts.listAddresses(me(req).id);
    res.render('accounts/addresses', { title: 'Your addresses', addresses, noindex: true });
  });

  router.get('/account/addresses/new', (_req, res) => {
    res.render('accounts/address-form', { title: 'Add an address', addressId: null, values: { country: 'US' }, errors: {}, noindex: true });
  });

  router.post('/account/addresses', async (req, res) => {
    const body = form(req);
    try {
      await accounts.createAddress(me(req).id, parse(AddressInput, body));
    } catch (err) {
      return renderInvalid(res, err, 'accounts/address-form', {
        title: 'Add an address', addressId: null, values: { ...keep(body, ADDRESS_FIELDS), is_default: body.is_default !== undefined }, noindex: true,
      });
    }
    setFlash(res, 'success', 'Address added.');
    res.redirect(303, '/account/addresses');
  });

  router.get('/account/addresses/:id/edit', async (req, res) => {
    const address = await accounts.address(me(req).id, addressId(req));
    res.render('accounts/address-form', { title: 'Edit address', addressId: address.id, values: addressValues(address), errors: {}, noindex: true });
  });

  router.post('/account/addresses/:id', async (req, res) => {
    const id = addressId(req);
    const userId = me(req).id;
    await accounts.address(userId, id); // 404 before validating someone else's address
    const body = form(req);
    try {
      await accounts.updateAddress(userId, id, parse(AddressInput, body));
    } catch (err) {
      return renderInvalid(res, err, 'accounts/address-form', {
        title: 'Edit address', addressId: id, values: { ...keep(body, ADDRESS_FIELDS), is_default: body.is_default !== undefined }, noindex: true,
      });
    }
    setFlash(res, 'success', 'Address saved.');
    res.redirect(303, '/account/addresses');
  });

  router.post('/account/addresses/:id/delete', async (req, res) => {
    await accounts.deleteAddress(me(req).id, addressId(req));
    setFlash(res, 'success', 'Address deleted.');
    res.redirect(303, '/account/addresses');
  });

  router.post('/account/addresses/:id/default', async (req, res) => {
    await accounts.makeDefaultAddress(me(req).id, addressId(req));
    setFlash(res, 'success', 'Default address updated.');
    res.redirect(303, '/account/addresses');
  });

  return router;
}
