import type { ActorContext, Deps } from '../../domain/ports';
import { DomainError, ErrorCodes } from '../../domain/shared/errors';
import { listCatalog } from '../../domain/catalog/list-catalog';
import { licensesForProduct, licensesOverview } from '../../domain/admin/licenses-view';
import { exportableSubscriptionIds } from '../../domain/admin/export-licensed-users';
import { exportCard, productLicensesCard } from '../../cards/admin-cards';
import type { AdaptiveCard } from '../../cards/ui';
import { VERBS } from '../../cards/verbs';
import { plural } from '../../cards/format';
import { bullets } from '../text';
import { cardReply, command, str, type Feature, type FeatureServices, type ParseContext } from './feature';
import { oneProduct, productWords } from './targets';
import { exportLicensedUsers } from '../../domain/admin/export-licensed-users';
import type { LicensesOverviewDto, ProductLicenseGroupsDto } from '../../web/contracts/admin';
import { ExportBody, PageQuery, iso, parseQuery, productLicenses } from '../web/admin-views';
import { route } from '../web/web-api';
import type { WebDownload } from '../web/web-api';

/** R7: licenses per product (users grouped by purchaser) and the CSV export of licensed users. */

const productLicensesView = async (deps: Deps, ctx: ActorContext, productId: unknown, page: unknown = 1): Promise<AdaptiveCard> =>
  productLicensesCard({ view: await licensesForProduct(deps, ctx, { productId, page: Number(page) || 1, pageSize: 10 }) });

const exportView = async (deps: Deps, ctx: ActorContext, services: FeatureServices, product: { id: string; name: string } | null): Promise<AdaptiveCard | string> => {
  const ids = await exportableSubscriptionIds(deps, ctx, { productId: product?.id });
  if (ids.length === 0) return `There are no live ${product ? `${product.name} ` : ''}subscriptions to export.`;
  const link = services.exportLink(ctx, product?.id ?? null);
  return exportCard({
    url: link.url,
    minutes: link.minutes,
    what: `Everyone licensed on ${ids.length} live ${product ? `${product.name} ` : ''}${ids.length === 1 ? 'subscription' : 'subscriptions'}, as CSV.`,
  });
};

const productOf = (pc: ParseContext, words: string, question: string, verb: typeof VERBS.productLicenses | typeof VERBS.exportLink) =>
  oneProduct(productWords(pc, words), question, (p) => ({ title: verb === VERBS.exportLink ? 'Export' : 'Show', verb, data: { productId: p.id } }));

export const licensesAdmin: Feature = {
  name: 'licenses-admin',
  web: [
    route({
      method: 'get',
      path: '/admin/licenses',
      run: async ({ deps, ctx }): Promise<LicensesOverviewDto> => ({ products: (await licensesOverview(deps, ctx)).map(productLicenses) }),
    }),
    route({
      method: 'get',
      path: '/admin/licenses/:productId',
      run: async ({ deps, ctx, params, query }): Promise<ProductLicenseGroupsDto> => {
        const q = parseQuery(PageQuery, query);
        const v = await licensesForProduct(deps, ctx, { productId: params.productId, page: q.page ?? 1, pageSize: 20 });
        return {
          ...productLicenses(v),
          groups: v.groups.map((g) => ({ ...g, subscriptions: g.subscriptions.map((s) => ({ ...s, expiresAt: iso(s.expiresAt) })) })),
          page: v.page,
          pageSize: v.pageSize,
          totalGroups: v.totalGroups,
        };
      },
    }),
    route({
      method: 'post',
      path: '/admin/export',
      body: ExportBody,
      run: async ({ deps, ctx, body }): Promise<WebDownload> => {
        // Only live subscriptions of the caller's tenant can be exported: anything else refuses the
        // whole request before a byte is written, so a forged id can't even learn a file name.
        const exportable = new Set(await exportableSubscriptionIds(deps, ctx, {}));
        if (body.subscriptionIds.some((s) => !exportable.has(s))) {
          throw new DomainError(ErrorCodes.SUBSCRIPTION_NOT_FOUND, "Some of those subscriptions aren't live subscriptions of your organization. Reload the page and choose again.");
        }
        const chunks = await exportLicensedUsers(deps, ctx, { subscriptionIds: body.subscriptionIds });
        return { download: { filename: `licensed-users-${iso(deps.clock.now()).slice(0, 10)}.csv`, contentType: 'text/csv; charset=utf-8', chunks } };
      },
    }),
  ],
  commands: [
    command<{ product: string | null }>({
      name: 'licenses',
      usage: 'licenses [product]',
      example: 'licenses Power BI Pro',
      scope: 'admin',
      keywords: ['licenses'],
      forOthers: 'The licenses you hold: say **my licenses**. The subscriptions you bought and who has their licenses: **my purchases**.',
      parse: (text) => {
        const m = /^(?:show\s+)?licen[sc]es(?:\s+(?:for|of))?(?:\s+(.+))?$/i.exec(text);
        return m ? { product: m[1] ?? null } : null;
      },
      run: async (a, { deps, ctx, pc }) => {
        if (a.product) return cardReply(productLicensesView(deps, ctx, productOf(pc, a.product, 'Whose licenses do you want to see?', VERBS.productLicenses).id));
        const rows = await licensesOverview(deps, ctx);
        if (rows.length === 0) return 'No licenses yet.';
        return `**Licenses by product**\n\n${bullets(rows.map((r) => `${r.product.name}: ${r.totalQuantity} in ${plural(r.subscriptions, 'subscription')}, ${r.assigned} assigned, ${r.available} available`))}\n\nSay **licenses <product>** to see who holds them.`;
      },
    }),
    command<{ product: string | null }>({
      name: 'export',
      usage: 'export [product]',
      example: 'export Power BI Pro',
      scope: 'admin',
      keywords: ['export'],
      parse: (text) => {
        const m = /^export(?:\s+(?:the\s+)?licen[sc]ed\s+users)?(?:\s+(?:for|of))?(?:\s+(.+))?$/i.exec(text);
        return m ? { product: m[1] ?? null } : null;
      },
      run: async (a, { deps, ctx, pc, services }) => {
        const product = a.product ? productOf(pc, a.product, 'Which product’s licensed users do you want to export?', VERBS.exportLink) : null;
        const r = await exportView(deps, ctx, services, product);
        return typeof r === 'string' ? r : cardReply(r);
      },
    }),
  ],
  verbs: {
    [VERBS.productLicenses]: { run: ({ deps, ctx, data }) => productLicensesView(deps, ctx, data.productId, data.page) },
    [VERBS.exportLink]: {
      run: async ({ deps, ctx, data, services }) => {
        const id = str(data.productId);
        const item = id ? (await listCatalog(deps, ctx)).find((i) => i.product.id === id) : null;
        if (id && !item) throw new DomainError(ErrorCodes.PRODUCT_UNKNOWN, "We don't sell that product here.");
        const r = await exportView(deps, ctx, services, item ? item.product : null);
        if (typeof r === 'string') throw new DomainError(ErrorCodes.SUBSCRIPTION_NOT_FOUND, r);
        return r;
      },
    },
  },
};
