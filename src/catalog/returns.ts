/**
 * The store's free returns window, in days from delivery or collection, shown
 * in every product page's buy box. There is no setting for it yet: change the
 * policy here (README, "Catalog").
 */
export const FREE_RETURNS_DAYS = 30;
