import { compareValues, FILTERS, type FacetSelection, type FacetValues, type FilterKey } from './filters';
import type { FacetCombo } from './repo';

/**
 * Facet counts from the combinations returned by repo.facetCombos. A facet's
 * counts apply every other facet's selection but not its own, so a shopper
 * who ticked "Dell" still sees how many HP machines there are.
 */

export interface FacetValue {
  /** The query-string value. */
  value: string;
  label: string;
  count: number;
  selected: boolean;
}

export interface Facet {
  key: FilterKey;
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

const norm = (v: string | number | null): string => (v === null ? '' : String(v).toLowerCase());

/** Whether products with these facet values pass every facet selection. */
export function matchesSelection(c: FacetValues, sel: FacetSelection): boolean {
  return passes(c, sel, null);
}

function passes(c: FacetValues, sel: FacetSelection, except: FilterKey | null): boolean {
  for (const { key } of FILTERS) {
    if (key === except) continue;
    const wanted: Array<string | number> = sel[key];
    if (wanted.length && !wanted.some((w) => norm(w) === norm(c[key]))) return false;
  }
  return true;
}

export function computeFacets(combos: FacetCombo[], sel: FacetSelection): FacetResult {
  let total = 0;
  const byCategory = new Map<number, number>();
  for (const c of combos) {
    if (!passes(c, sel, null)) continue;
    total += c.count;
    byCategory.set(c.categoryId, (byCategory.get(c.categoryId) ?? 0) + c.count);
  }
  const facets = FILTERS.map(({ key, param, title, kind, label }): Facet => {
    const counts = new Map<string, { raw: string | number; count: number }>();
    for (const c of combos) {
      const v = c[key];
      if (v === null || v === '' || !passes(c, sel, key)) continue;
      const entry = counts.get(norm(v)) ?? { raw: v, count: 0 };
      entry.count += c.count;
      counts.set(norm(v), entry);
    }
    const selected: Array<string | number> = sel[key];
    const wanted = selected.map(norm);
    for (const w of selected) {
      if (!counts.has(norm(w))) counts.set(norm(w), { raw: w, count: 0 });
    }
    const values: FacetValue[] = [...counts.values()]
      .sort((a, b) => compareValues(kind, a.raw, b.raw))
      .map(({ raw, count }) => ({ value: String(raw), label: label(raw), count, selected: wanted.includes(norm(raw)) }));
    return { key, param, title, values };
  });
  return { total, byCategory, facets: facets.filter((f) => f.values.length > 0) };
}
