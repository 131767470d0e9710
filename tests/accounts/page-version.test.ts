import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMysql } from '../../src/db';
import { notePageChange, PAGE_VERSION_COLUMN, PageChangeFeed, prunePageChanges } from '../../src/accounts/page-version';
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

describe('PageChangeFeed', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDb();
  });
  afterAll(() => t.destroy());

  /** A feed on a clock the test moves, and what it reported, look by look. */
  const feedOf = (options: { lookbackMs?: number; maxRows?: number } = {}) => {
    const clock = { now: 0 };
    const reports: Array<number[] | null> = [];
    const feed = new PageChangeFeed(t.db, (users) => reports.push(users && [...users].sort((a, b) => a - b)), { refreshMs: 1000, now: () => clock.now, ...options });
    return { feed, clock, reports };
  };
  const row = (userId: number, id?: number) => t.db('page_changes').insert({ ...(id ? { id } : {}), user_id: userId, created_at: '2026-11-28 00:00:00' });
  const newestId = async () => Number((await t.db('page_changes').max('id as id').first())!.id ?? 0);

  it('reports each new row once, as its user, after a first look that only finds where to start', async () => {
    await row(900);
    const { feed, clock, reports } = feedOf();
    await feed.look();
    expect(reports).toEqual([null]); // nothing kept before it can be trusted
    await row(1);
    await row(2);
    await row(1);
    clock.now = 1000;
    await feed.look();
    clock.now = 2000;
    await feed.look();
    expect(reports).toEqual([null, [1, 2]]);
  });

  it('still reports a row committed late with an older id, within the look-back', async () => {
    const { feed, clock, reports } = feedOf({ lookbackMs: 5000 });
    await feed.look();
    const gap = (await newestId()) + 1; // an id written by a transaction that has not committed yet
    await row(3, gap + 1);
    clock.now = 1000;
    await feed.look();
    await row(4, gap); // it commits
    clock.now = 2000;
    await feed.look();
    // Past the look-back, the floor rises above it: a row committing that late is not seen (kept reads expire instead).
    const late = (await newestId()) + 1;
    await row(5, late + 1);
    clock.now = 3000;
    await feed.look();
    clock.now = 9000;
    await feed.look();
    await row(6, late);
    clock.now = 10_000;
    await feed.look();
    expect(reports).toEqual([null, [3], [4], [5]]);
  });

  it('reports everyone when one look finds more rows than it reads', async () => {
    const { feed, clock, reports } = feedOf({ maxRows: 3 });
    await feed.look();
    for (const userId of [7, 8, 9, 10]) await row(userId);
    clock.now = 1000;
    await feed.look();
    await row(11);
    clock.now = 2000;
    await feed.look();
    expect(reports).toEqual([null, null, [11]]);
  });

  it('is current only while a look that started within two refresh intervals has completed, and looks when one is due', async () => {
    const { feed, clock } = feedOf();
    const looks: number[] = [];
    const look = feed.look.bind(feed);
    feed.look = () => (looks.push(clock.now), look());
    expect(feed.current()).toBe(false); // never looked: starts the first look
    await feed.look();
    expect(looks).toEqual([0, 0]);
    expect(feed.current()).toBe(true);
    clock.now = 999;
    expect(feed.current()).toBe(true); // not due yet
    clock.now = 2000;
    expect(feed.current()).toBe(true); // due: a look starts, the last one is still recent enough
    await feed.look();
    clock.now = 4001;
    expect(feed.current()).toBe(false); // nothing for too long: read again until a look completes
    await feed.look();
    expect(feed.current()).toBe(true);
    expect(looks.length).toBeGreaterThanOrEqual(5);
  });
});
