import { describe, expect, it } from 'vitest';
import { fillVariantSlots, VARIANT, variantKeys } from '../../src/http/page-cache';

/** Variant slots: a shared page holds both variants of a per-shopper part; each request keeps one per key. */
describe('variant slots', () => {
  const slot = (key: string, first: string, alt: string) => `${VARIANT.start(key)}${first}${VARIANT.alt}${alt}${VARIANT.end}`;
  const page = `<main>${slot('wish:1', '<b>Save 1</b>', '<i>Saved 1 $& $1</i>')}\n<p>$5.00</p>${slot('wish:22', 'Save 22', 'Saved 22')}</main>`;

  it('keeps the default for keys not chosen and the alternative for chosen ones, leaving no marker', () => {
    expect(variantKeys(page)).toEqual(['wish:1', 'wish:22']);
    expect(fillVariantSlots(page)).toBe('<main><b>Save 1</b>\n<p>$5.00</p>Save 22</main>');
    expect(fillVariantSlots(page, new Set(['wish:1']))).toBe('<main><i>Saved 1 $& $1</i>\n<p>$5.00</p>Save 22</main>');
    expect(fillVariantSlots(page, new Set(['wish:22', 'wish:3']))).toBe('<main><b>Save 1</b>\n<p>$5.00</p>Saved 22</main>');
    expect(fillVariantSlots('<p>no slots</p>', new Set(['wish:1']))).toBe('<p>no slots</p>');
  });

  it('refuses keys that could break the markers', () => {
    for (const key of ['', 'Wish:1', 'wish 1', 'wish:1}', 'a'.repeat(100)]) expect(() => VARIANT.start(key), key).toThrow();
  });
});
