import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { createLogger } from '../../src/lib/log';
import { testApp, type TestApp } from '../helpers/app';

/**
 * Chrome applies the CSP form-action to the redirect after a form post, so
 * the pay buttons' redirect to Checkout must be allowed: Stripe's own origin,
 * plus a local Stripe stand-in when the API is pointed at one (tests only).
 */
const formAction = (csp: string) => /(?:^|;)\s*form-action ([^;]*)/.exec(csp)?.[1]?.trim().split(/\s+/);
const STRIPE_KEYS = { STRIPE_SECRET_KEY: 'sk_test_csp', STRIPE_WEBHOOK_SECRET: 'whsec_test_csp' };

describe('CSP form-action and Stripe Checkout', () => {
  const apps: TestApp[] = [];
  const start = async (env: Record<string, string>) => {
    const t = await testApp({ env });
    apps.push(t);
    return t;
  };
  afterAll(async () => {
    for (const t of apps) await t.destroy();
  });

  it('without Stripe: only the store itself', async () => {
    const t = await start({});
    const res = await request(t.app).get('/').expect(200);
    expect(formAction(res.headers['content-security-policy'])).toEqual(["'self'"]);
  });

  it('with Stripe at api.stripe.com: the store and checkout.stripe.com', async () => {
    const t = await start(STRIPE_KEYS);
    const res = await request(t.app).get('/').expect(200);
    expect(formAction(res.headers['content-security-policy'])).toEqual(["'self'", 'https://checkout.stripe.com']);
  });

  it('with the Stripe API pointed at a local test server: that origin too, but never in production', async () => {
    const t = await start({ ...STRIPE_KEYS, STRIPE_API_HOST: '127.0.0.1', STRIPE_API_PORT: '41999', STRIPE_API_PROTOCOL: 'http' });
    const res = await request(t.app).get('/').expect(200);
    expect(formAction(res.headers['content-security-policy'])).toEqual(["'self'", 'https://checkout.stripe.com', 'http://127.0.0.1:41999']);

    const production = createApp({ config: { ...t.config, isProduction: true }, db: t.db, logger: createLogger('silent'), uploadsDir: t.uploadsDir });
    const prod = await request(production).get('/');
    expect(formAction(prod.headers['content-security-policy'])).toEqual(["'self'", 'https://checkout.stripe.com']);
  });
});
