import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, TEST_DATABASE_URL, type TestDb } from '../helpers/db';
import { createUser } from '../helpers/auth';
import { insertProduct } from '../helpers/fixtures';

const BACKUP = path.resolve('deploy/backup.sh');
const RESTORE = path.resolve('deploy/restore.sh');

/** Runs one of the deploy scripts with only the settings given (no DATABASE_URL or GG_ENV_FILE from the test run). */
function run(script: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const base = { ...process.env };
    delete base.DATABASE_URL;
    delete base.GG_ENV_FILE;
    const child = spawn(script, args, { env: { ...base, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** An install folder as deploy/ sees one: var/uploads with a product image and a (private) dispute photo. */
function installFolder(): { dir: string; image: Buffer; photo: Buffer } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giggatek-backup-'));
  const image = crypto.randomBytes(4096);
  const photo = crypto.randomBytes(1024);
  fs.mkdirSync(path.join(dir, 'var/uploads/products'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'var/uploads/.disputes'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'var/uploads/products/0a1b2c3d-large.webp'), image);
  fs.writeFileSync(path.join(dir, 'var/uploads/.disputes/4e5f6a7b-large.webp'), photo);
  return { dir, image, photo };
}

describe('deploy/backup.sh without a MariaDB/MySQL database', () => {
  it('says DATABASE_URL is missing, exits 1 and makes no backup folder', async () => {
    const { dir } = installFolder();
    try {
      const result = await run(BACKUP, ['--app-dir', dir, '--to', path.join(dir, 'backups')]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`DATABASE_URL is not set (in the environment or ${path.join(dir, '.env')})`);
      expect(fs.readdirSync(path.join(dir, 'backups'))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Backups are of MariaDB/MySQL, the production database (mariadb-dump); on SQLite, the
// development default, the store's data is one file to copy, so this part needs TEST_DATABASE_URL.
describe.runIf(TEST_DATABASE_URL)('deploy/backup.sh and restore.sh on MariaDB/MySQL', () => {
  let t: TestDb;
  let copy: TestDb;
  let install: ReturnType<typeof installFolder>;
  let backup: string;
  let before: { products: unknown[]; users: unknown[]; units: number; migrations: number };

  const snapshot = async (db: TestDb['db']) => ({
    products: await db('products').orderBy('id').select(),
    users: await db('users').orderBy('id').select(),
    units: Number((await db('inventory_units').count({ n: '*' }))[0]!.n),
    migrations: Number((await db('knex_migrations').count({ n: '*' }))[0]!.n),
  });

  beforeAll(async () => {
    [t, copy] = await Promise.all([freshDb(), freshDb({ migrate: false })]);
    install = installFolder();
    const [categoryId] = await t.db('categories').insert({ slug: 'laptops', name: 'Laptops', position: 1 });
    await insertProduct(t.db, { categoryId: categoryId!, name: 'ThinkPad T14 «Gen 2» – 16 GB', units: 3 });
    await insertProduct(t.db, { categoryId: categoryId!, name: 'Latitude 7420', units: 2 });
    await createUser(t.db, { email: 'renée@example.test' });
    before = await snapshot(t.db);

    // The install folder's .env gives DATABASE_URL, as on a server.
    fs.writeFileSync(path.join(install.dir, '.env'), `NODE_ENV=production\nDATABASE_URL=${t.dbConfig.client === 'mysql' ? t.dbConfig.url : ''}\n`);
    const made = await run(BACKUP, ['--app-dir', install.dir, '--to', path.join(install.dir, 'backups')]);
    expect(made.stderr).toMatch(/^Backed up database \S+ \(\d+ tables\) on [^ ]+ and 2 uploaded files\.\n$/);
    expect(made.code).toBe(0);
    backup = made.stdout.trim();
  });

  afterAll(async () => {
    await Promise.all([t?.destroy(), copy?.destroy()]);
    if (install) fs.rmSync(install.dir, { recursive: true, force: true });
  });

  it('makes one dated folder with the dump, the uploads and a manifest', () => {
    expect(path.basename(backup)).toMatch(/^giggatek-\d{8}T\d{6}Z$/);
    expect(fs.readdirSync(backup).sort()).toEqual(['MANIFEST', 'database.sql.gz', 'uploads.tar.gz']);
    const manifest = fs.readFileSync(path.join(backup, 'MANIFEST'), 'utf8');
    expect(manifest).toContain(`database=${new URL((t.dbConfig as { url: string }).url).pathname.slice(1)}\n`);
    expect(manifest).toContain('upload_files=2\n');
    // The client option file holding the password is not left in the backup.
    expect(fs.readdirSync(path.join(install.dir, 'backups'))).toEqual([path.basename(backup)]);
  });

  it('refuses to restore over a store with tables or uploads unless told to, changing nothing', async () => {
    await t.db('products').where({ slug: 'latitude-7420' }).update({ name: 'Changed after the backup' });
    const refused = await run(RESTORE, [backup, '--app-dir', install.dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/has \d+ tables and .*var\/uploads has 2 files; nothing was changed\. Run again with --replace/);
    expect(await t.db('products').where({ slug: 'latitude-7420' }).first('name')).toEqual({ name: 'Changed after the backup' });
  });

  it('with --replace brings back the rows and the files as they were at the backup', async () => {
    await t.db('inventory_units').del();
    await t.db('users').del();
    await t.db.schema.createTable('made_after_backup', (table) => table.integer('id'));
    fs.rmSync(path.join(install.dir, 'var/uploads/products/0a1b2c3d-large.webp'));
    fs.writeFileSync(path.join(install.dir, 'var/uploads/products/ffffffff-large.webp'), 'new');

    const restored = await run(RESTORE, [backup, '--app-dir', install.dir, '--replace']);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(await snapshot(t.db)).toEqual(before);
    expect(await t.db.schema.hasTable('made_after_backup')).toBe(false);
    const uploads = path.join(install.dir, 'var/uploads');
    expect(fs.readFileSync(path.join(uploads, 'products/0a1b2c3d-large.webp'))).toEqual(install.image);
    expect(fs.readFileSync(path.join(uploads, '.disputes/4e5f6a7b-large.webp'))).toEqual(install.photo);
    expect(fs.existsSync(path.join(uploads, 'products/ffffffff-large.webp'))).toBe(false);
    // The folder it replaced is kept beside it.
    const kept = fs.readdirSync(path.join(install.dir, 'var')).filter((name) => name.startsWith('uploads.before-restore-'));
    expect(kept).toHaveLength(1);
    expect(fs.readFileSync(path.join(install.dir, 'var', kept[0]!, 'products/ffffffff-large.webp'), 'utf8')).toBe('new');
  });

  it('restores into an empty database and folder without --replace (a restore test)', async () => {
    const target = fs.mkdtempSync(path.join(os.tmpdir(), 'giggatek-restore-'));
    try {
      const url = (copy.dbConfig as { url: string }).url;
      const restored = await run(RESTORE, [backup, '--app-dir', target], { DATABASE_URL: url });
      expect(restored.code).toBe(0);
      expect(restored.stdout).toMatch(/^Restored .*: database \S+ on \S+ \(\d+ tables\), 2 files in /);
      expect(await snapshot(copy.db)).toEqual(before);
      expect(fs.readFileSync(path.join(target, 'var/uploads/products/0a1b2c3d-large.webp'))).toEqual(install.image);
    } finally {
      fs.rmSync(target, { recursive: true, force: true });
    }
  });
});
