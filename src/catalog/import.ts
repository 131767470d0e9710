import { inTransaction, isMysql, type Db } from '../db';
import { isUniqueViolation } from '../db/errors';
import { recordAudit, type StaffContext } from '../audit/repo';
import { NotFoundError } from '../http/errors';
import { fromDbTime, toDbTime, type Clock } from '../lib/clock';
import type { Logger } from '../lib/log';
import { enqueue } from '../jobs/queue';
import type { JobRegistry } from '../jobs/registry';
import type { CatalogEvents } from './changes';
import type { ProductEditor } from './editing';
import { readProductCsv, type ImportProblem } from './product-csv';
import { productRuleErrors } from './product-input';
import * as repo from './repo';

export const IMPORT_JOB = 'products.import';
/** How often (rows) a running import writes its progress. */
const PROGRESS_EVERY = 250;

export type ImportStatus = 'queued' | 'running' | 'succeeded' | 'refused' | 'failed';

export interface ProductImport {
  id: number;
  filename: string;
  dryRun: boolean;
  status: ImportStatus;
  totalRows: number;
  doneRows: number;
  createdCount: number;
  updatedCount: number;
  problems: ImportProblem[];
  error: string | null;
  actorEmail: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** Thrown inside the import's transaction to roll it back: a dry run, or a file with bad rows. */
class RollBack extends Error {}

/**
 * CSV imports of products, run by a job so a large file shows its progress.
 * A dry run and a real import take exactly the same path: every row is read
 * and checked (product-csv.ts and the editor's rules), every good row is
 * written through ProductEditor.saveAll inside one transaction; then a dry
 * run, or a file with any bad row, rolls the transaction back, and only a
 * real import of a file without problems commits. All or nothing.
 */
export class ProductImporter {
  constructor(private readonly deps: { db: Db; clock: Clock; logger: Logger; editor: ProductEditor; catalog: CatalogEvents }) {}

  registerJobs(registry: JobRegistry): void {
    registry.register<{ importId: number }>(IMPORT_JOB, ({ importId }) => this.run(importId), { timeoutMs: 20 * 60_000 });
  }

  /** Records the upload and queues its run; audited. */
  async start(file: { filename: string; text: string }, dryRun: boolean, by: StaffContext): Promise<number> {
    const now = this.deps.clock.now();
    return inTransaction(this.deps.db, async (trx) => {
      const [inserted] = await trx('product_imports').insert({
        filename: file.filename.slice(0, 200),
        dry_run: dryRun,
        status: 'queued',
        csv: file.text,
        actor_user_id: by.actor.userId,
        created_at: toDbTime(now),
      });
      const id = Number(inserted);
      await enqueue(trx, IMPORT_JOB, { importId: id }, { clock: this.deps.clock, maxAttempts: 2 });
      await recordAudit(trx, by, { action: dryRun ? 'product_import.dry_run' : 'product_import.start', entity: 'product_import', entityId: id, after: { filename: file.filename, bytes: Buffer.byteLength(file.text) } }, now);
      return id;
    });
  }

  async get(id: number): Promise<ProductImport> {
    const row = await this.deps.db('product_imports as i').leftJoin('users as u', 'u.id', 'i.actor_user_id').where('i.id', id).first(...IMPORT_COLUMNS);
    if (!row) throw new NotFoundError('We could not find that import.');
    return toImport(row);
  }

  async recent(limit = 10): Promise<ProductImport[]> {
    const rows = await this.deps.db('product_imports as i').leftJoin('users as u', 'u.id', 'i.actor_user_id').orderBy('i.id', 'desc').limit(limit).select(...IMPORT_COLUMNS);
    return rows.map(toImport);
  }

