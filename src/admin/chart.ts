/**
 * A bar chart laid out for a server-rendered SVG: one bar per point, scaled
 * to the largest value, with a few rounded gridline values. Pure; the view
 * draws it and lists the same figures in a table for screen readers.
 */
export interface ChartPoint {
  label: string;
  value: number;
}

export interface BarChart {
  width: number;
  height: number;
  bars: Array<ChartPoint & { x: number; y: number; w: number; h: number }>;
  /** Gridlines: value and its y. */
  ticks: Array<{ value: number; y: number }>;
  max: number;
}

/** 1, 2, 5 × 10^n: the smallest "nice" step giving at most `count` steps up to `max`; whole numbers only (counts, cents). */
export function niceStep(max: number, count = 4): number {
  if (max <= count) return 1;
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * magnitude >= raw) return m * magnitude;
  return 10 * magnitude;
}

export function barChart(points: ChartPoint[], opts: { width?: number; height?: number; gap?: number; minStep?: number } = {}): BarChart {
  const width = opts.width ?? 600;
  const height = opts.height ?? 160;
  const gap = opts.gap ?? 2;
  // minStep: the smallest gridline step that makes sense (a dollar, for a chart in cents).
  const step = Math.max(opts.minStep ?? 1, niceStep(Math.max(0, ...points.map((p) => p.value))));
  const top = Math.max(step, Math.ceil(Math.max(0, ...points.map((p) => p.value)) / step) * step);
  const slot = points.length ? width / points.length : width;
  const y = (v: number) => height - (Math.max(0, v) / top) * height;
  return {
    width,
    height,
    max: top,
    bars: points.map((p, i) => ({ ...p, x: i * slot + gap / 2, w: Math.max(1, slot - gap), y: y(p.value), h: height - y(p.value) })),
    ticks: Array.from({ length: Math.round(top / step) + 1 }, (_, i) => ({ value: i * step, y: y(i * step) })),
  };
}

/** The last `days` UTC days ending today, oldest first, as YYYY-MM-DD. */
export function lastDays(today: Date, days: number): string[] {
  const end = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Array.from({ length: days }, (_, i) => new Date(end - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}
