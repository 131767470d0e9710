import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db';
import { runEntry } from '../helpers/spawn';

/** Every command reads the .env file (GG_ENV_FILE here, the project's .env normally); real variables win. */
describe('.env at start-up', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giggatek-boot-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const envFile = (name: string, lines: string[]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };
  const admins = async (file: string) => {
    const db = createDb({ client: 'sqlite', filename: file });
    try {
      return await db('users').where({ role: 'admin' }).pluck('email');
    } finally {
      await db.destroy();
    }
  };

  it('admin:create uses the database the .env names, unless the environment names another', async () => {
    const fromFile = path.join(dir, 'from-file.sqlite');
    const fromEnv = path.join(dir, 'from-env.sqlite');
    const file = envFile('admin.env', [`SQLITE_PATH=${fromFile}`, 'BCRYPT_COST=4', 'DATABASE_URL=']);
    const args = ['--email', 'file@example.com', '--password', 'a-long-enough-passphrase-42'];

    const viaFile = await runEntry('src/cli/admin-create.ts', { GG_ENV_FILE: file, SQLITE_PATH: undefined, DATABASE_URL: undefined, BCRYPT_COST: undefined }, args);
    expect(viaFile.stderr).toBe('');
    expect(viaFile.stdout).toBe(`Created admin file@example.com in SQLite ${fromFile}.\n`);
    expect(await admins(fromFile)).toEqual(['file@example.com']);

    const viaEnv = await runEntry('src/cli/admin-create.ts', { GG_ENV_FILE: file, SQLITE_PATH: fromEnv, DATABASE_URL: undefined }, ['--email', 'env@example.com', '--password', 'a-long-enough-passphrase-42']);
    expect(viaEnv.stdout).toBe(`Created admin env@example.com in SQLite ${fromEnv}.\n`);
    expect(await admins(fromEnv)).toEqual(['env@example.com']);
    expect(await admins(fromFile)).toEqual(['file@example.com']);
  });

  it.each([
    ['migrate', 'src/cli/migrate.ts', []],
    ['worker --once', 'src/cli/worker.ts', ['--once']],
  ])('%s reads the .env too', async (_, script, args) => {
    const store = path.join(dir, `${path.basename(script, '.ts')}.sqlite`);
    const file = envFile(`${path.basename(script, '.ts')}.env`, [`SQLITE_PATH=${store}`, 'DATABASE_URL=', `MAIL_DIR=${path.join(dir, 'mail')}`]);
    const result = await runEntry(script, { GG_ENV_FILE: file, SQLITE_PATH: undefined, DATABASE_URL: undefined, MAIL_DIR: undefined }, args);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(fs.existsSync(store)).toBe(true);
  });

  it('the server reads it: a DATABASE_URL from the file is the one it tries', async () => {
    const file = envFile('server.env', ['DATABASE_URL=mysql://root@127.0.0.1:1/gg_from_env_file']);
    const result = await runEntry('src/server.ts', { GG_ENV_FILE: file, DATABASE_URL: undefined });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Cannot reach the database MySQL\/MariaDB gg_from_env_file on 127\.0\.0\.1:1: connection refused/);
  });

  it('a malformed .env stops the start with one line naming the file', async () => {
    const file = envFile('broken.env', ['PORT=4000', 'this is not a setting', 'HOST=127.0.0.1']);
    const result = await runEntry('src/cli/migrate.ts', { GG_ENV_FILE: file });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`Cannot read ${file}: "this is not a setting" is not a NAME=value line\n`);
  });
});