  /** The job: reads, checks and writes the file (see the class comment). Runs once; a finished import is left alone. */
  async run(id: number): Promise<void> {
    const { db, clock, editor } = this.deps;
    const row = await db('product_imports').where({ id }).first('id', 'status', 'dry_run', 'csv', 'actor_user_id');
    if (!row || !['queued', 'running'].includes(row.status)) return;
    const dryRun = Boolean(row.dry_run);
    const update = (fields: Record<string, unknown>) => db('product_imports').where({ id }).update(fields);
    await update({ status: 'running', started_at: toDbTime(clock.now()), done_rows: 0 });

    const by: StaffContext = { actor: { userId: row.actor_user_id ?? null, label: row.actor_user_id ? `user:${row.actor_user_id}` : 'system' }, ip: null };
    const categoryIds = await repo.categoryIdsBySlug(db);
    const read = readProductCsv(String(row.csv), categoryIds);
    await update({ total_rows: read.total });
    const problems = [...read.problems];
    const progress = this.progressWriter(id, read.total - read.rows.length);
    let created = 0;
    let updated = 0;
    try {
      await inTransaction(db, async (trx) => {
        const existing = await repo.productsBySlug(trx, read.rows.map((r) => r.fields.slug));
        const good = read.rows.filter((r) => {
          const errors = productRuleErrors(r.fields);
          if (Object.keys(errors).length) problems.push({ line: r.line, slug: r.fields.slug, message: [...new Set(Object.values(errors))].join(' ') });
          return !Object.keys(errors).length;
        });
        const saved = await editor.saveAll(trx, good.map((r) => ({ fields: r.fields, existing: existing.get(r.fields.slug) ?? null })), by, new Set(categoryIds.values()), undefined, progress.saved);
        created = saved.filter((s) => s.outcome === 'created').length;
        updated = saved.filter((s) => s.outcome === 'updated').length;
        if (dryRun || problems.length) throw new RollBack();
      });
    } catch (err) {
      await progress.flushed();
      if (!(err instanceof RollBack)) {
        this.deps.logger.error({ err, importId: id }, 'product import failed');
        const reason = isUniqueViolation(err) ? 'another product took one of its slugs while it ran. Run it again.' : (err as Error).message;
        await update({ status: 'failed', error: `The import stopped and nothing was saved: ${reason}`.slice(0, 2000), csv: '', finished_at: toDbTime(clock.now()) });
        return;
      }
    }
    await progress.flushed();
    problems.sort((a, b) => a.line - b.line);
    await update({
      status: problems.length ? 'refused' : 'succeeded',
      done_rows: read.total,
      created_count: created,
      updated_count: updated,
      problems: JSON.stringify(problems),
      csv: '',
      finished_at: toDbTime(clock.now()),
    });
    if (!dryRun && !problems.length && created + updated > 0) await this.deps.catalog.changed({ what: 'product' });
  }

  /**
   * Writes how many rows are done every PROGRESS_EVERY rows, one write at a
   * time, on a connection of its own (the import's transaction holds
   * another). SQLite has a single connection, held by the transaction: there
   * the page shows the import running until it finishes.
   */
  private progressWriter(id: number, skipped: number) {
    let chain: Promise<unknown> = Promise.resolve();
    const concurrent = isMysql(this.deps.db);
    return {
      saved: (done: number) => {
        if (!concurrent || done % PROGRESS_EVERY) return;
        chain = chain
          .then(() => this.deps.db('product_imports').where({ id }).update({ done_rows: skipped + done }))
          .catch((err) => this.deps.logger.warn({ err, importId: id }, 'could not record import progress'));
      },
      flushed: () => chain,
    };
  }
}

const IMPORT_COLUMNS = [
  'i.id', 'i.filename', 'i.dry_run', 'i.status', 'i.total_rows', 'i.done_rows', 'i.created_count', 'i.updated_count', 'i.problems', 'i.error', 'i.created_at', 'i.started_at', 'i.finished_at', 'u.email as actor_email',
];

function toImport(r: Record<string, any>): ProductImport {
  return {
    id: Number(r.id),
    filename: r.filename,
    dryRun: Boolean(r.dry_run),
    status: r.status,
    totalRows: Number(r.total_rows),
    doneRows: Number(r.done_rows),
    createdCount: Number(r.created_count),
    updatedCount: Number(r.updated_count),
    problems: r.problems ? JSON.parse(r.problems) : [],
    error: r.error ?? null,
    actorEmail: r.actor_email ?? null,
    createdAt: fromDbTime(r.created_at)!,
    startedAt: fromDbTime(r.started_at),
    finishedAt: fromDbTime(r.finished_at),
  };
}
