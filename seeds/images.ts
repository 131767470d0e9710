import fs from 'node:fs';
import path from 'node:path';
import { rootPath } from '../src/lib/paths';

/**
 * Placeholder product photos drawn as SVG, so a fresh install shows a
 * recognisable device per category without downloading anything.
 */

export const PRODUCT_IMAGE_DIR = rootPath('var/uploads/products');
const PUBLIC_PREFIX = '/uploads/products';

export interface ImageSubject {
  name: string;
  brand: string;
  category: string;
}

type Kind = 'laptop' | 'tower' | 'mini' | 'monitor' | 'rack' | 'cpu' | 'card' | 'memory' | 'drive' | 'switch';

const LOOK: Record<string, { kind: Kind; bg: string; accent: string }> = {
  laptops: { kind: 'laptop', bg: '#1e3a5f', accent: '#5fa8ff' },
  'business-laptops': { kind: 'laptop', bg: '#243b53', accent: '#7cc4fa' },
  'workstation-laptops': { kind: 'laptop', bg: '#2d2a4a', accent: '#a78bfa' },
  desktops: { kind: 'tower', bg: '#1f4037', accent: '#5ed3a2' },
  'mini-pcs': { kind: 'mini', bg: '#24473d', accent: '#8be0bd' },
  monitors: { kind: 'monitor', bg: '#4a2c2a', accent: '#ff9f7a' },
  servers: { kind: 'rack', bg: '#2b2d33', accent: '#f5c542' },
  components: { kind: 'cpu', bg: '#3d2f4f', accent: '#d59bff' },
  'graphics-cards': { kind: 'card', bg: '#14352b', accent: '#76e07a' },
  memory: { kind: 'memory', bg: '#3b3413', accent: '#ffd75e' },
  storage: { kind: 'drive', bg: '#2a3a4a', accent: '#9ecbff' },
  networking: { kind: 'switch', bg: '#123640', accent: '#4fd1e0' },
};

