import { matchesSelection } from './facets';
import { FILTER_KEYS, pickFilters, type FacetValues } from './filters';
import { GRADE_VALUES, type Grade } from './grades';
import type { FacetCombo, FamilyOffer, ListFilter } from './repo';
import type { Sort } from './schemas';

/**
 * The catalog's search index, held in memory: which active products contain
 * which words, and the few columns a results page filters, counts and sorts
 * by; it answers listings without words (browsing, a category, filters) too,
 * from the same columns. A search reads only the products that match its words, so a broad word
 * ("dell", 17,600 of 100,000 products) is answered with facet counts in a few
 * milliseconds, where a database full-text index must read every matching row
 * (see README, Benchmarks).
 *
 * Matching is the same as the database engines' (search.ts): every query word
 * must start a word of the product's name, brand or specification text; case
 * and accents do not matter. Ranking: query words found in the name first,
 * then a BM25-style score in which a word in the name weighs three times a
 * word elsewhere, then the name.
 *
 * Built by LiveSearchIndex (live-search-index.ts) from the database; the
 * database stays the source of truth.
 */

/** A product as the index holds it: its words, its facet values (filters.ts) and what results sort by. */
export interface IndexedProduct extends FacetValues {
  id: number;
  name: string;
  searchText: string;
  categoryId: number;
  priceCents: number;
  ratingAvgX100: number;
  ratingCount: number;
  /** UTC 'YYYY-MM-DD HH:MM:SS[.mmm]', as the database returns it. */
  createdAt: string;
  /** Its product family's key (families.ts); absent or null when it has none. */
  familyKey?: string | null;
}

export interface IndexHits {
  /** Product ids of the requested page, in order. */
  ids: number[];
  /** Facet combinations of every match that passes the non-facet filters (as repo.facetCombos returns them). */
  combos: FacetCombo[];
  /** Searched by family: how many products and families are listed, and the offer of each family on the page, by its product's id. */
  families?: { total: number; offers: Map<number, FamilyOffer> };
}

type Combo = Omit<FacetCombo, 'count'>;

const NAME_WEIGHT = 3;
const PREFIX_FACTOR = 0.5;
/** Past this many results to skip, a page is found by sorting every match. */
const PARTIAL_SORT_LIMIT = 1000;

/** Lower case, accents removed, compatibility forms unified: how the index and queries compare text. */
export function fold(text: string): string {
  if (/^[\x00-\x7f]*$/.test(text)) return text.toLowerCase();
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').normalize('NFKC').toLowerCase();
}

