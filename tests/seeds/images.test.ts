import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { brandInitials, genericImagePath, renderProductSvg, writeGenericImages, type ImageSubject } from '../../seeds/images';
import { DEMO_PRODUCTS } from '../../seeds/catalog-data';

/** The picture without what names the product: its aria-label and the caption band. */
function drawing(svg: string): string {
  return svg.slice(svg.indexOf('>') + 1, svg.indexOf('<g id="caption"'));
}

/** The attributes that give a drawing its look: fills, sizes and shapes, in order. */
function looks(svg: string): string[] {
  return [...drawing(svg).matchAll(/\b(fill|width|height|rx|d|r)="([^"]*)"/g)].map((m) => `${m[1]}=${m[2]}`);
}

/** The colour of the device's body: the first shape drawn with an outline. */
const bodyColour = (svg: string) => /stroke-width="2" fill="(#[0-9a-f]{6})"/.exec(drawing(svg))?.[1];

describe('product placeholder drawings', () => {
  it.each<[string, ImageSubject, ImageSubject]>([
    [
      'two grades of one laptop',
      { name: 'Lenovo ThinkPad T14 Gen 2 (Grade A)', brand: 'Lenovo', category: 'business-laptops', family: 'ThinkPad T14 Gen 2' },
      { name: 'Lenovo ThinkPad T14 Gen 2 16 GB (Grade C)', brand: 'Lenovo', category: 'business-laptops', family: 'ThinkPad T14 Gen 2' },
    ],
    [
      'two configurations of one monitor',
      { name: 'Dell UltraSharp U2719D', brand: 'Dell', category: 'monitors', family: 'UltraSharp U2719D' },
      { name: 'Dell UltraSharp U2719D with stand', brand: 'Dell', category: 'monitors', family: 'UltraSharp U2719D' },
    ],
    [
      'two sizes of one memory kit',
      { name: 'Samsung 16GB DDR4 ECC RDIMM', brand: 'Samsung', category: 'memory', family: 'DDR4 ECC RDIMM' },
      { name: 'Samsung 32GB DDR4 ECC RDIMM', brand: 'Samsung', category: 'memory', family: 'DDR4 ECC RDIMM' },
    ],
  ])('draws %s the same, apart from the caption', (_, a, b) => {
    for (const variant of [1, 2] as const) {
      const [svgA, svgB] = [renderProductSvg(a, variant), renderProductSvg(b, variant)];
      expect(svgA).not.toBe(svgB);
      expect(drawing(svgA)).toBe(drawing(svgB));
      expect(drawing(svgA).length).toBeGreaterThan(200);
    }
  });

  it('uses the name as the family when there is none', () => {
    const subject = { name: 'Dell XPS 13 9310', brand: 'Dell', category: 'laptops' };
    expect(renderProductSvg(subject, 1)).toBe(renderProductSvg({ ...subject, family: 'Dell XPS 13 9310' }, 1));
  });

  it.each<[string, string, string, string]>([
    ['laptops', 'Dell', 'XPS 13 9310', 'Latitude 7420'],
    ['laptops', 'Lenovo', 'ThinkPad T14 Gen 2', 'ThinkPad X1 Carbon Gen 9'],
    ['desktops', 'HP', 'EliteDesk 800 G6 Tower', 'Z4 G4 Workstation'],
    ['mini-pcs', 'Lenovo', 'ThinkCentre M720q Tiny', 'ThinkCentre M75q Gen 2'],
    ['monitors', 'Dell', 'P2419H', 'UltraSharp U2719D'],
    ['servers', 'Dell', 'PowerEdge R640', 'PowerEdge R740'],
    ['components', 'Intel', 'Xeon Gold 6138', 'Core i7-9700'],
    ['graphics-cards', 'NVIDIA', 'RTX A2000', 'Quadro P2000'],
    ['memory', 'Kingston', 'FURY Beast DDR4', 'ValueRAM DDR4'],
    ['storage', 'Samsung', '970 EVO Plus', '870 QVO'],
    ['networking', 'Cisco', 'Catalyst 2960X-24TS', 'Catalyst 3650-24T'],
  ])('draws two families of %s by %s differently', (category, brand, one, other) => {
    for (const variant of [1, 2] as const) {
      const a = renderProductSvg({ name: `${brand} ${one}`, brand, category, family: one }, variant);
      const b = renderProductSvg({ name: `${brand} ${other}`, brand, category, family: other }, variant);
      expect(looks(a)).not.toEqual(looks(b));
    }
  });

  it('gives each family of the demo catalog one drawing of its own, laptops in more than one colour', () => {
    const laptops = DEMO_PRODUCTS.filter((p) => p.category.endsWith('laptops'));
    const byFamily = new Map<string, Set<string>>();
    for (const p of laptops) {
      const key = p.family ?? p.name;
      byFamily.set(key, (byFamily.get(key) ?? new Set()).add(drawing(renderProductSvg(p, 1))));
    }
    expect(byFamily.size).toBeLessThan(laptops.length);
    for (const [family, drawings] of byFamily) expect(drawings.size, family).toBe(1);
    expect(new Set([...byFamily.values()].flatMap((d) => [...d])).size).toBe(byFamily.size);
    const bodies = new Set(laptops.map((p) => bodyColour(renderProductSvg(p, 1))));
    expect(bodies.has(undefined)).toBe(false);
    expect(bodies.size).toBeGreaterThan(2);
  });

  it.each<[string, string]>([
    ['Lenovo', 'L'],
    ['HP', 'HP'],
    ['HPE', 'HPE'],
    ['NVIDIA', 'NV'],
    ['SK hynix', 'SH'],
    ['Western Digital', 'WD'],
    ['Dell', 'D'],
    ['', '?'],
  ])('marks %s with its initials %s', (brand, initials) => {
    expect(brandInitials(brand)).toBe(initials);
  });

  it('marks each brand with its own badge', () => {
    const badgeOf = (brand: string) => {
      const svg = renderProductSvg({ name: 'Same model', brand, category: 'networking', family: 'Same model' }, 2);
      return /<g>(.*?)<\/g>/.exec(drawing(svg))?.[1];
    };
    const brands = ['Cisco', 'Juniper', 'HPE', 'Ubiquiti', 'Netgear', 'MikroTik'];
    const badges = brands.map(badgeOf);
    expect(badges.every(Boolean)).toBe(true);
    expect(new Set(badges).size).toBe(brands.length);
    // Badge shape and colour come from the brand alone: the same on every product of it.
    const shapeOf = (svg: string) => /<g>(<[a-z]+ [^>]*\/>)<text/.exec(drawing(svg))?.[1]?.replace(/ (cx|cy|x|y|d|r|width|height|rx)="[^"]*"/g, '');
    const tower = renderProductSvg({ name: 'Tower', brand: 'Cisco', category: 'networking', family: 'Other model' }, 2);
    expect(shapeOf(tower)).toBe(shapeOf(renderProductSvg({ name: 'Same model', brand: 'Cisco', category: 'networking', family: 'Same model' }, 2)));
  });

  it.each<[string, ImageSubject]>([
    ['escapes a name and brand', { name: 'Tom & Jerry <"27">', brand: 'A&B <x>', category: 'monitors' }],
    ['draws an unknown category', { name: 'Mystery box', brand: 'ACME', category: 'gadgets', family: 'Box' }],
    ['draws a tower server', { name: 'Dell PowerEdge T440', brand: 'Dell', category: 'servers' }],
    ['draws an all-in-one', { name: 'Apple iMac 24" M1 (2021)', brand: 'Apple', category: 'desktops' }],
  ])('%s as well-formed, small SVG', (_, subject) => {
    for (const variant of [1, 2] as const) {
      const svg = renderProductSvg(subject, variant);
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 600"')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      // Only markup, entities and text: no stray ampersand or bracket from a name.
      expect(svg.replace(/<[^<>]*>/g, '').replace(/&(amp|lt|gt|quot|apos);/g, '')).not.toMatch(/[<>&]/);
      expect(svg).not.toMatch(/NaN|undefined/);
      expect(Buffer.byteLength(svg)).toBeLessThan(4096);
    }
  });

  it('keeps every demo drawing under 4 KB, and an SVG renderer reads each one', async () => {
    for (const p of DEMO_PRODUCTS) {
      for (const variant of [1, 2] as const) {
        const svg = renderProductSvg(p, variant);
        expect(Buffer.byteLength(svg), p.slug).toBeLessThan(4096);
        // librsvg (through sharp) refuses malformed XML.
        const png = await sharp(Buffer.from(svg)).png().toBuffer();
        expect(await sharp(png).metadata(), p.slug).toMatchObject({ width: 800, height: 600 });
      }
    }
  });

  it('writes one shared picture per generated model, drawn for that model', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gg-images-'));
    try {
      const model = { key: 'dell-latitude-7420', name: 'Dell Latitude 7420', brand: 'Dell', category: 'business-laptops', family: 'Latitude 7420' };
      writeGenericImages([model], dir);
      expect(genericImagePath(model.key)).toBe('/uploads/products/generic-dell-latitude-7420.svg');
      const svg = fs.readFileSync(path.join(dir, 'generic-dell-latitude-7420.svg'), 'utf8');
      expect(drawing(svg)).toBe(drawing(renderProductSvg({ name: 'Dell Latitude 7420 #12', brand: 'Dell', category: 'business-laptops', family: 'Latitude 7420' }, 1)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
