import { describe, expect, it } from 'vitest';
import { familyChoices, type FamilyMember } from '../../src/catalog/families';

let nextId = 1;
const member = (slug: string, over: Partial<FamilyMember> = {}): FamilyMember => ({
  id: nextId++, slug, grade: 'A', priceCents: 50_000, inStock: 1,
  specs: { cpu: 'Intel Core i5-1145G7', cpu_family: 'Intel Core i5', ram_gb: 16, storage_gb: 512, storage_type: 'NVMe SSD', ports: '2× Thunderbolt 4' },
  ...over,
});
const withSpecs = (base: FamilyMember, specs: Record<string, string | number>) => ({ ...base, specs: { ...base.specs, ...specs } });

// A model in three grades, two memory sizes and two storage sizes (not every combination exists).
const a16 = member('t14-a-16-512', { grade: 'A', priceCents: 52_900 });
const b16 = member('t14-b-16-512', { grade: 'B', priceCents: 47_900 });
const c16 = member('t14-c-16-512', { grade: 'C', priceCents: 41_900, inStock: 0 });
const a32 = withSpecs(member('t14-a-32-1tb', { grade: 'A', priceCents: 64_900 }), { ram_gb: 32, storage_gb: 1000 });
const b32 = withSpecs(member('t14-b-32-512', { grade: 'B', priceCents: 55_900 }), { ram_gb: 32 });
const family = [a16, b16, c16, a32, b32];

const rows = (current: FamilyMember, members = family) =>
  familyChoices(current, members).map((c) => ({
    label: c.label,
    options: c.options.map((o) => `${o.label}${o.selected ? '*' : ''} → ${o.slug} ${o.priceCents} ${o.inStock ? 'in' : 'out'}`),
  }));

describe('familyChoices', () => {
  it.each([
    {
      name: 'grade A with 16 GB: every grade keeps 16 GB and 512 GB; 32 GB keeps grade A (with its 1 TB)',
      current: a16,
      want: [
        { label: 'Condition', options: ['Grade A* → t14-a-16-512 52900 in', 'Grade B → t14-b-16-512 47900 in', 'Grade C → t14-c-16-512 41900 out'] },
        { label: 'Memory', options: ['16 GB* → t14-a-16-512 52900 in', '32 GB → t14-a-32-1tb 64900 in'] },
        { label: 'Storage', options: ['512 GB* → t14-a-16-512 52900 in', '1 TB → t14-a-32-1tb 64900 in'] },
      ],
    },
    {
      name: 'grade B with 32 GB: grade A keeps 32 GB (1 TB only); grade C has only 16 GB and is sold out',
      current: b32,
      want: [
        { label: 'Condition', options: ['Grade A → t14-a-32-1tb 64900 in', 'Grade B* → t14-b-32-512 55900 in', 'Grade C → t14-c-16-512 41900 out'] },
        { label: 'Memory', options: ['16 GB → t14-b-16-512 47900 in', '32 GB* → t14-b-32-512 55900 in'] },
        { label: 'Storage', options: ['512 GB* → t14-b-32-512 55900 in', '1 TB → t14-a-32-1tb 64900 in'] },
      ],
    },
    {
      name: 'a sold-out product still shows itself as chosen',
      current: c16,
      want: [
        { label: 'Condition', options: ['Grade A → t14-a-16-512 52900 in', 'Grade B → t14-b-16-512 47900 in', 'Grade C* → t14-c-16-512 41900 out'] },
        { label: 'Memory', options: ['16 GB* → t14-c-16-512 41900 out', '32 GB → t14-b-32-512 55900 in'] },
        { label: 'Storage', options: ['512 GB* → t14-c-16-512 41900 out', '1 TB → t14-a-32-1tb 64900 in'] },
      ],
    },
  ])('$name', ({ current, want }) => {
    expect(rows(current)).toEqual(want);
  });

  it('offers nothing for a product alone in its family', () => {
    expect(familyChoices(a16, [a16])).toEqual([]);
    expect(familyChoices(a16, [])).toEqual([]);
  });

  it('prefers an option in stock over a sold-out one that keeps as many choices', () => {
    const soldOut = member('b-out', { grade: 'B', priceCents: 40_000, inStock: 0 });
    const inStock = withSpecs(member('b-in', { grade: 'B', priceCents: 45_000 }), { ports: '3× Thunderbolt 4' });
    const current = member('a', { grade: 'A' });
    // ports differ too, so b-in keeps fewer choices than b-out: keeping choices comes first.
    expect(rows(current, [current, soldOut, inStock])[0]!.options[1]).toBe('Grade B → b-out 40000 out');
    const alsoIn = member('b-in-2', { grade: 'B', priceCents: 46_000 });
    expect(rows(current, [current, soldOut, alsoIn])[0]!.options[1]).toBe('Grade B → b-in-2 46000 in');
  });

  it('offers a processor and its family once when they split the family the same way, and leaves out specifications some products lack', () => {
    const i5 = member('i5', { specs: { cpu: 'Intel Core i5-1145G7', cpu_family: 'Intel Core i5', ram_gb: 16 } });
    const i7 = member('i7', { specs: { cpu: 'Intel Core i7-1185G7', cpu_family: 'Intel Core i7', ram_gb: 16, colour: 'Black' } });
    expect(familyChoices(i5, [i5, i7]).map((c) => [c.key, c.label, c.options.map((o) => o.label)])).toEqual([['cpu', 'Processor', ['Intel Core i5-1145G7', 'Intel Core i7-1185G7']]]);
  });

  it('orders numbers by value and explains each grade', () => {
    const small = withSpecs(member('s'), { ram_gb: 8 });
    const big = withSpecs(member('b'), { ram_gb: 64 });
    const mid = withSpecs(member('m', { grade: 'D' }), { ram_gb: 16 });
    const choices = familyChoices(big, [big, small, mid]);
    expect(choices.map((c) => c.label)).toEqual(['Condition', 'Memory']);
    expect(choices[0]!.options.map((o) => [o.label, o.note])).toEqual([['Grade A', 'Like new'], ['Grade D', 'Fair']]);
    expect(choices[1]!.options.map((o) => o.label)).toEqual(['8 GB', '16 GB', '64 GB']);
  });
});
