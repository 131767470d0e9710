import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEntry, type CommandResult } from '../helpers/spawn';

// MariaDB always runs next to the tests; TEST_DATABASE_URL names it when set.
const mysql = new URL(process.env.TEST_DATABASE_URL || 'mysql://root@127.0.0.1:3306/giggatek_test');

/** A start that fails: non-zero exit, exactly one line on stderr naming the cause, no stack trace anywhere. */
function expectOneLineFailure(result: CommandResult, line: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.code).not.toBeNull();
  expect(result.stderr.endsWith('\n')).toBe(true);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr.trim()).toMatch(line);
  expect(`${result.stdout}${result.stderr}`).not.toMatch(/^\s+at /m);
}

describe('server start-up failures', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giggatek-startup-'));
  let taken: net.Server;
  let takenPort: number;
  const start = (env: Record<string, string>) =>
    runEntry('src/server.ts', { SQLITE_PATH: path.join(dir, 'store.sqlite'), DATABASE_URL: '', SEED_DEMO: 'false', RUN_WORKER: 'false', LOG_LEVEL: 'warn', ...env });

  beforeAll(async () => {
    taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    takenPort = (taken.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => taken.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a port already in use', async () => {
    expectOneLineFailure(await start({ PORT: String(takenPort) }), new RegExp(`^Cannot listen on 127\\.0\\.0\\.1:${takenPort}: the port is already in use; stop the other process or choose another PORT$`));
  });

  it('a database that does not answer', async () => {
    expectOneLineFailure(await start({ DATABASE_URL: 'mysql://root@127.0.0.1:1/gg_x' }), /^Cannot reach the database MySQL\/MariaDB gg_x on 127\.0\.0\.1:1: connection refused .*; check DATABASE_URL$/);
  });

  it('a database that refuses the login', async () => {
    const url = `mysql://nosuchuser:x@${mysql.hostname}:${mysql.port || 3306}/gg_x`;
    expectOneLineFailure(await start({ DATABASE_URL: url }), /^The database MySQL\/MariaDB gg_x on .* refused the login: Access denied for user 'nosuchuser'@.*; check the user and password in DATABASE_URL$/);
  });

  it('a bad setting: PORT out of range', async () => {
    expectOneLineFailure(await start({ PORT: '70000' }), /^Configuration error: PORT must be <=65535 \(got "70000"\)$/);
  });
});
