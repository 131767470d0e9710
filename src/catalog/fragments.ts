import crypto from 'node:crypto';
import type { Response } from 'express';
import type { CatalogService } from './service';

/**
 * Rendered-page cache for catalog pages. A page body depends only on catalog
 * data, so it is rendered once per cache period and shared by every shopper;
 * the layout (header with the shopper's name and cart) is rendered per request.
 * Bodies are rendered from an explicit list of locals, never from res.locals,
 * so nothing about one shopper can end up in another's page. The one
 * per-request value a body holds, the CSRF token of its forms, is a slot
 * filled in when the page is sent.
 */

const CSRF_SLOT = `gg-csrf-slot-${crypto.randomBytes(12).toString('hex')}`;

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c]!);

function renderBody(res: Response, view: string, data: object): Promise<string> {
  const locals = { ...data, money: res.locals.money, asset: res.locals.asset, store: res.locals.store, csrfToken: CSRF_SLOT, layout: false };
  return new Promise((resolve, reject) => {
    res.app.render(view, locals, (err: Error | null, html?: string) => (err ? reject(err) : resolve(html ?? '')));
  });
}

export interface PageMeta {
  title: string;
  description?: string;
  canonical?: string;
  noindex?: boolean;
}

/**
 * Renders `view` with the locals `data()` builds (or takes the body from the
 * cache under `key`) inside the layout. `key` must name everything the body
 * depends on; `data` only runs when the body is rendered.
 */
export async function sendCatalogPage(
  res: Response,
  catalog: CatalogService,
  key: string,
  view: string,
  data: () => object | Promise<object>,
  meta: PageMeta,
): Promise<void> {
  const render = async () => renderBody(res, view, await data());
  let body = res.app.get('view cache') ? await catalog.renderedPage(key, render) : await render();
  if (body.includes(CSRF_SLOT)) body = body.split(CSRF_SLOT).join(escapeHtml(String(res.locals.csrfToken ?? '')));
  res.render('catalog/page', { ...meta, pageBody: body });
}
