import { ConfigError } from '../config';
import { EnvFileError } from './env-file';
import { shownPath } from './paths';

/** A start-up failure already described in one line; `cause` keeps the original for DEBUG. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** What was being started when it failed: listening on host:port, or opening the database (its label). */
export type StartupStage = { listen: string } | { database: string } | Record<string, never>;

interface ErrorLike {
  code?: string;
  hostname?: string;
  path?: string;
  sqlMessage?: string;
  message?: string;
  name?: string;
  errors?: ErrorLike[];
  cause?: ErrorLike;
}

const FILE_PROBLEMS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a file is in the way of a folder',
  EEXIST: 'a file is in the way of a folder',
  ENOSPC: 'the disk is full',
};

/**
 * One line naming why the server or a command could not start, for people
 * rather than for a stack trace: the setting to check is named.
 */
export function startupErrorMessage(err: unknown, stage: StartupStage = {}): string {
  const e = (err ?? {}) as ErrorLike;
  if (err instanceof StartupError || err instanceof ConfigError || err instanceof EnvFileError) return oneLine(e.message);
  const code = codeOf(e);
  if ('listen' in stage) return `Cannot listen on ${stage.listen}: ${listenProblem(code, e)}`;
  if ('database' in stage) return databaseProblem(code, e, stage.database);
  return `Failed to start: ${oneLine(e.message ?? String(err))}`;
}

function listenProblem(code: string | undefined, e: ErrorLike): string {
  switch (code) {
    case 'EADDRINUSE':
      return 'the port is already in use; stop the other process or choose another PORT';
    case 'EACCES':
      return 'permission denied (ports below 1024 need privileges); choose another PORT';
    case 'EADDRNOTAVAIL':
      return 'that address is not on this machine; check HOST';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host "${e.hostname}" not found; check HOST`;
    default:
      return oneLine(e.message ?? String(code));
  }
}

function databaseProblem(code: string | undefined, e: ErrorLike, database: string): string {
  const unreachable = (why: string) => `Cannot reach the database ${database}: ${why}; check DATABASE_URL`;
  switch (code) {
    case 'ECONNREFUSED':
      return unreachable('connection refused (is the database server running?)');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return unreachable(`host "${e.hostname ?? '?'}" not found`);
    case 'ETIMEDOUT':
    case 'KnexTimeoutError':
      return unreachable('the connection timed out');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return unreachable('no route to the host');
    case 'ECONNRESET':
    case 'PROTOCOL_CONNECTION_LOST':
      return unreachable('the server closed the connection');
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_HOST_NOT_PRIVILEGED':
      return `The database ${database} refused the login: ${sqlText(e)}; check the user and password in DATABASE_URL`;
    case 'ER_DBACCESS_DENIED_ERROR':
      return `The database ${database} refused access: ${sqlText(e)}; create the database or grant the user access to it`;
    case 'ER_BAD_DB_ERROR':
      return `The database ${database} does not exist: ${sqlText(e)}; create it or let the user create it`;
    case 'SQLITE_CANTOPEN':
      return `Cannot open the database ${database}; check SQLITE_PATH and that its folder is writable`;
    case 'SQLITE_NOTADB':
      return `Cannot open the database ${database}: the file is not a SQLite database; check SQLITE_PATH`;
    default:
      if (code && FILE_PROBLEMS[code]) return `Cannot open the database ${database}: ${FILE_PROBLEMS[code]}${e.path ? ` (${shownPath(e.path)})` : ''}; check SQLITE_PATH`;
      return `Cannot open the database ${database}: ${oneLine(e.message ?? String(code))}`;
  }
}

/** The code of the error, of its first aggregated error (several addresses tried) or of its cause. */
function codeOf(e: ErrorLike): string | undefined {
  if (e.name === 'KnexTimeoutError') return 'KnexTimeoutError';
  return e.code ?? e.errors?.[0]?.code ?? e.cause?.code;
}

/** The server's own words (mysql2 keeps them apart from the statement Knex puts in the message). */
function sqlText(e: ErrorLike): string {
  return oneLine(e.sqlMessage ?? e.message ?? '');
}

function oneLine(text: string | undefined): string {
  return (text ?? '').split(/\r?\n/).map((l) => l.trim()).find(Boolean) ?? 'unknown error';
}
