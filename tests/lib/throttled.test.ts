import { describe, expect, it } from 'vitest';
import { Throttled } from '../../src/lib/throttled';

describe('Throttled', () => {
  it('runs when due, at most once per interval and one run at a time; run() starts a run after the one under way', async () => {
    let now = 0;
    const runs: number[] = [];
    let finish = () => {};
    const task = () => {
      runs.push(now);
      return new Promise<void>((resolve) => (finish = resolve));
    };
    const t = new Throttled(task, 1000, () => now);
    t.due(); // never ran: runs
    now = 1500;
    t.due(); // due, but one is under way
    finish();
    await Promise.resolve();
    await Promise.resolve();
    t.due(); // the last one started 1500 ms ago: runs
    now = 2000;
    t.due(); // under way
    const after = t.run(); // waits for it, then runs again
    finish();
    await new Promise((r) => setTimeout(r, 0));
    finish();
    await after;
    now = 2500;
    t.due(); // the last started at 2000: not due
    expect(runs).toEqual([0, 1500, 2000]);
  });

  it('leaves a failed run to the next one', async () => {
    let now = 0;
    let calls = 0;
    const t = new Throttled(async () => {
      calls++;
      throw new Error('database down');
    }, 1000, () => now);
    t.due();
    await new Promise((r) => setTimeout(r, 0));
    now = 1000;
    t.due();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toBe(2);
    await expect(t.run()).rejects.toThrow('database down');
  });
});
