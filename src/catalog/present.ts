import { formatCapacity, PRODUCT_FILTERS, SPEC_FILTERS, type FILTERS } from './filters';
import type { SpecValue } from './product-row';
import { filtersToQuery, type ProductFilters } from './schemas';

/** View helpers for catalog pages: spec rows, pagination links, active-filter chips. */

const SPEC_LABELS: Record<string, string> = {
  cpu: 'Processor',
  cpu_family: 'Processor family',
  ram_gb: 'Memory',
  storage_gb: 'Storage',
  screen_in: 'Screen size',
  resolution: 'Resolution',
  panel: 'Panel',
  gpu: 'Graphics',
  ports: 'Ports',
  os: 'Operating system',
  form_factor: 'Form factor',
};

export interface SpecRow {
  label: string;
  value: string;
}

/** Specifications as label/value rows; known keys first, in a fixed order, then the rest as stored. */
export function specRows(specs: Record<string, SpecValue>): SpecRow[] {
  const keys = Object.keys(specs).filter((k) => k !== 'storage_type' && specs[k] !== null && specs[k] !== '');
  const known = Object.keys(SPEC_LABELS);
  keys.sort((a, b) => rank(known, a) - rank(known, b));
  return keys.map((key) => ({ label: specLabel(key), value: specValue(key, specs[key]!, specs) }));
}

/** A specification's name as shoppers read it: "Memory" for ram_gb, "Battery life" for battery_life. */
export function specLabel(key: string): string {
  return SPEC_LABELS[key] ?? humanize(key);
}

function rank(known: string[], key: string): number {
  const i = known.indexOf(key);
  return i === -1 ? known.length : i;
}

function humanize(key: string): string {
  const s = key.replace(/_/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A specification's value as shoppers read it: "16 GB", "1 TB NVMe SSD", "Yes". */
export function specValue(key: string, v: SpecValue, specs: Record<string, SpecValue>): string {
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (key === 'ram_gb' && typeof v === 'number') return `${v} GB`;
  if (key === 'storage_gb' && typeof v === 'number') return [formatCapacity(v), specs.storage_type].filter(Boolean).join(' ');
  if (key === 'screen_in' && typeof v === 'number') return `${v}″`;
  return String(v);
}

export type PageLink = { page: number; href: string; current: boolean } | { gap: true };

/** Numbered pagination: first, last, and two pages either side of the current one. */
export function pageLinks(basePath: string, f: ProductFilters, pages: number, omitCategory: boolean): PageLink[] {
  const wanted = new Set([1, pages]);
  for (let p = f.page - 2; p <= f.page + 2; p++) if (p >= 1 && p <= pages) wanted.add(p);
  const sorted = [...wanted].sort((a, b) => a - b);
  const links: PageLink[] = [];
  sorted.forEach((page, i) => {
    if (i > 0 && page - sorted[i - 1]! > 1) links.push({ gap: true });
    links.push({ page, href: basePath + filtersToQuery(f, { page, omitCategory }), current: page === f.page });
  });
  return links;
}

export interface Chip {
  label: string;
  href: string;
}

/** One "remove this filter" link per active filter value; `money` is the page's money formatter (res.locals.money). */
export function filterChips(basePath: string, f: ProductFilters, omitCategory: boolean, money: (cents: number) => string): Chip[] {
  const without = (patch: Partial<ProductFilters>) => basePath + filtersToQuery({ ...f, ...patch, page: 1 }, { omitCategory });
  const selected = (defs: ReadonlyArray<(typeof FILTERS)[number]>) =>
    defs.flatMap((d) => {
      const values: Array<string | number> = f[d.key];
      return values.map((v) => ({ label: d.chip(v), href: without({ [d.key]: values.filter((x) => x !== v) }) }));
    });
  const chips: Chip[] = [];
  if (f.q) chips.push({ label: `“${f.q}”`, href: without({ q: '', sort: f.sort === 'relevance' ? 'newest' : f.sort }) });
  chips.push(...selected(PRODUCT_FILTERS));
  if (f.minPriceCents !== null) chips.push({ label: `From ${money(f.minPriceCents)}`, href: without({ minPriceCents: null }) });
  if (f.maxPriceCents !== null) chips.push({ label: `Up to ${money(f.maxPriceCents)}`, href: without({ maxPriceCents: null }) });
  if (f.inStock) chips.push({ label: 'In stock', href: without({ inStock: false }) });
  chips.push(...selected(SPEC_FILTERS));
  return chips;
}

export const SORT_LABELS: Record<string, string> = {
  relevance: 'Best match',
  newest: 'Newest',
  price_asc: 'Price: low to high',
  price_desc: 'Price: high to low',
  name: 'Name',
  rating: 'Customer rating',
};

/** Levenshtein distance, bounded: returns max+1 as soon as the distance must exceed max. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]!);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** "Did you mean": each word replaced by the closest vocabulary word (distance ≤ 2), or null when nothing changes. */
export function spellingSuggestion(words: string[], vocabulary: Set<string>): string | null {
  let changed = false;
  const fixed = words.map((w) => {
    if (w.length < 4 || vocabulary.has(w)) return w;
    let best: string | null = null;
    let bestD = 3;
    for (const v of vocabulary) {
      const d = editDistance(w, v, 2);
      if (d < bestD || (d === bestD && best !== null && v < best)) {
        best = v;
        bestD = d;
      }
    }
    if (best && bestD <= 2) {
      changed = true;
      return best;
    }
    return w;
  });
  return changed ? fixed.join(' ') : null;
}

/**
 * How many of `available` featured products the home page shows: whole rows
 * of its grid, which has 2 columns on narrow screens and 4 on wide ones
 * (public/css/app.css, .featured), so a multiple of 4, or of 2 when fewer
 * than 4 are featured; a single one is still shown.
 */
export function fullRowsOf(available: number): number {
  if (available >= 4) return available - (available % 4);
  return available > 1 ? available - (available % 2) : available;
}

/** One photo of a product page's gallery, with the anchor its thumbnail links to when there is no script. */
export interface GalleryPhoto {
  id: string;
  src: string;
  small: string;
  srcset: string | null;
  alt: string;
  thumbAlt: string;
}

/** The product's photos with alt texts that say which photo each is (the data holds no captions). */
export function galleryPhotos(name: string, gallery: ReadonlyArray<{ src: string; small: string; srcset: string | null }>): GalleryPhoto[] {
  const n = gallery.length;
  return gallery.map((photo, i) => ({
    ...photo,
    id: `photo-${i + 1}`,
    alt: n > 1 ? `${name}, photo ${i + 1} of ${n}` : name,
    thumbAlt: `Show photo ${i + 1} of ${n}`,
  }));
}
