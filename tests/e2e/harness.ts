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

/** Fails on any serious or critical axe-core violation of the current page. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) on ${page.url()}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  expect(bad).toEqual([]);
}

/** Nothing on the page is wider than the screen (wide tables scroll inside their own region). */
export async function expectFitsScreen(page: Page, what: string): Promise<void> {
  const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
  expect(overflow, `${what} is wider than the screen`).toBeLessThanOrEqual(0);
}

export async function saveScreenshot(page: Page | undefined, name: string): Promise<string | null> {
  if (!page) return null;
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
  return file;
}
