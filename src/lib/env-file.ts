import fs from 'node:fs';
import { parseEnv } from 'node:util';
import { rootPath, shownPath } from './paths';

/** The .env file could not be read or parsed; the message is one line naming the file. */
export class EnvFileError extends Error {
  override name = 'EnvFileError';
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The project's .env, or the file GG_ENV_FILE names (tests point it at their own). */
export function envFilePath(env: NodeJS.ProcessEnv = process.env): { file: string; explicit: boolean } {
  const given = env.GG_ENV_FILE?.trim();
  return given ? { file: rootPath(given), explicit: true } : { file: rootPath('.env'), explicit: false };
}

/**
 * Copies the settings of a .env file into env, leaving every variable that is
 * already set (even to an empty string) alone: the real environment wins. A
 * missing project .env is fine. process.loadEnvFile is not used because it
 * cannot report a malformed line, and util.parseEnv silently glues a line
 * without `=` onto the next name, so names are checked here.
 */
export function loadEnvFile(file: string, env: NodeJS.ProcessEnv, options: { required?: boolean } = {}): void {
  const content = readText(file, options.required ?? false);
  if (content === null) return;
  const parsed = parseEnv(content);
  for (const [name, value] of Object.entries(parsed)) {
    if (!NAME.test(name)) throw new EnvFileError(`Cannot read ${shownPath(file)}: "${name.split(/\r?\n/)[0]}" is not a NAME=value line`);
    if (env[name] === undefined && value !== undefined) env[name] = value;
  }
}

function readText(file: string, required: boolean): string | null {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return null;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
    throw new EnvFileError(`Cannot read ${shownPath(file)}: ${why}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new EnvFileError(`Cannot read ${shownPath(file)}: it is not UTF-8 text`);
  }
}
