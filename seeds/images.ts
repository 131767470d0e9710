import fs from 'node:fs';
import path from 'node:path';
import { rootPath } from '../src/lib/paths';

/**
 * Placeholder product photos drawn as SVG, so a fresh install shows a
 * recognisable device per category without downloading anything. The
 * category decides what is drawn (a laptop, a tower…); the product family
 * (one model sold in several grades and configurations) decides how it
 * looks: proportions, colour, ports and the brand's badge. So every grade of
 * one model shares a picture and two models never look like twins.
 */

export const PRODUCT_IMAGE_DIR = rootPath('var/uploads/products');
const PUBLIC_PREFIX = '/uploads/products';

export interface ImageSubject {
  name: string;
  brand: string;
  category: string;
  /** The model the product is a configuration of; the name when absent. */
  family?: string;
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

/** FNV-1a: a stable 32-bit hash, the same on every machine and run. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A small deterministic generator (mulberry32) seeded by the family. */
function picker(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    int: (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1)),
  };
}
type Picker = ReturnType<typeof picker>;

/** Finishes a device body comes in: silver, space grey, black, blue, graphite, white. */
const FINISHES = ['#d5dae1', '#7d848e', '#2a2e35', '#2f4a73', '#4b525c', '#eceff2'] as const;

/** Mixes a colour towards white (amount > 0) or black (amount < 0). */
function shade(hex: string, amount: number): string {
  const target = amount > 0 ? 255 : 0;
  const mix = (i: number) => Math.round(parseInt(hex.slice(i, i + 2), 16) * (1 - Math.abs(amount)) + target * Math.abs(amount));
  return `#${[1, 3, 5].map((i) => mix(i).toString(16).padStart(2, '0')).join('')}`;
}

function isLight(hex: string): boolean {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return 0.299 * r! + 0.587 * g! + 0.114 * b! > 150;
}

interface Style {
  body: string;
  /** A second tone of the body: bases, edges, panels. */
  trim: string;
  /** Outline that keeps a dark body visible on the dark background. */
  edge: string;
  /** Holes in the body: ports, vents, keys. */
  hole: string;
  accent: string;
}

function styleFor(body: string, accent: string): Style {
  const light = isLight(body);
  return { body, trim: shade(body, light ? -0.18 : 0.16), edge: shade(body, light ? -0.3 : 0.3), hole: light ? '#2a2e35' : '#101317', accent };
}

const r = (x: number, y: number, w: number, h: number, fill: string, rest = '') =>
  `<rect x="${x}" y="${y}" width="${w}" height="${h}"${rest ? ` ${rest}` : ''} fill="${fill}"/>`;
const c = (x: number, y: number, radius: number, fill: string, rest = '') => `<circle cx="${x}" cy="${y}" r="${radius}"${rest ? ` ${rest}` : ''} fill="${fill}"/>`;

/** cols × rows small rectangles in one path: keys, vents, drive bays, ports. */
function cells(x: number, y: number, cols: number, rows: number, w: number, h: number, gap: number, fill: string, rest = ''): string {
  let d = '';
  for (let row = 0; row < rows; row++) for (let col = 0; col < cols; col++) d += `M${x + col * (w + gap)} ${y + row * (h + gap)}h${w}v${h}h${-w}z`;
  return `<path d="${d}" fill="${fill}"${rest ? ` ${rest}` : ''}/>`;
}

type Port = 'usbc' | 'usba' | 'hdmi' | 'audio' | 'rj45' | 'dp';
const PORT_WIDTH: Record<Port, number> = { usbc: 14, usba: 18, hdmi: 22, audio: 8, rj45: 18, dp: 20 };

/** A row of ports from left to right, vertically centred on y; returns the markup. */
function ports(x: number, y: number, kinds: readonly Port[], fill: string, scale = 1): string {
  let out = '';
  let at = x;
  for (const kind of kinds) {
    const w = PORT_WIDTH[kind] * scale;
    const s = (n: number) => n * scale;
    if (kind === 'audio') out += c(at + w / 2, y, s(4), fill);
    else if (kind === 'usbc') out += r(at, y - s(3), w, s(6), fill, `rx="${s(3)}"`);
    else if (kind === 'usba') out += r(at, y - s(4), w, s(8), fill, 'rx="1"');
    else if (kind === 'rj45') out += r(at, y - s(7), w, s(14), fill, 'rx="1"');
    else out += `<path d="M${at} ${y - s(5)}h${w}v${s(6)}l${-s(3)} ${s(4)}h${-(w - s(6))}l${-s(3)} ${-s(4)}z" fill="${fill}"/>`;
    at += w + 8 * scale;
  }
  return out;
}

