import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { loadEnvFile } from '../../src/lib/env-file';

const ENTRYPOINT = path.resolve('deploy/docker-entrypoint.sh');
const PRINT_SECRETS = 'process.stdout.write(JSON.stringify({ jwt: process.env.JWT_SECRET ?? null, cookie: process.env.COOKIE_SECRET ?? null }))';

/** Runs the image's entrypoint in `dir` (the image's /app) as compose does, with the command printing what the app would see. */
function start(dir: string, env: Record<string, string>): { jwt: string | null; cookie: string | null } {
  const result = spawnSync('sh', [ENTRYPOINT, process.execPath, '-e', PRINT_SECRETS], {
    cwd: dir,
    env: { PATH: process.env.PATH, GG_ENV_FILE: 'var/container.env', ...env },
    encoding: 'utf8',
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout);
}

describe('container entrypoint', () => {
  const dirs: string[] = [];
  const appDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giggatek-entrypoint-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it('generates the secrets once into var/container.env, which the production config accepts', () => {
    const dir = appDir();
    // compose passes unset secrets as empty strings, which would win over the file: they are dropped.
    expect(start(dir, { JWT_SECRET: '', COOKIE_SECRET: '' })).toEqual({ jwt: null, cookie: null });

    const file = path.join(dir, 'var/container.env');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const written = fs.readFileSync(file, 'utf8');
    const jwt = /^JWT_SECRET=([A-Za-z0-9_-]{64})$/m.exec(written)?.[1];
    const cookie = /^COOKIE_SECRET=([A-Za-z0-9_-]{64})$/m.exec(written)?.[1];
    expect(jwt).toBeDefined();
    expect(cookie).toBeDefined();
    expect(jwt).not.toBe(cookie);
    expect(fs.statSync(path.join(dir, 'var/uploads')).isDirectory()).toBe(true);

    const env: Record<string, string | undefined> = { NODE_ENV: 'production', DATABASE_URL: 'mysql://giggatek:pw@db:3306/giggatek' };
    loadEnvFile(file, env as NodeJS.ProcessEnv, { required: true });
    expect(loadConfig(env).secrets).toEqual({ jwt, cookie });

    // A restart keeps them: nobody is signed out.
    start(dir, {});
    expect(fs.readFileSync(file, 'utf8')).toBe(written);
  });

  it('passes secrets given in the environment through unchanged', () => {
    const given = { JWT_SECRET: 'j'.repeat(40), COOKIE_SECRET: 'c'.repeat(40) };
    expect(start(appDir(), given)).toEqual({ jwt: given.JWT_SECRET, cookie: given.COOKIE_SECRET });
  });
});
