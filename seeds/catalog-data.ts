import type { Grade } from '../src/catalog/grades';
import { slugify, type Specs } from '../src/catalog/product-row';

/** The hand-written demo catalog (products row building: src/catalog/product-row.ts). */

export interface CategoryDef {
  slug: string;
  name: string;
  description: string;
  position: number;
  parent: string | null;
}

/** Parents come before their children, so inserting in this order always works. */
export const CATEGORIES: CategoryDef[] = [
  { slug: 'laptops', name: 'Laptops', position: 1, parent: null, description: 'Refurbished notebooks, tested and wiped, with fresh OS installs.' },
  { slug: 'desktops', name: 'Desktops', position: 2, parent: null, description: 'Towers, small form factor and all-in-one computers for office and home.' },
  { slug: 'monitors', name: 'Monitors', position: 3, parent: null, description: 'Displays checked for dead pixels, backlight bleed and burn-in.' },
  { slug: 'servers', name: 'Servers', position: 4, parent: null, description: 'Rack and tower servers with iDRAC/iLO/XCC reset and firmware updated.' },
  { slug: 'components', name: 'Components', position: 5, parent: null, description: 'Processors, graphics cards, memory and drives pulled from working systems.' },
  { slug: 'networking', name: 'Networking', position: 6, parent: null, description: 'Switches, access points and firewalls, factory reset and tested.' },
  { slug: 'business-laptops', name: 'Business Laptops', position: 1, parent: 'laptops', description: 'ThinkPad, Latitude and EliteBook: built for daily work and easy repair.' },
  { slug: 'workstation-laptops', name: 'Workstation Laptops', position: 2, parent: 'laptops', description: 'Mobile workstations with professional GPUs and plenty of memory.' },
  { slug: 'mini-pcs', name: 'Mini PCs', position: 1, parent: 'desktops', description: 'Tiny, quiet and frugal desktops that mount behind a monitor.' },
  { slug: 'graphics-cards', name: 'Graphics Cards', position: 1, parent: 'components', description: 'Gaming and professional GPUs, stress-tested before listing.' },
  { slug: 'memory', name: 'Memory', position: 2, parent: 'components', description: 'Desktop, laptop and server RAM, verified with a full memtest pass.' },
  { slug: 'storage', name: 'Storage', position: 3, parent: 'components', description: 'SSDs and hard drives with SMART health reported, securely erased.' },
];

export function topLevelOf(categorySlug: string): string {
  const cat = CATEGORIES.find((c) => c.slug === categorySlug);
  if (!cat) throw new Error(`Unknown category "${categorySlug}"`);
  return cat.parent ?? cat.slug;
}

export interface DemoUnit {
  serial: string;
  grade: Grade;
}

export interface DemoProduct {
  slug: string;
  name: string;
  brand: string;
  category: string;
  grade: Grade;
  priceCents: number;
  unitCostCents: number;
  warrantyMonths: number;
  featured: boolean;
  description: string;
  specs: Specs;
  /** The product family (one model in several grades and configurations), if any. */
  family?: string;
  units: DemoUnit[];
}

// ---------------------------------------------------------------------------
// The catalog. Entries are appended, never reordered: serial numbers derive
// from the position in this list.

interface Entry {
  name: string;
  /** Default: made from the name. Family members that share a name add their grade. */
  slug?: string;
  brand: string;
  category: string;
  grade: Grade;
  price: number; // whole dollars; converted to cents below
  warranty: number;
  /** Units in stock; 0 shows the product sold out. */
  stock: 0 | 1 | 2 | 3;
  featured?: boolean;
  description: string;
  specs: Specs;
  family?: string;
}

