import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { encodeImage, ACCEPTED_IMAGES_TEXT, MAX_IMAGE_BYTES } from '../catalog/images';
import { ValidationError } from '../http/errors';
import type { UploadedFile } from '../http/upload';
import type { Logger } from '../lib/log';

/**
 * Photos sent with a dispute message. They are checked exactly as product
 * images are (catalog/images.ts: judged by their bytes, re-encoded as WebP,
 * camera metadata dropped) and kept in a folder the public /uploads route
 * does not serve (express.static ignores dot folders): only the customer and
 * staff see them, through the dispute pages.
 */

export const MAX_DISPUTE_PHOTOS = 4;
export { MAX_IMAGE_BYTES as MAX_PHOTO_BYTES };
export const ACCEPTED_PHOTOS_TEXT = `Up to ${MAX_DISPUTE_PHOTOS} photos: ${ACCEPTED_IMAGES_TEXT}`;

const ID = /^[0-9a-f]{32}$/;
export const PHOTO_FILE = /^([0-9a-f]{32})-(large|small)\.webp$/;

export function photoDir(uploadsDir: string): string {
  return path.join(uploadsDir, '.disputes');
}

export interface CheckedPhoto {
  large: Buffer;
  small: Buffer;
}

/** Checks every file before anything is stored; a refusal names the file and why (on the `photos` field). */
export async function checkPhotos(files: readonly UploadedFile[]): Promise<CheckedPhoto[]> {
  if (files.length > MAX_DISPUTE_PHOTOS) throw new ValidationError(`Up to ${MAX_DISPUTE_PHOTOS} photos at a time, please.`, { photos: ACCEPTED_PHOTOS_TEXT });
  const out: CheckedPhoto[] = [];
  for (const file of files) {
    try {
      out.push(await encodeImage(file));
    } catch (err) {
      if (err instanceof ValidationError) throw new ValidationError(err.message, { photos: ACCEPTED_PHOTOS_TEXT });
      throw err;
    }
  }
  return out;
}

/** Writes the checked photos under new random ids; returns the ids (removing what was written if one fails). */
export async function savePhotos(uploadsDir: string, photos: readonly CheckedPhoto[]): Promise<string[]> {
  const dir = photoDir(uploadsDir);
  const ids: string[] = [];
  if (!photos.length) return ids;
  await fs.mkdir(dir, { recursive: true });
  try {
    for (const p of photos) {
      const id = crypto.randomBytes(16).toString('hex');
      ids.push(id);
      await fs.writeFile(path.join(dir, `${id}-large.webp`), p.large, { flag: 'wx' });
      await fs.writeFile(path.join(dir, `${id}-small.webp`), p.small, { flag: 'wx' });
    }
  } catch (err) {
    await removePhotos(uploadsDir, ids);
    throw err;
  }
  return ids;
}

export async function removePhotos(uploadsDir: string, ids: readonly string[], logger?: Logger): Promise<void> {
  for (const id of ids.filter((i) => ID.test(i))) {
    for (const size of ['large', 'small']) {
      await fs.rm(path.join(photoDir(uploadsDir), `${id}-${size}.webp`), { force: true }).catch((err: unknown) => logger?.warn({ err, id }, 'dispute photo not removed'));
    }
  }
}

/** The file behind a photo name as linked from a dispute page (`<id>-large.webp`), or null for any other name. */
export function photoFile(uploadsDir: string, name: string): { id: string; file: string } | null {
  const m = PHOTO_FILE.exec(name);
  return m ? { id: m[1]!, file: path.join(photoDir(uploadsDir), name) } : null;
}
