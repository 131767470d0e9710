import type { Knex } from 'knex';
import { toDbTime, DAY } from '../src/lib/clock';
import type { Grade } from '../src/catalog/grades';
import { slugify, toProductRow, type Specs } from '../src/catalog/product-row';
import { genericImagePath, writeGenericImages } from './images';
import { insertInChunks } from '../src/db/batch';
import { receiveUnits } from '../src/inventory/operations';
import { ensureCategories } from './index';

/**
 * Bulk synthetic catalog for load tests and benchmarks: plausible products
 * built from brand/model/spec lists, reproducible from a seed.
 */

export type Rng = () => number;

/** mulberry32: tiny, fast and good enough for picking from lists. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

function cpuFamily(cpu: string): string {
  const core = /Core (i\d)/.exec(cpu);
  if (core) return `Intel Core ${core[1]}`;
  if (/Xeon/.test(cpu)) return 'Intel Xeon';
  const ryzen = /Ryzen (\d)/.exec(cpu);
  if (ryzen) return `AMD Ryzen ${ryzen[1]}`;
  if (/EPYC/.test(cpu)) return 'AMD EPYC';
  const apple = /Apple (M\d)/.exec(cpu);
  if (apple) return `Apple ${apple[1]}`;
  return 'Other';
}

interface Family {
  category: string;
  brand: string;
  models: readonly string[];
  /** Specs and a price in whole dollars before the grade adjustment. */
  make(rng: Rng, model: string): { specs: Specs; dollars: number };
}

const MOBILE_CPUS = ['Intel Core i5-8350U', 'Intel Core i5-10310U', 'Intel Core i5-1145G7', 'Intel Core i7-8665U', 'Intel Core i7-10610U', 'Intel Core i7-1185G7', 'AMD Ryzen 5 PRO 4650U', 'AMD Ryzen 7 PRO 4750U'];
const WORKSTATION_CPUS = ['Intel Core i7-9850H', 'Intel Core i7-10850H', 'Intel Core i7-11850H', 'Intel Xeon E-2276M', 'Intel Xeon W-10855M'];
const DESKTOP_CPUS = ['Intel Core i5-8500', 'Intel Core i5-9500', 'Intel Core i5-10500', 'Intel Core i7-9700', 'Intel Core i7-10700', 'AMD Ryzen 5 PRO 4650G', 'AMD Ryzen 7 PRO 4750G'];
const MINI_CPUS = ['Intel Core i5-8500T', 'Intel Core i5-9500T', 'Intel Core i5-10500T', 'Intel Core i7-9700T', 'AMD Ryzen 5 PRO 4650GE'];
const SERVER_CPUS = ['2× Intel Xeon E5-2650 v4', '2× Intel Xeon E5-2680 v4', '2× Intel Xeon Silver 4114', '2× Intel Xeon Gold 6130', '2× Intel Xeon Gold 6148', 'AMD EPYC 7302P', 'AMD EPYC 7402P'];
const PRO_GPUS = ['NVIDIA Quadro T1000', 'NVIDIA Quadro T2000', 'NVIDIA Quadro RTX 3000', 'NVIDIA RTX A2000'];
const OS_WINDOWS = 'Windows 11 Pro';
const SWITCH_PORTS: Record<string, Record<string, number>> = {
  Cisco: { 'Catalyst 2960X-24TS': 24, 'Catalyst 2960X-48TS': 48, 'Catalyst 3650-24T': 24 },
  Juniper: { 'EX2300-24T': 24, 'EX3300-48T': 48 },
  HPE: { 'Aruba 2530-24G': 24, 'Aruba 2930F 48G': 48 },
  Ubiquiti: { 'UniFi Switch 16': 16, 'UniFi Switch 24': 24 },
  Netgear: { GS724T: 24, GS108T: 8 },
};

