import type { WebRoute } from './web-api';

/** The Admin tab. */
export const adminRoutes: readonly WebRoute[] = [];