function lookFor(category: string) {
  return LOOK[category] ?? { kind: 'tower' as Kind, bg: '#333a44', accent: '#b8c4d6' };
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const BODY = '#d9dee7';
const DARK = '#20242c';

/** Device drawings inside the 800×600 canvas, above the caption band (y < 440). */
function drawing(kind: Kind, variant: 1 | 2, accent: string): string {
  switch (kind) {
    case 'laptop':
      return variant === 1
        ? `<rect x="230" y="90" width="340" height="220" rx="12" fill="${BODY}"/>
           <rect x="246" y="106" width="308" height="188" rx="4" fill="${DARK}"/>
           <rect x="246" y="106" width="308" height="188" rx="4" fill="${accent}" opacity="0.25"/>
           <path d="M190 318 H610 L640 350 H160 Z" fill="${BODY}"/>
           <rect x="360" y="322" width="80" height="8" rx="3" fill="#aab2c0"/>`
        : `<path d="M200 120 H600 L650 360 H150 Z" fill="${BODY}"/>
           ${grid(233, 150, 13, 4, 22, 20, 4, '#aab2c0')}
           <rect x="350" y="270" width="100" height="64" rx="6" fill="#c3c9d4"/>
           <rect x="200" y="112" width="400" height="10" rx="4" fill="${accent}"/>`;
    case 'tower':
      return variant === 1
        ? `<rect x="320" y="70" width="160" height="340" rx="10" fill="${BODY}"/>
           <rect x="336" y="92" width="128" height="28" rx="4" fill="#aab2c0"/>
           <circle cx="400" cy="150" r="12" fill="${accent}"/>
           ${grid(340, 200, 6, 10, 14, 14, 6, '#aab2c0')}`
        : `<rect x="230" y="70" width="340" height="340" rx="10" fill="${BODY}"/>
           <rect x="260" y="100" width="280" height="280" rx="8" fill="${DARK}" opacity="0.85"/>
           <circle cx="340" cy="180" r="46" fill="none" stroke="${accent}" stroke-width="8"/>
           <rect x="300" y="290" width="200" height="40" rx="4" fill="${accent}" opacity="0.6"/>`;
    case 'mini':
      return variant === 1
        ? `<rect x="260" y="200" width="280" height="90" rx="12" fill="${BODY}"/>
           <circle cx="300" cy="245" r="10" fill="${accent}"/>
           ${grid(340, 228, 10, 2, 12, 12, 6, '#aab2c0')}`
        : `<path d="M250 220 L400 150 L550 220 L400 290 Z" fill="${BODY}"/>
           <path d="M250 220 L400 290 V330 L250 260 Z" fill="#aab2c0"/>
           <path d="M550 220 L400 290 V330 L550 260 Z" fill="#c3c9d4"/>
           <circle cx="400" cy="220" r="18" fill="${accent}" opacity="0.8"/>`;
    case 'monitor':
      return variant === 1
        ? `<rect x="170" y="70" width="460" height="280" rx="10" fill="${BODY}"/>
           <rect x="184" y="84" width="432" height="244" rx="4" fill="${DARK}"/>
           <path d="M184 328 L616 84 V328 Z" fill="${accent}" opacity="0.18"/>
           <rect x="385" y="350" width="30" height="50" fill="#aab2c0"/>
           <rect x="320" y="398" width="160" height="14" rx="6" fill="#aab2c0"/>`
        : `<rect x="170" y="70" width="460" height="280" rx="10" fill="#aab2c0"/>
           <rect x="360" y="170" width="80" height="80" rx="6" fill="${BODY}"/>
           ${grid(360, 300, 5, 1, 12, 10, 6, DARK)}
           <rect x="385" y="250" width="30" height="150" fill="${BODY}"/>
           <rect x="320" y="398" width="160" height="14" rx="6" fill="${BODY}"/>`;
    case 'rack':
      return variant === 1
        ? `<rect x="110" y="160" width="580" height="110" rx="6" fill="${BODY}"/>
           ${grid(130, 176, 10, 2, 40, 36, 6, DARK)}
           <circle cx="640" cy="200" r="9" fill="${accent}"/>
           <circle cx="640" cy="235" r="9" fill="#5ed3a2"/>`
        : `<rect x="110" y="160" width="580" height="110" rx="6" fill="#aab2c0"/>
           <rect x="130" y="176" width="110" height="78" rx="4" fill="${DARK}"/>
           <rect x="560" y="176" width="110" height="78" rx="4" fill="${DARK}"/>
           ${grid(270, 190, 8, 2, 24, 18, 8, accent)}`;
    case 'cpu':
      return variant === 1
        ? `<rect x="280" y="110" width="240" height="240" rx="12" fill="#2e7d4f"/>
           <rect x="320" y="150" width="160" height="160" rx="8" fill="${BODY}"/>
           <circle cx="300" cy="330" r="6" fill="${accent}"/>`
        : `<rect x="280" y="110" width="240" height="240" rx="12" fill="#2e7d4f"/>
           ${grid(298, 128, 14, 14, 10, 10, 5, '#e6c36a')}`;
    case 'card':
      return variant === 1
        ? `<rect x="140" y="150" width="520" height="150" rx="10" fill="${DARK}"/>
           <circle cx="290" cy="225" r="58" fill="#3a404c"/><circle cx="290" cy="225" r="16" fill="${accent}"/>
           <circle cx="510" cy="225" r="58" fill="#3a404c"/><circle cx="510" cy="225" r="16" fill="${accent}"/>
           <rect x="120" y="140" width="20" height="190" fill="#aab2c0"/>
           <rect x="200" y="300" width="300" height="16" fill="#e6c36a"/>`
        : `<rect x="140" y="150" width="520" height="150" rx="10" fill="#3a404c"/>
           <path d="M180 180 H620 M180 225 H620 M180 270 H620" stroke="${accent}" stroke-width="4" opacity="0.6"/>
           <rect x="120" y="140" width="20" height="190" fill="#aab2c0"/>
           ${grid(124, 160, 1, 4, 12, 28, 14, DARK)}`;
    case 'memory':
      return variant === 1
        ? `<rect x="130" y="180" width="540" height="100" rx="6" fill="#2e7d4f"/>
           ${grid(160, 200, 8, 1, 48, 50, 12, DARK)}
           ${grid(140, 282, 40, 1, 9, 14, 4, '#e6c36a')}
           <rect x="390" y="270" width="12" height="26" fill="#2e7d4f"/>`
        : `<rect x="130" y="130" width="540" height="90" rx="6" fill="${accent}" opacity="0.85"/>
           <rect x="130" y="250" width="540" height="90" rx="6" fill="${accent}" opacity="0.65"/>
           <rect x="170" y="155" width="200" height="40" rx="4" fill="${DARK}"/>
           <rect x="170" y="275" width="200" height="40" rx="4" fill="${DARK}"/>`;
    case 'drive':
      return variant === 1
        ? `<rect x="250" y="80" width="300" height="340" rx="14" fill="${BODY}"/>
           <circle cx="400" cy="220" r="110" fill="#c3c9d4"/>
           <circle cx="400" cy="220" r="18" fill="${DARK}"/>
           <path d="M470 360 L420 230" stroke="${DARK}" stroke-width="10" stroke-linecap="round"/>`
        : `<rect x="140" y="200" width="520" height="90" rx="6" fill="#1f5f3f"/>
           ${grid(200, 220, 3, 1, 110, 50, 20, DARK)}
           ${grid(600, 210, 1, 5, 30, 10, 6, '#e6c36a')}
           <rect x="200" y="276" width="60" height="6" fill="${accent}"/>`;
    case 'switch':
      return variant === 1
        ? `<rect x="100" y="170" width="600" height="100" rx="6" fill="${BODY}"/>
           ${grid(120, 186, 12, 2, 30, 28, 8, DARK)}
           ${grid(596, 196, 2, 2, 36, 24, 8, '#5d6574')}
           ${grid(120, 250, 12, 1, 6, 6, 32, accent)}`
        : `<rect x="100" y="170" width="600" height="100" rx="6" fill="#aab2c0"/>
           <rect x="130" y="190" width="120" height="60" rx="4" fill="${DARK}"/>
           ${grid(300, 190, 9, 2, 16, 16, 10, '#5d6574')}
           <rect x="560" y="200" width="90" height="40" rx="4" fill="${accent}" opacity="0.7"/>`;
  }
}

/** cols × rows small rectangles: keys, vents, ports, drive bays. */
function grid(x: number, y: number, cols: number, rows: number, w: number, h: number, gap: number, fill: string): string {
  const cells: string[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      cells.push(`<rect x="${x + c * (w + gap)}" y="${y + r * (h + gap)}" width="${w}" height="${h}" rx="2" fill="${fill}"/>`);
    }
  }
  return cells.join('');
}