function laptop(cpus: readonly string[], gpus: readonly string[] | null, base: number) {
  return (rng: Rng) => {
    const cpu = pick(rng, cpus);
    const ram = pick(rng, gpus ? [16, 32, 64] : [8, 16, 16, 32]);
    const storage = pick(rng, [256, 512, 512, 1000]);
    const screen = pick(rng, gpus ? [15.6, 15.6, 17.3] : [13.3, 14, 14, 15.6]);
    const gpu = gpus ? pick(rng, gpus) : /AMD/.test(cpu) ? 'AMD Radeon Graphics' : 'Intel Iris Xe';
    const specs: Specs = {
      cpu, cpu_family: cpuFamily(cpu), ram_gb: ram, storage_gb: storage, storage_type: 'NVMe SSD', screen_in: screen,
      resolution: pick(rng, ['1920×1080', '1920×1080', '1920×1200', '3840×2160']), panel: 'IPS', gpu, os: OS_WINDOWS,
    };
    return { specs, dollars: base + ram * 5 + storage * 0.1 + (/i7|Ryzen 7|Xeon/.test(cpu) ? 90 : 0) };
  };
}

function desktop(cpus: readonly string[], formFactor: string, base: number) {
  return (rng: Rng) => {
    const cpu = pick(rng, cpus);
    const ram = pick(rng, [8, 16, 16, 32]);
    const storage = pick(rng, [256, 512, 1000]);
    const specs: Specs = {
      cpu, cpu_family: cpuFamily(cpu), ram_gb: ram, storage_gb: storage, storage_type: pick(rng, ['NVMe SSD', 'SSD']),
      gpu: /AMD/.test(cpu) ? 'AMD Radeon Graphics' : 'Intel UHD 630', form_factor: formFactor, os: OS_WINDOWS,
    };
    return { specs, dollars: base + ram * 4 + storage * 0.08 + (/i7|Ryzen 7/.test(cpu) ? 70 : 0) };
  };
}

function monitor(sizes: readonly number[], base: number) {
  return (rng: Rng) => {
    const size = pick(rng, sizes);
    const resolution = pick(rng, size >= 27 ? ['2560×1440', '3840×2160'] : ['1920×1080', '1920×1200']);
    const specs: Specs = { screen_in: size, resolution, panel: pick(rng, ['IPS', 'IPS', 'VA']), refresh_hz: pick(rng, [60, 60, 75]), ports: 'DisplayPort, HDMI, USB hub' };
    return { specs, dollars: base + size * 3 + (resolution === '3840×2160' ? 90 : 0) };
  };
}

function server(formFactor: string, base: number) {
  return (rng: Rng) => {
    const cpu = pick(rng, SERVER_CPUS);
    const ram = pick(rng, [64, 128, 192, 256, 384]);
    const specs: Specs = {
      cpu, cpu_family: cpuFamily(cpu), ram_gb: ram, storage_gb: pick(rng, [960, 1920, 2400, 4800]), storage_type: pick(rng, ['SATA SSD', 'SAS HDD']),
      network: pick(rng, ['4× 1GbE', '2× 10GbE SFP+', '4× 10GbE']), form_factor: formFactor,
    };
    return { specs, dollars: base + ram * 2 + (/Gold|EPYC/.test(cpu) ? 300 : 0) };
  };
}

