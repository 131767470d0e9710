import { boot, runMain } from '../boot';
import { buildContext } from '../app';
import { JobWorker } from '../jobs/worker';

/**
 * npm run worker [-- --once]
 * A standalone job worker (e-mail, scheduled work). Safe to run several,
 * next to web processes that run their own (RUN_WORKER). --once runs what is
 * due now and exits.
 */
runMain(async () => {
  const { config, db, logger } = await boot();
  const ctx = buildContext({ config, db, logger });
  const worker = new JobWorker({ db, registry: ctx.jobs, clock: ctx.clock, logger });
  try {
    if (process.argv.includes('--once')) {
      await worker.scheduleRecurring();
      const ran = await worker.drain();
      logger.info({ ran }, 'worker ran due jobs');
      return;
    }
    worker.start();
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        logger.info({ signal }, 'worker shutting down');
        resolve();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    await worker.stop();
  } finally {
    ctx.mailer.transport.close?.();
    await ctx.rateLimits.close();
    await db.destroy();
  }
});
