import type { FacetCombo, ListFilter } from './repo';

/**
 * Facet counts from the combinations returned by repo.facetCombos. A facet's
 * counts apply every other facet's selection but not its own, so a shopper
 * who ticked "Dell" still sees how many HP machines there are.
 */

export type FacetKey = 'brand' | 'condition' | 'cpuFamily' | 'ramGb' | 'storageGb' | 'screenIn';

export interface FacetValue {
  /** The query-string value. */
  value: string;
  label: string;
  count: number;
  selected: boolean;
}

export interface Facet {
  key: FacetKey;
  /** Query-string parameter name. */
  param: string;
  title: string;
  values: FacetValue[];
}

export interface FacetResult {
  total: number;
  facets: Facet[];
  /** Products per category id, with every facet selection applied. */
  byCategory: Map<number, number>;
}

type Selection = Pick<ListFilter, FacetKey>;

const norm = (v: string | number | null): string => (v === null ? '' : String(v).toLowerCase());

const FACETS: Array<{ key: FacetKey; param: string; title: string; label: (v: string | number) => string; compare: (a: string | number, b: string | number) => number }> = [
  { key: 'brand', param: 'brand', title: 'Brand', label: String, compare: (a, b) => String(a).localeCompare(String(b)) },
  { key: 'condition', param: 'condition', title: 'Condition', label: (g) => `Grade ${g}`, compare: (a, b) => String(a).localeCompare(String(b)) },
  { key: 'cpuFamily', param: 'cpu_family', title: 'Processor', label: String, compare: (a, b) => String(a).localeCompare(String(b)) },
  { key: 'ramGb', param: 'ram_gb', title: 'Memory (RAM)', label: (v) => `${v} GB`, compare: (a, b) => Number(a) - Number(b) },
  { key: 'storageGb', param: 'storage_gb', title: 'Storage', label: (v) => capacityLabel(Number(v)), compare: (a, b) => Number(a) - Number(b) },
  { key: 'screenIn', param: 'screen_in', title: 'Screen size', label: (v) => `${v}″`, compare: (a, b) => Number(a) - Number(b) },
];

export function capacityLabel(gb: number): string {
  return gb >= 1000 && gb % 1000 === 0 ? `${gb / 1000} TB` : `${gb} GB`;
}

type ComboValues = Omit<FacetCombo, 'count'>;

function comboValue(c: ComboValues, key: FacetKey): string | number | null {
  return c[key];
}

/** Whether products with these facet values pass every facet selection. */
export function matchesSelection(c: ComboValues, sel: Selection): boolean {
  return passes(c, sel, null);
}

function passes(c: ComboValues, sel: Selection, except: FacetKey | null): boolean {
  for (const { key } of FACETS) {
    if (key === except) continue;
    const wanted = sel[key] as Array<string | number>;
    if (wanted.length && !wanted.some((w) => norm(w) === norm(comboValue(c, key)))) return false;
  }
  return true;
}

export function computeFacets(combos: FacetCombo[], sel: Selection): FacetResult {
  let total = 0;
  const byCategory = new Map<number, number>();
  for (const c of combos) {
    if (!passes(c, sel, null)) continue;
    total += c.count;
    byCategory.set(c.categoryId, (byCategory.get(c.categoryId) ?? 0) + c.count);
  }
  const facets = FACETS.map(({ key, param, title, label, compare }) => {
    const counts = new Map<string, { raw: string | number; count: number }>();
    for (const c of combos) {
      const v = comboValue(c, key);
      if (v === null || v === '' || !passes(c, sel, key)) continue;
      const entry = counts.get(norm(v)) ?? { raw: v, count: 0 };
      entry.count += c.count;
      counts.set(norm(v), entry);
    }
    const wanted = (sel[key] as Array<string | number>).map(norm);
    for (const w of sel[key] as Array<string | number>) {
      if (!counts.has(norm(w))) counts.set(norm(w), { raw: w, count: 0 });
    }
    const values: FacetValue[] = [...counts.values()]
      .sort((a, b) => compare(a.raw, b.raw))
      .map(({ raw, count }) => ({ value: String(raw), label: label(raw), count, selected: wanted.includes(norm(raw)) }));
    return { key, param, title, values };
  });
  return { total, byCategory, facets: facets.filter((f) => f.values.length > 0) };
}
