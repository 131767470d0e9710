import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseLabel, describeDatabase } from '../../src/db/describe';
import { ROOT } from '../../src/lib/paths';
import { freshDb, type TestDb } from '../helpers/db';

describe('databaseLabel', () => {
  it.each([
    [{ client: 'sqlite', filename: path.join(ROOT, 'var', 'giggatek.sqlite') }, undefined, `SQLite ${path.join('var', 'giggatek.sqlite')}`],
    [{ client: 'sqlite', filename: '/srv/data/store.sqlite' }, undefined, 'SQLite /srv/data/store.sqlite'],
    [{ client: 'mysql', url: 'mysql://gg:secret@db.internal/giggatek', poolMax: 10 }, undefined, 'MySQL/MariaDB giggatek on db.internal:3306'],
    [{ client: 'mysql', url: 'mysql://root@127.0.0.1:3307/shop', poolMax: 10 }, 'MariaDB', 'MariaDB shop on 127.0.0.1:3307'],
  ] as const)('%o → %s', (target, product, label) => {
    expect(databaseLabel(target, product)).toBe(label);
  });

  it('never shows the password', () => {
    expect(databaseLabel({ client: 'mysql', url: 'mysql://gg:hunter2@h:3306/d', poolMax: 1 })).not.toContain('hunter2');
  });
});

describe('describeDatabase', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDb({ migrate: false });
  });
  afterAll(() => t.destroy());

  it('names the server product it is connected to', async () => {
    const label = await describeDatabase(t.db, t.dbConfig);
    if (t.dbConfig.client === 'sqlite') expect(label).toBe(`SQLite ${t.dbConfig.filename}`);
    else expect(label).toMatch(new RegExp(`^(MariaDB|MySQL) ${new URL(t.dbConfig.url).pathname.slice(1)} on `));
  });
});
