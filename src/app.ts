import express, { type Express, type Request, type Response, type NextFunction } from 'express';
import helmet from 'helmet';
import compression from 'compression';
import cookieParser from 'cookie-parser';
import type { Config } from './config';
import type { Db } from './db';
import { type Clock, systemClock } from './lib/clock';
import { createLogger, type Logger } from './lib/log';
import { RateLimits } from './http/rate-limit';
import { requestLog } from './http/request-log';
import { assetUrl, assetFileFromUrl, PUBLIC_DIR } from './lib/assets';
import { rootPath } from './lib/paths';
import { formatMoney } from './lib/money';
import { dateTime, longDate, shortDate } from './lib/dates';
import { formatCount } from './lib/locale';
import { installViews } from './http/views';
import { FLASH_COOKIE, readFlash } from './http/flash';
import { noStore, PERSONAL_PAGES, SECURE_COOKIES } from './http/cache-control';
import { errorHandler, notFound } from './http/error-handler';
import { CatalogService } from './catalog/service';
import { ProductEditor } from './catalog/editing';
import { ProductImporter } from './catalog/import';
import { catalogRoutes } from './catalog/routes';
import { apiRoutes, serveCachedApiResponses } from './api/routes';
import { healthRoutes } from './health';
import { JobRegistry } from './jobs/registry';
import { Mailer } from './mail/service';
import { transportFromConfig, type MailTransport } from './mail/transports';
import { SessionService } from './accounts/sessions';
import { AccountService } from './accounts/service';
import { accountRoutes, type LoginHook } from './accounts/routes';
import { authCookieNames, authenticate, requireAuth, requireRole } from './http/auth';
import { createCsrf } from './http/csrf';
import { serveGuestPages } from './http/page-cache';
import { PageGlances, serveShopperPages } from './http/shopper-pages';
import { unreadCount as unreadNotifications } from './notifications/repo';
import { buildCommerce, type Commerce } from './checkout/commerce';
import type { StripeClient } from './payments/stripe';
import { webhookRoutes } from './payments/routes';
import { notificationRoutes, unreadLocals } from './notifications/routes';
import { CART_COOKIE, cartLocals } from './cart/cookie';
import { cartRoutes } from './cart/routes';
import { checkoutRoutes } from './checkout/routes';
import { orderRoutes } from './orders/routes';
import { SettingsService } from './settings/service';
import { adminRoutes } from './admin/routes';
import { InventoryService } from './inventory/service';
import { RentalService } from './rentals/service';
import { RentalBilling } from './rentals/billing';
import { RentalCalendar } from './rentals/calendar';
import { RentalCollector } from './rentals/collection';
import { RentalReturns } from './rentals/returns';
import { RentalDesk } from './rentals/desk';
import { registerRentalJobs } from './rentals/jobs';
import { rentalRoutes } from './rentals/routes';
import { DisputeService } from './disputes/service';
import { disputeRoutes } from './disputes/routes';
import { ReviewService } from './reviews/service';
import { reviewRoutes } from './reviews/routes';
import { WishlistService } from './wishlist/service';
import { heartKey, wishlistHearts, wishlistRoutes } from './wishlist/routes';

export interface AppDeps {
  config: Config;
  db: Db;
  clock?: Clock;
  logger?: Logger;
  catalog?: CatalogService;
  /** Where e-mail goes (default: .eml files in MAIL_DIR, or SMTP_URL). */
  mailTransport?: MailTransport;
  /** Stripe SDK client (tests point one at a local server); default: built from config.stripe; null = manual provider. */
  stripe?: StripeClient | null;
  /** Where uploaded files are kept and served from at /uploads (default var/uploads; tests use a folder of their own). */
  uploadsDir?: string;
}

/** Everything a feature may need, built once per app (cart, checkout, orders, payments, webhooks: see Commerce). */
export interface AppContext extends Commerce {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  catalog: CatalogService;
  /** Job kinds and handlers; register yours in buildContext. */
  jobs: JobRegistry;
  mailer: Mailer;
  sessions: SessionService;
  accounts: AccountService;
  settings: SettingsService;
  inventory: InventoryService;
  /** Rent-to-own agreements: the offer, signing and the customer's agreements. */
  rentals: RentalService;
  /** Paying for agreements: what is due, Checkout, payments staff record, what each payment does. */
  rentalBilling: RentalBilling;
  /** Charges due installments to saved cards (the rentals.collect jobs). */
  rentalCollector: RentalCollector;
  /** Ending agreements by sending the device back. */
  rentalReturns: RentalReturns;
  /** Staff actions on agreements: default, waive a late fee, assign or replace the unit. */
  rentalDesk: RentalDesk;
  /** Late fees, defaults, reminders, unpaid agreements expiring (the rentals.calendar job). */
  rentalCalendar: RentalCalendar;
  /** Customer claims and the staff dispute desk. */
  disputes: DisputeService;
  /** Staff create and edit products (admin form, CSV import). */
  products: ProductEditor;
  productImports: ProductImporter;
  /** Customer reviews: writing one, the product page's list, moderation. */
  reviews: ReviewService;
  /** Customers' wishlists, and their back-in-stock and price-drop alerts (the wishlist.alert jobs). */
  wishlist: WishlistService;
  uploadsDir: string;
  /** Run when the server stops, before it waits for open requests (e.g. ending live event streams). */
  onShutdown: Array<() => void>;
  /** Run after each successful log-in (e.g. cart merge): ctx.loginHooks.push(fn). */
  loginHooks: LoginHook[];
  /** Rate limits counted together by every process (Redis or the database). */
  rateLimits: RateLimits;
}

