import type { Conn } from '../db';
import { toDbTime } from '../lib/clock';
import { Throttled } from '../lib/throttled';

/**
 * A shopper's page version comes from their page_changes rows
 * (migrations/20261202000002_page_changes.ts; PAGE_VERSION_COLUMN). Every
 * write that changes what all pages show of a shopper — their cart count,
 * unread notifications, saved products — adds a row in the same transaction,
 * so a process that finds the version unchanged knows that what it read
 * before still holds (src/http/shopper-pages.ts). Rows are only added, never
 * updated: transactions changing one shopper at once do not wait on each other.
 */
export async function notePageChange(conn: Conn, userIds: number | readonly number[]): Promise<void> {
  const ids = typeof userIds === 'number' ? [userIds] : [...new Set(userIds)];
  if (!ids.length) return;
  const at = toDbTime(new Date());
  await conn('page_changes').insert(ids.map((id) => ({ user_id: id, created_at: at })));
}

/**
 * The page version as a session read gives it (a subquery of the users row's
 * query): how many rows there are and the newest one, as one number. Both,
 * because ids are handed out when rows are written, not when they are
 * committed: a transaction that wrote an older id and commits after a newer
 * one leaves the newest id as it was but adds to the count; and the hourly
 * clean-up takes rows away while new ones come.
 */
export const PAGE_VERSION_COLUMN = '(SELECT COUNT(*) * 1000000000000 + COALESCE(MAX(pc.id), 0) FROM page_changes pc WHERE pc.user_id = users.id) AS page_version';

/** Rows older than this go (the hourly account clean-up): a process keeps what it read for at most a minute. */
export const PAGE_CHANGES_KEPT_MS = 60 * 60_000;

export async function prunePageChanges(conn: Conn, now: Date): Promise<number> {
  return conn('page_changes').where('created_at', '<', toDbTime(new Date(now.getTime() - PAGE_CHANGES_KEPT_MS))).delete();
}

/**
 * Which shoppers' page_changes rows this process has not seen yet: looked
 * for at most once per `refreshMs`, while it is being asked (current()), so
 * a process can keep what it read of a shopper — their session check, their
 * counts — until a row says it changed.
 *
 * Ids are handed out when rows are written, not when they commit, so a row
 * can appear below ids already seen (a transaction that wrote it earlier
 * commits later). Each look therefore reads the rows above the newest id it
 * has seen, and the ids it skipped below that (the gaps) for as long as
 * `lookbackMs`: a row committing later than that is not reported, and what
 * was kept of its shopper expires instead (SessionStates). The first look
 * starts from the rows written in the last `lookbackMs` (by created_at):
 * nothing was kept before it. A look reads at most `maxRows` new rows; one
 * that stops there reports them, and the feed is current again only once a
 * look has read everything.
 */
export class PageChangeFeed {
  /** Rows at or below the floor are no longer looked for; ids between it and `newest` not in `seen` are the gaps. */
  private floor = 0;
  private newest = 0;
  private readonly seen = new Set<number>();
  /** When each recent look started and the newest id it had seen, oldest first: the floor trails by lookbackMs. */
  private recentLooks: Array<{ at: number; newest: number }> = [];
  private readonly looks: Throttled;
  /** When the last look that read everything started. */
  private lookedAt = -Infinity;
  private readonly maxAgeMs: number;
  private readonly lookbackMs: number;
  private readonly maxRows: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Conn,
    /** Called with the users whose rows were new. */
    private readonly onChange: (userIds: number[]) => void,
    options: { refreshMs?: number; maxAgeMs?: number; lookbackMs?: number; maxRows?: number; now?: () => number } = {},
  ) {
    const refreshMs = options.refreshMs ?? 1000;
    this.maxAgeMs = options.maxAgeMs ?? 2 * refreshMs;
    this.lookbackMs = options.lookbackMs ?? 10_000;
    this.maxRows = options.maxRows ?? 5000;
    this.now = options.now ?? Date.now;
    this.looks = new Throttled(() => this.lookOnce(), refreshMs, this.now);
  }

  /**
   * Whether every row committed until `maxAgeMs` ago has been reported
   * (a look that recent read everything); starts a look when one is due.
   * When false, what was kept cannot be trusted: read again.
   */
  current(): boolean {
    this.looks.due();
    return this.now() - this.lookedAt <= this.maxAgeMs;
  }

  /** A look that starts after this call (tests; a look already under way may have read before the caller's write). */
  look(): Promise<void> {
    return this.looks.run();
  }

  private async lookOnce(): Promise<void> {
    const started = this.now();
    if (!this.recentLooks.length) {
      await this.start(started);
      this.lookedAt = started;
      return;
    }
    const rows = await this.db('page_changes').where('id', '>', this.newest).orderBy('id').limit(this.maxRows).select('id', 'user_id');
    const gaps = this.gaps();
    const late = gaps.length ? await this.db('page_changes').whereIn('id', gaps).select('id', 'user_id') : [];
    const users = new Set<number>();
    for (const row of [...late, ...rows]) {
      const id = Number(row.id);
      this.newest = Math.max(this.newest, id);
      if (this.seen.has(id)) continue;
      this.seen.add(id);
      users.add(Number(row.user_id));
    }
    this.recentLooks.push({ at: started, newest: this.newest });
    this.raiseFloor(started);
    if (users.size) this.onChange([...users]);
    if (rows.length < this.maxRows) this.lookedAt = started;
  }

  /** The first look: the rows of the last lookbackMs are taken as seen, and the floor put below them. */
  private async start(at: number): Promise<void> {
    const since = toDbTime(new Date(at - this.lookbackMs));
    const older = await this.db('page_changes').where('created_at', '<', since).max('id as id').first();
    this.floor = Number(older?.id ?? 0);
    const recent = await this.db('page_changes').where('id', '>', this.floor).select('id');
    this.newest = this.floor;
    for (const row of recent) {
      const id = Number(row.id);
      this.seen.add(id);
      this.newest = Math.max(this.newest, id);
    }
    this.recentLooks = [{ at, newest: this.newest }];
  }

  /** Ids between the floor and the newest seen that no look has seen yet (the oldest MAX_GAPS of them). */
  private gaps(): number[] {
    const gaps: number[] = [];
    for (let id = this.floor + 1; id < this.newest && gaps.length < MAX_GAPS; id++) if (!this.seen.has(id)) gaps.push(id);
    return gaps;
  }

  /** The floor becomes the newest id of the latest look that started at least lookbackMs before this one. */
  private raiseFloor(now: number): void {
    while (this.recentLooks.length > 1 && this.recentLooks[1]!.at <= now - this.lookbackMs) this.recentLooks.shift();
    const oldest = this.recentLooks[0]!;
    if (oldest.at > now - this.lookbackMs || oldest.newest <= this.floor) return;
    this.floor = oldest.newest;
    for (const id of this.seen) if (id <= this.floor) this.seen.delete(id);
  }
}

/** Gaps looked for per look: ids skipped by rolled-back writes are looked for until the floor passes them. */
const MAX_GAPS = 1000;
