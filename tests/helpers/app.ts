import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config';
import { createApp, type AppDeps } from '../../src/app';
import { createLogger } from '../../src/lib/log';
import { freshDb, type TestDb } from './db';

export const TEST_ENV = {
  NODE_ENV: 'test',
  JWT_SECRET: 'test-jwt-secret-0123456789abcdefghijklmnop',
  COOKIE_SECRET: 'test-cookie-secret-0123456789abcdefghijklm',
  BCRYPT_COST: '4',
  LOG_LEVEL: 'silent',
  RUN_WORKER: 'false',
  BASE_URL: 'http://store.test',
};

export function testConfig(db: Config['db'], env: Record<string, string> = {}): Config {
  return { ...loadConfig({ ...TEST_ENV, ...env }), db };
}

export interface TestApp extends TestDb {
  app: ReturnType<typeof createApp>;
  config: Config;
  /** A temporary folder of the app's own for uploaded files (removed by destroy()). */
  uploadsDir: string;
}

/** A fresh database and an app on it; call destroy() in afterAll. */
export async function testApp(options: { env?: Record<string, string>; deps?: Partial<AppDeps> } = {}): Promise<TestApp> {
  const tdb = await freshDb();
  const config = testConfig(tdb.dbConfig, options.env);
  const uploadsDir = options.deps?.uploadsDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'giggatek-uploads-'));
  const app = createApp({ config, db: tdb.db, logger: createLogger('silent'), uploadsDir, ...options.deps });
  return {
    ...tdb,
    app,
    config,
    uploadsDir,
    async destroy() {
      await app.context.rateLimits.close();
      await tdb.destroy();
      if (!options.deps?.uploadsDir) fs.rmSync(uploadsDir, { recursive: true, force: true });
    },
  };
}
