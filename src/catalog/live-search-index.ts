import type { Db } from '../db';
import * as repo from './repo';
import type { CatalogFingerprint } from './repo';
import { BUILD_SLICE, SearchIndexBuilder, type SearchIndex } from './search-index';

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
 *  - sync() is given the catalog fingerprint (repo.catalogFingerprint) each
 *    time the catalog service looks for other processes' changes: when the
 *    products differ from those the index was built from, it is rebuilt in
 *    the background (the old one serves meanwhile); when only stock differs,
 *    which products have stock is reloaded.
 *
 * Nothing here blocks a request: builds and checks run behind it, and a
 * failure leaves searches on the database until the next attempt (after
 * `retryMs`).
 */
export class LiveSearchIndex {
  private index: SearchIndex | null = null;
  private fingerprint: CatalogFingerprint | null = null;
  /** When the last build or reload ended (a failed build is retried `retryMs` after it). */
  private checkedAt = 0;
  private generation = 0;
  private work: Promise<void> | null = null;
  /** Stock flags reported while background work reads the database, re-applied to what it read (which may predate them). */
  private reported: Map<number, boolean> | null = null;
  /** The last background failure, for diagnostics; cleared by the next success. */
  lastError: Error | null = null;

  constructor(
    private readonly db: Db,
    private readonly retryMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  current(): SearchIndex | null {
    if (!this.work && !this.index && this.now() - this.checkedAt >= (this.lastError ? this.retryMs : 0)) this.start(() => this.build());
    return this.index;
  }

  /**
   * Brings the index in line with the catalog as `fingerprint` describes it
   * (see the class comment). Resolves once that is done: with 'rebuilt' when
   * the index was rebuilt for a product change, with how many products'
   * in-stock flags a stock reload changed (0 when nothing changed), or with
   * null when it cannot tell (no index yet, one being built or reloaded, or
   * a failed rebuild).
   */
  async sync(fingerprint: CatalogFingerprint): Promise<number | 'rebuilt' | null> {
    if (this.work || !this.index || !this.fingerprint) return null;
    if (fingerprint.products !== this.fingerprint.products) {
      const before = this.index;
      this.start(() => this.build());
      await this.work;
      return this.index && this.index !== before ? 'rebuilt' : null;
    }
    if (fingerprint.stock === this.fingerprint.stock) return 0;
    let flipped: number | null = null;
    this.start(async () => {
      flipped = await this.reloadStock(fingerprint);
    });
    await this.work;
    return flipped;
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

  /** Re-applies the stock reported meanwhile; returns how many products it changed. */
  private applyReported(index: SearchIndex): number {
    if (!this.reported?.size) return 0;
    const ids = [...this.reported.keys()];
    return index.setStockOf(ids, ids.filter((id) => this.reported!.get(id)));
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
    // Read and indexed a slice at a time: the rows of a large catalog are never all in memory, and requests run in between.
    const builder = new SearchIndexBuilder();
    const [inStock] = await Promise.all([
      repo.inStockProductIds(this.db),
      (async () => {
        for await (const rows of repo.searchIndexBatches(this.db, BUILD_SLICE)) builder.add(rows);
      })(),
    ]);
    const index = await builder.finish(inStock);
    if (generation !== this.generation) return; // invalidated meanwhile: the next search builds again
    this.applyReported(index);
    this.index = index;
    this.fingerprint = fingerprint;
  }

  /** Reloads which products have stock; the number of products that changed, or null when the index was dropped meanwhile. */
  private async reloadStock(fingerprint: CatalogFingerprint): Promise<number | null> {
    const generation = this.generation;
    const inStock = await repo.inStockProductIds(this.db);
    if (generation !== this.generation || !this.index) return null;
    const flipped = this.index.setStock(inStock) + this.applyReported(this.index);
    this.fingerprint = { products: this.fingerprint!.products, stock: fingerprint.stock };
    return flipped;
  }
}
