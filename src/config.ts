import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { z } from 'zod';
import { rootPath } from './lib/paths';

/** A setting is missing or malformed; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
/** true/false/yes/no/1/0, or undefined when unset. */
const flag = z
  .preprocess(emptyAsUndefined, z.enum(['1', '0', 'true', 'false', 'yes', 'no']).optional())
  .transform((v) => (v === undefined ? undefined : ['1', 'true', 'yes'].includes(v)));
const bool = (def: boolean) => flag.transform((v) => v ?? def);
const int = (def: number, min: number, max: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().min(min).max(max).optional()).transform((v) => v ?? def);

const mysqlUrl = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .refine((v) => {
      try {
        const u = new URL(v);
        return (u.protocol === 'mysql:' || u.protocol === 'mysql2:') && u.hostname !== '' && u.pathname.length > 1;
      } catch {
        return false;
      }
    }, 'must look like mysql://user:password@host:3306/database')
    .optional(),
);

const secret = z.preprocess(emptyAsUndefined, z.string().min(32, 'must be at least 32 characters').optional());

const EnvSchema = z.object({
  NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(['development', 'production', 'test']).default('development')),
  HOST: z.preprocess(emptyAsUndefined, z.string().default('127.0.0.1')),
  PORT: int(3000, 1, 65535),
  BASE_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  TRUST_PROXY: z.preprocess(emptyAsUndefined, z.string().default('loopback')),
  DATABASE_URL: mysqlUrl,
  DB_POOL_MAX: int(10, 1, 200),
  SQLITE_PATH: z.preprocess(emptyAsUndefined, z.string().default('var/giggatek.sqlite')),
  JWT_SECRET: secret,
  COOKIE_SECRET: secret,
  BCRYPT_COST: int(12, 4, 15),
  STRIPE_SECRET_KEY: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  STRIPE_API_HOST: optionalString,
  STRIPE_API_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(65535).optional()),
  STRIPE_API_PROTOCOL: z.preprocess(emptyAsUndefined, z.enum(['http', 'https']).optional()),
  SMTP_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^smtps?$/ }).optional()),
  MAIL_FROM: z.preprocess(emptyAsUndefined, z.string().default('GigGatek <orders@giggatek.local>')),
  MAIL_DIR: z.preprocess(emptyAsUndefined, z.string().default('var/mail')),
  STORE_NAME: z.preprocess(emptyAsUndefined, z.string().default('GigGatek')),
  CURRENCY: z.preprocess(emptyAsUndefined, z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO code').default('USD')),
  RUN_WORKER: bool(true),
  // Unset: true outside production; in production the demo customer's published password must be asked for.
  SEED_DEMO: flag,
  ORDER_PAYMENT_TIMEOUT_MINUTES: int(30, 1, 7 * 24 * 60),
  SEARCH_INDEX: z.preprocess(emptyAsUndefined, z.enum(['memory', 'database']).default('memory')),
  CATALOG_REFRESH_SECONDS: int(5, 1, 300),
  REDIS_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^rediss?$/ }).optional()),
  LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
});

export type Env = z.input<typeof EnvSchema>;

export interface Config {
  env: 'development' | 'production' | 'test';
  isProduction: boolean;
  host: string;
  port: number;
  baseUrl: string;
  trustProxy: string;
  storeName: string;
  currency: string;
  db:
    | { client: 'mysql'; url: string; poolMax: number }
    | { client: 'sqlite'; filename: string };
  secrets: { jwt: string; cookie: string };
  bcryptCost: number;
  stripe: {
    secretKey: string;
    webhookSecret: string;
    host?: string;
    port?: number;
    protocol?: 'http' | 'https';
  } | null;
  mail: { from: string; smtpUrl?: string; dir: string };
  runWorker: boolean;
  seedDemo: boolean;
  orderPaymentTimeoutMinutes: number;
  logLevel: string;
  /** Where searches are answered: the in-memory search index (falling back to the database while it builds), or always the database. */
  searchIndex: 'memory' | 'database';
  /** How often each process looks for catalog changes made by other processes (its caches and search index then follow). */
  catalogRefreshSeconds: number;
  /** Where rate limits are counted: Redis when set, else the database (shared by every process either way). */
  redisUrl?: string;
}

