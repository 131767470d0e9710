import { enqueue } from '../jobs/queue';
import type { JobRegistry } from '../jobs/registry';
import { HOUR, type Clock } from '../lib/clock';
import type { RentalCalendar } from './calendar';
import type { RentalCollector } from './collection';

export const COLLECT_JOB = 'rentals.collect';
export const SWEEP_JOB = 'rentals.collect-sweep';
export const CALENDAR_JOB = 'rentals.calendar';

/** Sweeps started per collection run: workers take them in parallel (each claims its own installments). */
export const SWEEPS_PER_RUN = 4;

/** How long one sweep job charges before handing over to a new one: well within the worker's 5-minute lock (jobs time out at 90 % of it). */
export const SWEEP_BUDGET_MS = 3 * 60_000;

/**
 * Collection runs hourly (a missed hour or day is caught up; charging is
 * idempotent): the run queues several sweeps so every worker joins in. The
 * calendar (late fees, defaults, reminders, unpaid agreements) also runs hourly.
 */
export function registerRentalJobs(jobs: JobRegistry, deps: { collector: RentalCollector; calendar: RentalCalendar; clock: Clock }): void {
  jobs.register(COLLECT_JOB, async (_payload, { db, job }) => {
    for (let i = 0; i < SWEEPS_PER_RUN; i++) {
      await enqueue(db, SWEEP_JOB, {}, { uniqueKey: `rentals.sweep:${job.id}:${i}`, clock: deps.clock, maxAttempts: 3 });
    }
  });
  jobs.register(SWEEP_JOB, async (_payload, { db, job }) => {
    // A long book is charged in turns that end well within the job's lock; a turn cut short queues the next one.
    const started = Date.now();
    await deps.collector.sweep({ budgetMs: SWEEP_BUDGET_MS });
    if (Date.now() - started >= SWEEP_BUDGET_MS && (await deps.collector.hasDue())) {
      await enqueue(db, SWEEP_JOB, {}, { uniqueKey: `rentals.sweep:${job.id}:next`, clock: deps.clock, maxAttempts: 3 });
    }
  });
  jobs.register(CALENDAR_JOB, async () => {
    await deps.calendar.run();
  });
  jobs.every(COLLECT_JOB, HOUR);
  jobs.every(CALENDAR_JOB, HOUR);
}