export function renderProductSvg(subject: ImageSubject, variant: 1 | 2): string {
  const { kind, bg, accent } = lookFor(subject.category);
  // Long names shrink so they stay inside the 800px width.
  const nameSize = Math.max(20, Math.min(40, Math.floor(1150 / Math.max(subject.name.length, 1))));
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 600" width="800" height="600" role="img" aria-label="${escapeXml(subject.name)}">
  <rect width="800" height="600" fill="${bg}"/>
  <circle cx="${variant === 1 ? 680 : 120}" cy="80" r="220" fill="${accent}" opacity="0.08"/>
  ${drawing(kind, variant, accent)}
  <rect y="450" width="800" height="150" fill="#000" opacity="0.25"/>
  <text x="40" y="496" font-family="Helvetica, Arial, sans-serif" font-size="22" font-weight="700" letter-spacing="2" fill="${accent}">${escapeXml(subject.brand.toUpperCase())}</text>
  <text x="40" y="${496 + nameSize + 8}" font-family="Helvetica, Arial, sans-serif" font-size="${nameSize}" fill="#ffffff">${escapeXml(subject.name)}</text>
  <text x="760" y="580" text-anchor="end" font-family="Helvetica, Arial, sans-serif" font-size="14" fill="#ffffff" opacity="0.6">GigGatek refurbished${variant === 2 ? ' · view 2' : ''}</text>
</svg>
`;
}

export function productImagePaths(slug: string): string[] {
  return [`${PUBLIC_PREFIX}/${slug}-1.svg`, `${PUBLIC_PREFIX}/${slug}-2.svg`];
}

/** Writes <slug>-1.svg and <slug>-2.svg (overwriting) and returns their public paths. */
export function writeProductImages(slug: string, product: ImageSubject, dir: string = PRODUCT_IMAGE_DIR): string[] {
  fs.mkdirSync(dir, { recursive: true });
  for (const variant of [1, 2] as const) {
    fs.writeFileSync(path.join(dir, `${slug}-${variant}.svg`), renderProductSvg(product, variant));
  }
  return productImagePaths(slug);
}

export function genericImagePath(category: string): string {
  return `${PUBLIC_PREFIX}/generic-${category}.svg`;
}

/** One shared picture per category for bulk-generated products. */
export function writeGenericImages(categories: Array<{ slug: string; name: string }>, dir: string = PRODUCT_IMAGE_DIR): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const c of categories) {
    const svg = renderProductSvg({ name: c.name, brand: 'GigGatek', category: c.slug }, 1);
    fs.writeFileSync(path.join(dir, `generic-${c.slug}.svg`), svg);
  }
}
