import type { Conn } from '../db';
import { toDbTime } from '../lib/clock';

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
 * Which shoppers' page_changes rows this process has not seen yet: read at
 * most once per `refreshMs`, while it is being asked (current()), so a
 * process can keep what it read of a shopper — their session check, their
 * counts — until a row says it changed.
 *
 * Each look reads the rows above a floor and reports the users of those it
 * had not seen. The floor is the newest id seen by a look that started at
 * least `lookbackMs` ago, not by the last look: ids are handed out when rows
 * are written, not when they commit, so a transaction that wrote an older id
 * and commits late is still seen (unless it commits more than `lookbackMs`
 * later; then whatever was kept expires, see SessionStates). More than
 * `maxRows` rows in one look (a notification to every customer) reports
 * everyone.
 */
export class PageChangeFeed {
  private floor: number | null = null;
  /** Ids above the floor already reported, and the newest id each recent look saw, oldest first. */
  private readonly seen = new Set<number>();
  private looks: Array<{ at: number; newest: number }> = [];
  private looking: Promise<void> | null = null;
  private startedAt = -Infinity;
  /** When the last look that completed started. */
  private lookedAt = -Infinity;
  private readonly refreshMs: number;
  private readonly maxAgeMs: number;
  private readonly lookbackMs: number;
  private readonly maxRows: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Conn,
    /** Called with the users whose rows were new, or null for everyone. */
    private readonly onChange: (userIds: number[] | null) => void,
    options: { refreshMs?: number; maxAgeMs?: number; lookbackMs?: number; maxRows?: number; now?: () => number } = {},
  ) {
    this.refreshMs = options.refreshMs ?? 1000;
    this.maxAgeMs = options.maxAgeMs ?? 2 * this.refreshMs;
    this.lookbackMs = options.lookbackMs ?? 10_000;
    this.maxRows = options.maxRows ?? 5000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Whether every row committed until `maxAgeMs` ago has been reported
   * (a look that recent has completed); starts a look when one is due. When
   * false, what was kept cannot be trusted: read again.
   */
  current(): boolean {
    const now = this.now();
    if (!this.looking && now - this.startedAt >= this.refreshMs) void this.look().catch(() => undefined); // the next call tries again
    return now - this.lookedAt <= this.maxAgeMs;
  }

  /** One look now, or the one under way (tests, and current()). */
  look(): Promise<void> {
    this.looking ??= this.lookOnce().finally(() => {
      this.looking = null;
    });
    return this.looking;
  }

  private async lookOnce(): Promise<void> {
    const started = this.now();
    this.startedAt = started;
    if (this.floor === null) {
      // The first look only finds where to start: nothing was kept before it.
      const row = await this.db('page_changes').max('id as newest').first();
      this.restart(started, Number(row?.newest ?? 0));
      this.onChange(null);
    } else {
      const rows: Array<{ id: number | string; user_id: number | string }> = await this.db('page_changes').where('id', '>', this.floor).orderBy('id').limit(this.maxRows + 1).select('id', 'user_id');
      if (rows.length > this.maxRows) {
        this.restart(started, Number(rows[rows.length - 1]!.id));
        this.onChange(null);
      } else {
        const users = new Set<number>();
        let newest = this.floor;
        for (const row of rows) {
          const id = Number(row.id);
          newest = Math.max(newest, id);
          if (this.seen.has(id)) continue;
          this.seen.add(id);
          users.add(Number(row.user_id));
        }
        this.looks.push({ at: started, newest });
        this.raiseFloor(started);
        if (users.size) this.onChange([...users]);
      }
    }
    this.lookedAt = started;
  }

  private restart(at: number, newest: number): void {
    this.floor = newest;
    this.seen.clear();
    this.looks = [{ at, newest }];
  }

  /** The floor becomes the newest id of the latest look that started at least lookbackMs before this one. */
  private raiseFloor(now: number): void {
    while (this.looks.length > 1 && this.looks[1]!.at <= now - this.lookbackMs) this.looks.shift();
    const oldest = this.looks[0]!;
    if (oldest.at > now - this.lookbackMs || oldest.newest <= this.floor!) return;
    this.floor = oldest.newest;
    for (const id of this.seen) if (id <= this.floor) this.seen.delete(id);
  }
}
