import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Config } from '../config';
import { type Clock, HOUR, MINUTE } from '../lib/clock';
import type { Logger } from '../lib/log';
import type { CurrentUser } from '../http/current-user';
import { TooManyRequestsError, UnauthorizedError } from '../http/errors';
import { formPage, validate } from '../http/validate';
import { setFlash } from '../http/flash';
import { clearSessionCookies, safeNext, sessionIdOf, sessionMeta, setSessionCookies, authCookieNames } from '../http/auth';
import { describeWait, emailKey, type RateLimits } from '../http/rate-limit';
import { AddressInput, AddressParams, CreditQuery, ForgotInput, LoginInput, PasswordChangeInput, ProfileInput, RegisterInput, ResetInput } from './schemas';
import { InvalidCredentialsError, toCurrentUser, type AccountService } from './service';
import type { SessionService } from './sessions';
import type { SavedAddress } from './repo';
import { RENTAL_STATUS_LABELS } from '../rentals/transitions';
import { CREDIT_KIND_LABELS } from '../payments/store-credit';

/** Store credit ledger entries per page. */
const CREDIT_PER_PAGE = 50;

export interface AccountRoutesDeps {
  accounts: AccountService;
  sessions: SessionService;
  config: Pick<Config, 'isProduction'>;
  clock: Clock;
  logger: Logger;
  loginHooks: LoginHook[];
  rateLimits: RateLimits;
}

/** Runs after a successful log-in, before the redirect (e.g. merging the guest cart). Failures are logged, not shown. */
export type LoginHook = (event: { req: Request; res: Response; user: CurrentUser }) => Promise<void>;

function me(req: Request): CurrentUser {
  if (!req.user) throw new UnauthorizedError();
  return req.user;
}

/** An address as its form's fields. */
function addressValues(a: SavedAddress): Record<string, unknown> {
  return {
    label: a.label, first_name: a.firstName, last_name: a.lastName, line1: a.line1, line2: a.line2,
    city: a.city, region: a.region, postal_code: a.postalCode, country: a.country, phone: a.phone, is_default: a.isDefault,
  };
}

const ADDRESS_FIELDS = ['label', 'first_name', 'last_name', 'line1', 'line2', 'city', 'region', 'postal_code', 'country', 'phone', 'is_default'];

function queryToken(req: Request): string {
  const t = req.query.token;
  return typeof t === 'string' ? t : '';
}

/** The reset token of a submitted form: its hidden field, else the link's. */
function resetToken(req: Request): string {
  const t = (req.body as Record<string, unknown> | undefined)?.token;
  return typeof t === 'string' && t ? t : queryToken(req);
}

/**
 * Accounts (SPEC §7): /register, /login, /logout, /forgot-password,
 * /reset-password, /verify-email and the account area pages it owns.
 * /account/* is guarded by requireAuth in app.ts.
 */
