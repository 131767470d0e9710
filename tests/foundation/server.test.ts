import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../helpers/db';
import { startServer, type RunningServer } from '../helpers/spawn';

// Exercises the real start-up path (src/server.ts) on SQLite: the MariaDB path is the
// same code with DATABASE_URL set, covered by the app tests against MariaDB.
describe.runIf(!TEST_DATABASE_URL)('server process', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giggatek-server-'));
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('migrates, seeds the demo catalog on first run, serves it, and stops cleanly on SIGTERM', async () => {
    server = await startServer({ SQLITE_PATH: path.join(dir, 'store.sqlite'), MAIL_DIR: path.join(dir, 'mail'), RUN_WORKER: 'true' });
    expect(server.output()).toContain(server.url);
    expect(server.output()).toContain('npm run admin:create -- --email');
    const home = await (await fetch(`${server.url}/`)).text();
    expect(home).toMatch(/class="product-card"/);

    expect(await server.stop('SIGTERM')).toBe(0);
    expect(server.output()).toContain('"msg":"stopped"');
  }, 120_000);
});
