import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { expect } from 'vitest';
import { createApp } from '../../src/app';
import { createDb, migrateLatest, type Db } from '../../src/db';
import { createLogger } from '../../src/lib/log';
import { seedDemo } from '../../seeds';
import { testConfig } from '../helpers/app';
import { runJobs, textPart } from '../helpers/mail';

export const SCREENSHOT_DIR = path.resolve(__dirname, 'screenshots');

export interface Store {
  baseUrl: string;
  db: Db;
  /** Runs the due jobs once, as the worker would: queued e-mails are written to the mail folder. */
  runJobs(): Promise<number>;
  /** The decoded text of every e-mail written so far to `to`, oldest first. */
  mailTo(to: string): string[];
  stop(): Promise<void>;
}

/**
 * The real app on a random local port, on a fresh SQLite file with the demo
 * catalog. Its BASE_URL is that address, so links in e-mails and the return
 * URLs given to Stripe come back to it.
 */
export async function startStore(env: Record<string, string> = {}): Promise<Store> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giggatek-e2e-'));
  const mailDir = path.join(dir, 'mail');
  const dbConfig = { client: 'sqlite' as const, filename: path.join(dir, 'e2e.sqlite') };
  const db = createDb(dbConfig);
  await migrateLatest(db);
  await seedDemo(db);
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = testConfig(dbConfig, { BASE_URL: baseUrl, MAIL_DIR: mailDir, ...env });
  const app = createApp({ config, db, logger: createLogger('silent') });
  server.on('request', app);
  return {
    baseUrl,
    db,
    runJobs: () => runJobs(app.context),
    mailTo(to) {
      if (!fs.existsSync(mailDir)) return [];
      return fs
        .readdirSync(mailDir)
        .filter((f) => f.endsWith('.eml'))
        .sort()
        .map((f) => fs.readFileSync(path.join(mailDir, f), 'utf8'))
        .filter((raw) => /^To: (.*)$/im.exec(raw)?.[1]?.includes(to))
        .map(textPart);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** The axe rule sets a page is held to: WCAG 2.0, 2.1 and 2.2 at A and AA, and axe's best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/** Fails on any serious or critical axe-core violation of the current page (WCAG 2.2 AA and best practices). */
export async function expectAccessible(page: Page): Promise<void> {
  // Only violations are read: asking for them alone spares axe from listing every passing node (much faster on long pages).
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).options({ resultTypes: ['violations'] }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) on ${page.url()}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  expect(bad).toEqual([]);
}

/**
 * The elements whose box is wider than the screen or reaches past its right
 * edge, as short CSS paths with their right edge and width. Elements inside a
 * container that scrolls or clips sideways (a .scroll-region table wrapper)
 * are that container's business, and visually hidden ones (a 1 px clipped
 * box, nothing rendered) are skipped.
 */
export async function elementsWiderThanScreen(page: Page): Promise<string[]> {
  return (await page.evaluate(WIDER_THAN_SCREEN)) as string[];
}

// Runs in the page (a string: this project compiles without the DOM's types).
const WIDER_THAN_SCREEN = `(() => {
  const screen = document.documentElement.clientWidth;
  const label = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      parts.unshift(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + [...e.classList].slice(0, 2).map((c) => '.' + c).join(''));
    }
    return parts.join(' > ');
  };
  const found = [];
  const walk = (el) => {
    const style = getComputedStyle(el);
    if (style.display === 'none') return;
    const box = el.getBoundingClientRect();
    const hidden = style.visibility === 'hidden' || (box.width <= 1 && box.height <= 1)
      || /rect\\(0(px)?,? 0(px)?,? 0(px)?,? 0(px)?\\)|inset\\(50%\\)/.test(style.clip + ' ' + style.clipPath);
    // Half a pixel of slack for sub-pixel rounding.
    if (!hidden && box.width > 0 && (box.width > screen + 0.5 || box.right > screen + 0.5)) {
      found.push(label(el) + ' (right edge ' + Math.round(box.right) + ' px, width ' + Math.round(box.width) + ' px)');
    }
    // What a container scrolls sideways on purpose is its own business (a .scroll-region table wrapper).
    if (el !== document.body && /^(auto|scroll)$/.test(style.overflowX)) return;
    for (const child of el.children) walk(child);
  };
  walk(document.body);
  return found;
})()`;

/**
 * Nothing on the page is wider than the screen: the document does not scroll
 * sideways and no element is wider than the viewport or sticks out past its
 * right edge (wide tables scroll inside their own region).
 */
export async function expectFitsScreen(page: Page, what: string): Promise<void> {
  const overflow = Math.max(0, Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')));
  const elements = await elementsWiderThanScreen(page);
  expect({ overflow, elements }, `${what} is wider than the screen`).toEqual({ overflow: 0, elements: [] });
}

/** A full-page screenshot under tests/e2e/screenshots, to look at; E2E_SCREENSHOTS=0 skips them (CI, where nobody looks). */
export async function saveScreenshot(page: Page | undefined, name: string): Promise<string | null> {
  if (!page || process.env.E2E_SCREENSHOTS === '0') return null;
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
  return file;
}
