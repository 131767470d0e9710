import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import net from 'node:net';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one of our entry points (src/server.ts, src/cli/*.ts) from the sources
 * through tsx, as `npm start` / `npm run …` would run the build. The .env of
 * the checkout is kept out (GG_ENV_FILE=/dev/null) unless env names another,
 * and so is the BASE_URL that vitest puts in the environment.
 */
export function runEntry(script: string, env: Record<string, string | undefined>, args: string[] = [], timeoutMs = 25_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      env: { ...process.env, GG_ENV_FILE: '/dev/null', BASE_URL: undefined, NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env } as NodeJS.ProcessEnv,
    });
    // A start that unexpectedly succeeds must not outlive the test run.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not exit within ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      process.off('exit', killOnExit);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface RunningServer {
  url: string;
  child: ChildProcessWithoutNullStreams;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the real server (src/server.ts through tsx, as `npm start` runs the
 * build) on a free port and resolves once /healthz answers. The .env of the
 * checkout is kept out; env adds to a test-mode environment.
 */
export async function startServer(env: Record<string, string | undefined>, timeoutMs = 60_000): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, GG_ENV_FILE: '/dev/null', NODE_ENV: 'test', DATABASE_URL: '', BASE_URL: '', LOG_LEVEL: 'info', PORT: String(port), ...env } as NodeJS.ProcessEnv,
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    process.off('exit', killOnExit);
    resolve(code);
  }));
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}: ${output}`);
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
    if (Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer within ${timeoutMs} ms: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    child,
    output: () => output,
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
