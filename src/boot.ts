import { loadConfig, type Config } from './config';
import { createDb, ensureMysqlDatabase, migrateLatest, type Db } from './db';
import { databaseLabel } from './db/describe';
import { envFilePath, loadEnvFile } from './lib/env-file';
import { createLogger, type Logger } from './lib/log';
import { StartupError, startupErrorMessage, type StartupStage } from './lib/startup-errors';

export interface Booted {
  config: Config;
  db: Db;
  logger: Logger;
}

/**
 * The settings every command starts from: the .env file (real environment
 * variables win), then the zod-parsed configuration. Throws a StartupError
 * whose message is one line naming the file or the variable.
 */
export function loadStartupConfig(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    const { file, explicit } = envFilePath(env);
    loadEnvFile(file, env, { required: explicit });
    return loadConfig(env);
  } catch (err) {
    throw asStartupError(err);
  }
}

/**
 * Shared start-up for the server and the command-line tools: settings,
 * connect, create the MySQL database if needed and run pending migrations.
 * Any failure is a StartupError with one line naming the cause.
 */
export async function boot(options: { migrate?: boolean; logLevel?: string; config?: Config } = {}): Promise<Booted> {
  const config = options.config ?? loadStartupConfig();
  const logger = createLogger(options.logLevel ?? config.logLevel);
  let db: Db | undefined;
  try {
    if (config.db.client === 'mysql') await ensureMysqlDatabase(config.db.url);
    db = createDb(config.db, logger);
    if (options.migrate !== false) {
      const applied = await migrateLatest(db);
      if (applied.length) logger.info({ applied }, 'migrations applied');
    }
    return { config, db, logger };
  } catch (err) {
    await db?.destroy().catch(() => undefined);
    throw asStartupError(err, { database: databaseLabel(config.db) });
  }
}

export function asStartupError(err: unknown, stage: StartupStage = {}): StartupError {
  if (err instanceof StartupError) return err;
  return new StartupError(startupErrorMessage(err, stage), { cause: err });
}

/** Writes the error's message (one line for a StartupError; the stack only when DEBUG is set) and exits non-zero. */
export function exitWithError(err: unknown): never {
  const e = err as Error;
  process.stderr.write(`${e.message}\n`);
  if (process.env.DEBUG) process.stderr.write(`${(e.cause as Error | undefined)?.stack ?? e.stack}\n`);
  process.exit(1);
}

/** Runs a command-line main, printing a one-line error instead of a stack for expected failures. */
export function runMain(main: () => Promise<void>): void {
  main().then(() => process.exit(0), exitWithError);
}
