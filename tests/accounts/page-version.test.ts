import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMysql } from '../../src/db';
import { notePageChange, PAGE_VERSION_COLUMN, PageChangeFeed, prunePageChanges } from '../../src/accounts/page-version';
import { createUser } from '../helpers/auth';
import { freshDb, type TestDb } from '../helpers/db';
import { toDbTime } from '../../src/lib/clock';

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

describe('PageChangeFeed', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDb();
  });
  afterAll(() => t.destroy());

  /** A feed on a clock the test moves (it starts at the real time: created_at is compared with it), and what it reported, look by look. */
  const feedOf = (options: { lookbackMs?: number; maxRows?: number } = {}) => {
    const start = Date.now();
    const clock = { at: 0, now: () => start + clock.at };
    const reports: number[][] = [];
    const feed = new PageChangeFeed(t.db, (users) => reports.push([...users].sort((a, b) => a - b)), { refreshMs: 1000, now: clock.now, ...options });
    /** A look at this many ms after the start. */
    const lookAt = async (ms: number) => {
      clock.at = ms;
      await feed.look();
    };
    return { feed, clock, reports, lookAt };
  };
  const row = (userId: number, id?: number, createdAt = new Date()) => t.db('page_changes').insert({ ...(id ? { id } : {}), user_id: userId, created_at: toDbTime(createdAt) });
  const newestId = async () => Number((await t.db('page_changes').max('id as id').first())!.id ?? 0);

  it('reports each new row once, as its user; the first look takes what was written before it as seen', async () => {
    await row(900, undefined, new Date(Date.now() - 60_000));
    await row(901);
    const { reports, lookAt } = feedOf();
    await lookAt(0);
    await row(1);
    await row(2);
    await row(1);
    await lookAt(1000);
    await lookAt(2000);
    expect(reports).toEqual([[1, 2]]);
  });

  it('reports a row committed late with an older id, within the look-back, from the first look on', async () => {
    const { reports, lookAt } = feedOf({ lookbackMs: 5000 });
    // Written (its id handed out) before the first look, committed after it.
    const beforeStart = (await newestId()) + 1;
    await row(20, beforeStart + 1);
    await lookAt(0);
    await row(21, beforeStart);
    await lookAt(1000);
    const gap = (await newestId()) + 1;
    await row(3, gap + 1);
    await lookAt(2000);
    await row(4, gap); // it commits
    await lookAt(3000);
    // Past the look-back the floor rises above a gap: a row committing that late is not seen (kept reads expire instead).
    const late = (await newestId()) + 1;
    await row(5, late + 1);
    await lookAt(4000);
    await lookAt(10_000);
    await row(6, late);
    await lookAt(11_000);
    expect(reports).toEqual([[21], [3], [4], [5]]);
  });

  it('reads new rows only, not the whole look-back, each look', async () => {
    const { lookAt, feed } = feedOf();
    await lookAt(0);
    for (let i = 0; i < 20; i++) await row(30 + i);
    const rowsRead: number[] = [];
    const onEnd = (response: unknown, q: { sql: string }) => {
      if (/page_changes/.test(q.sql)) rowsRead.push(Array.isArray(response) ? response.length : 0);
    };
    t.db.on('query-response', onEnd);
    try {
      await lookAt(1000);
      await lookAt(2000);
      await lookAt(3000);
    } finally {
      t.db.off('query-response', onEnd);
    }
    expect(rowsRead).toEqual([20, 0, 0]);
    expect(feed.current()).toBe(true);
  });

  it('reads at most maxRows new rows a look, and is current again only once it has read them all', async () => {
    const { feed, clock, reports, lookAt } = feedOf({ maxRows: 3 });
    await lookAt(0);
    for (const userId of [7, 8, 9, 10]) await row(userId);
    await lookAt(1000); // reads three of the four
    clock.at = 2001;
    expect(feed.current()).toBe(false); // the last look that read everything started at 0
    await lookAt(2100);
    expect(reports).toEqual([[7, 8, 9], [10]]);
    expect(feed.current()).toBe(true);
  });

  it('is current only while a look that started within two refresh intervals has completed, and looks when one is due', async () => {
    const { feed, clock } = feedOf();
    expect(feed.current()).toBe(false); // never looked: starts the first look
    await feed.look();
    expect(feed.current()).toBe(true);
    clock.at = 999;
    expect(feed.current()).toBe(true); // not due yet
    clock.at = 2000;
    expect(feed.current()).toBe(true); // due: a look starts, the last one is still recent enough
    await feed.look();
    clock.at = 4001;
    expect(feed.current()).toBe(false); // nothing for too long: read again until a look completes
    await feed.look();
    expect(feed.current()).toBe(true);
  });
});
