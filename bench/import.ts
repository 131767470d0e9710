import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Db } from '../src/db';
import { noCatalogEvents } from '../src/catalog/changes';
import { ProductEditor } from '../src/catalog/editing';
import { ProductImporter } from '../src/catalog/import';
import { productCsvChunks } from '../src/catalog/product-csv';
import { systemClock } from '../src/lib/clock';
import { createLogger } from '../src/lib/log';

/**
 * CSV import of the generated catalog (target: 10,000 products in ≤ 15 s):
 * the catalog is exported as the admin export writes it, its slugs are
 * changed so every row creates a product, and the file is imported through
 * ProductImporter as the import job runs it; then the same file with new
 * prices is imported again (every row an update). Progress is read from the
 * import's row while it runs, as the import page does. The imported products
 * are deleted afterwards, so the other measurements keep their catalog.
 */
export async function benchImport(o: { db: Db; out: (s?: string) => void; progress: (label: string, done: number, total: number) => void }): Promise<void> {
  const { db, out } = o;
  const importer = new ProductImporter({ db, clock: systemClock, logger: createLogger('silent'), catalog: noCatalogEvents, editor: new ProductEditor({ db, clock: systemClock, catalog: noCatalogEvents }) });
  await removeImported(db);

  let exported = '';
  for await (const chunk of productCsvChunks(db)) exported += chunk;
  const records = parse(exported, { columns: true }) as Array<Record<string, string>>;
  const file = (priceFactor: number) =>
    stringify(records.map((r) => ({ ...r, slug: `imp-${r.slug}`.slice(0, 160), price: ((Math.round(Number(r.price) * 100 * priceFactor)) / 100).toFixed(2), rent_3: '', rent_6: '', rent_12: '' })), { header: true });

  out(`\nCSV import of ${records.length.toLocaleString('en-US')} products (target ≤ 15 s)`);
  for (const [label, text] of [['create', file(1)], ['update', file(1.01)]] as const) {
    const id = await importer.start({ filename: `bench-${label}.csv`, text }, false, { actor: { userId: null, label: 'bench' }, ip: null });
    const started = Date.now();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const row = await db('product_imports').where({ id }).first('done_rows', 'total_rows');
        if (row?.total_rows) o.progress(`  ${label}`, Number(row.done_rows), Number(row.total_rows));
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    await importer.run(id);
    const seconds = (Date.now() - started) / 1000;
    watching = false;
    await watcher;
    process.stderr.write('\n');
    const done = await importer.get(id);
    const ok = done.status === 'succeeded';
    out(`  ${label.padEnd(7)} ${(done.createdCount + done.updatedCount).toLocaleString('en-US').padStart(7)} rows in ${seconds.toFixed(1)} s (${Math.round(done.totalRows / seconds).toLocaleString('en-US')} rows/s)  ${ok && seconds <= 15 ? 'met' : `MISSED${ok ? '' : ` (${done.status}: ${done.error ?? done.problems[0]?.message})`}`}`);
  }
  await removeImported(db);
}

async function removeImported(db: Db): Promise<void> {
  await db('products').where('slug', 'like', 'imp-%').delete();
  await db('audit_log').whereIn('action', ['product.create', 'product.update']).whereNull('actor_user_id').delete();
  await db('product_imports').delete();
}
