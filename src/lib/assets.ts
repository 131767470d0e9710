import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { rootPath } from './paths';

/**
 * Fingerprinted asset URLs: /assets/css/app.3fa2c1d0.css. The hash changes with
 * the content, so the files can be cached for a year.
 */
const PUBLIC_DIR = rootPath('public');
const cache = new Map<string, string>();

export function assetUrl(file: string): string {
  const rel = file.replace(/^\/+/, '');
  let url = cache.get(rel);
  if (!url) {
    const full = path.join(PUBLIC_DIR, rel);
    const hash = crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex').slice(0, 8);
    const ext = path.extname(rel);
    url = `/assets/${rel.slice(0, -ext.length)}.${hash}${ext}`;
    cache.set(rel, url);
  }
  return url;
}

/** /assets/css/app.3fa2c1d0.css → css/app.css (null when the URL is not fingerprinted). */
export function assetFileFromUrl(urlPath: string): string | null {
  const m = /^\/?(.+)\.[0-9a-f]{8}(\.[a-z0-9]+)$/.exec(urlPath);
  return m ? `${m[1]}${m[2]}` : null;
}

export function clearAssetCache(): void {
  cache.clear();
}

export { PUBLIC_DIR };
