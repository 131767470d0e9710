import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createDb } from '../src/db';
import { JobRegistry } from '../src/jobs/registry';
import { JobWorker } from '../src/jobs/worker';
import { systemClock } from '../src/lib/clock';
import { createLogger } from '../src/lib/log';
import { registerRentalJobs } from '../src/rentals/jobs';

/**
 * One job worker of the rentals bench part, in a process of its own as
 * `npm run worker` runs: the app built from the environment (DATABASE_URL,
 * the Stripe stand-in's STRIPE_*), a registry with only the rental kinds
 * (sending receipts is the mail workers' business); once told to go (a line
 * on stdin) it runs rounds of due jobs until no rentals job is left
 * unfinished, prints how many it ran and exits.
 */
const config = loadConfig(process.env);
const db = createDb(config.db);
const app = createApp({ config, db, logger: createLogger('silent') });
const registry = new JobRegistry();
registerRentalJobs(registry, { collector: app.context.rentalCollector, calendar: app.context.rentalCalendar, clock: systemClock });
const worker = new JobWorker({ id: process.env.WORKER_ID, db, registry, logger: createLogger('warn'), batchSize: 2 });

async function main(): Promise<void> {
  // Started and connected before the run is queued, as a worker that has been up for a while: the bench says when to go.
  await db.raw('select 1');
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  const left = async () => Number((await db('jobs').where('kind', 'like', 'rentals.%').whereNull('finished_at').count({ n: '*' }).first())!.n);
  let ran = 0;
  while ((await left()) > 0) {
    const n = await worker.runOnce();
    ran += n;
    if (n === 0) await new Promise((r) => setTimeout(r, 20));
  }
  process.stdout.write(`${JSON.stringify({ jobs: ran })}\n`);
  await db.destroy();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