/**
 * Parses the environment into one typed object. Throws ConfigError with a
 * single line naming the offending variable.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    const got = env[name];
    const shown = got === undefined ? '' : ` (got "${redact(name, got)}")`;
    throw new ConfigError(`Configuration error: ${name} ${describeIssue(issue)}${shown}`);
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === 'production';

  if (Boolean(e.STRIPE_SECRET_KEY) !== Boolean(e.STRIPE_WEBHOOK_SECRET)) {
    const missing = e.STRIPE_SECRET_KEY ? 'STRIPE_WEBHOOK_SECRET' : 'STRIPE_SECRET_KEY';
    throw new ConfigError(`Configuration error: ${missing} is required when the other Stripe key is set`);
  }

  let secrets: Config['secrets'];
  if (isProduction) {
    for (const name of ['JWT_SECRET', 'COOKIE_SECRET'] as const) {
      if (!e[name]) throw new ConfigError(`Configuration error: ${name} is required in production (at least 32 characters)`);
    }
    if (!e.DATABASE_URL) {
      throw new ConfigError('Configuration error: DATABASE_URL is required in production (mysql://user:password@host:3306/database)');
    }
    secrets = { jwt: e.JWT_SECRET!, cookie: e.COOKIE_SECRET! };
  } else {
    const generated = e.JWT_SECRET && e.COOKIE_SECRET ? null : localSecrets();
    secrets = { jwt: e.JWT_SECRET ?? generated!.jwt, cookie: e.COOKIE_SECRET ?? generated!.cookie };
  }

  const baseUrl = (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    env: e.NODE_ENV,
    isProduction,
    host: e.HOST,
    port: e.PORT,
    baseUrl,
    trustProxy: e.TRUST_PROXY,
    storeName: e.STORE_NAME,
    currency: e.CURRENCY,
    db: e.DATABASE_URL
      ? { client: 'mysql', url: e.DATABASE_URL, poolMax: e.DB_POOL_MAX }
      : { client: 'sqlite', filename: rootPath(e.SQLITE_PATH) },
    secrets,
    bcryptCost: e.BCRYPT_COST,
    stripe: e.STRIPE_SECRET_KEY
      ? {
          secretKey: e.STRIPE_SECRET_KEY,
          webhookSecret: e.STRIPE_WEBHOOK_SECRET!,
          host: e.STRIPE_API_HOST,
          port: e.STRIPE_API_PORT,
          protocol: e.STRIPE_API_PROTOCOL,
        }
      : null,
    mail: { from: e.MAIL_FROM, smtpUrl: e.SMTP_URL, dir: rootPath(e.MAIL_DIR) },
    runWorker: e.RUN_WORKER,
    seedDemo: e.SEED_DEMO ?? !isProduction,
    orderPaymentTimeoutMinutes: e.ORDER_PAYMENT_TIMEOUT_MINUTES,
    logLevel: e.LOG_LEVEL,
    searchIndex: e.SEARCH_INDEX,
    catalogRefreshSeconds: e.CATALOG_REFRESH_SECONDS,
    redisUrl: e.REDIS_URL,
  };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value' && 'values' in issue) return `must be one of ${issue.values.join(', ')}`;
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    return issue.message.replace(/^(Too small|Too big): expected (number|string) to (be|have) /, 'must be ');
  }
  if (issue.code === 'invalid_type') return 'must be a number';
  if (issue.code === 'invalid_format') return 'must be a valid URL';
  return issue.message;
}

function redact(name: string, value: string): string {
  if (/SECRET|KEY|PASSWORD/.test(name)) return '***';
  const clipped = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return clipped.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/** Development secrets, generated once and kept in var/secrets.json. */
function localSecrets(): { jwt: string; cookie: string } {
  const file = rootPath('var/secrets.json');
  try {
    const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof stored.jwt === 'string' && typeof stored.cookie === 'string') return stored;
  } catch {
    // first run: fall through and create the file
  }
  const fresh = { jwt: crypto.randomBytes(48).toString('base64url'), cookie: crypto.randomBytes(48).toString('base64url') };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(fresh, null, 2), { mode: 0o600 });
  return fresh;
}
