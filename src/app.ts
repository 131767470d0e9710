import crypto from 'node:crypto';
import express, { type Express, type Request, type Response, type NextFunction } from 'express';
import helmet from 'helmet';
import compression from 'compression';
import cookieParser from 'cookie-parser';
import { pinoHttp } from 'pino-http';
import type { Config } from './config';
import type { Db } from './db';
import { type Clock, systemClock } from './lib/clock';
import { createLogger, type Logger } from './lib/log';
import { assetUrl, assetFileFromUrl, PUBLIC_DIR } from './lib/assets';
import { rootPath } from './lib/paths';
import { formatMoney } from './lib/money';
import { installViews } from './http/views';
import { readFlash } from './http/flash';
import { errorHandler, notFound } from './http/error-handler';
import { CatalogService } from './catalog/service';
import { catalogRoutes } from './catalog/routes';
import { healthRoutes } from './health';

export interface AppDeps {
  config: Config;
  db: Db;
  clock?: Clock;
  logger?: Logger;
  catalog?: CatalogService;
}

/** Everything a feature may need, built once per app. */
export interface AppContext {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  catalog: CatalogService;
}

export const UPLOADS_DIR = rootPath('var/uploads');

export function buildContext(deps: AppDeps): AppContext {
  return {
    config: deps.config,
    db: deps.db,
    clock: deps.clock ?? systemClock,
    logger: deps.logger ?? createLogger(deps.config.logLevel),
    catalog: deps.catalog ?? new CatalogService(deps.db),
  };
}

export function createApp(deps: AppDeps): Express & { context: AppContext } {
  const ctx = buildContext(deps);
  const { config, logger } = ctx;
  const app = express() as Express & { context: AppContext };
  app.context = ctx;

  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy === 'false' ? false : config.trustProxy);
  installViews(app, config.env !== 'development');

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w-]{8,64}$/.test(incoming) ? incoming : crypto.randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || (req.url ?? '').startsWith('/assets/') },
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(helmet({ contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(config) }, crossOriginEmbedderPolicy: false }));
  app.use(compression());

  // Fingerprinted assets never change: cache for a year.
  app.use('/assets', (req: Request, res: Response, next: NextFunction) => {
    const file = assetFileFromUrl(req.path);
    if (!file) return next();
    res.sendFile(file, { root: PUBLIC_DIR, maxAge: '365d', immutable: true, dotfiles: 'deny' }, (err) => {
      if (err) next();
    });
  });
  app.use(express.static(PUBLIC_DIR, { maxAge: '1h', index: false }));
  app.use('/uploads', express.static(UPLOADS_DIR, { maxAge: '7d', index: false }));

  app.use(healthRoutes(ctx));

  app.use(cookieParser(config.secrets.cookie));
  app.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 200 }));
  app.use(readFlash);
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    res.locals.store = { name: config.storeName, currency: config.currency };
    res.locals.asset = assetUrl;
    res.locals.money = (cents: number) => formatMoney(cents, config.currency);
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

  // Feature routers. Each feature owns its routes.ts; mount new ones here.
  app.use(catalogRoutes(ctx.catalog));

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}

function cspDirectives(config: Config): Record<string, string[]> {
  const formAction = ["'self'"];
  // Chrome applies form-action to the redirect that follows a form post.
  if (config.stripe) formAction.push('https://checkout.stripe.com');
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