const FAMILIES: Family[] = [
  { category: 'laptops', brand: 'Apple', models: ['MacBook Air 13 M1', 'MacBook Pro 13 M1'], make: (rng) => {
    const ram = pick(rng, [8, 16]);
    const storage = pick(rng, [256, 512, 1000]);
    return { specs: { cpu: 'Apple M1 8-core', cpu_family: 'Apple M1', ram_gb: ram, storage_gb: storage, storage_type: 'SSD', screen_in: 13.3, resolution: '2560×1600', panel: 'IPS Retina', gpu: 'Apple M1 GPU', os: 'macOS' }, dollars: 430 + ram * 10 + storage * 0.15 };
  } },
  { category: 'laptops', brand: 'Dell', models: ['XPS 13 9300', 'XPS 13 9310', 'Inspiron 14 5410'], make: laptop(MOBILE_CPUS, null, 250) },
  { category: 'laptops', brand: 'ASUS', models: ['ZenBook 14 UX425', 'VivoBook S14'], make: laptop(MOBILE_CPUS, null, 200) },
  { category: 'business-laptops', brand: 'Lenovo', models: ['ThinkPad T14 Gen 1', 'ThinkPad T14 Gen 2', 'ThinkPad T490', 'ThinkPad X1 Carbon Gen 8', 'ThinkPad L14'], make: laptop(MOBILE_CPUS, null, 200) },
  { category: 'business-laptops', brand: 'Dell', models: ['Latitude 7420', 'Latitude 5410', 'Latitude 7400', 'Latitude 5420'], make: laptop(MOBILE_CPUS, null, 190) },
  { category: 'business-laptops', brand: 'HP', models: ['EliteBook 840 G7', 'EliteBook 840 G8', 'ProBook 450 G8'], make: laptop(MOBILE_CPUS, null, 180) },
  { category: 'workstation-laptops', brand: 'Dell', models: ['Precision 7540', 'Precision 7550', 'Precision 5550'], make: laptop(WORKSTATION_CPUS, PRO_GPUS, 520) },
  { category: 'workstation-laptops', brand: 'Lenovo', models: ['ThinkPad P52', 'ThinkPad P53', 'ThinkPad P1 Gen 3'], make: laptop(WORKSTATION_CPUS, PRO_GPUS, 500) },
  { category: 'workstation-laptops', brand: 'HP', models: ['ZBook 15 G6', 'ZBook Fury 15 G7'], make: laptop(WORKSTATION_CPUS, PRO_GPUS, 540) },
  { category: 'desktops', brand: 'Dell', models: ['OptiPlex 7070 SFF', 'OptiPlex 5080 Tower', 'Precision 3640 Tower'], make: desktop(DESKTOP_CPUS, 'Tower', 150) },
  { category: 'desktops', brand: 'HP', models: ['ProDesk 600 G5 SFF', 'EliteDesk 800 G5 Tower'], make: desktop(DESKTOP_CPUS, 'SFF', 140) },
  { category: 'desktops', brand: 'Lenovo', models: ['ThinkCentre M910s', 'ThinkCentre M920s', 'ThinkStation P330'], make: desktop(DESKTOP_CPUS, 'SFF', 130) },
  { category: 'mini-pcs', brand: 'Dell', models: ['OptiPlex 3080 Micro', 'OptiPlex 7070 Micro'], make: desktop(MINI_CPUS, 'Micro', 110) },
  { category: 'mini-pcs', brand: 'Lenovo', models: ['ThinkCentre M70q', 'ThinkCentre M720q', 'ThinkCentre M920q'], make: desktop(MINI_CPUS, 'Tiny', 100) },
  { category: 'mini-pcs', brand: 'HP', models: ['ProDesk 400 G6 Mini', 'EliteDesk 800 G4 Mini'], make: desktop(MINI_CPUS, 'Mini', 100) },
  { category: 'monitors', brand: 'Dell', models: ['P2419H', 'P2719H', 'U2415', 'U2720Q'], make: monitor([24, 27], 20) },
  { category: 'monitors', brand: 'HP', models: ['E243', 'E27 G4', 'Z24n G2'], make: monitor([23.8, 27], 15) },
  { category: 'monitors', brand: 'Lenovo', models: ['ThinkVision P24h', 'ThinkVision P27h', 'ThinkVision T27i'], make: monitor([23.8, 27], 15) },
  { category: 'monitors', brand: 'LG', models: ['27UK650', '24MP88HV', '34WN80C'], make: monitor([23.8, 27, 34], 10) },
  { category: 'servers', brand: 'Dell', models: ['PowerEdge R630', 'PowerEdge R730', 'PowerEdge R640'], make: server('Rack', 500) },
  { category: 'servers', brand: 'HPE', models: ['ProLiant DL360 Gen9', 'ProLiant DL380 Gen10'], make: server('Rack', 480) },
  { category: 'servers', brand: 'Lenovo', models: ['ThinkSystem SR630', 'ThinkSystem SR550'], make: server('Rack', 520) },
  { category: 'components', brand: 'Intel', models: ['Xeon Silver 4114', 'Xeon Gold 6130', 'Core i7-9700', 'Core i5-9500'], make: (rng, model) => {
    const cpu = `Intel ${model}`;
    return { specs: { cpu, cpu_family: cpuFamily(cpu), socket: /Xeon/.test(cpu) ? 'LGA3647' : 'LGA1151' }, dollars: 45 + rng() * 90 };
  } },
  { category: 'components', brand: 'AMD', models: ['Ryzen 5 3600', 'Ryzen 7 3700X', 'Ryzen 5 5600X'], make: (rng, model) => {
    const cpu = `AMD ${model}`;
    return { specs: { cpu, cpu_family: cpuFamily(cpu), socket: 'AM4' }, dollars: 70 + rng() * 80 };
  } },
  { category: 'graphics-cards', brand: 'NVIDIA', models: ['Quadro P4000', 'Quadro RTX 4000', 'GeForce GTX 1070', 'GeForce RTX 2060'], make: (rng, model) => {
    const vram = pick(rng, [6, 8]);
    return { specs: { gpu: `NVIDIA ${model}`, vram_gb: vram, memory_type: /1070|P4000/.test(model) ? 'GDDR5' : 'GDDR6' }, dollars: 110 + vram * 15 + rng() * 60 };
  } },
  { category: 'graphics-cards', brand: 'AMD', models: ['Radeon RX 580', 'Radeon RX 5700', 'Radeon Pro W5500'], make: (rng, model) => {
    return { specs: { gpu: `AMD ${model}`, vram_gb: 8, memory_type: model === 'Radeon RX 580' ? 'GDDR5' : 'GDDR6' }, dollars: 90 + rng() * 90 };
  } },
  ...['Samsung', 'Micron', 'SK hynix', 'Kingston'].map((brand): Family => ({
    category: 'memory', brand, models: ['DDR4 RDIMM', 'DDR4 DIMM', 'DDR4 SODIMM'], make: (rng, model) => {
      const size = pick(rng, [8, 16, 32, 64]);
      const speed = pick(rng, ['DDR4-2400', 'DDR4-2666', 'DDR4-2933', 'DDR4-3200']);
      return { specs: { ram_gb: size, memory_type: 'DDR4', speed, form_factor: model.split(' ')[1], ecc: model.includes('RDIMM') }, dollars: 8 + size * 1.3 };
    },
  })),
  ...['Samsung', 'Intel', 'Seagate', 'Western Digital', 'Crucial'].map((brand): Family => ({
    category: 'storage', brand, models: ['SSD', 'Enterprise SSD', 'HDD'], make: (rng, model) => {
      const hdd = model === 'HDD';
      const size = hdd ? pick(rng, [2000, 4000, 8000, 10000, 12000]) : pick(rng, [240, 480, 960, 1000, 1920, 2000]);
      return { specs: { storage_gb: size, storage_type: hdd ? 'HDD' : pick(rng, ['SATA SSD', 'NVMe SSD']), form_factor: hdd ? '3.5"' : pick(rng, ['2.5"', 'M.2 2280']) }, dollars: hdd ? 20 + size * 0.01 : 15 + size * 0.05 };
    },
  })),
  ...Object.entries(SWITCH_PORTS).map(([brand, ports]): Family => ({
    category: 'networking', brand, models: Object.keys(ports), make: (rng, model) => ({
      specs: { ports: ports[model], port_speed: '1GbE', uplinks: pick(rng, ['2× SFP', '4× SFP', '4× SFP+ 10GbE']), managed: pick(rng, ['Layer 2', 'Layer 3', 'Smart managed']), poe: rng() < 0.3 },
      dollars: 30 + ports[model] * 5 + rng() * 80,
    }),
  })),
];

