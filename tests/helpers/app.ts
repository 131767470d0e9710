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
}

/** A fresh database and an app on it; call destroy() in afterAll. */
export async function testApp(options: { env?: Record<string, string>; deps?: Partial<AppDeps> } = {}): Promise<TestApp> {
  const tdb = await freshDb();
  const config = testConfig(tdb.dbConfig, options.env);
  const app = createApp({ config, db: tdb.db, logger: createLogger('silent'), ...options.deps });
  return { ...tdb, app, config };
}
