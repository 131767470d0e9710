import type { Db } from '../db';
import * as repo from './repo';
import { buildSearchIndex, type SearchIndex } from './search-index';

/**
 * Keeps a SearchIndex in step with the database.
 *
 *  - current() gives the index, or null while there is none that reflects
 *    this process's changes: the caller then searches the database, which is
 *    always right, only slower.
 *  - invalidate() (called by CatalogService.changed() after a product,
 *    price, rating or category change) drops the index; the next search
 *    starts a rebuild in the background.
 *  - setStockOf() (after this process changed some products' stock) updates
 *    their in-stock flags at once, including in an index being built or
 *    reloaded from rows read before the change.
 *  - Changes made by other processes are noticed through the catalog
 *    fingerprint (repo.catalogFingerprint), checked in the background at most
 *    once per `maxAgeMs`: a product change rebuilds the index, a stock change
 *    only reloads which products have stock. Until then searches see the
 *    catalog as it was, at most `maxAgeMs` plus a rebuild old — the same
 *    freshness as the catalog's cached reads.
 *
 * Nothing here blocks a request: builds and checks run behind it, and a
 * failure leaves searches on the database until the next attempt.
 */
export class LiveSearchIndex {
  private index: SearchIndex | null = null;
  private fingerprint: { products: string; stock: string } | null = null;
  private checkedAt = 0;
  private generation = 0;
  private work: Promise<void> | null = null;
  /** Stock flags reported while background work reads the database, re-applied to what it read (which may predate them). */
  private reported: Map<number, boolean> | null = null;
  /** The last background failure, for diagnostics; cleared by the next success. */
  lastError: Error | null = null;

  constructor(
    private readonly db: Db,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  current(): SearchIndex | null {
    if (!this.work) {
      if (!this.index && this.now() - this.checkedAt >= (this.lastError ? this.maxAgeMs : 0)) this.start(() => this.build());
      else if (this.index && this.now() - this.checkedAt >= this.maxAgeMs) this.start(() => this.refresh());
    }
    return this.index;
  }

  invalidate(): void {
    this.generation++;
    this.index = null;
    this.fingerprint = null;
    this.checkedAt = 0;
    this.lastError = null;
  }

  /**
   * Sets whether these products are in stock (it is when it is among
   * `inStockIds`). Returns whether that changed any of them in the index, or
   * null when there is no index to tell.
   */
  setStockOf(productIds: readonly number[], inStockIds: readonly number[]): boolean | null {
    if (this.reported) {
      const inStock = new Set(inStockIds);
      for (const id of productIds) this.reported.set(id, inStock.has(id));
    }
    return this.index ? this.index.setStockOf(productIds, inStockIds) > 0 : null;
  }

  private applyReported(index: SearchIndex): void {
    if (!this.reported?.size) return;
    const ids = [...this.reported.keys()];
    index.setStockOf(ids, ids.filter((id) => this.reported!.get(id)));
  }

  /** Builds the index now if there is none (at start-up), after any build or check under way; resolves once it is ready or has failed. */
  async warm(): Promise<SearchIndex | null> {
    if (this.work) await this.work;
    while (!this.index) {
      this.current();
      if (!this.work) break;
      await this.work;
      if (this.lastError) break;
    }
    return this.index;
  }

  private start(task: () => Promise<void>): void {
    this.reported = new Map();
    this.work = task()
      .then(
        () => {
          this.lastError = null;
        },
        (err: Error) => {
          this.lastError = err;
        },
      )
      .finally(() => {
        this.reported = null;
        this.checkedAt = this.now();
        this.work = null;
      });
  }

  private async build(): Promise<void> {
    const generation = this.generation;
    // The fingerprint is read first, so a change made while the rows are read shows up at the next check.
    const fingerprint = await repo.catalogFingerprint(this.db);
    const [rows, inStock] = await Promise.all([repo.searchIndexRows(this.db), repo.inStockProductIds(this.db)]);
    const index = await buildSearchIndex(rows, inStock);
    if (generation !== this.generation) return; // invalidated meanwhile: the next search builds again
    this.applyReported(index);
    this.index = index;
    this.fingerprint = fingerprint;
  }

  private async refresh(): Promise<void> {
    const generation = this.generation;
    const fingerprint = await repo.catalogFingerprint(this.db);
    if (generation !== this.generation || !this.fingerprint) return;
    if (fingerprint.products !== this.fingerprint.products) return this.build();
    if (fingerprint.stock !== this.fingerprint.stock) {
      const inStock = await repo.inStockProductIds(this.db);
      if (generation !== this.generation || !this.index) return;
      this.index.setStock(inStock);
      this.applyReported(this.index);
      this.fingerprint = fingerprint;
    }
  }
}
