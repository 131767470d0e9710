import crypto from 'node:crypto';
import path from 'node:path';

/**
 * Where product images uploaded by staff live, and under which names: a
 * random id chosen here, in two WebP sizes. products.images lists the large
 * one's public path; the small one (cards, thumbnails) is found from it.
 * Other listed images (the demo drawings, say) have one size, used for both.
 */

/** Width of each size's 4:3 box: the product page's gallery (800 px shown, sharp on dense screens), and cards and thumbnails. */
export const IMAGE_SIDES = { large: 1200, small: 400 } as const;

/**
 * Every page shows a product image in a 4:3 box, whole (object-fit: contain).
 * Each size is scaled to fit inside its box (1200×900, 400×300), keeping its
 * shape and not padded, so a photo of any shape is as sharp in the box as a
 * 4:3 one and the `w` of a srcset is the width of the box it fills.
 */
export function imageBox(side: number): { width: number; height: number } {
  return { width: side, height: Math.round((side * 3) / 4) };
}

const PUBLIC_DIR = '/uploads/products';
const OWN_IMAGE = new RegExp(`^${PUBLIC_DIR}/([0-9a-f]{32})-${IMAGE_SIDES.large}\\.webp$`);

/** A new image's name (unguessable, never taken from the upload) with the public path and file name of each size. */
export function newImageName(): { src: string; files: Record<keyof typeof IMAGE_SIDES, string> } {
  const id = crypto.randomBytes(16).toString('hex');
  return { src: `${PUBLIC_DIR}/${id}-${IMAGE_SIDES.large}.webp`, files: { large: `${id}-${IMAGE_SIDES.large}.webp`, small: `${id}-${IMAGE_SIDES.small}.webp` } };
}

/** The folder under the uploads directory that the image files are in. */
export function imageDir(uploadsDir: string): string {
  return path.join(uploadsDir, 'products');
}

/** The small size of a listed image. */
export function smallImage(src: string): string {
  const m = OWN_IMAGE.exec(src);
  return m ? `${PUBLIC_DIR}/${m[1]}-${IMAGE_SIDES.small}.webp` : src;
}

/** The `srcset` of a listed image for pages that show it large, or null when it has one size. */
export function imageSrcset(src: string): string | null {
  const small = smallImage(src);
  return small === src ? null : `${small} ${IMAGE_SIDES.small}w, ${src} ${IMAGE_SIDES.large}w`;
}

/**
 * The files behind a listed image, for deleting: only images uploaded here
 * (names chosen by newImageName), so no other file under the uploads
 * directory, let alone outside it, can ever be named.
 */
export function imageFiles(uploadsDir: string, src: string): string[] {
  const m = OWN_IMAGE.exec(src);
  if (!m) return [];
  return [IMAGE_SIDES.large, IMAGE_SIDES.small].map((side) => path.join(imageDir(uploadsDir), `${m[1]}-${side}.webp`));
}
