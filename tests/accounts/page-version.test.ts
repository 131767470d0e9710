import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMysql } from '../../src/db';
import { notePageChange, PAGE_VERSION_COLUMN, prunePageChanges } from '../../src/accounts/page-version';
import { createUser } from '../helpers/auth';
import { freshDb, type TestDb } from '../helpers/db';

describe('page versions (page_changes)', () => {
  let t: TestDb;
  let userId: number;
  beforeAll(async () => {
    t = await freshDb();
    userId = (await createUser(t.db)).id;
  });
  afterAll(() => t.destroy());

  const version = async () => Number((await t.db('users').where({ id: userId }).first(t.db.raw(PAGE_VERSION_COLUMN))).page_version);

  it('moves on with every change, and when old rows are cleaned up', async () => {
    const seen = [await version()];
    await notePageChange(t.db, userId);
    seen.push(await version());
    await notePageChange(t.db, [userId, userId]); // one row per shopper per change
    seen.push(await version());
    await t.db('page_changes').where({ user_id: userId }).update({ created_at: '2020-01-01 00:00:00' });
    await notePageChange(t.db, userId);
    seen.push(await version());
    expect(await prunePageChanges(t.db, new Date())).toBe(2);
    seen.push(await version());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)('moves on when a transaction that wrote an older row commits after a newer one (MariaDB; SQLite has one writer)', async () => {
    expect(isMysql(t.db)).toBe(true);
    let commitFirst!: () => void;
    const first = t.db.transaction(async (trx) => {
      await notePageChange(trx, userId); // the older id
      await new Promise<void>((r) => (commitFirst = r));
    });
    await new Promise((r) => setTimeout(r, 50));
    await notePageChange(t.db, userId); // a newer id, committed at once
    const before = await version();
    commitFirst();
    await first;
    expect(await version()).not.toBe(before);
  });
});
