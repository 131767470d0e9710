import fs from 'node:fs/promises';
import path from 'node:path';
import type { Metadata } from 'sharp';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import { shortName, type UploadedFile } from '../http/upload';
import { IMAGE_SIDES, imageBox, imageDir, newImageName } from './image-paths';

/**
 * Uploaded product photos. An upload is judged by its bytes (sharp reads
 * the format from them, whatever the file name or the declared type says),
 * turned upright by its EXIF orientation and written again as WebP in the
 * two sizes of image-paths.ts (each fitted inside its 4:3 box, never
 * enlarged): the camera's metadata (EXIF, GPS) is not copied.
 */

export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
export const MAX_IMAGE_PIXELS = 40_000_000;
/** A product page shows them all; more would be a wall of thumbnails. */
export const MAX_PRODUCT_IMAGES = 12;

const WEBP_QUALITY = 82;

const ACCEPTED = new Set(['jpeg', 'png', 'webp']);
const FORMAT_NAMES: Record<string, string> = { gif: 'a GIF image', svg: 'an SVG drawing', tiff: 'a TIFF image', heif: 'a HEIF or AVIF image', pdf: 'a PDF document', jp2: 'a JPEG 2000 image', jxl: 'a JPEG XL image' };
export const ACCEPTED_IMAGES_TEXT = `JPEG, PNG or WebP, each at most ${MAX_IMAGE_BYTES / 1024 / 1024} MB and ${MAX_IMAGE_PIXELS / 1_000_000} megapixels`;

/** sharp (libvips, some 20 MB resident) is loaded at the first upload, not in every web process that never sees one. */
const loadSharp = () => import('sharp').then((m) => m.default);

export interface EncodedImage {
  large: Buffer;
  small: Buffer;
}

/** Checks one upload by its content and re-encodes it; a refusal names the file and why. */
export async function encodeImage(file: UploadedFile): Promise<EncodedImage> {
  const refuse = (why: string) => new ValidationError(`“${shortName(file.name)}” ${why}`, { images: `Choose ${ACCEPTED_IMAGES_TEXT}.` });
  const sharp = await loadSharp();
  let meta: Metadata;
  try {
    meta = await sharp(file.bytes).metadata();
  } catch {
    throw refuse('is not an image we can read. Please send a JPEG, PNG or WebP photo.');
  }
  if (!ACCEPTED.has(meta.format)) throw refuse(`is ${FORMAT_NAMES[meta.format] ?? `a ${meta.format.toUpperCase()} file`}. Please send a JPEG, PNG or WebP photo.`);
  if (meta.width * meta.height > MAX_IMAGE_PIXELS) {
    throw refuse(`is ${meta.width} × ${meta.height} pixels (${(meta.width * meta.height / 1_000_000).toFixed(1)} megapixels): at most ${MAX_IMAGE_PIXELS / 1_000_000} megapixels, please.`);
  }
  try {
    const upright = sharp(file.bytes, { limitInputPixels: MAX_IMAGE_PIXELS, autoOrient: true });
    const [large, small] = await Promise.all(
      [IMAGE_SIDES.large, IMAGE_SIDES.small].map((side) => upright.clone().resize({ ...imageBox(side), fit: 'inside', withoutEnlargement: true }).webp({ quality: WEBP_QUALITY }).toBuffer()),
    );
    return { large: large!, small: small! };
  } catch {
    throw refuse('could not be read to the end: the file may be damaged.');
  }
}

/** Writes both sizes under a new random name; returns the public path to list. */
export async function saveImage(uploadsDir: string, image: EncodedImage): Promise<string> {
  const name = newImageName();
  const dir = imageDir(uploadsDir);
  await fs.mkdir(dir, { recursive: true });
  try {
    await fs.writeFile(path.join(dir, name.files.small), image.small, { flag: 'wx' });
    await fs.writeFile(path.join(dir, name.files.large), image.large, { flag: 'wx' });
  } catch (err) {
    await Promise.all(Object.values(name.files).map((f) => fs.rm(path.join(dir, f), { force: true })));
    throw err;
  }
  return name.src;
}

export const IMAGE_NOT_FOUND = 'That image is not on this product (any more). Here are its images as they are now.';

export type ImageMove = 'up' | 'down' | 'first';

/** The list with `image` moved one place up or down, or to the front (the product's main photo). */
export function moveImage(images: readonly string[], image: string, to: ImageMove): string[] {
  const from = images.indexOf(image);
  if (from < 0) throw new NotFoundError(IMAGE_NOT_FOUND);
  const target = to === 'first' ? 0 : to === 'up' ? from - 1 : from + 1;
  if (target < 0 || target >= images.length || target === from) throw new ConflictError(to === 'down' ? 'That image is already the last.' : 'That image is already the first.');
  const out = images.filter((_, i) => i !== from);
  out.splice(target, 0, image);
  return out;
}
