/**
 * A background task run at most once per `intervalMs` while something asks
 * for it, one run at a time: a process looking for other processes' changes
 * (the catalog fingerprint, page_changes rows) on the requests that need
 * them, without a timer of its own.
 */
export class Throttled {
  private running: Promise<void> | null = null;
  private startedAt = -Infinity;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts a run when none is under way and the last one started `intervalMs` ago or more; a failed run is left to the next one. */
  due(): void {
    if (!this.running && this.now() - this.startedAt >= this.intervalMs) void this.start().catch(() => undefined);
  }

  /** A run that starts after this call (once the one under way, if any, is over). */
  async run(): Promise<void> {
    await this.running?.catch(() => undefined);
    return this.start();
  }

  private start(): Promise<void> {
    if (!this.running) {
      this.startedAt = this.now();
      this.running = this.task().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }
}