function portsWidth(kinds: readonly Port[], scale = 1): number {
  return kinds.reduce((sum, k) => sum + (PORT_WIDTH[k] + 8) * scale, -8 * scale);
}

function portSet(p: Picker, from: readonly Port[], min: number, max: number): Port[] {
  return Array.from({ length: p.int(min, max) }, () => p.pick(from));
}

const BADGE_COLOURS = ['#c0392b', '#1f6feb', '#0f766e', '#7c3aed', '#b45309', '#334155', '#be185d', '#15803d', '#0e7490'] as const;

/** Up to three letters that stand for the brand: initials of its words, or the start of one word. */
export function brandInitials(brand: string): string {
  const words = brand.trim().split(/[\s-]+/).filter(Boolean);
  if (words.length > 1) return words.slice(0, 2).map((w) => w[0]!.toUpperCase()).join('');
  const word = words[0] ?? '?';
  if (word === word.toUpperCase()) return word.length <= 3 ? word : word.slice(0, 2);
  return word[0]!.toUpperCase();
}

/** The brand's mark: its initials in a badge whose shape and colour follow from the brand name alone. */
function badge(brand: string, x: number, y: number, size: number): string {
  const h = hash(`badge|${brand.toLowerCase()}`);
  const fill = BADGE_COLOURS[h % BADGE_COLOURS.length]!;
  const s = size;
  const shapes = [
    c(x, y, s, fill),
    r(x - s, y - s, 2 * s, 2 * s, fill, `rx="${Math.round(s / 3)}"`),
    `<path d="M${x - s} ${y}l${s / 2} ${-s * 0.87}h${s}l${s / 2} ${s * 0.87}l${-s / 2} ${s * 0.87}h${-s}z" fill="${fill}"/>`,
    `<path d="M${x} ${y - s * 1.15}l${s * 1.15} ${s * 1.15}l${-s * 1.15} ${s * 1.15}l${-s * 1.15} ${-s * 1.15}z" fill="${fill}"/>`,
    r(x - s * 1.4, y - s * 0.75, 2.8 * s, 1.5 * s, fill, `rx="${s * 0.75}"`),
    `<path d="M${x - s} ${y - s}h${2 * s}v${s}c0 ${s * 0.7} ${-s * 0.5} ${s * 1.1} ${-s} ${s * 1.3}c${-s * 0.5} ${-s * 0.2} ${-s} ${-s * 0.6} ${-s} ${-s * 1.3}z" fill="${fill}"/>`,
  ];
  const letters = brandInitials(brand);
  const font = Math.round((letters.length > 2 ? 0.62 : letters.length > 1 ? 0.78 : 1.05) * s);
  return `<g>${shapes[(h >>> 8) % shapes.length]}<text x="${x}" y="${y + font * 0.36}" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" font-weight="700" font-size="${font}" fill="#fff">${escapeXml(letters)}</text></g>`;
}

/** A number in the family's name that hints at its size (a 15" laptop, a 48-port switch). */
function hint(name: string, options: readonly number[]): number | undefined {
  for (const m of name.matchAll(/\d+/g)) if (options.includes(Number(m[0]))) return Number(m[0]);
  return undefined;
}

interface Ctx {
  p: Picker;
  s: Style;
  family: string;
  brand: string;
  variant: 1 | 2;
}

