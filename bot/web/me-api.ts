import { whoAmI } from '../../domain/directory/who-am-i';
import { route, type WebRoute } from './web-api';

/** Who the verified caller is, so a page shows the right tabs (every action is still checked). */
export const meRoutes: readonly WebRoute[] = [
  route({ method: 'get', path: '/me', run: async ({ deps, ctx, identity }) => ({ ...(await whoAmI(deps, ctx)), signedInVia: identity.via }) }),
];
