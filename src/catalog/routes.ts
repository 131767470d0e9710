import { Router } from 'express';
import { gradeExplanations } from './grades';
import type { CatalogService } from './service';

export function catalogRoutes(catalog: CatalogService): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const [featured, categories] = await Promise.all([catalog.featured(8), catalog.categoryTree()]);
    res.render('catalog/home', { title: 'Refurbished computers you can buy or rent to own', featured, categories, gradeExplanations });
  });

  return router;
}