function laptop({ p, s, family, brand, variant }: Ctx): string {
  const inches = hint(family, [13, 14, 15, 16, 17]) ?? p.pick([13, 14, 15]);
  const w = 330 + (inches - 13) * 30;
  const h = Math.round(w * p.pick([0.62, 0.66, 0.58]));
  const bezel = p.pick([6, 10, 16]);
  const round = p.pick([4, 10, 16]);
  const side = [p.pick<Port>(['usbc', 'usba']), ...portSet(p, ['usbc', 'usba', 'hdmi', 'audio', 'rj45'], 1, 4)];
  const x = 400 - w / 2;
  if (variant === 1) {
    const hinge = 360;
    const top = hinge - h;
    return `${r(x, top, w, h, s.body, `rx="${round}" stroke="${s.edge}" stroke-width="2"`)}
  ${r(x + bezel, top + bezel, w - 2 * bezel, h - 2 * bezel - (bezel > 10 ? 8 : 0), '#161a20', 'rx="3"')}
  <path d="M${x + bezel} ${hinge - bezel - (bezel > 10 ? 8 : 0)} L${x + w - bezel} ${top + bezel} V${hinge - bezel - (bezel > 10 ? 8 : 0)} Z" fill="${s.accent}" opacity="0.2"/>
  ${bezel >= 10 ? c(400, top + bezel / 2, 2.5, s.hole) : ''}
  <path d="M${x - 24} ${hinge} H${x + w + 24} L${x + w + 56} ${hinge + 38} H${x - 56} Z" fill="${s.trim}" stroke="${s.edge}" stroke-width="2"/>
  ${r(365, hinge + 2, 70, 7, s.edge, 'rx="3"')}
  ${ports(x - 34, hinge + 26, side, s.hole, 0.9)}
  ${badge(brand, 400, hinge + 24, 11)}`;
  }
  // Closed, from above, with the side that carries the ports below it.
  const depth = Math.round(h * 0.8);
  const top = 80;
  return `${r(x, top, w, depth, s.body, `rx="${round}" stroke="${s.edge}" stroke-width="2"`)}
  ${badge(brand, 400, top + depth / 2, 30)}
  ${r(x, top + depth + 30, w, 26, s.trim, `rx="${Math.min(round, 13)}" stroke="${s.edge}" stroke-width="2"`)}
  ${ports(x + 24, top + depth + 43, side, s.hole)}
  ${c(x + w - 24, top + depth + 43, 3, s.accent)}`;
}

function tower({ p, s, family, brand, variant }: Ctx): string {
  const named = /\bsff\b|small form|slim|desktop\b/i.test(family) ? 'sff' : /tower|workstation|\bT\d{3}\b|\d+t\b/i.test(family) ? p.pick(['tall', 'mid'] as const) : undefined;
  const form = named ?? p.pick(['tall', 'mid', 'slim', 'sff'] as const);
  const [w, h] = { tall: [180, 350], mid: [170, 300], slim: [120, 310], sff: [420, 140] }[form];
  const x = 400 - w / 2;
  const y = 410 - h;
  const round = p.pick([4, 10]);
  const front = portSet(p, ['usba', 'usbc', 'audio'], 2, 4);
  const body = r(x, y, w, h, s.body, `rx="${round}" stroke="${s.edge}" stroke-width="2"`);
  if (variant === 1) {
    const bay = p.int(0, 1) === 1;
    const vents = p.pick(['slots', 'dots', 'mesh'] as const);
    const vx = x + 16;
    const vw = w - 32;
    const vy = form === 'sff' ? y + 20 : y + (bay ? 96 : 60);
    const vh = form === 'sff' ? h - 40 : h - (vy - y) - 70;
    const grille =
      vents === 'slots' ? cells(vx, vy, 1, Math.floor(vh / 14), form === 'sff' ? vw / 2 : vw, 6, 8, s.trim)
      : vents === 'dots' ? cells(vx, vy, Math.floor(vw / 20), Math.floor(vh / 20), 10, 10, 10, s.trim)
      : r(vx, vy, form === 'sff' ? vw / 2 : vw, vh, s.trim, 'rx="6"');
    const portsAt = form === 'sff' ? [x + w - portsWidth(front) - 24, y + h - 22] : [400 - portsWidth(front) / 2, y + h - 24];
    return `${body}
  ${bay && form !== 'sff' ? r(x + 16, y + 40, w - 32, 26, s.trim, 'rx="3"') : ''}
  ${grille}
  ${c(form === 'sff' ? x + w - 40 : 400, form === 'sff' ? y + 36 : y + 24, 9, s.accent)}
  ${ports(portsAt[0]!, portsAt[1]!, front, s.hole)}
  ${badge(brand, form === 'sff' ? x + w - 100 : 400, form === 'sff' ? y + 36 : y + h - 52, 13)}`;
  }
  // The back: power supply, the board's ports, expansion slots.
  const rear = portSet(p, ['usba', 'usba', 'dp', 'hdmi', 'rj45', 'audio'], 4, 7);
  const slots = p.int(1, 4);
  if (form === 'sff') {
    return `${body}
  ${c(x + 50, y + 55, 32, s.hole)}${c(x + 50, y + 55, 26, s.trim)}
  ${ports(x + 110, y + 40, rear.slice(0, 4), s.hole)}${ports(x + 110, y + 72, rear.slice(4), s.hole)}
  ${cells(x + w - 90, y + 16, slots, 1, 12, h - 32, 8, s.trim)}`;
  }
  return `${body}
  ${r(x + 14, y + 14, w - 28, 56, s.trim, 'rx="4"')}${c(x + 44, y + 42, 20, s.hole)}
  ${r(x + 14, y + 84, 56, 130, s.trim, 'rx="3"')}
  ${rear.map((k, i) => ports(x + 42 - PORT_WIDTH[k] / 2, y + 98 + i * 17, [k], s.hole, 0.8)).join('')}
  ${cells(x + 14, y + 230, 1, slots, w - 28, 10, 8, s.trim)}
  ${badge(brand, x + w - 34, y + h - 30, 12)}`;
}

