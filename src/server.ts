import http from 'node:http';
import { asStartupError, boot, exitWithError } from './boot';
import { createApp } from './app';
import { describeDatabase } from './db/describe';
import { startWorker } from './jobs/worker';
import { seedDemo } from '../seeds';
import { tuneServerHeap } from './lib/heap';

/** Listen, and shut down gracefully on SIGTERM/SIGINT: stop accepting, finish in-flight requests, close the pool. */
async function main(): Promise<void> {
  tuneServerHeap();
  const { config, db, logger } = await boot();

  if (config.seedDemo) {
    const { count } = (await db('products').count({ count: '*' }))[0] as { count: number | string };
    if (Number(count) === 0) {
      const added = await seedDemo(db);
      logger.info(added, 'demo catalog loaded');
    }
  }

  const app = createApp({ config, db, logger });
  // Searches use the database until the in-memory index is built; build it now rather than at the first search.
  app.context.catalog.warmSearchIndex().then(
    (ready) => ready && logger.info('search index ready'),
    (err: Error) => logger.warn({ err }, 'search index not built; searches use the database'),
  );
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  let stopping = false;
  // An idle keep-alive connection would hold a stopping process open until it times out (65 s): once
  // stopping, each connection closes as soon as its answer is sent.
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (stopping) res.setHeader('Connection', 'close');
    res.once('finish', () => {
      if (stopping) setImmediate(() => server.closeIdleConnections());
    });
  });
  await listen(server, config.host, config.port);
  // Sends e-mail and runs scheduled work; `npm run worker` runs more of these elsewhere.
  // Started once the port is ours, so a start that fails has claimed no jobs.
  const worker = config.runWorker ? startWorker(app.context) : null;

  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  process.stdout.write(
    `\n${config.storeName} is running at http://${shownHost}:${config.port} (${await describeDatabase(db, config.db)})\n` +
      `Create an admin account with:  npm run admin:create -- --email you@example.com\n\n`,
  );

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.warn('forcing shutdown after 10s');
      process.exit(1);
    }, 10_000);
    force.unref();
    for (const end of app.context.onShutdown) end();
    server.close(async () => {
      await worker?.stop();
      await app.context.rateLimits.close();
      await db.destroy();
      logger.info('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** Resolves once listening; a port in use or not allowed rejects with one line naming it. */
function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (err: Error) => reject(asStartupError(err, { listen: `${host}:${port}` }));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

main().catch((err) => exitWithError(asStartupError(err)));
