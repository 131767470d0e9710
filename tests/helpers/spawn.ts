import { spawn } from 'node:child_process';

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
