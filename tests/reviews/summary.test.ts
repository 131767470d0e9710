import { describe, expect, it } from 'vitest';
import { averageLabel, summarizeRatings, type Stars } from '../../src/reviews/summary';

/** A list of ratings as the per-star counts the database returns. */
const countsOf = (ratings: Stars[]) => {
  const counts: Partial<Record<Stars, number>> = {};
  for (const r of ratings) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
};

describe('summarizeRatings', () => {
  // ratings → count, average × 100 (half up), label, percent of 5★ … 1★ (each rounded half up on its own)
  const cases: Array<[string, Stars[], number, number, string, [number, number, number, number, number]]> = [
    ['no reviews', [], 0, 0, '0.0', [0, 0, 0, 0, 0]],
    ['one 1-star review', [1], 1, 100, '1.0', [0, 0, 0, 0, 100]],
    ['all fives', [5, 5, 5], 3, 500, '5.0', [100, 0, 0, 0, 0]],
    ['4 and 5', [4, 5], 2, 450, '4.5', [50, 50, 0, 0, 0]],
    ['thirds round down: 13/3', [5, 4, 4], 3, 433, '4.3', [33, 67, 0, 0, 0]],
    ['a spread', [5, 5, 4, 3, 1], 5, 360, '3.6', [40, 20, 20, 0, 20]],
    ['a tie rounds half up: 35/8 = 4.375', [5, 5, 5, 4, 4, 4, 4, 4], 8, 438, '4.4', [38, 63, 0, 0, 0]],
    ['two-thirds round up: 5/3', [1, 2, 2], 3, 167, '1.7', [0, 0, 0, 67, 33]],
    ['a label tie rounds half up: 4.35', [...Array<Stars>(7).fill(5), ...Array<Stars>(13).fill(4)], 20, 435, '4.4', [35, 65, 0, 0, 0]],
  ];

  it.each(cases)('%s', (_name, ratings, count, avgX100, label, percents) => {
    const s = summarizeRatings(countsOf(ratings));
    expect(s.count).toBe(count);
    expect(s.avgX100).toBe(avgX100);
    expect(averageLabel(s.avgX100)).toBe(label);
    expect(s.distribution.map((d) => d.stars)).toEqual([5, 4, 3, 2, 1]);
    expect(s.distribution.map((d) => d.percent)).toEqual(percents);
    expect(s.distribution.map((d) => d.count)).toEqual([5, 4, 3, 2, 1].map((star) => ratings.filter((r) => r === star).length));
  });

  it('refuses counts that cannot be', () => {
    expect(() => summarizeRatings({ 5: -1 })).toThrow(RangeError);
    expect(() => summarizeRatings({ 4: 1.5 })).toThrow(RangeError);
  });
});