export function accountRoutes(deps: AccountRoutesDeps): Router {
  const { accounts, sessions, config, logger } = deps;
  const router = Router();

  const { rateLimits } = deps;
  const loginDelay = rateLimits.growingDelay({ name: 'login-account' });
  const limit = {
    login: rateLimits.limit({ name: 'login', windowMs: 15 * MINUTE, limit: 20, count: 'failures', message: 'Too many failed log-in attempts from your network.' }),
    register: rateLimits.limit({ name: 'register', windowMs: HOUR, limit: 10, message: 'Too many accounts were created from your network.' }),
    forgot: rateLimits.limit({ name: 'forgot', windowMs: 15 * MINUTE, limit: 5, message: 'Too many password reset requests from your network.' }),
    forgotEmail: rateLimits.limit({ name: 'forgot-email', windowMs: HOUR, limit: 3, key: emailKey, message: 'Too many password reset requests for this address.' }),
    // Registering an existing address e-mails its owner: cap that per address too.
    registerEmail: rateLimits.limit({ name: 'register-email', windowMs: HOUR, limit: 3, key: emailKey, count: 'successes', message: 'Too many sign-ups for this address.' }),
    reset: rateLimits.limit({ name: 'reset', windowMs: 15 * MINUTE, limit: 10, message: 'Too many password reset attempts from your network.' }),
    resend: rateLimits.limit({ name: 'resend', windowMs: 15 * MINUTE, limit: 3, key: (req) => (req.user ? `user:${req.user.id}` : undefined), message: 'We have sent several links already.' }),
  };

  // ---- register

  const registerPage = formPage({ view: 'accounts/register', keep: ['email', 'first_name', 'last_name'], locals: () => ({ title: 'Create an account', noindex: true }) });
  const register = validate({ body: RegisterInput }, { form: registerPage });

  router.get('/register', (req, res) => {
    if (req.user) return res.redirect(303, '/account');
    return registerPage.render(req, res);
  });

  router.post('/register', limit.register, limit.registerEmail, register, registerPage.submit(async (req, res) => {
    await accounts.register(register.body(req));
    // Same answer whether or not the address already had an account.
    res.redirect(303, '/register/done');
  }));

  router.get('/register/done', (_req, res) => {
    res.render('accounts/register-done', { title: 'Check your inbox', noindex: true });
  });

  // ---- log in / out

  const loginPage = formPage({
    view: 'accounts/login',
    keep: ['email', 'next'],
    showRefusals: true,
    locals: (req, _res, submitted) => ({ title: 'Log in', noindex: true, values: { ...submitted, next: safeNext(submitted.next ?? req.query.next, '') } }),
  });
  const login = validate({ body: LoginInput }, { form: loginPage });

  router.get('/login', (req, res) => {
    const next = safeNext(req.query.next, '');
    if (req.user) return res.redirect(303, next || '/account');
    return loginPage.render(req, res);
  });

  router.post('/login', limit.login, login, loginPage.submit(async (req, res) => {
    const input = login.body(req);
    const key = `login:${input.email}`;
    const wait = await loginDelay.waitSeconds(key);
    if (wait > 0) {
      logger.warn({ event: 'login.throttled', email: input.email, ip: req.ip }, 'log-in throttled');
      throw new TooManyRequestsError(`Too many failed log-in attempts for this account. You can try again in ${describeWait(wait)}.`, wait);
    }
    let signedIn;
    try {
      signedIn = await accounts.login(input.email, input.password, sessionMeta(req));
    } catch (err) {
      if (err instanceof InvalidCredentialsError) await loginDelay.fail(key);
      throw err;
    }
    const { user, session } = signedIn;
    await loginDelay.succeed(key);
    setSessionCookies(res, config, session);
    const current = toCurrentUser(user);
    for (const hook of deps.loginHooks) {
      await hook({ req, res, user: current }).catch((err: unknown) => logger.error({ err, userId: user.id }, 'after-login hook failed'));
    }
    res.redirect(303, safeNext(input.next));
  }));

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
    const { alreadyVerified } = await accounts.verifyEmail(queryToken(req));
    res.render('accounts/verified', { title: 'E-mail address confirmed', alreadyVerified, noindex: true });
  });

  router.post('/account/verify-email', limit.resend, async (req, res) => {
    const outcome = await accounts.resendVerification(me(req).id);
    if (outcome === 'already_verified') setFlash(res, 'info', 'Your e-mail address is already confirmed.');
    else setFlash(res, 'success', `We sent a new confirmation link to ${me(req).email}. It is valid for 24 hours.`);
    res.redirect(303, '/account');
  });

  // ---- password reset

  const forgotPage = formPage({ view: 'accounts/forgot-password', keep: ['email'], locals: () => ({ title: 'Forgot your password?', noindex: true }) });
  const forgot = validate({ body: ForgotInput }, { form: forgotPage });

  router.get('/forgot-password', (req, res) => forgotPage.render(req, res));

  router.post('/forgot-password', limit.forgot, limit.forgotEmail, forgot, forgotPage.submit(async (req, res) => {
    await accounts.requestPasswordReset(forgot.body(req).email, sessionMeta(req));
    // Same answer whether or not the address has an account.
    res.redirect(303, '/forgot-password/sent');
  }));

  router.get('/forgot-password/sent', (_req, res) => {
    res.render('accounts/forgot-sent', { title: 'Check your inbox', noindex: true });
  });

  const resetPage = formPage({ view: 'accounts/reset-password', keep: [], locals: (req) => ({ title: 'Choose a new password', token: resetToken(req), noindex: true }) });
  const reset = validate({ body: ResetInput }, { form: resetPage });
  // A dead link is reported before any password advice.
  const liveResetLink: RequestHandler = async (req, _res, next) => {
    await accounts.checkResetToken(resetToken(req));
    next();
  };

  router.get('/reset-password', liveResetLink, (req, res) => resetPage.render(req, res));

  router.post('/reset-password', limit.reset, liveResetLink, reset, resetPage.submit(async (req, res) => {
    await accounts.resetPassword(resetToken(req), reset.body(req).password);
    clearSessionCookies(res, config);
    setFlash(res, 'success', 'Your password has been changed and every device signed out. Log in with your new password.');
    res.redirect(303, '/login');
  }));

  // ---- account area (guarded by requireAuth for /account in app.ts)

  router.get('/account', async (req, res) => {
    const user = await accounts.profile(me(req).id);
    const glance = await accounts.dashboard(user.id);
    res.render('accounts/dashboard', { title: 'Your account', user, glance, rentalStatusLabels: RENTAL_STATUS_LABELS, noindex: true });
  });

  const creditPage = validate({ query: CreditQuery });
  router.get('/account/credit', creditPage, async (req, res) => {
    const { page } = creditPage.query(req);
    const history = await accounts.creditHistory(me(req).id, page, CREDIT_PER_PAGE);
    res.render('accounts/credit', { title: 'Store credit', noindex: true, ...history, page, kinds: CREDIT_KIND_LABELS });
  });

  const profilePage = formPage({
    view: 'accounts/profile',
    keep: ['first_name', 'last_name', 'phone', 'email', 'wishlist_alerts'],
    locals: (req) => ({ title: 'Your profile', verified: me(req).emailVerified, noindex: true }),
  });
  const profile = validate({ body: ProfileInput }, { form: profilePage });

  router.get('/account/profile', async (req, res) => {
    const user = await accounts.profile(me(req).id);
    res.render('accounts/profile', {
      title: 'Your profile',
      values: { first_name: user.firstName, last_name: user.lastName, phone: user.phone, email: user.email, wishlist_alerts: user.wishlistAlerts ? 'on' : '' },
      verified: user.emailVerified,
      errors: {},
      noindex: true,
    });
  });

  router.post('/account/profile', profile, profilePage.submit(async (req, res) => {
    const { emailChanged } = await accounts.updateProfile(me(req).id, profile.body(req));
    setFlash(res, 'success', emailChanged ? 'Profile saved. We sent a confirmation link to your new e-mail address; please open it to confirm the change.' : 'Profile saved.');
    res.redirect(303, '/account/profile');
  }));

  const passwordPage = formPage({
    view: 'accounts/password',
    keep: [],
    locals: async (req) => ({ title: 'Password and security', activeSessions: (await accounts.dashboard(me(req).id)).activeSessions, noindex: true }),
  });
  const passwordChange = validate({ body: PasswordChangeInput }, { form: passwordPage });

  router.get('/account/password', (req, res) => passwordPage.render(req, res));

  router.post('/account/password', passwordChange, passwordPage.submit(async (req, res) => {
    const { accessToken } = await accounts.changePassword(me(req).id, sessionIdOf(req) ?? '', passwordChange.body(req));
    setSessionCookies(res, config, { accessToken });
    setFlash(res, 'success', 'Password changed. Your other devices have been signed out.');
    res.redirect(303, '/account/password');
  }));

  router.post('/account/sign-out-everywhere', async (req, res) => {
    await accounts.signOutEverywhere(me(req).id);
    clearSessionCookies(res, config);
    setFlash(res, 'success', 'You have been signed out on every device.');
    res.redirect(303, '/login');
  });

  // ---- addresses

  const notFound = 'We could not find that address.';
  const addressPage = formPage({
    view: 'accounts/address-form',
    keep: ADDRESS_FIELDS,
    locals: (req) => {
      const id = AddressParams.safeParse(req.params);
      return id.success ? { title: 'Edit address', addressId: id.data.id, noindex: true } : { title: 'Add an address', addressId: null, noindex: true };
    },
  });
  const addressParams = validate({ params: AddressParams }, { notFound });
  const newAddress = validate({ body: AddressInput }, { form: addressPage });
  const editAddress = validate({ params: AddressParams, body: AddressInput }, { form: addressPage, notFound });
  /** Someone else's address is "not found", before its form is validated. */
  const ownAddress: RequestHandler = async (req, _res, next) => {
    await accounts.address(me(req).id, addressParams.params(req).id);
    next();
  };

  router.get('/account/addresses', async (req, res) => {
    const addresses = await accounts.listAddresses(me(req).id);
    res.render('accounts/addresses', { title: 'Your addresses', addresses, noindex: true });
  });

  router.get('/account/addresses/new', (_req, res) => {
    res.render('accounts/address-form', { title: 'Add an address', addressId: null, values: { country: 'US' }, errors: {}, noindex: true });
  });

  router.post('/account/addresses', newAddress, addressPage.submit(async (req, res) => {
    await accounts.createAddress(me(req).id, newAddress.body(req));
    setFlash(res, 'success', 'Address added.');
    res.redirect(303, '/account/addresses');
  }));

  router.get('/account/addresses/:id/edit', addressParams, async (req, res) => {
    const address = await accounts.address(me(req).id, addressParams.params(req).id);
    res.render('accounts/address-form', { title: 'Edit address', addressId: address.id, values: addressValues(address), errors: {}, noindex: true });
  });

  router.post('/account/addresses/:id', addressParams, ownAddress, editAddress, addressPage.submit(async (req, res) => {
    await accounts.updateAddress(me(req).id, editAddress.params(req).id, editAddress.body(req));
    setFlash(res, 'success', 'Address saved.');
    res.redirect(303, '/account/addresses');
  }));

  router.post('/account/addresses/:id/delete', addressParams, async (req, res) => {
    await accounts.deleteAddress(me(req).id, addressParams.params(req).id);
    setFlash(res, 'success', 'Address deleted.');
    res.redirect(303, '/account/addresses');
  });

  router.post('/account/addresses/:id/default', addressParams, async (req, res) => {
    await accounts.makeDefaultAddress(me(req).id, addressParams.params(req).id);
    setFlash(res, 'success', 'Default address updated.');
    res.redirect(303, '/account/addresses');
  });

  return router;
}
