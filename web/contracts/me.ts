import type { Me as WhoAmI } from '../../domain/directory/who-am-i';

/**
 * The caller as the server knows them (GET /api/web/me, bot/web/me-api.ts): the domain's own shape,
 * and how they signed in. A type-only import, so nothing of the domain reaches the page's bundle.
 */
export type Me = WhoAmI & { signedInVia: 'teams-sso' | 'signed-link' };