const ENTRIES: Entry[] = [
  // --- laptops -------------------------------------------------------------
  {
    name: 'Apple MacBook Air 13" M1 (2020)', family: 'macbook-air-13-m1-2020', brand: 'Apple', category: 'laptops', grade: 'A', price: 549, warranty: 12, stock: 3, featured: true,
    description: 'Near-flawless MacBook Air with battery health above 88 %. Erased and reinstalled with the latest macOS it supports; Activation Lock removed. Comes with a compatible 30 W USB-C charger.',
    specs: { cpu: 'Apple M1 8-core', cpu_family: 'Apple M1', ram_gb: 8, storage_gb: 256, storage_type: 'SSD', screen_in: 13.3, resolution: '2560×1600', panel: 'IPS Retina', gpu: 'Apple 7-core GPU', ports: '2× Thunderbolt / USB 4, 3.5 mm audio', os: 'macOS' },
  },
  {
    name: 'Apple MacBook Pro 13" M1 (2020)', brand: 'Apple', category: 'laptops', grade: 'B', price: 749, warranty: 12, stock: 2,
    description: 'Light scuffs on the lid and bottom case, none on the display. Battery health is at least 85 % and the keyboard and Touch Bar were fully tested. Ships with a 61 W USB-C charger.',
    specs: { cpu: 'Apple M1 8-core', cpu_family: 'Apple M1', ram_gb: 16, storage_gb: 512, storage_type: 'SSD', screen_in: 13.3, resolution: '2560×1600', panel: 'IPS Retina', gpu: 'Apple 8-core GPU', ports: '2× Thunderbolt / USB 4, 3.5 mm audio', os: 'macOS' },
  },
  {
    name: 'Dell XPS 13 9310', brand: 'Dell', category: 'laptops', grade: 'B', price: 579, warranty: 12, stock: 2,
    description: 'A compact ultrabook with minor wear on the palm rest. The battery holds about 80 % of its design capacity. Fresh Windows 11 Pro install with Dell drivers.',
    specs: { cpu: 'Intel Core i7-1185G7', cpu_family: 'Intel Core i7', ram_gb: 16, storage_gb: 512, storage_type: 'NVMe SSD', screen_in: 13.4, resolution: '1920×1200', panel: 'IPS', gpu: 'Intel Iris Xe', ports: '2× Thunderbolt 4, microSD, 3.5 mm audio', os: 'Windows 11 Pro' },
  },
  {
    name: 'HP Spectre x360 14', brand: 'HP', category: 'laptops', grade: 'B', price: 629, warranty: 12, stock: 1,
    description: 'Convertible 3:2 OLED laptop with a few hairline marks on the aluminium edges. The touch screen and pen digitizer work perfectly; the pen is not included. Battery capacity tested at 82 %.',
    specs: { cpu: 'Intel Core i7-1165G7', cpu_family: 'Intel Core i7', ram_gb: 16, storage_gb: 1000, storage_type: 'NVMe SSD', screen_in: 13.5, resolution: '3000×2000', panel: 'OLED touch', gpu: 'Intel Iris Xe', ports: '2× Thunderbolt 4, USB-A, microSD', os: 'Windows 11 Home' },
  },
  {
    name: 'Lenovo IdeaPad 5 14ALC05', brand: 'Lenovo', category: 'laptops', grade: 'C', price: 329, warranty: 6, stock: 2,
    description: 'A good everyday laptop with visible scratches on the lid and some shine on the keys. Everything works, including the fingerprint reader. Battery runs about five hours of web browsing.',
    specs: { cpu: 'AMD Ryzen 5 5500U', cpu_family: 'AMD Ryzen 5', ram_gb: 8, storage_gb: 512, storage_type: 'NVMe SSD', screen_in: 14, resolution: '1920×1080', panel: 'IPS', gpu: 'AMD Radeon Graphics', ports: 'USB-C, 2× USB-A, HDMI, SD', os: 'Windows 11 Home' },
  },

  // --- business laptops ----------------------------------------------------
  {
    name: 'Lenovo ThinkPad T14 Gen 2', family: 'thinkpad-t14-gen-2', brand: 'Lenovo', category: 'business-laptops', grade: 'A', price: 449, warranty: 12, stock: 3, featured: true,
    description: 'Off-lease ThinkPad in excellent shape, with no marks worth mentioning. Battery health is above 85 % and the keyboard is the original, fully tested. Includes a 65 W USB-C charger.',
    specs: { cpu: 'Intel Core i5-1145G7', cpu_family: 'Intel Core i5', ram_gb: 16, storage_gb: 512, storage_type: 'NVMe SSD', screen_in: 14, resolution: '1920×1080', panel: 'IPS', gpu: 'Intel Iris Xe', ports: '2× Thunderbolt 4, 2× USB-A, HDMI, RJ45', os: 'Windows 11 Pro' },
  },
  {
    name: 'Lenovo ThinkPad X1 Carbon Gen 9', brand: 'Lenovo', category: 'business-laptops', grade: 'A', price: 699, warranty: 12, stock: 2, featured: true,
    description: 'A 1.1 kg carbon-fibre ThinkPad that looks close to new. The 16:10 display is free of pressure marks and the battery tests at 90 %. Windows 11 Pro is activated from the embedded licence.',
    specs: { cpu: 'Intel Core i7-1185G7', cpu_family: 'Intel Core i7', ram_gb: 16, storage_gb: 512, storage_type: 'NVMe SSD', screen_in: 14, resolution: '1920×1200', panel: 'IPS', gpu: 'Intel Iris Xe', ports: '2× Thunderbolt 4, 2× USB-A, HDMI', os: 'Windows 11 Pro' },
  },
  {
    name: 'Lenovo ThinkPad T480', brand: 'Lenovo', category: 'business-laptops', grade: 'C', price: 249, warranty: 6, stock: 3,
    description: 'An older but dependable ThinkPad with worn paint around the palm rest and a few lid scratches. Both the internal and the hot-swap rear battery are included and hold a usable charge. Upgraded to 16 GB of RAM by our technicians.',
    specs: { cpu: 'Intel Core i5-8350U', cpu_family: 'Intel Core i5', ram_gb: 16, storage_gb: 256, storage_type: 'NVMe SSD', screen_in: 14, resolution: '1920×1080', panel: 'IPS', gpu: 'Intel UHD 620', ports: 'Thunderbolt 3, 2× USB-A, HDMI, RJ45, SD', os: 'Windows 11 Pro' },
  },
  {
    name: 'Dell Latitude 7420', family: 'latitude-7420', brand: 'Dell', category: 'business-laptops', grade: 'B', price: 499, warranty: 12, stock: 2,
    description: 'Premium Latitude with light cosmetic wear on the bottom cover. Battery health is around 84 % and the smart-card reader works. Ships with a 65 W Dell USB-C adapter.',
    specs: { cpu: 'Intel Core i7-1185G7', cpu_family: 'Intel Core i7', ram_gb: 16, storage_gb: 512, storage_type: 'NVMe SSD', screen_in: 14, resolution: '1920×1080', panel: 'IPS', gpu: 'Intel Iris Xe', ports: '2× Thunderbolt 4, USB-A, HDMI, microSD', os: 'Windows 11 Pro' },
  },
  {
    name: 'Dell Latitude 5420', brand: 'Dell', category: 'business-laptops', grade: 'B', price: 349, warranty: 12, stock: 3,
    description: 'A practical mainstream business laptop with minor scuffs. It has 8 GB of RAM in one slot, so a second module can be added later. Battery tested at 80 % or better.',
    specs: { cpu: 'Intel Core i5-1145G7', cpu_family: 'Intel Core i5', ram_gb: 8, storage_gb: 256, storage_type: 'NVMe SSD', screen_in: 14, resolution: '1920×1080', panel: 'IPS', gpu: 'Intel Iris Xe', ports: 'Thunderbolt 4, USB-C, 2× USB-A, HDMI, RJ45', os: 'Windows 11 Pro' },
  },
  {
    name: 'HP EliteBook 840 G8', brand: 'HP', category: 'business-laptops', grade: 'B', price: 429, warranty: 12, stock: 2,
    description: 'Slim aluminium EliteBook with small marks on the lid. The 400-nit display is bright and evenly lit, and the battery tests at 83 %. BIOS password and Computrace were cleared by the previous owner.',
    specs: { cpu: 'Intel Core i5-1145G7', cpu_family: 'Intel Core i5', ram_gb: 16, storage_gb: 256, storage_type: 'NVMe SSD', screen_in: 14, resolution: '1920×1080', panel: 'IPS', gpu: 'Intel Iris Xe', ports: '2× Thunderbolt 4, 2× USB-A, HDMI', os: 'Windows 11 Pro' },
  },
  {
    name: 'HP EliteBook 845 G8', brand: 'HP', category: 'business-laptops', grade: 'A', price: 479, warranty: 12, stock: 1,
    description: 'Eight-core Ryzen PRO EliteBook in like-new condition. Battery health is above 90 % and the chassis has no visible marks. A strong choice for heavy multitasking on a budget.',
    specs: { cpu: 'AMD Ryzen 7 PRO 5850U', cpu_family: 'AMD Ryzen 7', ram_gb: 16, storage_gb: 512, storage_type: 'NVMe SSD', screen_in: 14, resolution: '1920×1080', panel: 'IPS', gpu: 'AMD Radeon Graphics', ports: '2× USB-C, 2× USB-A, HDMI', os: 'Windows 11 Pro' },
  },
  {
    name: 'Lenovo ThinkPad E14 Gen 2', brand: 'Lenovo', category: 'business-laptops', grade: 'D', price: 229, warranty: 3, stock: 1,
    description: 'Fully functional but clearly used: deep scratches on the lid, a small dent on one corner and faint marks on the screen that are visible on white backgrounds. The battery lasts about three hours. Priced accordingly for students and spare-laptop use.',
    specs: { cpu: 'AMD Ryzen 5 4500U', cpu_family: 'AMD Ryzen 5', ram_gb: 8, storage_gb: 256, storage_type: 'NVMe SSD', screen_in: 14, resolution: '1920×1080', panel: 'IPS', gpu: 'AMD Radeon Graphics', ports: 'USB-C, 2× USB-A, HDMI, RJ45', os: 'Windows 11 Pro' },
  },

  // --- workstation laptops -------------------------------------------------
  {
    name: 'Lenovo ThinkPad P15 Gen 2', brand: 'Lenovo', category: 'workstation-laptops', grade: 'B', price: 1149, warranty: 12, stock: 2, featured: true,
    description: 'An ISV-certified mobile workstation with light wear on the palm rest. The RTX A2000 passed a one-hour stress test without throttling. Includes the 230 W slim-tip power adapter.',
    specs: { cpu: 'Intel Core i7-11850H', cpu_family: 'Intel Core i7', ram_gb: 32, storage_gb: 1000, storage_type: 'NVMe SSD', screen_in: 15.6, resolution: '1920×1080', panel: 'IPS', gpu: 'NVIDIA RTX A2000 4GB', ports: '2× Thunderbolt 4, 3× USB-A, HDMI 2.1, RJ45, SD', os: 'Windows 11 Pro' },
  },
  {
    name: 'Dell Precision 7550', brand: 'Dell', category: 'workstation-laptops', grade: 'B', price: 899, warranty: 12, stock: 2,
    description: 'A heavy-duty 15.6" workstation with minor scuffs on the corners. Thermal paste was renewed during refurbishment. The battery holds about 78 % of its original capacity.',
    specs: { cpu: 'Intel Core i7-10850H', cpu_family: 'Intel Core i7', ram_gb: 32, storage_gb: 1000, storage_type: 'NVMe SSD', screen_in: 15.6, resolution: '1920×1080', panel: 'IPS', gpu: 'NVIDIA Quadro T2000 4GB', ports: '2× Thunderbolt 3, 2× USB-A, HDMI, RJ45, SD', os: 'Windows 11 Pro' },
  },
  {
    name: 'HP ZBook Fury 15 G7', brand: 'HP', category: 'workstation-laptops', grade: 'A', price: 1299, warranty: 12, stock: 1,
    description: 'Xeon-powered ZBook with ECC memory in near-new condition. The tool-less bottom panel makes later upgrades easy. Tested with a full day of CAD and rendering workloads.',
    specs: { cpu: 'Intel Xeon W-10885M', cpu_family: 'Intel Xeon', ram_gb: 64, storage_gb: 1000, storage_type: 'NVMe SSD', screen_in: 15.6, resolution: '3840×2160', panel: 'IPS DreamColor', gpu: 'NVIDIA Quadro RTX 3000 6GB', ports: '2× Thunderbolt 3, 3× USB-A, HDMI, RJ45', os: 'Windows 11 Pro' },
  },
  {
    name: 'Dell Precision 5560', brand: 'Dell', category: 'workstation-laptops', grade: 'B', price: 1099, warranty: 12, stock: 1,
    description: 'A thin workstation with a 16:10 display and a few light marks on the lid. Battery health is around 82 %. Ships with a 130 W USB-C charger.',
    specs: { cpu: 'Intel Core i7-11850H', cpu_family: 'Intel Core i7', ram_gb: 32, storage_gb: 1000, storage_type: 'NVMe SSD', screen_in: 15.6, resolution: '1920×1200', panel: 'IPS', gpu: 'NVIDIA RTX A2000 4GB', ports: '2× Thunderbolt 4, USB-C, SD', os: 'Windows 11 Pro' },
  },
  {
    name: 'HP ZBook Firefly 14 G8', brand: 'HP', category: 'workstation-laptops', grade: 'C', price: 649, warranty: 6, stock: 2,
    description: 'A light entry-level workstation with noticeable scratches on the lid and bottom. The screen and keyboard are in good shape. Battery holds about 75 % of its design capacity.',
    specs: { cpu: 'Intel Core i7-1165G7', cpu_family: 'Intel Core i7', ram_gb: 16, storage_gb: 512, storage_type: 'NVMe SSD', screen_in: 14, resolution: '1920×1080', panel: 'IPS', gpu: 'NVIDIA T500 4GB', ports: '2× Thunderbolt 4, 2× USB-A, HDMI', os: 'Windows 11 Pro' },
  },

  // --- desktops ------------------------------------------------------------
  {
    name: 'Dell OptiPlex 7090 Tower', family: 'optiplex-7090-tower', brand: 'Dell', category: 'desktops', grade: 'A', price: 449, warranty: 12, stock: 3,
    description: 'An eight-core office tower that looks like new. Room for a full-height graphics card and two more drives. Keyboard and mouse are not included.',
    specs: { cpu: 'Intel Core i7-10700', cpu_family: 'Intel Core i7', ram_gb: 16, storage_gb: 512, storage_type: 'NVMe SSD', gpu: 'Intel UHD 630', ports: '2× DisplayPort, HDMI, 8× USB, RJ45', form_factor: 'Tower', os: 'Windows 11 Pro' },
  },
  {
    name: 'HP EliteDesk 800 G6 Tower', brand: 'HP', category: 'desktops', grade: 'B', price: 379, warranty: 12, stock: 2,
    description: 'A quiet business tower with a few scuffs on the side panel. Tested with a 24-hour burn-in and a full memory test. Fresh Windows 11 Pro install.',
    specs: { cpu: 'Intel Core i5-10500', cpu_family: 'Intel Core i5', ram_gb: 16, storage_gb: 512, storage_type: 'NVMe SSD', gpu: 'Intel UHD 630', ports: '2× DisplayPort, 10× USB, RJ45', form_factor: 'Tower', os: 'Windows 11 Pro' },
  },
  {
    name: 'Lenovo ThinkCentre M920t', brand: 'Lenovo', category: 'desktops', grade: 'C', price: 299, warranty: 6, stock: 2,
    description: 'A well-used tower with scratches on the case and a yellowed front badge. Internally clean, with a new SSD fitted during refurbishment. Great value as a home office PC.',
    specs: { cpu: 'Intel Core i7-8700', cpu_family: 'Intel Core i7', ram_gb: 16, storage_gb: 512, storage_type: 'SSD', gpu: 'Intel UHD 630', ports: '2× DisplayPort, HDMI, 8× USB, RJ45', form_factor: 'Tower', os: 'Windows 11 Pro' },
  },
  {
    name: 'Dell Precision 3650 Tower', brand: 'Dell', category: 'desktops', grade: 'B', price: 849, warranty: 12, stock: 1,
    description: 'An entry workstation with ECC memory and a professional graphics card. Minor marks on the top of the case. Certified for common CAD packages.',
    specs: { cpu: 'Intel Xeon W-1350', cpu_family: 'Intel Xeon', ram_gb: 32, storage_gb: 1000, storage_type: 'NVMe SSD', gpu: 'NVIDIA Quadro P2200 5GB', ports: '4× DisplayPort, 10× USB, RJ45', form_factor: 'Tower', os: 'Windows 11 Pro' },
  },
  {
    name: 'HP Z4 G4 Workstation', brand: 'HP', category: 'desktops', grade: 'B', price: 999, warranty: 12, stock: 1,
    description: 'A serviceable workstation tower with 64 GB of ECC memory and a Quadro P4000. Light wear on the handles. The 750 W power supply leaves headroom for GPU upgrades.',
    specs: { cpu: 'Intel Xeon W-2135', cpu_family: 'Intel Xeon', ram_gb: 64, storage_gb: 1000, storage_type: 'NVMe SSD', gpu: 'NVIDIA Quadro P4000 8GB', ports: '4× DisplayPort, 8× USB, 2× RJ45', form_factor: 'Tower', os: 'Windows 11 Pro' },
  },
  {
    name: 'Apple iMac 24" M1 (2021)', brand: 'Apple', category: 'desktops', grade: 'A', price: 849, warranty: 12, stock: 1,
    description: 'All-in-one iMac in blue with a flawless 4.5K display. Erased and reinstalled with the latest macOS it supports. Includes the original Magic Keyboard and power cable.',
    specs: { cpu: 'Apple M1 8-core', cpu_family: 'Apple M1', ram_gb: 8, storage_gb: 256, storage_type: 'SSD', screen_in: 24, resolution: '4480×2520', panel: 'IPS Retina', gpu: 'Apple 8-core GPU', ports: '2× Thunderbolt / USB 4, 2× USB-C', form_factor: 'All-in-one', os: 'macOS' },
  },

  // --- mini PCs --------------------------------------------------------------
  {
    name: 'Dell OptiPlex 7080 Micro', brand: 'Dell', category: 'mini-pcs', grade: 'A', price: 299, warranty: 12, stock: 3, featured: true,
    description: 'A palm-sized office PC in excellent condition. Silent at idle and uses under 15 W. Includes the 90 W power brick; VESA mount sold separately.',
    specs: { cpu: 'Intel Core i5-10500T', cpu_family: 'Intel Core i5', ram_gb: 16, storage_gb: 256, storage_type: 'NVMe SSD', gpu: 'Intel UHD 630', ports: '2× DisplayPort, HDMI, 6× USB, RJ45', form_factor: 'Micro', os: 'Windows 11 Pro' },
  },
  {
    name: 'Lenovo ThinkCentre M720q Tiny', brand: 'Lenovo', category: 'mini-pcs', grade: 'B', price: 179, warranty: 12, stock: 3,
    description: 'A popular home-lab and office mini PC with light scuffs. It has a free PCIe slot with an optional riser. Includes the 65 W power adapter.',
    specs: { cpu: 'Intel Core i5-8500T', cpu_family: 'Intel Core i5', ram_gb: 8, storage_gb: 256, storage_type: 'NVMe SSD', gpu: 'Intel UHD 630', ports: '2× DisplayPort, 6× USB, RJ45', form_factor: 'Tiny', os: 'Windows 11 Pro' },
  },
  {
    name: 'HP EliteDesk 800 G5 Mini', brand: 'HP', category: 'mini-pcs', grade: 'B', price: 289, warranty: 12, stock: 2,
    description: 'An eight-core mini desktop with small marks on the top cover. Drives up to three 4K displays. Power adapter included.',
    specs: { cpu: 'Intel Core i7-9700T', cpu_family: 'Intel Core i7', ram_gb: 16, storage_gb: 512, storage_type: 'NVMe SSD', gpu: 'Intel UHD 630', ports: '2× DisplayPort, 5× USB, RJ45', form_factor: 'Mini', os: 'Windows 11 Pro' },
  },
  {
    name: 'Apple Mac mini M1 (2020)', brand: 'Apple', category: 'mini-pcs', grade: 'A', price: 429, warranty: 12, stock: 2, featured: true,
    description: 'Like-new Mac mini with no visible marks. Erased, Activation Lock removed and reinstalled with the latest macOS it supports. Power cable included.',
    specs: { cpu: 'Apple M1 8-core', cpu_family: 'Apple M1', ram_gb: 8, storage_gb: 256, storage_type: 'SSD', gpu: 'Apple 8-core GPU', ports: '2× Thunderbolt / USB 4, 2× USB-A, HDMI, RJ45', form_factor: 'Mini', os: 'macOS' },
  },
  {
    name: 'Lenovo ThinkCentre M75q Gen 2', brand: 'Lenovo', category: 'mini-pcs', grade: 'B', price: 329, warranty: 12, stock: 1,
    description: 'A six-core Ryzen PRO tiny desktop with light wear. The integrated Radeon graphics handle three displays. Includes the power adapter and a vertical stand.',
    specs: { cpu: 'AMD Ryzen 5 PRO 4650GE', cpu_family: 'AMD Ryzen 5', ram_gb: 16, storage_gb: 512, storage_type: 'NVMe SSD', gpu: 'AMD Radeon Graphics', ports: 'DisplayPort, HDMI, USB-C, 5× USB-A, RJ45', form_factor: 'Tiny', os: 'Windows 11 Pro' },
  },

  // --- monitors -------------------------------------------------------------
  {
    name: 'Dell UltraSharp U2719D', brand: 'Dell', category: 'monitors', grade: 'B', price: 199, warranty: 12, stock: 3,
    description: 'A colour-accurate 27" QHD monitor with light marks on the stand. No dead pixels and even backlighting. Includes the height-adjustable stand and a DisplayPort cable.',
    specs: { screen_in: 27, resolution: '2560×1440', panel: 'IPS', refresh_hz: 60, ports: 'DisplayPort in/out, HDMI, 4× USB hub' },
  },
  {
    name: 'Dell P2419H', brand: 'Dell', category: 'monitors', grade: 'B', price: 99, warranty: 12, stock: 3,
    description: 'A reliable 24" Full HD office monitor with thin bezels. Small scuffs on the back, none on the screen. Stand and power cable included.',
    specs: { screen_in: 24, resolution: '1920×1080', panel: 'IPS', refresh_hz: 60, ports: 'DisplayPort, HDMI, VGA, 4× USB hub' },
  },
  {
    name: 'LG 27UL850-W', brand: 'LG', category: 'monitors', grade: 'A', price: 279, warranty: 12, stock: 2,
    description: 'A 27" 4K monitor with USB-C power delivery, in near-new condition. One cable charges and connects a laptop. HDR400 and a factory-calibrated sRGB mode.',
    specs: { screen_in: 27, resolution: '3840×2160', panel: 'IPS', refresh_hz: 60, ports: 'USB-C (60 W), DisplayPort, 2× HDMI, 2× USB hub' },
  },
  {
    name: 'HP Z27 4K', brand: 'HP', category: 'monitors', grade: 'B', price: 259, warranty: 12, stock: 1,
    description: 'A professional 27" 4K display with a few marks on the bezel. Uniform backlight and no dead pixels. USB-C input is included for laptops.',
    specs: { screen_in: 27, resolution: '3840×2160', panel: 'IPS', refresh_hz: 60, ports: 'USB-C, DisplayPort, mini DisplayPort, HDMI' },
  },
  {
    name: 'Lenovo ThinkVision T24i-20', brand: 'Lenovo', category: 'monitors', grade: 'C', price: 109, warranty: 6, stock: 2,
    description: 'A 24" office monitor with visible scratches on the stand and frame. The panel itself is clean with no dead pixels. Stand and cables included.',
    specs: { screen_in: 23.8, resolution: '1920×1080', panel: 'IPS', refresh_hz: 60, ports: 'DisplayPort, HDMI, VGA, 4× USB hub' },
  },
  {
    name: 'Dell UltraSharp U3419W', brand: 'Dell', category: 'monitors', grade: 'B', price: 399, warranty: 12, stock: 2, featured: true,
    description: 'A 34" curved ultrawide with light wear on the stand. The panel is free of dead pixels and has only minimal IPS glow. USB-C with 90 W charging for a single-cable desk.',
    specs: { screen_in: 34, resolution: '3440×1440', panel: 'IPS curved', refresh_hz: 60, ports: 'USB-C (90 W), DisplayPort, 2× HDMI, 4× USB hub' },
  },
  {
    name: 'ASUS ProArt PA278QV', brand: 'ASUS', category: 'monitors', grade: 'A', price: 229, warranty: 12, stock: 1,
    description: 'A Calman-verified 27" QHD monitor for photo and design work, in like-new condition. 100 % sRGB coverage and an ergonomic stand. Original box and accessories.',
    specs: { screen_in: 27, resolution: '2560×1440', panel: 'IPS', refresh_hz: 75, ports: 'DisplayPort in/out, mini DisplayPort, HDMI, 4× USB hub' },
  },
  {
    name: 'Samsung S24R350', brand: 'Samsung', category: 'monitors', grade: 'D', price: 69, warranty: 3, stock: 1,
    description: 'Works well but shows its age: scratches on the glossy frame and a light mark on the screen visible only when it is off. 75 Hz Full HD with FreeSync. Budget second screen.',
    specs: { screen_in: 24, resolution: '1920×1080', panel: 'IPS', refresh_hz: 75, ports: 'HDMI, VGA' },
  },

  // --- servers -------------------------------------------------------------
  {
    name: 'Dell PowerEdge R640', brand: 'Dell', category: 'servers', grade: 'B', price: 1899, warranty: 24, stock: 2, featured: true,
    description: 'A 1U dual-socket server pulled from a decommissioned data centre rack. Firmware updated, iDRAC reset to defaults and every DIMM slot tested. Rails and both power supplies included.',
    specs: { cpu: '2× Intel Xeon Gold 6138 (20-core)', cpu_family: 'Intel Xeon', ram_gb: 256, storage_gb: 1920, storage_type: 'SATA SSD', raid: 'PERC H730P', network: '4× 10GbE SFP+', form_factor: '1U rack', psu: '2× 750 W' },
  },
  {
    name: 'Dell PowerEdge R740', brand: 'Dell', category: 'servers', grade: 'B', price: 2299, warranty: 24, stock: 1,
    description: 'A 2U virtualisation host with room for GPUs and 16 drive bays. Light rack rash on the ears only. Comes with rails, bezel and dual redundant power supplies.',
    specs: { cpu: '2× Intel Xeon Silver 4214 (12-core)', cpu_family: 'Intel Xeon', ram_gb: 128, storage_gb: 4800, storage_type: 'SAS HDD', raid: 'PERC H740P', network: '4× 1GbE', form_factor: '2U rack', psu: '2× 1100 W' },
  },
  {
    name: 'HPE ProLiant DL360 Gen10', brand: 'HPE', category: 'servers', grade: 'B', price: 1299, warranty: 12, stock: 2,
    description: 'A compact 1U HPE server with iLO 5 reset and the latest service pack applied. Minor scratches on the lid. Drives are not included; eight empty SFF caddies are.',
    specs: { cpu: '2× Intel Xeon Silver 4110 (8-core)', cpu_family: 'Intel Xeon', ram_gb: 64, raid: 'Smart Array P408i-a', network: '4× 1GbE', form_factor: '1U rack', psu: '2× 500 W' },
  },
  {
    name: 'HPE ProLiant DL380 Gen9', brand: 'HPE', category: 'servers', grade: 'C', price: 899, warranty: 12, stock: 2,
    description: 'An older but very capable 2U server with visible wear on the chassis. All fans and both power supplies were tested under load. An affordable home-lab workhorse, though it is loud.',
    specs: { cpu: '2× Intel Xeon E5-2680 v4 (14-core)', cpu_family: 'Intel Xeon', ram_gb: 128, storage_gb: 2400, storage_type: 'SAS HDD', raid: 'Smart Array P440ar', network: '4× 1GbE', form_factor: '2U rack', psu: '2× 800 W' },
  },
  {
    name: 'Lenovo ThinkSystem SR650', brand: 'Lenovo', category: 'servers', grade: 'B', price: 1749, warranty: 24, stock: 1,
    description: 'A 2U dual-socket ThinkSystem with XClarity Controller reset and firmware current. Light handling marks. Includes rails and redundant power supplies.',
    specs: { cpu: '2× Intel Xeon Gold 5118 (12-core)', cpu_family: 'Intel Xeon', ram_gb: 192, storage_gb: 1920, storage_type: 'SATA SSD', raid: 'ThinkSystem RAID 930-8i', network: '4× 10GbE', form_factor: '2U rack', psu: '2× 750 W' },
  },
  {
    name: 'Dell PowerEdge T440', brand: 'Dell', category: 'servers', grade: 'B', price: 1099, warranty: 12, stock: 1,
    description: 'A quiet tower server suited to small offices without a rack. Minor scuffs on the side panel. Dual hot-swap power supplies and four 2 TB drives included.',
    specs: { cpu: 'Intel Xeon Silver 4110 (8-core)', cpu_family: 'Intel Xeon', ram_gb: 64, storage_gb: 8000, storage_type: 'SATA HDD', raid: 'PERC H330', network: '2× 1GbE', form_factor: 'Tower', psu: '2× 495 W' },
  },
  {
    name: 'Supermicro AS-1014S-WTRT', brand: 'Supermicro', category: 'servers', grade: 'A', price: 1599, warranty: 24, stock: 1,
    description: 'A single-socket 1U EPYC server with onboard 10GBase-T, in near-new condition. BMC reset to a unique default password printed on the label. Rails included.',
    specs: { cpu: 'AMD EPYC 7302P (16-core)', cpu_family: 'AMD EPYC', ram_gb: 128, storage_gb: 1920, storage_type: 'NVMe SSD', network: '2× 10GBase-T', form_factor: '1U rack', psu: '2× 500 W' },
  },

  // --- components ------------------------------------------------------------
  {
    name: 'Intel Xeon Gold 6138 Processor', brand: 'Intel', category: 'components', grade: 'B', price: 79, warranty: 6, stock: 3,
    description: 'A 20-core LGA3647 server processor pulled from a working PowerEdge. Pins inspected under magnification. Tray packaging; no cooler included.',
    specs: { cpu: 'Intel Xeon Gold 6138 (20-core, 2.0 GHz)', cpu_family: 'Intel Xeon', socket: 'LGA3647', tdp_w: 125 },
  },
  {
    name: 'AMD Ryzen 7 5800X Processor', brand: 'AMD', category: 'components', grade: 'A', price: 179, warranty: 6, stock: 2,
    description: 'An eight-core AM4 desktop processor that was lightly used in a test bench. Stress-tested for 12 hours. Supplied in a protective clamshell; no cooler included.',
    specs: { cpu: 'AMD Ryzen 7 5800X (8-core, 3.8 GHz)', cpu_family: 'AMD Ryzen 7', socket: 'AM4', tdp_w: 105 },
  },

  // --- graphics cards --------------------------------------------------------
  {
    name: 'EVGA GeForce RTX 3060 XC 12GB', brand: 'EVGA', category: 'graphics-cards', grade: 'B', price: 249, warranty: 6, stock: 2,
    description: 'A dual-fan RTX 3060 with light marks on the backplate. Fans were cleaned and the card passed a one-hour 3DMark stress loop. No original box.',
    specs: { gpu: 'NVIDIA GeForce RTX 3060', vram_gb: 12, memory_type: 'GDDR6', outputs: '3× DisplayPort, HDMI', power: '1× 8-pin' },
  },
  {
    name: 'NVIDIA RTX A2000 12GB', brand: 'NVIDIA', category: 'graphics-cards', grade: 'A', price: 449, warranty: 12, stock: 2, featured: true,
    description: 'A low-profile professional GPU with ECC memory, like new. Fits small form factor workstations and needs no external power. Both full-height and low-profile brackets included.',
    specs: { gpu: 'NVIDIA RTX A2000', vram_gb: 12, memory_type: 'GDDR6 ECC', outputs: '4× mini DisplayPort', power: 'Slot powered (70 W)' },
  },
  {
    name: 'NVIDIA Quadro P2000 5GB', brand: 'NVIDIA', category: 'graphics-cards', grade: 'B', price: 129, warranty: 6, stock: 3,
    description: 'A single-slot workstation card, popular for media-server transcoding. Minor scuffs on the shroud. Full-height bracket only.',
    specs: { gpu: 'NVIDIA Quadro P2000', vram_gb: 5, memory_type: 'GDDR5', outputs: '4× DisplayPort', power: 'Slot powered (75 W)' },
  },
  {
    name: 'Sapphire Pulse Radeon RX 6600 8GB', brand: 'Sapphire', category: 'graphics-cards', grade: 'B', price: 189, warranty: 6, stock: 2,
    description: 'An efficient 1080p gaming card with light dust marks cleaned off. Stress-tested with stable temperatures. No original box.',
    specs: { gpu: 'AMD Radeon RX 6600', vram_gb: 8, memory_type: 'GDDR6', outputs: '3× DisplayPort, HDMI', power: '1× 8-pin' },
  },
  {
    name: 'MSI GeForce GTX 1660 Super Ventus XS 6GB', brand: 'MSI', category: 'graphics-cards', grade: 'C', price: 139, warranty: 3, stock: 1,
    description: 'A compact card with a scratched shroud and one slightly noisy fan at full speed. Performance is normal under load. A budget upgrade for older PCs.',
    specs: { gpu: 'NVIDIA GeForce GTX 1660 Super', vram_gb: 6, memory_type: 'GDDR6', outputs: '3× DisplayPort, HDMI', power: '1× 8-pin' },
  },

  // --- memory ----------------------------------------------------------------
  {
    name: 'Samsung 32GB DDR4-2666 ECC RDIMM', brand: 'Samsung', category: 'memory', grade: 'A', price: 39, warranty: 12, stock: 3,
    description: 'A registered ECC server module pulled from a decommissioned host. Passed a full memtest86 cycle. Compatible with most Xeon Scalable and EPYC platforms.',
    specs: { ram_gb: 32, memory_type: 'DDR4', speed: 'DDR4-2666', form_factor: 'RDIMM', ecc: true },
  },
  {
    name: 'Crucial 16GB Kit (2×8GB) DDR4-3200 SODIMM', brand: 'Crucial', category: 'memory', grade: 'A', price: 34, warranty: 12, stock: 3,
    description: 'A matched pair of laptop memory modules, removed during upgrades. Tested together in dual-channel mode. Works in most 2019+ laptops and mini PCs.',
    specs: { ram_gb: 16, memory_type: 'DDR4', speed: 'DDR4-3200', form_factor: 'SODIMM', ecc: false },
  },
  {
    name: 'Kingston FURY Beast 32GB Kit (2×16GB) DDR4-3200', brand: 'Kingston', category: 'memory', grade: 'B', price: 59, warranty: 12, stock: 2,
    description: 'Desktop memory with heat spreaders showing small scratches. XMP profile verified stable. Sold as a matched kit.',
    specs: { ram_gb: 32, memory_type: 'DDR4', speed: 'DDR4-3200', form_factor: 'DIMM', ecc: false },
  },
  {
    name: 'SK hynix 64GB DDR4-2933 ECC RDIMM', brand: 'SK hynix', category: 'memory', grade: 'A', price: 89, warranty: 12, stock: 2,
    description: 'A high-capacity registered module for dual-socket servers. Passed a full memtest86 cycle. Check your server’s supported speeds before ordering.',
    specs: { ram_gb: 64, memory_type: 'DDR4', speed: 'DDR4-2933', form_factor: 'RDIMM', ecc: true },
  },

  // --- storage ---------------------------------------------------------------
  {
    name: 'Samsung 970 EVO Plus 1TB NVMe SSD', brand: 'Samsung', category: 'storage', grade: 'A', price: 69, warranty: 6, stock: 3,
    description: 'An M.2 NVMe drive with over 95 % life remaining according to SMART. Securely erased with a cryptographic wipe. Bare drive, no heatsink.',
    specs: { storage_gb: 1000, storage_type: 'NVMe SSD', interface: 'PCIe 3.0 x4', form_factor: 'M.2 2280' },
  },
  {
    name: 'Intel SSD D3-S4510 960GB', brand: 'Intel', category: 'storage', grade: 'B', price: 79, warranty: 6, stock: 3,
    description: 'A data-centre SATA SSD with power-loss protection and more than 90 % endurance left. Securely erased. Ideal as a boot or cache drive in a server.',
    specs: { storage_gb: 960, storage_type: 'SATA SSD', interface: 'SATA 6Gb/s', form_factor: '2.5" 7mm' },
  },
  {
    name: 'Seagate Exos X10 10TB', brand: 'Seagate', category: 'storage', grade: 'B', price: 119, warranty: 6, stock: 2,
    description: 'An enterprise 7200 rpm hard drive with clean SMART data and under 30,000 power-on hours. Passed a full surface scan. Bare drive.',
    specs: { storage_gb: 10000, storage_type: 'HDD', interface: 'SATA 6Gb/s', form_factor: '3.5"', rpm: 7200 },
  },
  {
    name: 'WD Red Plus 4TB', brand: 'Western Digital', category: 'storage', grade: 'B', price: 69, warranty: 6, stock: 2,
    description: 'A CMR NAS drive pulled from a retired array. SMART is clean and a full read/write pass found no bad sectors. Bare drive.',
    specs: { storage_gb: 4000, storage_type: 'HDD', interface: 'SATA 6Gb/s', form_factor: '3.5"', rpm: 5400 },
  },
  {
    name: 'Crucial MX500 1TB SSD', brand: 'Crucial', category: 'storage', grade: 'A', price: 54, warranty: 6, stock: 3,
    description: 'A 2.5" SATA SSD with more than 95 % life remaining. Securely erased. The easiest speed upgrade for an older laptop or desktop.',
    specs: { storage_gb: 1000, storage_type: 'SATA SSD', interface: 'SATA 6Gb/s', form_factor: '2.5" 7mm' },
  },
  {
    name: 'Samsung PM983 1.92TB U.2 NVMe', brand: 'Samsung', category: 'storage', grade: 'B', price: 129, warranty: 6, stock: 1,
    description: 'An enterprise U.2 NVMe drive with high endurance and power-loss protection. SMART shows 88 % life remaining. Needs a U.2 backplane or adapter.',
    specs: { storage_gb: 1920, storage_type: 'NVMe SSD', interface: 'PCIe 3.0 x4', form_factor: 'U.2 2.5" 7mm' },
  },

  // --- networking ------------------------------------------------------------
  {
    name: 'Cisco Catalyst 2960X-48TS-L', brand: 'Cisco', category: 'networking', grade: 'B', price: 249, warranty: 12, stock: 2,
    description: 'A 48-port managed gigabit switch, factory reset and running a current IOS release. Light rack rash on the ears. Rack ears and power cord included.',
    specs: { ports: 48, port_speed: '1GbE', uplinks: '4× SFP', managed: 'Layer 2+', poe: false },
  },
  {
    name: 'Cisco Catalyst 3850-24T-L', brand: 'Cisco', category: 'networking', grade: 'C', price: 299, warranty: 6, stock: 1,
    description: 'A stackable layer 3 switch with scratches on the top cover. Ships with one power supply and no network module. Licence level is LAN Base.',
    specs: { ports: 24, port_speed: '1GbE', uplinks: 'Network module slot (empty)', managed: 'Layer 3', poe: false },
  },
  {
    name: 'Juniper EX2300-24T', brand: 'Juniper', category: 'networking', grade: 'B', price: 349, warranty: 12, stock: 1,
    description: 'A 24-port Junos switch with four 10G uplinks, factory reset with recent firmware. Minor scuffs. Rack kit included.',
    specs: { ports: 24, port_speed: '1GbE', uplinks: '4× SFP+ 10GbE', managed: 'Layer 3', poe: false },
  },
  {
    name: 'HPE Aruba 2930F 24G 4SFP+', brand: 'HPE', category: 'networking', grade: 'B', price: 399, warranty: 24, stock: 2, featured: true,
    description: 'A managed layer 3 access switch with four 10G uplinks. Factory reset and updated to the latest ArubaOS-Switch firmware. Rack ears included.',
    specs: { ports: 24, port_speed: '1GbE', uplinks: '4× SFP+ 10GbE', managed: 'Layer 3', poe: false },
  },
  {
    name: 'Ubiquiti UniFi Switch 24 PoE (250W)', brand: 'Ubiquiti', category: 'networking', grade: 'B', price: 229, warranty: 12, stock: 2,
    description: 'A 24-port PoE+ switch with a 250 W budget, reset and ready to adopt into a UniFi controller. Light marks on the chassis. Rack ears included.',
    specs: { ports: 24, port_speed: '1GbE', uplinks: '2× SFP', managed: 'Layer 2', poe: 'PoE+ 250 W' },
  },
  {
    name: 'MikroTik CRS326-24G-2S+RM', brand: 'MikroTik', category: 'networking', grade: 'A', price: 169, warranty: 12, stock: 3,
    description: 'A dual-boot RouterOS/SwOS switch in like-new condition. Fanless and silent. Rack ears and power cord included.',
    specs: { ports: 24, port_speed: '1GbE', uplinks: '2× SFP+ 10GbE', managed: 'Layer 3', poe: false },
  },
  {
    name: 'Ubiquiti UniFi AP AC Pro', brand: 'Ubiquiti', category: 'networking', grade: 'B', price: 69, warranty: 12, stock: 3,
    description: 'A ceiling-mount dual-band Wi-Fi 5 access point, factory reset. Minor paint marks from the previous installation. Includes the mounting bracket; PoE injector not included.',
    specs: { ports: 2, port_speed: '1GbE', wifi: 'Wi-Fi 5 (802.11ac)', managed: 'UniFi controller', poe: '802.3af powered' },
  },
  {
    name: 'Fortinet FortiGate 60E', brand: 'Fortinet', category: 'networking', grade: 'C', price: 149, warranty: 6, stock: 1,
    description: 'A small-office firewall with scuffs on the casing. Factory reset with firmware current at time of testing. FortiGuard subscriptions are not included and must be bought from Fortinet.',
    specs: { ports: 10, port_speed: '1GbE', throughput: '3 Gbps firewall', managed: 'FortiOS', poe: false },
  },
  {
    name: 'Netgear GS108T 8-Port Smart Switch', brand: 'Netgear', category: 'networking', grade: 'A', price: 49, warranty: 12, stock: 3,
    description: 'A fanless 8-port smart-managed switch with VLAN and QoS support, in like-new condition. Factory reset. Power adapter included.',
    specs: { ports: 8, port_speed: '1GbE', managed: 'Smart managed', poe: false },
  },
  // --- families: more grades and configurations of models listed above -----------
  {
    name: 'Lenovo ThinkPad T14 Gen 2', slug: 'lenovo-thinkpad-t14-gen-2-grade-b', family: 'thinkpad-t14-gen-2', brand: 'Lenovo', category: 'business-laptops', grade: 'B', price: 399, warranty: 12, stock: 3,
    description: 'The same off-lease ThinkPad T14 with light marks on the lid and palm rest. Battery health is above 80 % and every port was tested. Includes a 65 W USB-C charger.',
    specs: { cpu: 'Intel Core i5-1145G7', cpu_family: 'Intel Core i5', ram_gb: 16, storage_gb: 512, storage_type: 'NVMe SSD', screen_in: 14, resolution: '1920×1080', panel: 'IPS', gpu: 'Intel Iris Xe', ports: '2× Thunderbolt 4, 2× USB-A, HDMI, RJ45', os: 'Windows 11 Pro' },
  },
  {
    name: 'Lenovo ThinkPad T14 Gen 2', slug: 'lenovo-thinkpad-t14-gen-2-grade-c', family: 'thinkpad-t14-gen-2', brand: 'Lenovo', category: 'business-laptops', grade: 'C', price: 339, warranty: 6, stock: 0,
    description: 'A hard-working ThinkPad T14 with visible scratches and shine on a few keys. Fully tested; the battery holds about 72 % of its design capacity.',
    specs: { cpu: 'Intel Core i5-1145G7', cpu_family: 'Intel Core i5', ram_gb: 16, storage_gb: 512, storage_type: 'NVMe SSD', screen_in: 14, resolution: '1920×1080', panel: 'IPS', gpu: 'Intel Iris Xe', ports: '2× Thunderbolt 4, 2× USB-A, HDMI, RJ45', os: 'Windows 11 Pro' },
  },
  {
    name: 'Lenovo ThinkPad T14 Gen 2 (32 GB, 1 TB)', family: 'thinkpad-t14-gen-2', brand: 'Lenovo', category: 'business-laptops', grade: 'A', price: 569, warranty: 12, stock: 2,
    description: 'A ThinkPad T14 in excellent shape, upgraded by our technicians to 32 GB of memory and a 1 TB NVMe drive for heavy multitasking. Battery health above 85 %.',
    specs: { cpu: 'Intel Core i5-1145G7', cpu_family: 'Intel Core i5', ram_gb: 32, storage_gb: 1000, storage_type: 'NVMe SSD', screen_in: 14, resolution: '1920×1080', panel: 'IPS', gpu: 'Intel Iris Xe', ports: '2× Thunderbolt 4, 2× USB-A, HDMI, RJ45', os: 'Windows 11 Pro' },
  },
  {
    name: 'Lenovo ThinkPad T14 Gen 2 (8 GB, 256 GB)', family: 'thinkpad-t14-gen-2', brand: 'Lenovo', category: 'business-laptops', grade: 'B', price: 329, warranty: 12, stock: 2,
    description: 'The entry configuration of the ThinkPad T14 with light wear. One memory slot is free, so it can grow later. Battery tested at 80 % or better.',
    specs: { cpu: 'Intel Core i5-1145G7', cpu_family: 'Intel Core i5', ram_gb: 8, storage_gb: 256, storage_type: 'NVMe SSD', screen_in: 14, resolution: '1920×1080', panel: 'IPS', gpu: 'Intel Iris Xe', ports: '2× Thunderbolt 4, 2× USB-A, HDMI, RJ45', os: 'Windows 11 Pro' },
  },
  {
    name: 'Apple MacBook Air 13" M1 (2020)', slug: 'apple-macbook-air-13-m1-2020-grade-b', family: 'macbook-air-13-m1-2020', brand: 'Apple', category: 'laptops', grade: 'B', price: 489, warranty: 12, stock: 2,
    description: 'A MacBook Air with faint scratches on the lid and a flawless display. Battery health above 84 %. Erased, reinstalled with the latest macOS it supports, Activation Lock removed.',
    specs: { cpu: 'Apple M1 8-core', cpu_family: 'Apple M1', ram_gb: 8, storage_gb: 256, storage_type: 'SSD', screen_in: 13.3, resolution: '2560×1600', panel: 'IPS Retina', gpu: 'Apple 7-core GPU', ports: '2× Thunderbolt / USB 4, 3.5 mm audio', os: 'macOS' },
  },
  {
    name: 'Apple MacBook Air 13" M1 (2020)', slug: 'apple-macbook-air-13-m1-2020-grade-c', family: 'macbook-air-13-m1-2020', brand: 'Apple', category: 'laptops', grade: 'C', price: 429, warranty: 6, stock: 1,
    description: 'A well-used MacBook Air with small dents on two corners and scratches on the bottom case. Screen and keyboard are in good shape; battery health about 78 %.',
    specs: { cpu: 'Apple M1 8-core', cpu_family: 'Apple M1', ram_gb: 8, storage_gb: 256, storage_type: 'SSD', screen_in: 13.3, resolution: '2560×1600', panel: 'IPS Retina', gpu: 'Apple 7-core GPU', ports: '2× Thunderbolt / USB 4, 3.5 mm audio', os: 'macOS' },
  },
  {
    name: 'Apple MacBook Air 13" M1 (2020, 16 GB, 512 GB)', family: 'macbook-air-13-m1-2020', brand: 'Apple', category: 'laptops', grade: 'A', price: 699, warranty: 12, stock: 0,
    description: 'The MacBook Air with 16 GB of unified memory and a 512 GB SSD, near flawless. Sells quickly: save it to hear when the next one passes testing.',
    specs: { cpu: 'Apple M1 8-core', cpu_family: 'Apple M1', ram_gb: 16, storage_gb: 512, storage_type: 'SSD', screen_in: 13.3, resolution: '2560×1600', panel: 'IPS Retina', gpu: 'Apple 7-core GPU', ports: '2× Thunderbolt / USB 4, 3.5 mm audio', os: 'macOS' },
  },
  {
    name: 'Dell Latitude 7420', slug: 'dell-latitude-7420-grade-a', family: 'latitude-7420', brand: 'Dell', category: 'business-laptops', grade: 'A', price: 549, warranty: 12, stock: 1,
    description: 'A Latitude 7420 that looks close to new, with battery health around 90 %. Smart-card reader and fingerprint reader tested. Ships with a 65 W Dell USB-C adapter.',
    specs: { cpu: 'Intel Core i7-1185G7', cpu_family: 'Intel Core i7', ram_gb: 16, storage_gb: 512, storage_type: 'NVMe SSD', screen_in: 14, resolution: '1920×1080', panel: 'IPS', gpu: 'Intel Iris Xe', ports: '2× Thunderbolt 4, USB-A, HDMI, microSD', os: 'Windows 11 Pro' },
  },
  {
    name: 'Dell Latitude 7420 (Core i5, 256 GB)', family: 'latitude-7420', brand: 'Dell', category: 'business-laptops', grade: 'C', price: 389, warranty: 6, stock: 2,
    description: 'The Core i5 Latitude 7420 with scuffs on the corners and a few marks on the lid. Fully tested; the battery holds about 74 % of its design capacity.',
    specs: { cpu: 'Intel Core i5-1145G7', cpu_family: 'Intel Core i5', ram_gb: 16, storage_gb: 256, storage_type: 'NVMe SSD', screen_in: 14, resolution: '1920×1080', panel: 'IPS', gpu: 'Intel Iris Xe', ports: '2× Thunderbolt 4, USB-A, HDMI, microSD', os: 'Windows 11 Pro' },
  },
  {
    name: 'Dell OptiPlex 7090 Tower', slug: 'dell-optiplex-7090-tower-grade-b', family: 'optiplex-7090-tower', brand: 'Dell', category: 'desktops', grade: 'B', price: 399, warranty: 12, stock: 2,
    description: 'The eight-core OptiPlex 7090 tower with a few scuffs on the side panel. Tested with a 24-hour burn-in. Keyboard and mouse are not included.',
    specs: { cpu: 'Intel Core i7-10700', cpu_family: 'Intel Core i7', ram_gb: 16, storage_gb: 512, storage_type: 'NVMe SSD', gpu: 'Intel UHD 630', ports: '2× DisplayPort, HDMI, 8× USB, RJ45', form_factor: 'Tower', os: 'Windows 11 Pro' },
  },
  {
    name: 'Dell OptiPlex 7090 Tower (32 GB, 1 TB)', family: 'optiplex-7090-tower', brand: 'Dell', category: 'desktops', grade: 'A', price: 549, warranty: 12, stock: 1,
    description: 'The OptiPlex 7090 tower upgraded to 32 GB of memory and a 1 TB NVMe drive, in like-new condition. Room for a full-height graphics card.',
    specs: { cpu: 'Intel Core i7-10700', cpu_family: 'Intel Core i7', ram_gb: 32, storage_gb: 1000, storage_type: 'NVMe SSD', gpu: 'Intel UHD 630', ports: '2× DisplayPort, HDMI, 8× USB, RJ45', form_factor: 'Tower', os: 'Windows 11 Pro' },
  },
];

