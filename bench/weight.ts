import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Response } from 'playwright-core';

/**
 * Page weight as a shopper's browser sees it on a first visit: the home page
 * and a product page loaded by Chromium (playwright-core) with an empty cache,
 * at a laptop's and a phone's size, until the network is quiet. Every
 * response the page made is counted as it came over the wire (headers plus
 * the body as served, compressed): HTML, CSS, JS, images (only those the
 * browser actually fetched: lazy ones below the fold are not), anything else.
 */

export interface WeightTarget {
  name: string;
  path: string;
  /** Transferred bytes allowed (HTML + CSS + JS + images). */
  budget: number;
}

interface Size {
  label: string;
  width: number;
  height: number;
  deviceScaleFactor: number;
}

/** A laptop, and a phone with a dense screen (srcset picks its images by device pixels). */
const SIZES: Size[] = [
  { label: '1366 × 900', width: 1366, height: 900, deviceScaleFactor: 1 },
  { label: '390 × 844 @3x', width: 390, height: 844, deviceScaleFactor: 3 },
];

type Kind = 'html' | 'css' | 'js' | 'images' | 'other';
const KINDS: Kind[] = ['html', 'css', 'js', 'images', 'other'];

export interface WeightRow {
  page: string;
  size: string;
  requests: number;
  bytes: Record<Kind, number>;
  total: number;
  budget: number;
}

function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
}

function kindOf(resourceType: string, contentType: string): Kind {
  if (resourceType === 'document') return 'html';
  if (resourceType === 'stylesheet' || contentType.includes('text/css')) return 'css';
  if (resourceType === 'script' || contentType.includes('javascript')) return 'js';
  if (resourceType === 'image' || contentType.startsWith('image/')) return 'images';
  return 'other';
}

/** Loads one page in a fresh context and adds up what came over the wire. */
async function weigh(browser: Browser, baseUrl: string, target: WeightTarget, size: Size): Promise<WeightRow> {
  const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, deviceScaleFactor: size.deviceScaleFactor });
  const page = await context.newPage();
  const responses: Response[] = [];
  page.on('response', (r) => responses.push(r));
  try {
    const res = await page.goto(baseUrl + target.path, { waitUntil: 'networkidle' });
    if (!res || res.status() !== 200) throw new Error(`${target.path} answered ${res?.status() ?? 'nothing'}`);
    const bytes: Record<Kind, number> = { html: 0, css: 0, js: 0, images: 0, other: 0 };
    for (const r of responses) {
      await r.finished();
      // responseBodySize is the body as transferred (compressed when served compressed).
      const sizes = await r.request().sizes();
      bytes[kindOf(r.request().resourceType(), r.headers()['content-type'] ?? '')] += sizes.responseBodySize + sizes.responseHeadersSize;
    }
    const total = KINDS.reduce((n, k) => n + bytes[k], 0);
    return { page: target.name, size: size.label, requests: responses.length, bytes, total, budget: target.budget };
  } finally {
    await context.close();
  }
}

export async function benchWeight(opts: { baseUrl: string; targets: WeightTarget[]; out: (s?: string) => void }): Promise<WeightRow[]> {
  const { out } = opts;
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const rows: WeightRow[] = [];
  try {
    for (const target of opts.targets) {
      for (const size of SIZES) rows.push(await weigh(browser, opts.baseUrl, target, size));
    }
  } finally {
    await browser.close();
  }
  const kb = (n: number) => (n / 1024).toFixed(1);
  out('Page weight, first visit in Chromium (empty cache), KB transferred (headers + body as served):');
  out('| page | screen | requests | HTML | CSS | JS | images | other | total | target |');
  out('|---|---|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    const verdict = `≤ ${Math.round(r.budget / 1024)} KB: ${r.total <= r.budget ? 'met' : 'MISSED'}`;
    out(`| ${r.page} | ${r.size} | ${r.requests} | ${KINDS.map((k) => kb(r.bytes[k])).join(' | ')} | ${kb(r.total)} | ${verdict} |`);
  }
  out();
  return rows;
}
