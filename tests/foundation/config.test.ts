import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../src/config';

const base = { NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40), COOKIE_SECRET: 'y'.repeat(40) };

describe('config', () => {
  it('defaults to embedded SQLite on port 3000', () => {
    const c = loadConfig(base);
    expect(c.port).toBe(3000);
    expect(c.db.client).toBe('sqlite');
    expect(c.db.client === 'sqlite' && c.db.filename.endsWith(path.join('var', 'giggatek.sqlite'))).toBe(true);
    expect(c.stripe).toBeNull();
    expect(c.searchIndex).toBe('memory');
  });

  it('parses a mysql DATABASE_URL', () => {
    const c = loadConfig({ ...base, DATABASE_URL: 'mysql://root:pw@127.0.0.1:3306/giggatek' });
    expect(c.db).toEqual({ client: 'mysql', url: 'mysql://root:pw@127.0.0.1:3306/giggatek', poolMax: 10 });
  });

  it.each([
    [{ DATABASE_URL: 'postgres://localhost/x' }, /^Configuration error: DATABASE_URL must look like mysql:\/\//],
    [{ DATABASE_URL: 'mysql://localhost' }, /DATABASE_URL must look like mysql/],
    [{ PORT: 'abc' }, /^Configuration error: PORT must be a number \(got "abc"\)$/],
    [{ PORT: '70000' }, /^Configuration error: PORT must be <=65535/],
    [{ PORT: '0' }, /^Configuration error: PORT must be >=1/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV must be one of development, production, test/],
    [{ SEARCH_INDEX: 'elastic' }, /SEARCH_INDEX must be one of memory, database/],
    [{ SMTP_URL: 'not a url' }, /SMTP_URL must be a valid URL/],
    [{ STRIPE_SECRET_KEY: 'sk_test_123' }, /STRIPE_WEBHOOK_SECRET is required/],
    [{ JWT_SECRET: 'short' }, /JWT_SECRET must be >=32 characters|JWT_SECRET must be at least 32 characters/],
  ])('rejects %o with a clear one-line message', (env, message) => {
    let error: unknown;
    try {
      loadConfig({ ...base, ...env });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('refuses to start in production without secrets or a database', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET is required in production/);
    expect(() => loadConfig({ ...base, NODE_ENV: 'production' })).toThrow(/DATABASE_URL is required in production/);
  });

  it.each([
    ['development', undefined, true],
    ['test', undefined, true],
    ['production', undefined, false],
    ['production', '', false],
    ['production', 'true', true],
    ['production', 'yes', true],
    ['development', 'false', false],
  ])('SEED_DEMO in %s set to %o → loads the demo data: %s', (NODE_ENV, SEED_DEMO, expected) => {
    const production = NODE_ENV === 'production' ? { DATABASE_URL: 'mysql://gg@127.0.0.1:3306/giggatek' } : {};
    expect(loadConfig({ ...base, ...production, NODE_ENV, SEED_DEMO }).seedDemo).toBe(expected);
  });

  it('never echoes a secret value in the message', () => {
    expect(() => loadConfig({ ...base, JWT_SECRET: 'tooshort-secret' })).toThrow(/\(got "\*\*\*"\)/);
  });

  it('stops the server start with one line naming the variable and no stack trace', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, PORT: 'not-a-port', DATABASE_URL: '', NODE_ENV: 'test' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('Configuration error: PORT must be a number (got "not-a-port")');
  });
});