function wordsOf(text: string): string[] {
  return fold(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Everything a SearchIndex holds except its scratch space, computed by buildSearchIndex. */
interface IndexParts {
  ids: Int32Array;
  names: string[];
  nameRank: Int32Array;
  price: Int32Array;
  rating: Int32Array;
  ratingCount: Int32Array;
  created: Float64Array;
  comboOf: Int32Array;
  combos: Combo[];
  /** Each product's family as a number, -1 for none. */
  family: Int32Array;
  vocab: string[];
  termStart: Int32Array;
  idf: Float64Array;
  postSlot: Int32Array;
  postWeight: Uint8Array;
}

/** Products with equal keys share a facet combination: the category and every filter value. */
function comboKey(r: IndexedProduct): string {
  let key = String(r.categoryId);
  for (const k of FILTER_KEYS) key += `|${r[k]}`;
  return key;
}

/** Products are indexed in slices of this many between yields to the event loop, so a rebuild never stalls requests for long. */
export const BUILD_SLICE = 2000;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Builds the index of these products (the in-stock ones flagged), in slices that let requests run in between. */
export async function buildSearchIndex(products: IndexedProduct[], inStockIds: Iterable<number>): Promise<SearchIndex> {
  const rows = [...products].sort((a, b) => a.id - b.id);
  const builder = new SearchIndexBuilder();
  for (let at = 0; at < rows.length; at += BUILD_SLICE) {
    if (at > 0) await yieldToEventLoop();
    builder.add(rows.slice(at, at + BUILD_SLICE));
  }
  return builder.finish(inStockIds);
}

/**
 * Builds a SearchIndex from products given a batch at a time, in ascending
 * id order, so that a large catalog is never held in memory as rows: each
 * batch's rows are dropped once added (they die young, and the heap stays
 * the size of the index).
 */
export class SearchIndexBuilder {
  private n = 0;
  private readonly ids = new GrowingArray((k) => new Int32Array(k));
  private readonly names: string[] = [];
  private readonly price = new GrowingArray((k) => new Int32Array(k));
  private readonly rating = new GrowingArray((k) => new Int32Array(k));
  private readonly ratingCount = new GrowingArray((k) => new Int32Array(k));
  private readonly created = new GrowingArray((k) => new Float64Array(k));
  private readonly comboOf = new GrowingArray((k) => new Int32Array(k));
  private readonly family = new GrowingArray((k) => new Int32Array(k));
  private readonly familyNumbers = new Map<string, number>();
  private readonly combos: Combo[] = [];
  private readonly comboIds = new Map<string, number>();
  private readonly termIds = new Map<string, number>();
  private readonly termWords: string[] = [];
  /** For each word, the last product it was seen in and where that posting is, so repeats add to one weight. */
  private readonly lastSlot: number[] = [];
  private readonly lastAt: number[] = [];
  // Postings (millions over a large catalog) in typed arrays: a third of the memory of JS arrays while the index builds.
  private readonly pTerm = new GrowingArray((k) => new Int32Array(k));
  private readonly pSlot = new GrowingArray((k) => new Int32Array(k));
  private readonly pWeight = new GrowingArray((k) => new Uint8Array(k));

  /** Adds products whose ids are all above those added before, in ascending order. */
  add(rows: readonly IndexedProduct[]): void {
    for (const r of rows) {
      if (this.n > 0 && r.id <= this.ids.items[this.n - 1]!) throw new Error('SearchIndexBuilder: products must come in ascending id order');
      const slot = this.n++;
      this.ids.push(r.id);
      this.names.push(fold(r.name));
      this.price.push(r.priceCents);
      this.rating.push(r.ratingAvgX100);
      this.ratingCount.push(r.ratingCount);
      this.created.push(Date.parse(`${r.createdAt.replace(' ', 'T')}Z`) || 0);
      const key = comboKey(r);
      let comboId = this.comboIds.get(key);
      if (comboId === undefined) {
        comboId = this.combos.push({ categoryId: r.categoryId, ...pickFilters(r) }) - 1;
        this.comboIds.set(key, comboId);
      }
      this.comboOf.push(comboId);
      let family = -1;
      if (r.familyKey) {
        family = this.familyNumbers.get(r.familyKey) ?? this.familyNumbers.size;
        this.familyNumbers.set(r.familyKey, family);
      }
      this.family.push(family);
      this.addWords(r.name, slot, NAME_WEIGHT);
      this.addWords(`${r.brand} ${r.searchText}`, slot, 1);
    }
  }

  private addWords(text: string, slot: number, weight: number): void {
    for (const word of wordsOf(text)) {
      let term = this.termIds.get(word);
      if (term === undefined) {
        term = this.termWords.push(word) - 1;
        this.termIds.set(word, term);
        this.lastSlot.push(-1);
        this.lastAt.push(-1);
      }
      if (this.lastSlot[term] === slot) {
        const at = this.lastAt[term]!;
        this.pWeight.items[at] = Math.min(this.pWeight.items[at]! + weight, 255);
      } else {
        this.lastSlot[term] = slot;
        this.lastAt[term] = this.pTerm.push(term) - 1;
        this.pSlot.push(slot);
        this.pWeight.push(weight);
      }
    }
  }

  /** The index of every product added, the in-stock ones flagged; the builder is not used again. */
  async finish(inStockIds: Iterable<number>): Promise<SearchIndex> {
    const { n, termWords, pTerm, pSlot, pWeight, names } = this;
    await yieldToEventLoop();
    // Words in sorted order, so the words a query word starts form one contiguous range.
    const order = termWords.map((_, i) => i).sort((a, b) => (termWords[a]! < termWords[b]! ? -1 : 1));
    const rankOf = new Int32Array(order.length);
    order.forEach((term, rank) => (rankOf[term] = rank));
    const vocab = order.map((term) => termWords[term]!);
    const termStart = new Int32Array(order.length + 1);
    for (let i = 0; i < pTerm.length; i++) termStart[rankOf[pTerm.items[i]!]! + 1]!++;
    for (let i = 0; i < order.length; i++) termStart[i + 1]! += termStart[i]!;
    const postSlot = new Int32Array(pSlot.length);
    const postWeight = new Uint8Array(pSlot.length);
    const fill = termStart.slice(0, order.length);
    for (let i = 0; i < pTerm.length; i++) {
      const at = fill[rankOf[pTerm.items[i]!]!]!++;
      postSlot[at] = pSlot.items[i]!; // slots ascend within a word: products were added in slot order
      postWeight[at] = pWeight.items[i]!;
    }
    const idf = Float64Array.from(vocab, (_, i) => {
      const df = termStart[i + 1]! - termStart[i]!;
      return Math.log(1 + (n - df + 0.5) / (df + 0.5));
    });
    await yieldToEventLoop();

    // Equal names share a rank, so the id decides between them as it does in SQL.
    const nameRank = new Int32Array(n);
    const byName = Array.from({ length: n }, (_, slot) => slot).sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
    byName.forEach((slot, i) => {
      const prev = byName[i - 1];
      nameRank[slot] = prev !== undefined && names[prev] === names[slot] ? nameRank[prev]! : i;
    });

    const parts: IndexParts = {
      ids: this.ids.items.slice(0, n),
      names,
      nameRank,
      price: this.price.items.slice(0, n),
      rating: this.rating.items.slice(0, n),
      ratingCount: this.ratingCount.items.slice(0, n),
      created: this.created.items.slice(0, n),
      comboOf: this.comboOf.items.slice(0, n),
      combos: this.combos,
      family: this.family.items.slice(0, n),
      vocab,
      termStart,
      idf,
      postSlot,
      postWeight,
    };
    return new SearchIndex(parts, inStockIds);
  }
}

/** A typed array that doubles its capacity as values are pushed. */
class GrowingArray<A extends Int32Array | Uint8Array | Float64Array> {
  length = 0;
  items: A;

  constructor(private readonly make: (capacity: number) => A) {
    this.items = make(1024);
  }

  push(value: number): number {
    if (this.length === this.items.length) {
      const next = this.make(this.items.length * 2);
      next.set(this.items);
      this.items = next;
    }
    this.items[this.length++] = value;
    return this.length;
  }
}

function bitCount(bits: number): number {
  let n = 0;
  for (let b = bits; b; b &= b - 1) n++;
  return n;
}

export class SearchIndex {
  readonly size: number;
  private inStock: Uint8Array;

  // Per-query scratch space, reused: a query runs synchronously, so one at a time.
  private readonly stamp: Int32Array;
  private readonly found: Uint8Array;
  private readonly score: Float64Array;
  private readonly candidates: Int32Array;
  private epoch = 0;

  constructor(
    private readonly p: IndexParts,
    inStockIds: Iterable<number>,
  ) {
    const n = p.ids.length;
    this.size = n;
    this.stamp = new Int32Array(n);
    this.found = new Uint8Array(n);
    this.score = new Float64Array(n);
    this.candidates = new Int32Array(n);
    this.inStock = this.stockFlags(inStockIds);
  }

  /** Replaces which products have stock (stock changes far more often than products); returns how many products this changed. */
  setStock(inStockIds: Iterable<number>): number {
    const flags = this.stockFlags(inStockIds);
    let flipped = 0;
    for (let slot = 0; slot < flags.length; slot++) if (flags[slot] !== this.inStock[slot]) flipped++;
    this.inStock = flags;
    return flipped;
  }

  /**
   * Sets, for each of `productIds`, whether it is in stock (it is when it is
   * among `inStockIds`); returns how many of them this changed. Products the
   * index does not hold (not active) are left out.
   */
  setStockOf(productIds: readonly number[], inStockIds: readonly number[]): number {
    const inStock = new Set(inStockIds);
    let flipped = 0;
    for (const id of productIds) {
      const slot = this.slotOf(id);
      if (slot < 0) continue;
      const flag = inStock.has(id) ? 1 : 0;
      if (this.inStock[slot] !== flag) flipped++;
      this.inStock[slot] = flag;
    }
    return flipped;
  }

  /** Where a product is in the index (ids ascend by slot), or -1. */
  private slotOf(id: number): number {
    const ids = this.p.ids;
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ids[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return ids[lo] === id ? lo : -1;
  }

  private stockFlags(ids: Iterable<number>): Uint8Array {
    const flags = new Uint8Array(this.size);
    for (const id of ids) {
      const slot = this.slotOf(id);
      if (slot >= 0) flags[slot] = 1;
    }
    return flags;
  }

  /**
   * One page of a search or, without words, of a listing (browsing, a
   * category, filters) and the facet combinations of all its matches, as
   * repo.pageOfProducts and repo.facetCombos answer them. `byFamily` lists a
   * family once, as repo.pageOfFamilies does.
   */
  search(f: ListFilter, sort: Sort, limit: number, offset: number, byFamily = false): IndexHits {
    const words = [...new Set(f.words.map(fold))].filter((w) => w !== '');
    const browsing = !f.noMatch && !words.length;
    const matched = f.noMatch ? 0 : browsing ? this.size : this.match(words);

    const categories = f.categoryIds ? new Set(f.categoryIds) : null;
    const comboBase = new Uint8Array(this.p.combos.length);
    this.p.combos.forEach((c, i) => {
      comboBase[i] = (!categories || categories.has(c.categoryId) ? 1 : 0) | (matchesSelection(c, f) ? 2 : 0);
    });
    const comboCount = new Int32Array(this.p.combos.length);
    const results: number[] = [];
    const min = f.minPriceCents ?? -Infinity;
    const max = f.maxPriceCents ?? Infinity;
    for (let i = 0; i < matched; i++) {
      const slot = browsing ? i : this.candidates[i]!;
      const combo = this.p.comboOf[slot]!;
      const flags = comboBase[combo]!;
      if (!(flags & 1)) continue;
      const price = this.p.price[slot]!;
      if (price < min || price > max || (f.inStock && !this.inStock[slot])) continue;
      comboCount[combo]!++;
      if (flags & 2) results.push(slot);
    }

    const grouped = byFamily ? this.byFamily(results) : null;
    const listed = grouped?.listed ?? results;
    // Without words there is nothing to rank by: newest first, as in the database.
    const order = browsing && sort === 'relevance' ? 'newest' : sort;
    const page = this.page(listed, this.comparator(order, words), offset + limit).slice(offset);
    const combos: FacetCombo[] = [];
    comboCount.forEach((count, i) => {
      if (count) combos.push({ ...this.p.combos[i]!, count });
    });
    const ids = page.map((slot) => this.p.ids[slot]!);
    if (!grouped) return { ids, combos };
    const offers = new Map<number, FamilyOffer>();
    for (const slot of page) {
      const offer = grouped.offers.get(this.p.family[slot]!);
      if (offer) offers.set(this.p.ids[slot]!, offer);
    }
    return { ids, combos, families: { total: listed.length, offers } };
  }

  /** Whether `a` stands for its family before `b`: in stock first, then cheaper, then the lower id (as repo.pageOfFamilies). */
  private leads(a: number, b: number): boolean {
    const p = this.p;
    return (this.inStock[b]! - this.inStock[a]! || p.price[a]! - p.price[b]! || p.ids[a]! - p.ids[b]!) < 0;
  }

  /**
   * The results with each family's cheapest product in stock (see leads) in
   * place of the family, and each family's offer when it has more than one
   * product among them.
   */
  private byFamily(results: number[]): { listed: number[]; offers: Map<number, FamilyOffer> } {
    const lead = new Map<number, number>();
    const counts = new Map<number, { products: number; grades: number }>();
    for (const slot of results) {
      const family = this.p.family[slot]!;
      if (family < 0) continue;
      const grade = 1 << GRADE_VALUES.indexOf(this.p.combos[this.p.comboOf[slot]!]!.condition as Grade);
      const c = counts.get(family);
      if (c) {
        c.products++;
        c.grades |= grade;
      } else counts.set(family, { products: 1, grades: grade });
      const best = lead.get(family);
      if (best === undefined || this.leads(slot, best)) lead.set(family, slot);
    }
    if (!lead.size) return { listed: results, offers: new Map() };
    const offers = new Map<number, FamilyOffer>();
    for (const [family, c] of counts) {
      if (c.products > 1) offers.set(family, { products: c.products, grades: bitCount(c.grades), fromCents: this.p.price[lead.get(family)!]! });
    }
    const listed = results.filter((slot) => this.p.family[slot]! < 0 || lead.get(this.p.family[slot]!) === slot);
    return { listed, offers };
  }

  /**
   * Finds the products containing every word (as the start of one of their
   * words), fills this.candidates with them and returns how many there are.
   * Words are taken rarest first; a product stays a candidate while it has
   * matched every word so far (found[slot] counts them).
   */
  private match(words: string[]): number {
    const ranges = words.map((word) => ({ word, ...this.range(word) }));
    if (ranges.some(({ lo, hi }) => lo === hi)) return 0;
    const postings = ({ lo, hi }: { lo: number; hi: number }) => this.p.termStart[hi]! - this.p.termStart[lo]!;
    ranges.sort((a, b) => postings(a) - postings(b));

    if (++this.epoch === 0x7fffffff) {
      this.stamp.fill(0);
      this.epoch = 1;
    }
    const epoch = this.epoch;
    let count = 0;
    ranges.forEach(({ word, lo, hi }, w) => {
      for (let term = lo; term < hi; term++) {
        // A word that only starts with the query word counts half as much as the word itself.
        const idf = this.p.idf[term]! * (this.p.vocab[term] === word ? 1 : PREFIX_FACTOR);
        for (let at = this.p.termStart[term]!, end = this.p.termStart[term + 1]!; at < end; at++) {
          const slot = this.p.postSlot[at]!;
          const weight = this.p.postWeight[at]!;
          if (w === 0) {
            if (this.stamp[slot] !== epoch) {
              this.stamp[slot] = epoch;
              this.found[slot] = 1;
              this.score[slot] = 0;
              this.candidates[count++] = slot;
            }
          } else if (this.stamp[slot] !== epoch || this.found[slot]! < w) {
            continue;
          } else if (this.found[slot] === w) {
            this.found[slot] = w + 1;
          }
          this.score[slot]! += (idf * weight) / (weight + 1.2);
        }
      }
    });
    let kept = 0;
    for (let i = 0; i < count; i++) {
      const slot = this.candidates[i]!;
      if (this.found[slot] === ranges.length) this.candidates[kept++] = slot;
    }
    return kept;
  }

  /** The range of vocabulary words that start with `prefix`. */
  private range(prefix: string): { lo: number; hi: number } {
    const lowerBound = (s: string) => {
      let lo = 0;
      let hi = this.p.vocab.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.p.vocab[mid]! < s) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    return { lo: lowerBound(prefix), hi: lowerBound(`${prefix}\u{10FFFF}`) };
  }

  /** The same orders as repo.pageOfProducts, each ending in the id so that it is total. */
  private comparator(sort: Sort, words: string[]): (a: number, b: number) => number {
    const byId = (a: number, b: number) => this.p.ids[a]! - this.p.ids[b]!;
    switch (sort) {
      case 'price_asc':
        return (a, b) => this.p.price[a]! - this.p.price[b]! || byId(a, b);
      case 'price_desc':
        return (a, b) => this.p.price[b]! - this.p.price[a]! || byId(a, b);
      case 'name':
        return (a, b) => this.p.nameRank[a]! - this.p.nameRank[b]! || byId(a, b);
      case 'rating':
        return (a, b) => this.p.rating[b]! - this.p.rating[a]! || this.p.ratingCount[b]! - this.p.ratingCount[a]! || byId(a, b);
      case 'newest':
        return (a, b) => this.p.created[b]! - this.p.created[a]! || byId(b, a);
      case 'relevance': {
        // Counted once per product, not at every comparison.
        const counted = new Map<number, number>();
        const nameHits = (slot: number) => {
          let n = counted.get(slot);
          if (n === undefined) counted.set(slot, (n = words.reduce((k, w) => k + (this.p.names[slot]!.includes(w) ? 1 : 0), 0)));
          return n;
        };
        return (a, b) => nameHits(b) - nameHits(a) || this.score[b]! - this.score[a]! || this.p.nameRank[a]! - this.p.nameRank[b]! || byId(a, b);
      }
    }
  }

  /** The first `k` slots in order: kept in a short sorted list when k is small, else by sorting everything. */
  private page(slots: number[], cmp: (a: number, b: number) => number, k: number): number[] {
    if (k > PARTIAL_SORT_LIMIT || k >= slots.length) return slots.sort(cmp).slice(0, k);
    const best: number[] = [];
    for (const slot of slots) {
      if (best.length === k && cmp(slot, best[k - 1]!) >= 0) continue;
      let lo = 0;
      let hi = best.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cmp(slot, best[mid]!) < 0) hi = mid;
        else lo = mid + 1;
      }
      best.splice(lo, 0, slot);
      if (best.length > k) best.pop();
    }
    return best;
  }
}
