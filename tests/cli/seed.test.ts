import { describe, expect, it } from 'vitest';
import { runEntry } from '../helpers/spawn';

// A production database nobody answers on: the refusal must come before any connection.
const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'mysql://root@127.0.0.1:1/gg_seed_never',
  JWT_SECRET: 'seed-test-jwt-secret-0123456789abcdefghij',
  COOKIE_SECRET: 'seed-test-cookie-secret-0123456789abcdefg',
};

/** npm run seed never loads the demo customer, whose password README publishes, into production by default. */
describe('npm run seed in production', () => {
  it.each([
    ['unset', undefined],
    ['false', 'false'],
  ])('SEED_DEMO %s → refuses with one line, before touching the database', async (_, SEED_DEMO) => {
    const result = await runEntry('src/cli/seed.ts', { ...production, SEED_DEMO });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Refusing to load the demo data in production: its demo customer has a published password. Set SEED_DEMO=true to load it anyway.\n');
    expect(result.stdout).toBe('');
  });

  it('SEED_DEMO=true → goes ahead (here to a database that does not answer)', async () => {
    const result = await runEntry('src/cli/seed.ts', { ...production, SEED_DEMO: 'true' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Cannot reach the database MySQL\/MariaDB gg_seed_never on 127\.0\.0\.1:1: connection refused/);
  });
});
