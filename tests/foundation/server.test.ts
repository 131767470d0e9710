import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../helpers/db';
import { freePort, waitUntil } from '../helpers/spawn';

// Exercises the real start-up path (src/server.ts) on SQLite: the MariaDB path is the
// same code with DATABASE_URL set, covered by the app tests against MariaDB.
describe.runIf(!TEST_DATABASE_URL)('server process', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giggatek-server-'));
  let child: ChildProcessWithoutNullStreams | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('migrates, seeds the demo catalog on first run, serves it, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        PORT: String(port),
        SQLITE_PATH: path.join(dir, 'store.sqlite'),
        MAIL_DIR: path.join(dir, 'mail'),
        DATABASE_URL: '',
        BASE_URL: '',
        LOG_LEVEL: 'info',
        RUN_WORKER: 'true',
      },
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stdout += d));
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 60_000, 'healthz');

    expect(stdout).toContain(`http://127.0.0.1:${port}`);
    expect(stdout).toContain('npm run admin:create -- --email');
    const home = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(home).toMatch(/class="product-card"/);

    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('"msg":"stopped"');
  }, 120_000);
});
