import type { Knex } from 'knex';
import * as domain from './20261121000001_domain';
import * as catalogSearchTerms from './20261121000003_catalog_search_terms';
import * as catalogSearchIndex from './20261121000004_catalog_search_index';
import * as customerNotes from './20261127000001_customer_notes';
import * as lowStock from './20261127000002_low_stock';
import * as productEditing from './20261127000003_product_editing';
import * as adminOrderIndexes from './20261127000004_admin_order_indexes';
import * as ordersByDayAndStatus from './20261127000005_orders_by_day_and_status';
import * as rentalTerms from './20261128000001_rental_terms';
import * as rentalSigning from './20261128000010_rental_signing';
import * as rentalCollection from './20261129000001_rental_collection';
import * as wishlistAlerts from './20261129000030_wishlist_alerts';
import * as disputes from './20261129000050_disputes';
import * as productFamilies from './20261130000001_product_families';
import * as rateLimits from './20261201000001_rate_limits';
import * as pageVersion from './20261202000001_page_version';
import * as pageChanges from './20261202000002_page_changes';

/**
 * Every migration, in order. Listing them here (instead of scanning a folder)
 * lets the same code run from TypeScript sources, compiled output and tests.
 * Add new migrations to the end; never edit one that has shipped.
 */
export const migrations: Array<[name: string, migration: Knex.Migration]> = [
  ['20261121000001_domain', domain],
  ['20261121000003_catalog_search_terms', catalogSearchTerms],
  ['20261121000004_catalog_search_index', catalogSearchIndex],
  ['20261127000001_customer_notes', customerNotes],
  ['20261127000002_low_stock', lowStock],
  ['20261127000003_product_editing', productEditing],
  ['20261127000004_admin_order_indexes', adminOrderIndexes],
  ['20261127000005_orders_by_day_and_status', ordersByDayAndStatus],
  ['20261128000001_rental_terms', rentalTerms],
  ['20261128000010_rental_signing', rentalSigning],
  ['20261129000001_rental_collection', rentalCollection],
  ['20261129000030_wishlist_alerts', wishlistAlerts],
  ['20261129000050_disputes', disputes],
  ['20261130000001_product_families', productFamilies],
  ['20261201000001_rate_limits', rateLimits],
  ['20261202000001_page_version', pageVersion],
  ['20261202000002_page_changes', pageChanges],
];
