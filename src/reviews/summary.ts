/** What the approved ratings of one product add up to: pure code, no database. */

export const STARS = [5, 4, 3, 2, 1] as const;
export type Stars = (typeof STARS)[number];

export interface RatingSummary {
  count: number;
  /** The mean rating × 100, rounded half up (4.335 → 434); 0 without ratings. Stored as products.rating_avg_x100. */
  avgX100: number;
  /** One row per star value, 5 down to 1; each percent of all ratings rounded on its own (so they may add up to 99 or 101). */
  distribution: Array<{ stars: Stars; count: number; percent: number }>;
}

/** Summarises how many ratings each star value has (missing values count as none). */
export function summarizeRatings(counts: Partial<Record<Stars, number>>): RatingSummary {
  let count = 0;
  let sum = 0;
  for (const s of STARS) {
    const n = counts[s] ?? 0;
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`summarizeRatings: ${n} ratings of ${s} stars`);
    count += n;
    sum += n * s;
  }
  // Integer half-up rounding of sum × 100 / count.
  const avgX100 = count === 0 ? 0 : Math.floor((sum * 200 + count) / (2 * count));
  const percent = (n: number) => (count === 0 ? 0 : Math.floor((n * 200 + count) / (2 * count)));
  return { count, avgX100, distribution: STARS.map((stars) => ({ stars, count: counts[stars] ?? 0, percent: percent(counts[stars] ?? 0) })) };
}

/** An average × 100 as shoppers read it, one decimal rounded half up: 434 → "4.3", 435 → "4.4", 500 → "5.0". */
export function averageLabel(avgX100: number): string {
  const tenths = Math.floor((avgX100 + 5) / 10);
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}
