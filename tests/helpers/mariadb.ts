import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort, startProcess, type Exit, type RunningEntry } from './spawn';

const run = promisify(execFile);

/**
 * A MariaDB server of the test's own (its own data folder and port), which
 * the fault tests stop and start again: never the shared server of the other
 * tests. Needs mariadb-install-db and mariadbd (Debian's mariadb-server).
 */
export interface PrivateMariaDb {
  /** mysql://root@127.0.0.1:<port>/<database> */
  url(database: string): string;
  port: number;
  /** Stops the server: SIGTERM shuts it down cleanly, SIGKILL is a crash. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
  /** Starts it again on the same data and port. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

export function mariaDbAvailable(): boolean {
  return ['/usr/sbin/mariadbd', '/usr/bin/mariadbd'].some((f) => fs.existsSync(f)) && fs.existsSync('/usr/bin/mariadb-install-db');
}

export async function startPrivateMariaDb(): Promise<PrivateMariaDb> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giggatek-mariadb-'));
  const datadir = path.join(dir, 'data');
  const user = os.userInfo().username;
  await run('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', `--user=${user}`, '--skip-test-db']);
  const port = await freePort();
  const args = [
    '--no-defaults', `--datadir=${datadir}`, `--port=${port}`, `--socket=${path.join(dir, 'mariadb.sock')}`, `--pid-file=${path.join(dir, 'mariadb.pid')}`,
    '--bind-address=127.0.0.1', `--user=${user}`, '--skip-log-bin', '--innodb-buffer-pool-size=64M', '--innodb-log-file-size=16M', '--max-connections=300',
  ];
  let server: RunningEntry | null = null;
  const start = async () => {
    server = await startProcess('mariadbd', args, { ready: /ready for connections/, timeoutMs: 60_000 });
  };
  await start();
  return {
    port,
    url: (database) => `mysql://root@127.0.0.1:${port}/${database}`,
    async stop(signal = 'SIGTERM') {
      const exit = await server!.stop(signal, 60_000);
      server = null;
      return exit;
    },
    start,
    async destroy() {
      if (server) await server.stop('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