/** One picture per model: every generated product of a model shows it. */
const MODEL_IMAGES = FAMILIES.flatMap((f) => f.models.map((model) => ({ key: slugify(`${f.brand} ${model}`), name: `${f.brand} ${model}`, brand: f.brand, category: f.category, family: model })));

const GRADES: readonly Grade[] = ['A', 'A', 'B', 'B', 'B', 'B', 'C', 'C', 'D'];
const GRADE_FACTOR: Record<Grade, number> = { A: 1.1, B: 1, C: 0.88, D: 0.75 };
const GRADE_NOTE: Record<Grade, string> = {
  A: 'Like new, with no visible marks.',
  B: 'Light signs of use that are hard to spot.',
  C: 'Visible scratches and scuffs; fully functional.',
  D: 'Heavy cosmetic wear; fully functional and priced accordingly.',
};

/** Generated products per product family. */
const FAMILY_SIZE = 4;

/** Serial numbers are zero-padded so the largest sorts last. */
const SERIAL_DIGITS = 8;

function generated(seed: number, n: number, categoryIds: Map<string, number>, now: Date) {
  // One generator per product keeps product n identical however the run is batched. Products come in
  // product families of FAMILY_SIZE consecutive numbers: one model (drawn from the block's own generator)
  // in the grades and configurations each product draws.
  const rng = mulberry32(Math.imul(seed, 0x9e3779b1) + n);
  const block = Math.floor(n / FAMILY_SIZE);
  const blockRng = mulberry32(Math.imul(seed, 0x85ebca6b) + block);
  const family = pick(blockRng, FAMILIES);
  const model = pick(blockRng, family.models);
  const grade = pick(rng, GRADES);
  const { specs, dollars } = family.make(rng, model);
  const priceCents = Math.max(1, Math.round(dollars * GRADE_FACTOR[grade])) * 100 - 1;
  const title = `${family.brand} ${model}`;
  const createdAt = toDbTime(new Date(now.getTime() - Math.floor(rng() * 365 * DAY)));
  const product = toProductRow(
    {
      slug: `${slugify(title)}-g${seed}-${n}`,
      name: `${title} #${n}`,
      brand: family.brand,
      description: `Refurbished ${title}, tested, cleaned and securely wiped by our technicians. Grade ${grade}: ${GRADE_NOTE[grade]}`,
      grade,
      priceCents,
      unitCostCents: Math.round(priceCents * (0.6 + rng() * 0.1)),
      warrantyMonths: grade === 'D' ? 3 : pick(rng, [6, 12, 12, 24]),
      featured: false,
      specs,
      images: [genericImagePath(slugify(title))],
      family: `${slugify(title)}-g${seed}-f${block}`,
    },
    categoryIds.get(family.category)!,
    createdAt,
  );
  const unit = {
    serialNumber: `GEN-${seed}-${String(n).padStart(SERIAL_DIGITS, '0')}`,
    grade,
    costCents: product.unit_cost_cents,
  };
  return { product, unit };
}

