import { GRADE_VALUES, GRADES, type Grade } from './grades';
import { specLabel, specValue } from './present';
import type { SpecValue } from './product-row';

/**
 * Product families: the grades and configurations of one model (products
 * sharing a family key) offered on one product page. Each product stays a
 * product of its own (units, prices, carts, orders, rentals); the family only
 * decides what the page offers next to it.
 *
 * The chooser has one row of options per way the family's products differ:
 * the condition grade first, then each specification whose value differs
 * (memory, storage, processor…). An option leads to the product with that
 * value that keeps the current product's other choices, earlier rows first
 * (a grade keeps the memory before the storage), in stock before sold out,
 * cheaper before dearer; it shows that product's price and whether it is in
 * stock.
 */

export interface FamilyMember {
  id: number;
  slug: string;
  grade: Grade;
  priceCents: number;
  inStock: number;
  specs: Record<string, SpecValue>;
}

export interface FamilyOption {
  /** "Grade A", "16 GB". */
  label: string;
  /** What the grade means ("Like new"); absent for configurations. */
  note: string | null;
  /** The product this option leads to. */
  slug: string;
  priceCents: number;
  inStock: boolean;
  /** The option of the product shown. */
  selected: boolean;
}

export interface FamilyChoice {
  /** 'grade' or the specification's key. */
  key: string;
  /** "Condition", "Memory". */
  label: string;
  options: FamilyOption[];
}

/** Specifications offered first, in this order, when they differ; the rest follow by name. */
const CONFIGURATION_ORDER = ['cpu', 'cpu_family', 'ram_gb', 'storage_gb', 'storage_type', 'screen_in', 'resolution', 'panel', 'gpu', 'colour', 'color'];

interface Dimension {
  key: string;
  label: string;
  valueOf: (m: FamilyMember) => string;
  labelOf: (m: FamilyMember) => string;
  noteOf: (m: FamilyMember) => string | null;
  /** Orders two values (as valueOf gives them). */
  compare: (a: string, b: string) => number;
}

const gradeDimension: Dimension = {
  key: 'grade',
  label: 'Condition',
  valueOf: (m) => m.grade,
  labelOf: (m) => `Grade ${m.grade}`,
  noteOf: (m) => GRADES[m.grade].label,
  compare: (a, b) => GRADE_VALUES.indexOf(a as Grade) - GRADE_VALUES.indexOf(b as Grade),
};

function specDimension(key: string, members: readonly FamilyMember[]): Dimension {
  const numeric = members.every((m) => typeof m.specs[key] === 'number');
  return {
    key,
    label: specLabel(key),
    valueOf: (m) => String(m.specs[key]),
    // Storage without its type: a type that differs is a row of its own.
    labelOf: (m) => specValue(key, m.specs[key]!, {}),
    noteOf: () => null,
    compare: numeric ? (a, b) => Number(a) - Number(b) : (a, b) => a.localeCompare(b, 'en'),
  };
}

/**
 * The ways a family's products differ: the grade when it differs, then
 * every specification all of them state with more than one value. Two
 * specifications that split the family the same way (a processor and its
 * family) are offered once, by the first.
 */
function dimensionsOf(members: readonly FamilyMember[]): Dimension[] {
  const differs = (d: Dimension) => new Set(members.map(d.valueOf)).size > 1;
  const keys = [...new Set(members.flatMap((m) => Object.keys(m.specs)))].filter((k) =>
    members.every((m) => { const v = m.specs[k]; return v !== null && v !== undefined && v !== ''; }),
  );
  const rank = (k: string) => (CONFIGURATION_ORDER.includes(k) ? CONFIGURATION_ORDER.indexOf(k) : CONFIGURATION_ORDER.length);
  keys.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const dims: Dimension[] = [];
  const partitions = new Set<string>();
  for (const d of [gradeDimension, ...keys.map((k) => specDimension(k, members))]) {
    if (!differs(d)) continue;
    const partition = partitionOf(members, d);
    if (partitions.has(partition)) continue;
    partitions.add(partition);
    dims.push(d);
  }
  return dims;
}

/** Which members share a value, independent of the values themselves. */
function partitionOf(members: readonly FamilyMember[], d: Dimension): string {
  const first = new Map<string, number>();
  return members.map((m) => { const v = d.valueOf(m); if (!first.has(v)) first.set(v, first.size); return first.get(v); }).join(',');
}

/** The chooser for `current` among its family's `members` (current included); empty when there is nothing to choose. */
export function familyChoices(current: FamilyMember, members: readonly FamilyMember[]): FamilyChoice[] {
  const all = members.some((m) => m.id === current.id) ? members : [current, ...members];
  if (all.length < 2) return [];
  const dims = dimensionsOf(all);
  return dims.map((d) => {
    // Keeping an earlier row's choice outweighs keeping every later one: the grade, then memory, then storage…
    const others = dims.filter((o) => o !== d);
    const kept = (m: FamilyMember) => others.reduce((n, o, i) => n + (o.valueOf(m) === o.valueOf(current) ? 2 ** (others.length - i) : 0), 0);
    const better = (a: FamilyMember, b: FamilyMember) =>
      kept(b) - kept(a) || Number(b.inStock > 0) - Number(a.inStock > 0) || a.priceCents - b.priceCents || a.id - b.id;
    const byValue = new Map<string, FamilyMember>();
    for (const m of all) {
      const v = d.valueOf(m);
      const best = byValue.get(v);
      if (!best || better(m, best) < 0) byValue.set(v, m);
    }
    const mine = d.valueOf(current);
    byValue.set(mine, current);
    const options = [...byValue.entries()]
      .sort(([a], [b]) => d.compare(a, b))
      .map(([v, m]) => ({ label: d.labelOf(m), note: d.noteOf(m), slug: m.slug, priceCents: m.priceCents, inStock: m.inStock > 0, selected: v === mine }));
    return { key: d.key, label: d.label, options };
  });
}
