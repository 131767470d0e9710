import path from 'node:path';
import ejs from 'ejs';
import type { Express, Response } from 'express';
import { rootPath } from '../lib/paths';

export const VIEWS_DIR = rootPath('views');
const LAYOUT = path.join(VIEWS_DIR, 'layouts', 'main.ejs');

type EngineCallback = (err: Error | null, html?: string) => void;

/**
 * EJS with a layout: a page renders first, then layouts/main.ejs wraps it
 * (pages may pass `layout: false`, e.g. e-mails and fragments).
 */
export function installViews(app: Express, cacheTemplates: boolean): void {
  app.set('views', VIEWS_DIR);
  app.set('view engine', 'ejs');
  app.set('view cache', cacheTemplates);
  app.engine('ejs', (file: string, options: object, callback: EngineCallback) => {
    const opts = options as Record<string, unknown>;
    // rmWhitespace: indentation and blank lines of the templates are not sent (pages are a fifth smaller).
    const ejsOptions = { cache: cacheTemplates, filename: file, root: VIEWS_DIR, views: [VIEWS_DIR], rmWhitespace: true };
    ejs.renderFile(file, opts, ejsOptions)
      .then((body) => {
        if (opts.layout === false) return body;
        return ejs.renderFile(LAYOUT, { ...opts, body }, { ...ejsOptions, filename: LAYOUT });
      })
      .then((html) => callback(null, html), (err: Error) => callback(err));
  });
}

/** A view rendered without the layout, with the response's locals (a fragment for a script). */
export function renderToString(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    res.render(view, { ...locals, layout: false }, (err: Error | null, html?: string) => (err ? reject(err) : resolve(html ?? '')));
  });
}
