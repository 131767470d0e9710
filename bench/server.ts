import { loadConfig } from '../src/config';
import { createApp } from '../src/app';
import { createDb } from '../src/db';
import { createLogger } from '../src/lib/log';
import { tuneServerHeap } from '../src/lib/heap';

/**
 * The store as the bench measures it: the real createApp() on the database
 * named by the environment, template cache on (NODE_ENV is not development),
 * request logging silenced so the terminal is not the bottleneck. It listens
 * once the search index is built, as a server that has been up for a while.
 */
tuneServerHeap();
const config = loadConfig(process.env);
const db = createDb(config.db);
const app = createApp({ config, db, logger: createLogger('silent') });
void app.context.catalog.warmSearchIndex().then(() => {
  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
  });
  process.on('SIGTERM', () => server.close(() => db.destroy().then(() => process.exit(0))));
});
