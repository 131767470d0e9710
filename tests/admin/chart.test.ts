import { describe, expect, it } from 'vitest';
import { barChart, lastDays, niceStep } from '../../src/admin/chart';

describe('dashboard charts', () => {
  it.each([
    [0, 1], [1, 1], [4, 1], [5, 2], [9, 5], [40, 10], [41, 20], [123_456, 50_000], [999, 500],
  ])('niceStep(%i) = %i', (max, step) => {
    expect(niceStep(max)).toBe(step);
  });

  it('scales bars to the rounded top and puts the largest at full height', () => {
    const c = barChart([{ label: 'a', value: 0 }, { label: 'b', value: 50 }, { label: 'c', value: 100 }], { width: 300, height: 100, gap: 0 });
    expect(c.max).toBe(100);
    expect(c.bars.map((b) => [b.x, b.w, b.h])).toEqual([[0, 100, 0], [100, 100, 50], [200, 100, 100]]);
    expect(c.ticks.map((t) => t.value)).toEqual([0, 50, 100]);
  });

  it('a money chart with nothing in it still has a one-dollar scale, not a cent', () => {
    expect(barChart([{ label: 'a', value: 0 }], { minStep: 100 }).ticks.map((t) => t.value)).toEqual([0, 100]);
  });

  it('an all-zero or negative series draws empty bars, never below the axis', () => {
    const c = barChart([{ label: 'a', value: 0 }, { label: 'b', value: -500 }], { height: 80 });
    expect(c.bars.every((b) => b.h === 0 && b.y === 80)).toBe(true);
  });

  it.each([
    ['2026-11-27T23:59:00Z', 3, ['2026-11-25', '2026-11-26', '2026-11-27']],
    ['2026-03-01T00:00:00Z', 2, ['2026-02-28', '2026-03-01']],
    ['2024-03-01T12:00:00Z', 2, ['2024-02-29', '2024-03-01']],
  ])('lastDays(%s, %i)', (now, n, days) => {
    expect(lastDays(new Date(now), n)).toEqual(days);
  });
});