function mini({ p, s, brand, variant }: Ctx): string {
  const [w, h] = p.pick([[280, 70], [230, 90], [300, 60], [220, 220]] as const);
  const round = p.pick([6, 14, 24]);
  const front = portSet(p, ['usba', 'usbc', 'audio'], 2, 4);
  const x = 400 - w / 2;
  if (variant === 1) {
    const square = w === h;
    const y = square ? 140 : 250 - h / 2;
    return `${r(x, y, w, h, s.body, `rx="${round}" stroke="${s.edge}" stroke-width="2"`)}
  ${square ? badge(brand, 400, y + 90, 30) : badge(brand, x + w - 36, y + h / 2, 12)}
  ${c(x + 28, y + h - 24, 7, s.accent)}
  ${ports(x + 50, y + h - 24, front, s.hole)}
  ${square ? '' : cells(x + 50, y + 12, Math.floor((w - 120) / 12), 1, 6, h >= 70 ? 12 : 6, 6, s.trim)}`;
  }
  // Seen from above and to one side.
  const half = w / 2;
  const depth = Math.min(h, 100) + 40;
  const top = 220 - depth / 2;
  return `<path d="M${400 - half} ${220} L400 ${220 - depth / 2 - 20} L${400 + half} 220 L400 ${220 + depth / 2 + 20} Z" fill="${s.body}" stroke="${s.edge}" stroke-width="2"/>
  <path d="M${400 - half} 220 L400 ${top + depth + 20} v${h * 0.5} L${400 - half} ${220 + h * 0.5} Z" fill="${s.trim}"/>
  <path d="M${400 + half} 220 L400 ${top + depth + 20} v${h * 0.5} L${400 + half} ${220 + h * 0.5} Z" fill="${shade(s.trim, -0.12)}"/>
  ${badge(brand, 400, 220, 20)}`;
}

function monitor({ p, s, family, brand, variant }: Ctx): string {
  const wide = hint(family, [34, 38, 49]) !== undefined || /\d{4}w$/i.test(family);
  const w = wide ? 540 : p.pick([420, 460, 480]);
  const h = Math.round(w * (wide ? 0.42 : p.pick([0.5625, 0.625])));
  const bezel = p.pick([6, 10, 18]);
  const chin = p.pick([0, 12, 24]);
  const stand = p.pick(['pedestal', 'disc', 'legs'] as const);
  const x = 400 - w / 2;
  const bottom = 80 + h + chin;
  const foot =
    stand === 'pedestal' ? r(330, 398, 140, 14, s.trim, 'rx="6"')
    : stand === 'disc' ? `<ellipse cx="400" cy="404" rx="90" ry="12" fill="${s.trim}"/>`
    : `<path d="M400 372 L320 410 H338 L400 382 L462 410 H480 Z" fill="${s.trim}"/>`;
  const neck = r(stand === 'legs' ? 390 : 386, bottom, stand === 'legs' ? 20 : 28, 402 - bottom, s.trim);
  const band = 80 + h - bezel + (bezel + chin) / 2;
  if (variant === 1) {
    return `${neck}${foot}
  ${r(x, 80, w, h + chin, s.body, `rx="${p.pick([4, 10])}" stroke="${s.edge}" stroke-width="2"`)}
  ${r(x + bezel, 80 + bezel, w - 2 * bezel, h - 2 * bezel, '#161a20', 'rx="2"')}
  <path d="M${x + bezel} ${80 + h - bezel} L${x + w - bezel} ${80 + bezel} V${80 + h - bezel} Z" fill="${s.accent}" opacity="0.18"/>
  ${badge(brand, 400, band, Math.max(5, (bezel + chin) / 2 - 2))}
  ${c(x + w - 24, band, 2.5, s.accent)}`;
  }
  // The back: the stand's mount, the ports below it and the brand on the shell.
  const back = portSet(p, ['hdmi', 'dp', 'usba', 'usbc', 'audio'], 2, 6);
  return `${r(x, 80, w, h + chin, s.trim, `rx="10" stroke="${s.edge}" stroke-width="2"`)}
  ${r(360, 80 + h / 2 - 60, 80, 80, s.body, 'rx="8"')}
  ${badge(brand, 400, 80 + h / 2 - 20, 18)}
  ${ports(400 - portsWidth(back) / 2, 80 + h + chin - 22, back, s.hole)}
  ${neck}${foot}`;
}

