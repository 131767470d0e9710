import type { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../app';
import * as catalogRepo from '../catalog/repo';
import { ACCEPTED_IMAGES_TEXT, MAX_IMAGE_BYTES, MAX_PRODUCT_IMAGES } from '../catalog/images';
import { smallImage } from '../catalog/image-paths';
import { ProductImageService } from '../catalog/product-images';
import { NotFoundError } from '../http/errors';
import { setFlash } from '../http/flash';
import { upload } from '../http/upload';
import { formPage, validate } from '../http/validate';
import { staffContext } from './context';
import { ProductParams } from './schemas';

/** An image is named by its path as listed on the product, so a list changed meanwhile cannot make a click act on another one. */
const ImageInput = z.object({ image: z.string({ error: 'Choose an image.' }).min(1).max(500) });
const MoveImageInput = ImageInput.extend({ direction: z.enum(['up', 'down', 'first'], { error: 'Choose where the image goes.' }) });

const MOVED: Record<z.infer<typeof MoveImageInput>['direction'], string> = { up: 'Image moved up.', down: 'Image moved down.', first: 'That image is now the main one.' };

/** /admin/products/:id/images: a product's images in the order the shop shows them; upload, reorder, delete. */
export function productImageRoutes(router: Router, ctx: AppContext): void {
  const images = new ProductImageService({ db: ctx.db, clock: ctx.clock, catalog: ctx.catalog, uploadsDir: ctx.uploadsDir, logger: ctx.logger });
  const notFound = 'We could not find that product.';
  const pathOf = (id: number) => `/admin/products/${id}/images`;

  const page = formPage({
    view: 'admin/product-images',
    keep: [],
    showRefusals: true,
    locals: async (req) => {
      const product = await catalogRepo.findProductForStaff(ctx.db, ProductParams.parse(req.params).id);
      if (!product) throw new NotFoundError(notFound);
      const list = await images.list(product.id);
      return {
        title: `Images of ${product.name}`, noindex: true, product,
        images: list.map((src) => ({ src, small: smallImage(src) })), maxImages: MAX_PRODUCT_IMAGES, accepted: ACCEPTED_IMAGES_TEXT,
      };
    },
  });

  const shown = validate({ params: ProductParams }, { notFound });
  router.get('/products/:id/images', shown, (req, res) => page.render(req, res));

  const files = upload({ field: 'images', maxBytes: MAX_IMAGE_BYTES, maxFiles: MAX_PRODUCT_IMAGES, form: page });
  router.post('/products/:id/images', shown, files, page.submit(async (req, res) => {
    const { id } = shown.params(req);
    const n = await images.add(id, files.files(req), staffContext(req));
    setFlash(res, 'success', `${n} image${n === 1 ? '' : 's'} added.`);
    res.redirect(303, pathOf(id));
  }));

  const move = validate({ params: ProductParams, body: MoveImageInput }, { form: page, notFound });
  router.post('/products/:id/images/move', move, page.submit(async (req, res) => {
    const { id } = move.params(req);
    const { image, direction } = move.body(req);
    await images.move(id, image, direction, staffContext(req));
    setFlash(res, 'success', MOVED[direction]);
    res.redirect(303, pathOf(id));
  }));

  const remove = validate({ params: ProductParams, body: ImageInput }, { form: page, notFound });
  router.post('/products/:id/images/delete', remove, page.submit(async (req, res) => {
    const { id } = remove.params(req);
    await images.remove(id, remove.body(req).image, staffContext(req));
    setFlash(res, 'success', 'Image deleted.');
    res.redirect(303, pathOf(id));
  }));
}
