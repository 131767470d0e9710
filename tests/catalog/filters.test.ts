import { describe, expect, it } from 'vitest';
import { emptySelection, facetValuesOf, FILTERS, formatCapacity, toSelection } from '../../src/catalog/filters';
import { productQueryShape } from '../../src/catalog/schemas';
import { freshDb } from '../helpers/db';

describe('the filter table', () => {
  it('gives every filter a query parameter, in the canonical order: product filters, price and stock, spec filters', () => {
    expect(Object.keys(productQueryShape)).toEqual([
      'q', 'category', 'brand', 'condition', 'min_price', 'max_price', 'in_stock', 'cpu_family', 'ram_gb', 'storage_gb', 'screen_in', 'sort', 'page',
    ]);
  });

  it('names only columns the products table has', async () => {
    const t = await freshDb();
    try {
      const columns = Object.keys(await t.db('products').columnInfo());
      for (const d of FILTERS) expect(columns, d.key).toContain(d.column);
    } finally {
      await t.destroy();
    }
  });
});

describe('toSelection', () => {
  it('drops repeats; orders grades and numbers, keeps text in the order given', () => {
    expect(toSelection({ brand: ['HP', 'Dell', 'HP'], condition: ['C', 'A', 'C'], cpu_family: ['b', 'a'], ram_gb: [16, 8, 16], storage_gb: [1000, 256], screen_in: [15.6, 13.3] })).toEqual({
      brand: ['HP', 'Dell'], condition: ['A', 'C'], cpuFamily: ['b', 'a'], ramGb: [8, 16], storageGb: [256, 1000], screenIn: [13.3, 15.6],
    });
    expect(toSelection({})).toEqual(emptySelection());
  });
});

describe('facetValuesOf', () => {
  it.each([
    ['a laptop', { brand: 'Dell', condition_grade: 'A', cpu_family: 'Intel Core i7', ram_gb: 16, storage_gb: 512, screen_in: '13.3' }, { brand: 'Dell', condition: 'A', cpuFamily: 'Intel Core i7', ramGb: 16, storageGb: 512, screenIn: 13.3 }],
    ['a switch', { brand: 'Netgear', condition_grade: 'B', cpu_family: null, ram_gb: null, storage_gb: undefined, screen_in: null }, { brand: 'Netgear', condition: 'B', cpuFamily: null, ramGb: null, storageGb: null, screenIn: null }],
  ])('%s', (_what, row, values) => {
    expect(facetValuesOf(row)).toEqual(values);
  });
});

describe('formatCapacity', () => {
  it.each([
    [256, ' ', '256 GB'],
    [1000, ' ', '1 TB'],
    [1500, ' ', '1500 GB'],
    [2000, '', '2TB'],
    [512, '', '512GB'],
  ])('%i GB with "%s" → %s', (gb, separator, text) => {
    expect(formatCapacity(gb, separator)).toBe(text);
  });
});
