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
    command<{ page: 'admin' | 'purchases' }>({
      name: 'open',
      usage: 'open my purchases|admin',
      example: 'open my purchases',
      scope: 'personal',
      personalData: true,
      keywords: ['open'],
      parse: (text) => {
        const m = /^open(?:\s+the)?\s+(my purchases|purchases|admin(?:\s+center)?)(?:\s+(?:tab|page))?$/i.exec(text);
        return m ? { page: /^admin/i.test(m[1]) ? 'admin' : 'purchases' } : null;
      },
      run: async (a, { deps, ctx, services }) => {
        if (a.page === 'admin') {
          if (!(await whoAmI(deps, ctx)).isAdmin) return 'The Admin page is for Global admins, Billing admins and Global readers. Say **open my purchases** for yours.';
          const link = services.pageLink(ctx, 'admin');
          return cardReply(openPageCard({ title: 'Admin', what: 'Every self-service purchase, licenses, policies, approvals, the audit log and spend, on one page.', ...link }));
        }
        const link = services.pageLink(ctx, 'purchases');
        return cardReply(openPageCard({ title: 'My purchases', what: 'Your subscriptions, licenses, bills and payment method, on one page.', ...link }));
      },
    }),
  ],
};
