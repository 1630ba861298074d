import type { WebRoute } from './web-api';

/** The purchaser's pages (My purchases tab, checkout dialog). */
export const purchaserRoutes: readonly WebRoute[] = [];