function rack({ p, s, brand, variant }: Ctx): string {
  const units = p.pick([1, 2, 2]);
  const h = units === 1 ? 64 : 120;
  const y = 220 - h / 2;
  const body = r(110, y, 580, h, s.body, `rx="4" stroke="${s.edge}" stroke-width="2"`);
  const ears = r(92, y, 22, h, s.trim, 'rx="3"') + r(686, y, 22, h, s.trim, 'rx="3"');
  if (variant === 1) {
    const [cols, rows, bw] = units === 1 ? p.pick([[8, 1, 36], [10, 1, 30], [4, 1, 80]] as const) : p.pick([[8, 2, 40], [12, 2, 28], [6, 2, 56]] as const);
    const bh = units === 1 ? 40 : 44;
    const bezel = p.int(0, 1) === 1;
    return `${body}${ears}
  ${bezel ? r(130, y + 8, 380, h - 16, s.trim, 'rx="4" opacity="0.7"') : ''}
  ${cells(140, y + (h - rows * bh - (rows - 1) * 6) / 2, cols, rows, bw, bh, 6, s.hole)}
  ${cells(142, y + (h - rows * bh - (rows - 1) * 6) / 2 + 6, cols, rows, 4, 4, bw + 2, s.accent)}
  ${badge(brand, 600, y + h / 2, units === 1 ? 18 : 24)}
  ${c(660, y + h / 2, 7, '#5ed3a2')}`;
  }
  const nics = portSet(p, ['rj45', 'rj45', 'usba', 'dp'], 3, 6);
  const psus = p.int(1, 2);
  return `${body}
  ${cells(126, y + 10, psus, 1, 70, h - 20, 8, s.hole)}
  ${cells(280, y + 10, p.int(2, 4), 1, 60, h - 20, 8, s.trim)}
  ${ports(540 - portsWidth(nics) / 2, y + h / 2, nics, s.hole)}
  ${badge(brand, 660, y + h / 2, 14)}`;
}

function cpu({ p, s, family, brand, variant }: Ctx): string {
  const big = /xeon|epyc|threadripper/i.test(family);
  const [w, h] = big ? [300, 200] : [240, 240];
  const x = 400 - w / 2;
  const y = 230 - h / 2;
  const substrate = p.pick(['#2e7d4f', '#1f5f3f', '#5b3a1e', '#3d4b2a']);
  if (variant === 1) {
    const lid = p.pick([18, 28]);
    const notch = p.int(0, 1);
    return `${r(x, y, w, h, substrate, 'rx="8"')}
  ${r(x + lid, y + lid, w - 2 * lid, h - 2 * lid, s.body === FINISHES[2] ? '#c9ced6' : shade(s.body, 0.3), `rx="${p.pick([6, 20])}"`)}
  ${badge(brand, 400, y + h / 2 - 18, 22)}
  ${cells(400 - 60, y + h / 2 + 20, 1, 3, 120, 6, 8, s.hole, 'opacity="0.35"')}
  ${notch ? c(x + 12, y + h - 12, 5, '#e6c36a') : `<path d="M${x} ${y + h - 20} l20 20 h-20z" fill="#e6c36a"/>`}`;
  }
  const pins = p.int(0, 1) === 1;
  const pitch = big ? 12 : 13;
  const cols = Math.floor((w - 30) / pitch);
  const rows = Math.floor((h - 30) / pitch);
  return `${r(x, y, w, h, substrate, 'rx="8"')}
  ${pins ? Array.from({ length: rows }, (_, i) => `<path d="M${x + 18} ${y + 18 + i * pitch}h${cols * pitch}" stroke="#e6c36a" stroke-width="5" stroke-dasharray="4 ${pitch - 4}"/>`).join('') : cells(x + 16, y + 16, cols, rows, 6, 6, pitch - 6, '#e6c36a')}
  ${r(400 - 40, 230 - 30, 80, 60, substrate, 'rx="4"')}`;
}

