import type { SessionState } from './repo';

/** A session read: its user's state and whether the session was revoked (repo.findSessionState). */
export type SessionRead = { user: SessionState; revoked: boolean } | undefined;

/**
 * Session reads for the pages served to signed-in shoppers from memory
 * (src/http/shopper-pages.ts), kept per session by this process so that a
 * shopper browsing the catalog costs no database read per page.
 *
 * What is kept is dropped as soon as this process learns the shopper
 * changed: every write that ends a session, disables an account, changes a
 * role or changes what pages show of a shopper adds a page_changes row
 * (page-version.ts), which PageChangeFeed reports to every process within
 * about two seconds; and a process drops a shopper's reads when a form post
 * of theirs ends (SessionService.forgetStatesOf), so what they changed
 * themselves — their log-out, their cart — shows on their next page at once.
 * Reads are trusted only while the feed is current, and never for longer
 * than `ttlMs`; a read that was under way when something was dropped is not
 * kept.
 */
export class SessionStates {
  private readonly entries = new Map<string, { userId: number; read: SessionRead; expires: number }>();
  /** Bumped whenever something is dropped: a read begun before is not kept. */
  private drops = 0;

  constructor(
    private readonly load: (userId: number, sessionId: string) => Promise<SessionRead>,
    private readonly current: () => boolean,
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async find(userId: number, sessionId: string): Promise<SessionRead> {
    if (!this.current()) return this.load(userId, sessionId);
    const kept = this.entries.get(sessionId);
    if (kept && kept.userId === userId && kept.expires > this.now()) return kept.read;
    const drops = this.drops;
    const read = await this.load(userId, sessionId);
    if (drops === this.drops && this.current()) {
      this.entries.delete(sessionId);
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(sessionId, { userId, read, expires: this.now() + this.ttlMs });
    }
    return read;
  }

  /** Drops what is kept of these users' sessions. */
  forget(userIds: readonly number[]): void {
    this.drops++;
    const users = new Set(userIds);
    for (const [sessionId, entry] of this.entries) if (users.has(entry.userId)) this.entries.delete(sessionId);
  }

  get size(): number {
    return this.entries.size;
  }
}
