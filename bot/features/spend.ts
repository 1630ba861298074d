import type { Feature } from './feature';
import { spendSummary } from '../../domain/admin/spend-summary';
import type { SpendLine } from '../../domain/admin/spend-summary';
import type { SpendDto } from '../../web/contracts/admin';
import { SpendQuery, iso, parseQuery, spendAmounts } from '../web/admin-views';
import { route } from '../web/web-api';

/** Spend at a glance (DESIGN §3): billed and paid per product and purchaser, for the Admin tab's chart. */
export const spend: Feature = {
  name: 'spend',
  web: [
    route({
      method: 'get',
      path: '/admin/spend',
      run: async ({ deps, ctx, query }): Promise<SpendDto> => {
        const q = parseQuery(SpendQuery, query);
        const s = await spendSummary(deps, ctx, { months: q.months });
        const line = (l: SpendLine) => ({ id: l.id, name: l.name, ...spendAmounts(l) });
        return { from: iso(s.from), to: iso(s.to), months: s.months, totals: s.totals.map(spendAmounts), byProduct: s.byProduct.map(line), byPurchaser: s.byPurchaser.map(line) };
      },
    }),
  ],
};
