import type { Request, Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../app';
import { productCsvChunks, CSV_COLUMNS, MAX_IMPORT_ROWS } from '../catalog/product-csv';
import { ValidationError } from '../http/errors';
import { setFlash } from '../http/flash';
import { upload, type UploadedFile } from '../http/upload';
import { formPage, validate } from '../http/validate';
import { formatCount } from '../lib/locale';
import { staffContext } from './context';

const MAX_CSV_BYTES = 10 * 1024 * 1024;
const ImportParams = z.object({ id: z.string().regex(/^\d{1,10}$/).transform(Number) });

/**
 * /admin/products CSV: export every product, and import a file (dry run
 * first) whose progress and outcome show on its own page.
 */
export function productCsvRoutes(router: Router, ctx: AppContext): void {
  const imports = ctx.productImports;

  router.get('/products/export.csv', async (_req, res) => {
    res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="products-${ctx.clock.now().toISOString().slice(0, 10)}.csv"` });
    for await (const chunk of productCsvChunks(ctx.db)) {
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  });

  const form = formPage({
    view: 'admin/product-import',
    keep: ['dry_run'],
    showRefusals: true,
    locals: async () => ({ title: 'Import products', noindex: true, columns: CSV_COLUMNS, maxRows: MAX_IMPORT_ROWS, maxMegabytes: MAX_CSV_BYTES / 1024 / 1024, recent: await imports.recent() }),
  });

  router.get('/products/import', (req, res) => form.render(req, res, { values: { dry_run: 'on' } }));

  const csv = upload({ field: 'file', maxBytes: MAX_CSV_BYTES, maxFiles: 1, form });
  router.post('/products/import', csv, form.submit(async (req, res) => {
    const file = readCsv(req, csv.files(req));
    const dryRun = req.body?.dry_run === 'on';
    const id = await imports.start(file, dryRun, staffContext(req));
    setFlash(res, 'success', dryRun ? 'Dry run started: nothing will be saved.' : 'Import started.');
    res.redirect(303, `/admin/products/imports/${id}`);
  }));

  const shown = validate({ params: ImportParams }, { notFound: 'We could not find that import.' });
  router.get('/products/imports/:id', shown, async (req, res) => {
    const found = await imports.get(shown.params(req).id);
    // The page and the progress bar's polling show the same words, formatted here once.
    const progress = found.totalRows ? `${formatCount(Math.min(found.doneRows, found.totalRows))} of ${formatCount(found.totalRows)} rows` : 'Reading the file…';
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ status: found.status, totalRows: found.totalRows, doneRows: found.doneRows, progress });
      return;
    }
    res.render('admin/product-import-status', { title: `${found.dryRun ? 'Dry run' : 'Import'} of ${found.filename}`, noindex: true, imp: found, progress, shownProblems: 500 });
  });
}

/** The uploaded CSV as text: one UTF-8 text file (upload() has refused one over MAX_CSV_BYTES). */
function readCsv(req: Request, files: UploadedFile[]): { filename: string; text: string } {
  if (!req.is('multipart/form-data')) throw new ValidationError('Choose a CSV file to import.', { file: 'Choose a CSV file.' });
  const [file] = files;
  if (!file || file.bytes.length === 0) throw new ValidationError('Choose a CSV file to import; this one is empty.', { file: 'Choose a CSV file.' });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(file.bytes);
  } catch {
    throw new ValidationError('The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8”.', { file: 'Not a UTF-8 CSV file.' });
  }
  if (text.includes('\0')) throw new ValidationError('The file is not a CSV file (it holds binary data).', { file: 'Not a CSV file.' });
  return { filename: file.name.replace(/[^\w .()-]/g, '_').slice(0, 200) || 'products.csv', text };
}