/** The last number used by an earlier run with this seed, so re-runs append instead of colliding. */
async function lastNumber(db: Knex, seed: number): Promise<number> {
  const row = await db('inventory_units').where('serial_number', 'like', `GEN-${seed}-%`).max('serial_number as max').first();
  const max = row?.max as string | null | undefined;
  return max ? Number(max.slice(max.lastIndexOf('-') + 1)) : 0;
}

/**
 * Adds `count` active products with one in-stock unit each, in transactions of
 * `batchSize` rows. Creates the standard categories when the store has none.
 */
export async function generateProducts(
  db: Knex,
  count: number,
  opts: { onProgress?: (done: number, total: number) => void; batchSize?: number; seed?: number; now?: Date } = {},
): Promise<void> {
  const seed = opts.seed ?? 1;
  const batchSize = Math.max(1, opts.batchSize ?? 1000);
  const now = opts.now ?? new Date();
  const { ids: categoryIds } = await db.transaction((trx) => ensureCategories(trx, now));
  writeGenericImages(MODEL_IMAGES);
  const start = await lastNumber(db, seed);

  for (let done = 0; done < count; ) {
    const size = Math.min(batchSize, count - done);
    const batch = Array.from({ length: size }, (_, i) => generated(seed, start + done + i + 1, categoryIds, now));
    await db.transaction(async (trx) => {
      await insertInChunks(trx, 'products', batch.map((b) => b.product), batchSize);
      const slugs = batch.map((b) => b.product.slug);
      const idBySlug = new Map((await trx('products').select('id', 'slug').whereIn('slug', slugs)).map((r) => [r.slug as string, r.id as number]));
      const units = batch.map((b) => ({ ...b.unit, productId: idBySlug.get(b.product.slug)! }));
      await receiveUnits(trx, units, { actor: { userId: null, label: 'seed' }, note: 'Generated catalog', now });
    });
    done += size;
    opts.onProgress?.(done, count);
  }
}