function card({ p, s, brand, variant }: Ctx): string {
  const fans = p.int(1, 3);
  const len = 260 + fans * 90;
  const x = 420 - len / 2;
  const outputs = portSet(p, ['dp', 'dp', 'hdmi'], 2, 4);
  const bracket = r(x - 22, 140, 18, 200, '#aab2c0');
  if (variant === 1) {
    const fanR = Math.min(60, (len - 60) / fans / 2 - 6);
    const gap = (len - 40) / fans;
    return `${r(x, 150, len, 150, s.body, `rx="${p.pick([6, 16])}" stroke="${s.edge}" stroke-width="2"`)}
  ${Array.from({ length: fans }, (_, i) => {
    const cx = x + 20 + gap * (i + 0.5);
    return c(cx, 225, fanR, s.hole) + c(cx, 225, fanR - 8, 'none', `stroke="${s.trim}" stroke-width="6" stroke-dasharray="14 10"`) + c(cx, 225, 12, s.trim);
  }).join('')}
  ${bracket}
  ${r(x + 60, 300, len * 0.5, 14, '#e6c36a')}
  ${badge(brand, x + len - 26, 170, 10)}`;
  }
  // From the back: the backplate and the outputs on the bracket.
  return `${r(x, 150, len, 150, s.trim, 'rx="8"')}
  ${r(x + 10, 160, len - 20, 130, s.body, 'rx="6" opacity="0.8"')}
  ${badge(brand, x + len / 2, 225, 28)}
  ${bracket}
  ${outputs.map((k, i) => `<g transform="rotate(90 ${x - 13} ${170 + i * 40})">${ports(x - 13 - PORT_WIDTH[k] / 2, 170 + i * 40, [k], s.hole, 0.9)}</g>`).join('')}`;
}

function memory({ p, s, family, brand, variant }: Ctx): string {
  const sodimm = /sodimm|laptop/i.test(family);
  const ecc = /ecc|rdimm|registered/i.test(family);
  const len = sodimm ? 320 : 540;
  const x = 400 - len / 2;
  const spreader = !ecc && p.int(0, 2) > 0;
  const board = p.pick(['#2e7d4f', '#1f5f3f', '#1d3b6b', '#25282e']);
  const chips = ecc ? 9 : 8;
  const cw = Math.floor((len - 40) / chips) - 8;
  const stick = (y: number) => {
    const pcb = r(x, y, len, 100, board, 'rx="4"') + cells(x + 8, y + 102, Math.floor((len - 16) / 12), 1, 8, 12, 4, '#e6c36a') + r(x + len * 0.56, y + 96, 10, 18, shade(board, -0.4));
    if (spreader) return pcb + r(x - 4, y - 14, len + 8, 96, s.body, `rx="6" stroke="${s.edge}" stroke-width="2"`) + r(x + 16, y + 6, len * 0.4, 28, s.trim, 'rx="3"');
    return pcb + cells(x + 20, y + 18, chips, 1, cw, 40, 8, '#1a1d22') + (ecc ? r(400 - 14, y + 72, 28, 14, '#1a1d22') : '');
  };
  // On the heat spreader, or on the board beside the last chip.
  const mark = (y: number) => (spreader ? badge(brand, x + len - 40, y + 34, 16) : badge(brand, x + len - 26, y + 78, 13));
  if (variant === 1) return `${stick(170)}${mark(170)}`;
  // A pair, as kits are sold.
  return `${stick(110)}${stick(260)}${mark(260)}`;
}

