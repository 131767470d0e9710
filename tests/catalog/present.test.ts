import { describe, expect, it } from 'vitest';
import { fullRowsOf } from '../../src/catalog/present';

describe('fullRowsOf: featured products on the home page fill whole rows of 2 and 4', () => {
  it.each([
    [0, 0],
    [2, 2],
    [1, 1],
    [3, 2],
    [4, 4],
    [7, 4],
    [10, 8],
    [12, 12],
  ])('%i available → %i shown', (available, shown) => {
    expect(fullRowsOf(available)).toBe(shown);
  });
});
