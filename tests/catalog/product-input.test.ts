import { describe, expect, it } from 'vitest';
import { dollars, monthlyPrices, productRuleErrors, specKey, specsFromJson, specsFromRows, type ProductFields } from '../../src/catalog/product-input';

const product = (over: Partial<ProductFields> = {}): ProductFields => ({
  slug: 'latitude-7420', name: 'Latitude 7420', brand: 'Dell', description: 'A laptop.', categoryId: 1, grade: 'A',
  priceCents: 40_000, unitCostCents: null, rentCents: { 3: null, 6: null, 12: null }, warrantyMonths: 12, featured: false, status: 'active', specs: {}, family: null,
  ...over,
});

describe('dollars', () => {
  const parse = dollars('Price', { min: 100 });
  it.each([
    ['1299', 129_900],
    ['1,299.50', 129_950],
    ['$25', 2_500],
    [' 0.07 ', null],
    ['12.345', null],
    ['abc', null],
    ['-5', null],
    ['1.00', 100],
  ])('%j → %j', (typed, cents) => {
    const r = parse.safeParse(typed);
    expect(r.success ? r.data : null).toBe(cents);
  });
});

describe('productRuleErrors: the 2.25 × guard of SPEC §4 on every term', () => {
  // $400.00 cash: at most $900.00 in payments → 3 × $300.00, 6 × $150.00, 12 × $75.00
  it.each([
    [{ 3: null, 6: null, 12: null }, []],
    [{ 3: 30_000, 6: 15_000, 12: 7_500 }, []],
    [{ 3: 30_001, 6: null, 12: null }, ['rent_3']],
    [{ 3: null, 6: 15_001, 12: 7_501 }, ['rent_6', 'rent_12']],
  ] as const)('monthly %j → errors on %j', (rentCents, fields) => {
    expect(Object.keys(productRuleErrors(product({ rentCents: { ...rentCents } })))).toEqual(fields);
  });

  it('names the largest monthly price allowed', () => {
    expect(productRuleErrors(product({ rentCents: { 3: null, 6: null, 12: 9_999 } })).rent_12).toBe(
      '12-month price: at most $75.00 a month, so the 12 payments total no more than 2.25 × the cash price ($900.00).',
    );
  });

  it('refuses an empty slug (a name without letters or digits)', () => {
    expect(productRuleErrors(product({ slug: '' })).slug).toMatch(/address name/);
  });

  it('fills unset monthly prices with the suggested ones', () => {
    expect(monthlyPrices(product({ rentCents: { 3: 20_000, 6: null, 12: null } }))).toEqual({ 3: 20_000, 6: 9_000, 12: 5_834 });
  });
});

describe('specifications', () => {
  it.each([
    ['Battery life', 'battery_life'],
    [' RAM-GB ', 'ram_gb'],
    ['screen in', 'screen_in'],
  ])('specKey(%j) = %j', (typed, key) => expect(specKey(typed)).toBe(key));

  it.each([
    [['cpu', 'ram_gb', 'ports'], ['i5-8350U', '16', '24'], { specs: { cpu: 'i5-8350U', ram_gb: 16, ports: 24 } }],
    [['cpu', '', ''], ['i5', '', ''], { specs: { cpu: 'i5' } }],
    [['screen_in'], ['15.6'], { specs: { screen_in: 15.6 } }],
    [['poe', 'managed'], ['true', 'False'], { specs: { poe: true, managed: false } }],
    [['ram_gb'], ['16 GB'], { error: 'ram_gb is a number (gigabytes, like 16).' }],
    [['screen_in'], ['big'], { error: 'screen_in is a number (inches, like 14 or 15.6).' }],
    [['cpu'], [''], { error: 'Give cpu a value, or remove the row.' }],
    [[''], ['16'], { error: 'Name the specification whose value is “16”.' }],
    [['9lives'], ['x'], { error: 'Specification names are lower-case words joined by underscores, like battery_life (not “9lives”).' }],
    [['gpu', 'GPU'], ['a', 'b'], { error: 'gpu is listed twice.' }],
  ])('rows %j = %j → %j', (keys, values, out) => {
    expect(specsFromRows(keys, values)).toEqual(out);
  });

  it.each([
    ['', { specs: {} }],
    ['{"cpu":"i7","ram_gb":32,"storage_gb":"1000"}', { specs: { cpu: 'i7', ram_gb: 32, storage_gb: 1000 } }],
    ['{"poe":true,"fanless":false,"gpu":null}', { specs: { poe: true, fanless: false } }],
    ['[1,2]', { error: 'specifications is not a JSON object like {"cpu":"Intel Core i5","ram_gb":16}.' }],
    ['{cpu: i7}', { error: 'specifications is not a JSON object like {"cpu":"Intel Core i5","ram_gb":16}.' }],
    ['{"ram_gb":"lots"}', { error: 'ram_gb is a number (gigabytes, like 16).' }],
    ['{"Bad Key":"x"}', { error: 'Specification names are lower-case words joined by underscores, like battery_life (not “Bad Key”).' }],
  ])('JSON %j → %j', (text, out) => {
    expect(specsFromJson(text)).toEqual(out);
  });
});