export const UPLOADS_DIR = rootPath('var/uploads');

export function buildContext(deps: AppDeps): AppContext {
  const { config, db } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger(config.logLevel);
  const mailer = new Mailer({
    transport: deps.mailTransport ?? transportFromConfig(config.mail, logger),
    from: config.mail.from,
    globals: { storeName: config.storeName, baseUrl: config.baseUrl, currency: config.currency },
    logger,
  });
  const sessions = new SessionService({ db, clock, secret: config.secrets.jwt, logger });
  const accounts = new AccountService({ db, clock, logger, sessions, config });
  const jobs = new JobRegistry();
  const rateLimits = new RateLimits({ config, db, logger });
  // Job kinds: each feature registers its handlers here.
  rateLimits.registerJobs(jobs);
  mailer.registerJobs(jobs);
  accounts.registerJobs(jobs);
  const catalog = deps.catalog ?? new CatalogService(deps.db, { searchIndex: config.searchIndex === 'memory', refreshMs: config.catalogRefreshSeconds * 1000 });
  const settings = new SettingsService({ db, clock });
  const { loginHook: mergeCartAtLogin, ...commerce } = buildCommerce({
    config, db, clock, logger, jobs, settings,
    stripe: deps.stripe,
    catalog,
  });
  const inventory = new InventoryService({ db, clock, catalog, settings });
  inventory.registerJobs(jobs);
  const rentals = new RentalService({ db, clock, logger, settings, catalog, storeName: config.storeName, currency: config.currency });
  const gateway = commerce.stripeGateway;
  const rentalBilling = new RentalBilling({ db, clock, logger, gateway, payments: commerce.payments, catalog, currency: config.currency });
  rentalBilling.register(commerce.paymentPurposes);
  const rentalCollector = new RentalCollector({ db, clock, logger, gateway, payments: commerce.payments, currency: config.currency });
  const rentalReturns = new RentalReturns({ db, clock, settings, billing: rentalBilling, catalog });
  const rentalDesk = new RentalDesk({ db, clock, catalog });
  const rentalCalendar = new RentalCalendar({ db, clock, logger, billing: rentalBilling, catalog });
  registerRentalJobs(jobs, { collector: rentalCollector, calendar: rentalCalendar, clock });
  const products = new ProductEditor({ db, clock, catalog });
  const productImports = new ProductImporter({ db, clock, logger, editor: products, catalog });
  productImports.registerJobs(jobs);
  const disputes = new DisputeService({ db, clock, logger, payments: commerce.payments, uploadsDir: deps.uploadsDir ?? UPLOADS_DIR, currency: config.currency });
  const reviews = new ReviewService({ db, clock, catalog });
  const wishlist = new WishlistService({ db, clock, logger, currency: config.currency });
  wishlist.registerJobs(jobs);
  return {
    disputes,
    ...commerce,
    inventory,
    rentals,
    rentalBilling,
    rentalCollector,
    rentalCalendar,
    rentalReturns,
    rentalDesk,
    products,
    productImports,
    reviews,
    wishlist,
    jobs,
    mailer,
    sessions,
    accounts,
    settings,
    onShutdown: [],
    loginHooks: [mergeCartAtLogin],
    rateLimits,
    uploadsDir: deps.uploadsDir ?? UPLOADS_DIR,
    config: deps.config,
    db: deps.db,
    clock,
    logger,
    catalog,
  };
}

