import fs from 'node:fs/promises';
import { inTransaction, type Db } from '../db';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/log';
import { NotFoundError, ValidationError } from '../http/errors';
import type { UploadedFile } from '../http/upload';
import { recordAudit, type StaffContext } from '../audit/repo';
import type { CatalogEvents } from './changes';
import { ACCEPTED_IMAGES_TEXT, encodeImage, IMAGE_NOT_FOUND, MAX_PRODUCT_IMAGES, moveImage, saveImage, type ImageMove } from './images';
import { imageFiles } from './image-paths';
import * as repo from './repo';

const PRODUCT_NOT_FOUND = 'We could not find that product.';

/**
 * Staff add, reorder and delete a product's images. Each change is one
 * audit_log row (the list before and after) in the transaction that saves
 * the list; the catalog is told after commit. New files are written before
 * that transaction and removed again if it fails; deleted ones are removed
 * after it commits, once no product lists them.
 */
export class ProductImageService {
  constructor(private readonly deps: { db: Db; clock: Clock; catalog: CatalogEvents; uploadsDir: string; logger: Logger }) {}

  async list(productId: number): Promise<string[]> {
    const images = await repo.productImages(this.deps.db, productId);
    if (!images) throw new NotFoundError(PRODUCT_NOT_FOUND);
    return images;
  }

  /** Adds the uploads after the product's images; if any one is refused, none is added. Returns how many were. */
  async add(productId: number, files: readonly UploadedFile[], by: StaffContext): Promise<number> {
    if (!files.length) throw new ValidationError('Please choose at least one image.', { images: `Choose ${ACCEPTED_IMAGES_TEXT}.` });
    const room = MAX_PRODUCT_IMAGES - (await this.list(productId)).length;
    if (files.length > room) throw tooMany(room);
    const encoded = [];
    // One at a time: a decoded 40-megapixel photo takes a lot of memory.
    for (const file of files) encoded.push(await encodeImage(file));
    const added: string[] = [];
    try {
      for (const image of encoded) added.push(await saveImage(this.deps.uploadsDir, image));
      await this.change(productId, 'product.images.add', by, (images) => {
        if (images.length + added.length > MAX_PRODUCT_IMAGES) throw tooMany(MAX_PRODUCT_IMAGES - images.length);
        return [...images, ...added];
      });
    } catch (err) {
      await this.removeFiles(added);
      throw err;
    }
    return added.length;
  }

  async move(productId: number, image: string, to: ImageMove, by: StaffContext): Promise<void> {
    await this.change(productId, 'product.images.move', by, (images) => moveImage(images, image, to));
  }

  async remove(productId: number, image: string, by: StaffContext): Promise<void> {
    await this.change(productId, 'product.images.delete', by, (images) => {
      if (!images.includes(image)) throw new NotFoundError(IMAGE_NOT_FOUND);
      return images.filter((i) => i !== image);
    });
    if (!(await repo.imageInUse(this.deps.db, image))) await this.removeFiles([image]);
  }

  /** Saves the product's new image list, audited, and tells the catalog after commit. */
  private async change(productId: number, action: string, by: StaffContext, edit: (images: string[]) => string[]): Promise<void> {
    await inTransaction(this.deps.db, async (trx) => {
      const before = await repo.productImages(trx, productId);
      if (!before) throw new NotFoundError(PRODUCT_NOT_FOUND);
      const after = edit(before);
      const now = this.deps.clock.now();
      await repo.setProductImages(trx, productId, after, now);
      await recordAudit(trx, by, { action, entity: 'product', entityId: productId, before: { images: before }, after: { images: after } }, now);
    });
    await this.deps.catalog.changed({ what: 'product', productIds: [productId] });
  }

  /** A file left behind only wastes space: logged, not thrown. */
  private async removeFiles(images: readonly string[]): Promise<void> {
    for (const file of images.flatMap((src) => imageFiles(this.deps.uploadsDir, src))) {
      await fs.rm(file, { force: true }).catch((err: unknown) => this.deps.logger.warn({ err, file }, 'image file not removed'));
    }
  }
}

function tooMany(room: number): ValidationError {
  const message = room > 0 ? `This product has room for ${room} more image${room === 1 ? '' : 's'} (at most ${MAX_PRODUCT_IMAGES}).` : `This product has ${MAX_PRODUCT_IMAGES} images already: delete one to add another.`;
  return new ValidationError(message, { images: message });
}
