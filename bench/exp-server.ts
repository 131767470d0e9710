import { loadConfig } from '../src/config';
import { createApp } from '../src/app';
import { createDb } from '../src/db';
import { createLogger } from '../src/lib/log';
const config = loadConfig(process.env);
const db = createDb(config.db);
const app = createApp({ config, db, logger: createLogger('silent') });
app.get('/noop', (_req, res) => { res.send('Hello World!'); });

const stack = (app as any).router.stack as unknown[];
const added = stack.splice(stack.length - 2, 2);
stack.splice(stack.length - 2, 0, ...added);
const server = app.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof a === 'object' && a ? a.port : 0 })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
