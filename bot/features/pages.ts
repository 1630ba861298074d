import { whoAmI } from '../../domain/directory/who-am-i';
import { openPageCard } from '../../cards/purchaser-cards';
import { cardReply, command, type Feature } from './feature';
import { route } from '../web/web-api';

/** Links that open the tabs (My purchases, Admin) outside Teams, signed in as the caller. */
export const pages: Feature = {
  name: 'pages',
  web: [
    // Who the verified caller is, so a page shows the right tabs (every action is still checked).
    route({ method: 'get', path: '/me', run: async ({ deps, ctx, identity }) => ({ ...(await whoAmI(deps, ctx)), signedInVia: identity.via }) }),
  ],
  commands: [
    command<object>({
      name: 'open admin',
      usage: 'open admin',
      example: 'open admin',
      scope: 'admin',
      // A signed link is the caller's own: never posted where others could open it.
      personalData: true,
      keywords: ['open admin'],
      parse: (text) => (/^open(?:\s+the)?\s+admin(?:\s+center)?(?:\s+(?:tab|page))?$/i.test(text) ? {} : null),
      run: async (_a, { deps, ctx, services }) => {
        if (!(await whoAmI(deps, ctx)).isAdmin) return 'The Admin page is for Global admins, Billing admins and Global readers. Say **open my purchases** for yours.';
        const link = services.pageLink(ctx, 'admin');
        return cardReply(openPageCard({ title: 'Admin', what: 'Every self-service purchase, licenses, policies, approvals, the audit log and spend, on one page.', ...link }));
      },
    }),
    command<object>({
      name: 'open',
      usage: 'open my purchases',
      example: 'open my purchases',
      scope: 'personal',
      personalData: true,
      keywords: ['open'],
      parse: (text) => (/^open(?:\s+the)?\s+(?:my\s+)?purchases(?:\s+(?:tab|page))?$/i.test(text) ? {} : null),
      run: async (_a, { ctx, services }) => {
        const link = services.pageLink(ctx, 'purchases');
        return cardReply(openPageCard({ title: 'My purchases', what: 'Your subscriptions, licenses, bills and payment method, on one page.', ...link }));
      },
    }),
  ],
};
