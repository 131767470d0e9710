/** Time is injected so tests can move it; everything is UTC. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can set and advance. */
export function fixedClock(start: Date | string): Clock & { set(d: Date | string): void; advance(ms: number): void } {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set(d) {
      current = new Date(d);
    },
    advance(ms) {
      current = new Date(current.getTime() + ms);
    },
  };
}

/** 'YYYY-MM-DD HH:MM:SS.mmm' in UTC: the one way timestamps are written to the database. */
export function toDbTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

/** Reads a DATETIME column back (string on both dialects; Date accepted for safety). */
export function fromDbTime(v: string | Date | null | undefined): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  return new Date(`${v.replace(' ', 'T')}${/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? '' : 'Z'}`);
}

/** 'YYYY-MM-DD' of a UTC date. */
export function toDateOnly(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