export function createApp(deps: AppDeps): Express & { context: AppContext } {
  const ctx = buildContext(deps);
  const { config, logger } = ctx;
  const app = express() as Express & { context: AppContext };
  app.context = ctx;

  app.disable('x-powered-by');
  app.set(SECURE_COOKIES, config.isProduction);
  app.set('trust proxy', config.trustProxy === 'false' ? false : config.trustProxy);
  installViews(app, config.env !== 'development');

  app.use(requestLog(logger));
  app.use(helmet({ contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(config) }, crossOriginEmbedderPolicy: false }));
  app.use(compression());
  // The JSON API's cached catalog listings straight from memory: they are the same for every client.
  app.use(serveCachedApiResponses(ctx.catalog));
  app.use(cookieParser(config.secrets.cookie));
  const csrf = createCsrf(config);
  // Guests' catalog pages straight from memory, before any per-visitor work.
  app.use(
    serveGuestPages({
      pages: ctx.catalog.guestPageStore,
      personalCookies: [...Object.values(authCookieNames(config)), CART_COOKIE, FLASH_COOKIE],
      csrfToken: csrf.tokenFor,
    }),
  );

  // Signed-in shoppers' catalog pages from memory too, with their own header values (one read to check the session).
  const glances = new PageGlances(async (userId) => {
    const [cartCount, unreadCount, saved] = await Promise.all([ctx.cart.count({ userId, token: null }), unreadNotifications(ctx.db, userId), ctx.wishlist.savedProductIds(userId)]);
    return { cartCount, unreadCount, chosen: new Set(saved.map(heartKey)) };
  });
  app.use(
    serveShopperPages({
      pages: ctx.catalog.shopperPageStore,
      accessCookie: authCookieNames(config).access,
      otherCookies: [CART_COOKIE, FLASH_COOKIE],
      session: (token) => ctx.sessions.stateFromAccessToken(token),
      glances,
      csrfToken: csrf.tokenFor,
      clock: ctx.clock,
    }),
  );

  // Fingerprinted assets never change: cache for a year.
  app.use('/assets', (req: Request, res: Response, next: NextFunction) => {
    const file = assetFileFromUrl(req.path);
    if (!file) return next();
    res.sendFile(file, { root: PUBLIC_DIR, maxAge: '365d', immutable: true, dotfiles: 'deny' }, (err) => {
      if (err) next();
    });
  });
  // Pages have no file extension: skip the file-system look-up for them (it costs every page request a stat).
  const publicFiles = express.static(PUBLIC_DIR, { maxAge: '1h', index: false });
  app.use((req: Request, res: Response, next: NextFunction) => (/\.[A-Za-z0-9]+$/.test(req.path) ? publicFiles(req, res, next) : next()));
  app.use('/uploads', express.static(ctx.uploadsDir, { maxAge: '7d', index: false }));

  app.use(healthRoutes(ctx));
  // Before any body parser: the Stripe signature covers the raw bytes.
  app.use(webhookRoutes(ctx.webhooks));
  // The JSON API's reads are public catalog data: answered before the per-visitor work (session, cart, layout locals).
  // Anything else sent to /api goes on through CSRF protection to the same router below.
  const api = apiRoutes(ctx);
  app.use('/api', (req: Request, res: Response, next: NextFunction) => (req.method === 'GET' || req.method === 'HEAD' ? api(req, res, next) : next()));

  // Everything a page's layout needs comes before the body parser, so a body that cannot be read still gets the store's error page.
  app.use(readFlash);
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    res.locals.store = { name: config.storeName, currency: config.currency };
    res.locals.asset = assetUrl;
    res.locals.money = (cents: number) => formatMoney(cents, config.currency);
    Object.assign(res.locals, { longDate, shortDate, dateTime, formatCount });
    res.locals.path = req.path;
    res.locals.searchQuery = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
    res.locals.currentUser = req.user ?? null;
    res.locals.cartCount = 0;
    res.locals.title = config.storeName;
    try {
      res.locals.navCategories = await ctx.catalog.categoryTree();
    } catch (err) {
      return next(err);
    }
    next();
  });

  // Who is signed in: req.user and res.locals.currentUser (renews expired access tokens).
  app.use(authenticate(ctx));
  app.use(cartLocals(ctx));
  app.use(unreadLocals(ctx));
  app.use(wishlistHearts(ctx));
  // Pages with personal data are never stored by browsers or proxies.
  app.use(PERSONAL_PAGES, noStore);

  app.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 200 }));

  // CSRF on every state-changing request (after the body parser and auth).
  app.use(csrf.protect);

  // Area guards: nothing under /account or /admin is reachable without them.
  app.use('/account', requireAuth);
  app.use('/admin', requireRole('staff'));

  // Feature routers. Each feature owns its routes.ts; mount new ones here.
  app.use(accountRoutes(ctx));
  app.use('/api', api);
  app.use(catalogRoutes(ctx));
  app.use(reviewRoutes(ctx));
  app.use(cartRoutes(ctx));
  app.use(checkoutRoutes(ctx));
  app.use(orderRoutes(ctx));
  app.use(rentalRoutes(ctx));
  app.use(notificationRoutes(ctx));
  app.use(disputeRoutes(ctx));
  app.use(wishlistRoutes(ctx));
  app.use('/admin', adminRoutes(ctx));

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}

function cspDirectives(config: Config): Record<string, string[]> {
  const formAction = ["'self'"];
  // Chrome applies form-action to the redirect that follows a form post.
  if (config.stripe) formAction.push('https://checkout.stripe.com');
  // Outside production, a Stripe API pointed at a local test server (STRIPE_API_HOST) also serves the Checkout page.
  const local = config.stripe?.host && !config.isProduction ? config.stripe : null;
  if (local) formAction.push(`${local.protocol ?? 'https'}://${local.host}${local.port ? `:${local.port}` : ''}`);
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': formAction,
    'frame-ancestors': ["'none'"],
    ...(config.isProduction ? { 'upgrade-insecure-requests': [] } : {}),
  };
}

