import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import knex from 'knex';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db';
import { runEntry } from '../helpers/spawn';

const MYSQL_URL = process.env.TEST_DATABASE_URL || undefined;

/** npm run admin:create writes where the server would, and says which database that is. */
describe('admin:create', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giggatek-admin-'));
  const password = 'a-long-enough-passphrase-42';
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const adminsIn = async (target: Parameters<typeof createDb>[0]) => {
    const db = createDb(target);
    try {
      return await db('users').where({ role: 'admin' }).pluck('email');
    } finally {
      await db.destroy();
    }
  };

  it('on SQLITE_PATH: names the SQLite file and the admin is in it', async () => {
    const file = path.join(dir, 'store.sqlite');
    const result = await runEntry('src/cli/admin-create.ts', { SQLITE_PATH: file, DATABASE_URL: '', BCRYPT_COST: '4' }, ['--email', 'Boss@Example.com', '--password', password]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(`Created admin boss@example.com in SQLite ${file}.\n`);
    expect(await adminsIn({ client: 'sqlite', filename: file })).toEqual(['boss@example.com']);

    const again = await runEntry('src/cli/admin-create.ts', { SQLITE_PATH: file, DATABASE_URL: '', BCRYPT_COST: '4' }, ['--email', 'boss@example.com', '--password', password]);
    expect(again.stdout).toBe(`Promoted admin boss@example.com in SQLite ${file}.\n`);
  });

  it.runIf(MYSQL_URL)('on DATABASE_URL: names the MariaDB/MySQL database and the admin is in it', async () => {
    const url = new URL(MYSQL_URL!);
    const name = `gg_admin_${crypto.randomBytes(4).toString('hex')}`;
    url.pathname = `/${name}`;
    try {
      const result = await runEntry('src/cli/admin-create.ts', { DATABASE_URL: url.toString(), BCRYPT_COST: '4' }, ['--email', 'boss@example.com', '--password', password]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(new RegExp(`^Created admin boss@example\\.com in (MariaDB|MySQL) ${name} on ${url.hostname}:${url.port || 3306}\\.\\n$`));
      expect(await adminsIn({ client: 'mysql', url: url.toString(), poolMax: 1 })).toEqual(['boss@example.com']);
    } finally {
      const root = new URL(MYSQL_URL!);
      const admin = knex({ client: 'mysql2', connection: { host: root.hostname, port: Number(root.port || 3306), user: decodeURIComponent(root.username), password: decodeURIComponent(root.password) } });
      await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.destroy();
    }
  });
});