const SERIAL_PREFIX: Record<string, string> = {
  laptops: 'LT', desktops: 'DT', monitors: 'MN', servers: 'SV', components: 'CP', networking: 'NW',
};

/** Unit cost lands between 60 % and 70 % of the price, varied per product. */
function unitCost(priceCents: number, index: number): number {
  return Math.round((priceCents * (60 + ((index * 7) % 11))) / 100);
}

function toProduct(e: Entry, index: number): DemoProduct {
  const priceCents = e.price * 100 - 1;
  const number = String(index + 1).padStart(4, '0');
  const prefix = SERIAL_PREFIX[topLevelOf(e.category)];
  return {
    slug: e.slug ?? slugify(e.name),
    name: e.name,
    brand: e.brand,
    category: e.category,
    grade: e.grade,
    priceCents,
    unitCostCents: unitCost(priceCents, index),
    warrantyMonths: e.warranty,
    featured: e.featured ?? false,
    description: e.description,
    specs: e.specs,
    family: e.family,
    units: Array.from({ length: e.stock }, (_, u) => ({
      serial: `GG-${prefix}-${number}-${String.fromCharCode(65 + u)}`,
      grade: e.grade,
    })),
  };
}

export const DEMO_PRODUCTS: DemoProduct[] = ENTRIES.map(toProduct);