function drive({ p, s, family, brand, variant }: Ctx): string {
  const form = /nvme|m\.2|970|980|pm9/i.test(family) && !/u\.2/i.test(family) ? 'm2'
    : /hdd|exos|red|ironwolf|barracuda|\d+tb\b/i.test(family) && !/ssd|nvme|u\.2/i.test(family) ? 'hdd'
    : 'ssd';
  const label = p.pick(['#1f2937', '#0f3d63', '#6b1d1d', '#d9dee7', '#334155']);
  if (form === 'm2') {
    const len = p.pick([380, 460, 520]);
    const x = 400 - len / 2;
    const chips = p.int(2, 4);
    return `${r(x, 190, len, 90, '#1f5f3f', 'rx="4"')}
  ${variant === 1 ? r(x + 40, 198, len - 80, 74, label, 'rx="3"') + badge(brand, x + 80, 235, 18) : cells(x + 40, 205, chips, 1, 70, 60, 14, '#1a1d22')}
  ${cells(x - 4, 200, 1, 10, 10, 5, 2, '#e6c36a')}
  ${c(x + len - 12, 235, 9, s.body === FINISHES[5] ? '#aab2c0' : shade(s.body, 0.2))}`;
  }
  const [w, h] = form === 'hdd' ? [300, 380] : [240, 330];
  const x = 400 - w / 2;
  const y = 230 - h / 2 - 10;
  if (variant === 2) {
    // The end with the connectors, drawn larger.
    return zoomed(1.6, `${r(x, 190, w, form === 'hdd' ? 90 : 50, s.trim, `rx="6" stroke="${s.edge}" stroke-width="2"`)}${r(x, 190, w, 8, label, 'rx="4"')}
  ${r(x + 30, 206, 60, 16, s.hole, 'rx="2"')}${r(x + 100, 206, form === 'hdd' ? 110 : 90, 16, s.hole, 'rx="2"')}
  ${badge(brand, x + w - 36, form === 'hdd' ? 250 : 214, 12)}`);
  }
  if (form === 'hdd') {
    return `${r(x, y, w, h, '#aab2c0', 'rx="12"')}
  ${r(x + 14, y + 14, w - 28, h - 28, s.body, `rx="10" stroke="${s.edge}" stroke-width="2"`)}
  ${r(x + 30, y + 40, w - 60, 120, label, 'rx="6"')}
  ${badge(brand, x + 66, y + 100, 22)}
  ${cells(x + 110, y + 80, 1, 3, w - 160, 8, 10, '#ffffff', 'opacity="0.5"')}
  ${c(x + w / 2, y + 260, 40, s.trim)}${c(x + w / 2, y + 260, 8, s.hole)}`;
  }
  return `${r(x, y, w, h, s.body, `rx="14" stroke="${s.edge}" stroke-width="2"`)}
  ${r(x + 20, y + p.pick([60, 120]), w - 40, 150, label, 'rx="8"')}
  ${badge(brand, 400, y + 40, 18)}
  ${cells(x + 40, y + h - 40, 1, 2, w - 80, 6, 8, s.trim)}`;
}

function networkSwitch({ p, s, family, brand, variant }: Ctx): string {
  const count = hint(family, [5, 8, 10, 16, 24, 48]) ?? p.pick([8, 16, 24, 48]);
  const rows = count > 12 ? 2 : 1;
  const cols = Math.ceil(count / rows);
  const compact = count <= 10;
  const w = compact ? 380 : count > 24 ? 640 : 600;
  const x = 400 - w / 2;
  const h = (rows === 2 ? 104 : 76) + p.pick([0, 8, 16]);
  const y = 220 - h / 2;
  const uplinks = p.pick([2, 4]);
  const body = r(x, y, w, h, s.body, `rx="${p.pick([3, 8])}" stroke="${s.edge}" stroke-width="2"`);
  if (variant === 1) {
    const poe = p.int(0, 2) === 0;
    const group = p.pick([cols, 4, 6, 8, 12].filter((n) => n <= cols && cols % n === 0));
    const groupGap = 14;
    const badgeLeft = p.int(0, 1) === 1;
    const x0 = badgeLeft ? x + 70 : x + 24;
    const right = badgeLeft ? x + w - 24 : x + w - 70;
    const upCols = Math.ceil(uplinks / rows);
    // Ports fill the front between the badge and the uplinks.
    const pw = Math.min(30, Math.floor((right - upCols * 30 - 16 - x0 - (cols / group - 1) * groupGap) / cols) - 5);
    const py = y + (h - rows * 26 - (rows - 1) * 8) / 2;
    let d = '';
    let leds = '';
    for (let col = 0; col < cols; col++) {
      const px = x0 + col * (pw + 5) + Math.floor(col / group) * groupGap;
      for (let row = 0; row < rows; row++) d += `M${px} ${py + row * 34}h${pw}v26h${-pw}z`;
      leds += `M${px} ${y + 7}h${pw}v3h${-pw}z`;
    }
    return `${body}
  ${badge(brand, badgeLeft ? x + 36 : x + w - 36, y + h / 2, 16)}
  <path d="${d}" fill="${s.hole}"/>
  ${poe ? `<path d="${leds}" fill="${s.accent}"/>` : ''}
  ${cells(right - upCols * 30, y + (h - rows * 20 - (rows - 1) * 10) / 2, upCols, rows, 24, 20, 6, shade(s.trim, -0.2))}`;
  }
  // The back: power inlet, fans, console ports.
  const fans = compact ? 0 : p.int(1, 2);
  const fanR = Math.min(30, h / 2 - 8);
  return `${body}
  ${r(x + 24, y + h / 2 - 18, 44, 36, s.hole, 'rx="4"')}
  ${Array.from({ length: fans }, (_, i) => c(x + w - 60 - i * 80, y + h / 2, fanR, s.trim) + c(x + w - 60 - i * 80, y + h / 2, 8, s.hole)).join('')}
  ${compact ? '' : cells(x + 100, y + 16, p.int(3, 8), 1, 8, h - 32, 8, s.trim)}
  ${ports(x + (compact ? 100 : 260), y + h / 2, p.pick([['rj45', 'usba'], ['usbc'], ['rj45']] as const), s.hole)}
  ${badge(brand, compact ? x + w - 50 : x + w / 2 + 40, y + h / 2, 18)}`;
}

