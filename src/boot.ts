import { loadConfig, ConfigError, type Config } from './config';
import { createDb, ensureMysqlDatabase, migrateLatest, type Db } from './db';
import { createLogger, type Logger } from './lib/log';

export interface Booted {
  config: Config;
  db: Db;
  logger: Logger;
}

/**
 * Shared start-up for the server and the command-line tools: parse config
 * (one clear line and exit on error), connect, create the MySQL database if
 * needed and run pending migrations.
 */
export async function boot(options: { migrate?: boolean; logLevel?: string } = {}): Promise<Booted> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(options.logLevel ?? config.logLevel);
  if (config.db.client === 'mysql') {
    try {
      await ensureMysqlDatabase(config.db.url);
    } catch (err) {
      process.stderr.write(`Cannot reach the database at DATABASE_URL: ${(err as Error).message}\n`);
      process.exit(1);
    }
  }
  const db = createDb(config.db);
  if (options.migrate !== false) {
    const applied = await migrateLatest(db);
    if (applied.length) logger.info({ applied }, 'migrations applied');
  }
  return { config, db, logger };
}

/** Runs a command-line main, printing a one-line error instead of a stack for expected failures. */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`${err.message}\n`);
      if (process.env.DEBUG) process.stderr.write(`${err.stack}\n`);
      process.exit(1);
    },
  );
}
