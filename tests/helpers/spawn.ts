import net from 'node:net';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

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

/** A port nobody listens on right now (for a server the test starts). */
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

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One of our entry points running in the background (a web process or a worker). */
export interface RunningEntry {
  child: ChildProcessWithoutNullStreams;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves when the process has ended. */
  exited: Promise<Exit>;
  /** Resolves once the output matches (rejects when the process ends first or after timeoutMs). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends the signal (SIGTERM: a graceful stop; SIGKILL: a crash) and waits for the end. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
}

/**
 * Starts an entry point (src/server.ts, src/cli/worker.ts) from the sources
 * through tsx and leaves it running, as a service manager would. env is laid
 * over the test's environment like runEntry's. Resolves once `ready` appears
 * in its output.
 */
export function startEntry(script: string, env: Record<string, string | undefined>, o: { ready: RegExp; timeoutMs?: number }): Promise<RunningEntry> {
  return startProcess(process.execPath, ['--import', 'tsx', script], {
    ...o,
    env: { ...process.env, GG_ENV_FILE: '/dev/null', BASE_URL: undefined, NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
  });
}

/** Starts a long-running program, resolving once `ready` appears in its output. Whatever still runs when the test process exits is killed. */
export async function startProcess(command: string, args: string[], o: { env?: Record<string, string | undefined>; ready: RegExp; timeoutMs?: number }): Promise<RunningEntry> {
  const script = [command, ...args].join(' ').slice(0, 120);
  const child = spawn(command, args, { env: (o.env ?? process.env) as NodeJS.ProcessEnv });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  const listeners = new Set<() => void>();
  const append = (d: Buffer) => {
    output += d;
    for (const l of listeners) l();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => {
      process.off('exit', killOnExit);
      for (const l of listeners) l();
      resolve({ code, signal });
    });
  });
  const waitForOutput = (pattern: RegExp, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(output)) done(null);
        else if (child.exitCode !== null || child.signalCode !== null) done(new Error(`${script} ended before printing ${pattern}:\n${output.slice(-3000)}`));
      };
      const timer = setTimeout(() => done(new Error(`${script} did not print ${pattern} within ${timeoutMs} ms:\n${output.slice(-3000)}`)), timeoutMs);
      const done = (err: Error | null) => {
        clearTimeout(timer);
        listeners.delete(check);
        if (err) reject(err);
        else resolve();
      };
      listeners.add(check);
      check();
    });
  const running: RunningEntry = {
    child,
    output: () => output,
    exited,
    waitForOutput,
    async stop(signal = 'SIGTERM', timeoutMs = 20_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
  try {
    await waitForOutput(o.ready, o.timeoutMs);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return running;
}

/** A web process (src/server.ts) on a free port, ready once it prints that it is running. */
export async function startWebProcess(env: Record<string, string | undefined>, timeoutMs = 60_000): Promise<RunningEntry & { url: string; port: number }> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const url = `http://127.0.0.1:${port}`;
  const running = await startEntry('src/server.ts', { BASE_URL: url, ...env, HOST: '127.0.0.1', PORT: String(port) }, { ready: / is running at http:\/\/\S+/, timeoutMs });
  return Object.assign(running, { url, port });
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
 * The real server in test mode on SQLite unless env names a database
 * (startWebProcess with the exit code as the answer to stop()). The .env of
 * the checkout is kept out; env adds to a test-mode environment.
 */
export async function startServer(env: Record<string, string | undefined>, timeoutMs = 60_000): Promise<RunningServer> {
  const web = await startWebProcess({ DATABASE_URL: '', ...env }, timeoutMs);
  return { url: web.url, child: web.child, output: web.output, stop: async (signal) => (await web.stop(signal)).code };
}

/** A standalone job worker (src/cli/worker.ts), ready once its job loop has started. */
export function startWorkerProcess(env: Record<string, string | undefined>): Promise<RunningEntry> {
  return startEntry('src/cli/worker.ts', { ...env, LOG_LEVEL: 'info' }, { ready: /"msg":"job worker started"/ });
}

/** Polls `check` every 100 ms until it holds; returns how long that took, or throws after timeoutMs. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what = 'condition'): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