const DRAW: Record<Kind, (ctx: Ctx) => string> = { laptop, tower, mini, monitor, rack, cpu, card, memory, drive, switch: networkSwitch };

/** Scales a drawing about the middle of the picture's upper part. */
function zoomed(by: number, markup: string): string {
  return `<g transform="matrix(${by} 0 0 ${by} ${400 * (1 - by)} ${240 * (1 - by)})">${markup}</g>`;
}

/** Small devices are drawn larger. */
const ZOOM: Partial<Record<Kind, number>> = { mini: 1.35 };

/** A category can hold a device of another shape: an all-in-one among desktops, a tower among servers. */
function kindOf(category: Kind, family: string): Kind {
  if (category === 'tower' && /imac|all-in-one|\baio\b/i.test(family)) return 'monitor';
  if (category === 'rack' && /tower|\bT\d{3}\b|\bML\d{2,3}\b|\bST\d{3}\b/i.test(family)) return 'tower';
  return category;
}

export function renderProductSvg(subject: ImageSubject, variant: 1 | 2): string {
  const look = lookFor(subject.category);
  const { bg, accent } = look;
  const family = subject.family ?? subject.name;
  const kind = kindOf(look.kind, family);
  const p = picker(hash(`${subject.category}|${subject.brand.toLowerCase()}|${family.toLowerCase()}`));
  const s = styleFor(p.pick(FINISHES), accent);
  const zoom = ZOOM[kind];
  const device = DRAW[kind]({ p, s, family, brand: subject.brand, variant }).replace(/\n\s*\n/g, '\n');
  const drawing = zoom ? zoomed(zoom, device) : device;
  // Long names shrink so they stay inside the 800px width.
  const nameSize = Math.max(20, Math.min(40, Math.floor(1150 / Math.max(subject.name.length, 1))));
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 600" width="800" height="600" role="img" aria-label="${escapeXml(subject.name)}">
  <rect width="800" height="600" fill="${bg}"/>
  <circle cx="${variant === 1 ? 680 : 120}" cy="80" r="220" fill="${accent}" opacity="0.08"/>
  ${drawing}
  <g id="caption" font-family="Helvetica, Arial, sans-serif">
  <rect y="450" width="800" height="150" fill="#000" opacity="0.25"/>
  <text x="40" y="496" font-size="22" font-weight="700" letter-spacing="2" fill="${accent}">${escapeXml(subject.brand.toUpperCase())}</text>
  <text x="40" y="${496 + nameSize + 8}" font-size="${nameSize}" fill="#ffffff">${escapeXml(subject.name)}</text>
  <text x="760" y="580" text-anchor="end" font-size="14" fill="#ffffff" opacity="0.6">GigGatek refurbished${variant === 2 ? ' · view 2' : ''}</text>
  </g>
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

export function genericImagePath(key: string): string {
  return `${PUBLIC_PREFIX}/generic-${key}.svg`;
}

/** One shared picture per model for bulk-generated products, named by `key`. */
export function writeGenericImages(images: Array<ImageSubject & { key: string }>, dir: string = PRODUCT_IMAGE_DIR): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const { key, ...subject } of images) fs.writeFileSync(path.join(dir, `generic-${key}.svg`), renderProductSvg(subject, 1));
}
