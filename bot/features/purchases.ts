import type { ActorContext, Deps } from '../../domain/ports';
import type { PolicyValue } from '../../domain/model';
import { listPurchases } from '../../domain/admin/list-purchases';
import { getPurchaseDetail } from '../../domain/admin/get-purchase-detail';
import { acknowledgePurchase } from '../../domain/admin/acknowledge-purchase';
import { getPolicy } from '../../domain/policy/view-policies';
import { setPolicy } from '../../domain/policy/set-policy';
import { listProducts } from '../../domain/catalog/list-products';
import { requireAbility } from '../../domain/shared/abilities';
import { adminReadAbility, adminWriteAbility, checkAdminWrite } from '../../domain/access';
import { purchaseCard, purchasesCard } from '../../cards/admin-cards';
import { CARD_HOLDERS_READ, type AdaptiveCard } from '../../cards/ui';
import { VERBS } from '../../cards/verbs';
import { cardReply, command, done, type BannerInput, type Feature } from './feature';
import { adminMris } from './admins';
import { listPurchasers } from '../../domain/admin/list-purchasers';
import type { AcknowledgedDto, PageDto, PurchaseDetailDto, PurchaseFiltersDto, PurchaseRowDto } from '../../web/contracts/admin';
import { EmptyBody, PurchasesQuery, actionsDto, iso, isoOrNull, moneyDto, namesOf, parseQuery, purchaseRow, requireAdmin } from '../web/admin-views';
import { route } from '../web/web-api';

/** Admins see every purchase (R5): the paged list with filters, one purchase's details, acknowledge, disable its product. */

export const LIST_PAGE_SIZE = 8;

const purchasesView = async (deps: Deps, ctx: ActorContext, page: unknown = 1, origin: unknown = '', banner?: BannerInput): Promise<AdaptiveCard> => {
  const o = origin === 'SelfService' || origin === 'Central' ? origin : '';
  const [result, refreshUserIds] = await Promise.all([
    listPurchases(deps, ctx, { origin: o || undefined, page: Number(page) || 1, pageSize: LIST_PAGE_SIZE }),
    adminMris(deps, ctx),
  ]);
  return purchasesCard({ page: result, origin: o, refreshUserIds, ...banner });
};

export const purchaseView = async (deps: Deps, ctx: ActorContext, subscriptionId: unknown, opts: { isNew?: boolean } & BannerInput = {}): Promise<AdaptiveCard> => {
  const detail = await getPurchaseDetail(deps, ctx, { subscriptionId, assigneeLimit: CARD_HOLDERS_READ });
  const [policy, refreshUserIds] = await Promise.all([getPolicy(deps, ctx, detail.product.id), adminMris(deps, ctx)]);
  return purchaseCard({
    detail,
    actions: detail.adminActions,
    policy: policy.value as PolicyValue,
    isNew: opts.isNew ?? false,
    refreshUserIds,
    banner: opts.banner,
    bannerIsError: opts.bannerIsError,
    bannerTone: opts.bannerTone,
  });
};

export const purchases: Feature = {
  name: 'purchases',
  web: [
    route({
      method: 'get',
      path: '/admin/purchases',
      run: async ({ deps, ctx, query }): Promise<PageDto<PurchaseRowDto>> => {
        const q = parseQuery(PurchasesQuery, query);
        const result = await listPurchases(deps, ctx, { origin: q.origin, productId: q.productId, purchaserId: q.purchaserId, status: q.status, page: q.page ?? 1, pageSize: 25 });
        return { ...result, items: result.items.map((r) => purchaseRow(r.subscription, r.product, r.purchaserName, r.assigned)) };
      },
    }),
    route({
      method: 'get',
      path: '/admin/purchase-filters',
      run: async ({ deps, ctx }): Promise<PurchaseFiltersDto> => {
        const purchasers = await listPurchasers(deps, ctx);
        const products = await listProducts(deps);
        return { products: products.map((p) => ({ id: p.id, name: p.name })), purchasers: purchasers.map((p) => ({ id: p.id, name: p.displayName })) };
      },
    }),
    route({
      method: 'get',
      path: '/admin/purchases/:id',
      run: async ({ deps, ctx, params }): Promise<PurchaseDetailDto> => {
        await requireAdmin(deps, ctx);
        const d = await getPurchaseDetail(deps, ctx, { subscriptionId: params.id });
        // Admins always get their actions on a purchase; a missing set means the caller stopped being one.
        if (!d.adminActions) requireAbility(adminReadAbility([]));
        const name = await namesOf(
          deps,
          ctx,
          d.orders.map((o) => o.actorId),
        );
        return {
          purchase: {
            ...purchaseRow(d.subscription, d.product, d.purchaser?.displayName ?? 'Former employee', d.assignedUsers.length),
            cancelledAt: isoOrNull(d.subscription.cancelledAt),
            cancelReason: d.subscription.cancelReason,
          },
          purchaser: d.purchaser,
          assignedUsers: d.assignedUsers.map((u) => ({ id: u.id, displayName: u.displayName, email: u.email, assignedAt: iso(u.assignedAt) })),
          orders: [...d.orders]
            .sort((a, b) => a.at.getTime() - b.at.getTime())
            .map((o) => ({
              id: o.id,
              kind: o.kind,
              quantityDelta: o.quantityDelta,
              amount: o.amount && moneyDto(o.amount),
              at: iso(o.at),
              note: o.note,
              actorName: name(o.actorId),
            })),
          invoices: d.invoices.map((i) => ({
            id: i.id,
            description: i.description,
            amount: moneyDto(i.amount),
            status: i.status,
            issuedAt: iso(i.issuedAt),
            paidAt: isoOrNull(i.paidAt),
          })),
          acknowledged: d.acknowledged && { byName: d.acknowledged.byName, at: iso(d.acknowledged.at) },
          ...actionsDto(d.adminActions!),
        };
      },
    }),
    route({
      method: 'post',
      path: '/admin/purchases/:id/acknowledge',
      body: EmptyBody,
      run: async ({ deps, ctx, params }): Promise<AcknowledgedDto> => {
        const ack = await acknowledgePurchase(deps, ctx, { subscriptionId: params.id });
        return { byName: (await namesOf(deps, ctx, [ack.by]))(ack.by), at: iso(ack.at) };
      },
    }),
  ],
  commands: [
    command<{ origin: '' | 'SelfService' | 'Central' }>({
      name: 'purchases',
      usage: 'purchases [self-service|central]',
      example: 'purchases self-service',
      scope: 'admin',
      keywords: ['purchases', 'subscriptions'],
      forOthers: 'To see your own, say **my purchases**.',
      parse: (text) => {
        const m = /^(?:all\s+|show\s+(?:all\s+)?)?(?:purchases|subscriptions)(?:\s+(self-?service|central))?$/i.exec(text);
        return m ? { origin: m[1] ? (/^central$/i.test(m[1]) ? 'Central' : 'SelfService') : '' } : null;
      },
      run: (a, { deps, ctx }) => cardReply(purchasesView(deps, ctx, 1, a.origin)),
    }),
  ],
  verbs: {
    [VERBS.purchases]: { run: ({ deps, ctx, data }) => purchasesView(deps, ctx, data.page, data.origin) },
    [VERBS.purchase]: { run: ({ deps, ctx, data }) => purchaseView(deps, ctx, data.subscriptionId) },
    [VERBS.acknowledge]: {
      run: async ({ deps, ctx, data }) => {
        await acknowledgePurchase(deps, ctx, { subscriptionId: data.subscriptionId });
        return purchaseView(deps, ctx, data.subscriptionId, { isNew: data.isNew !== false, ...done('Acknowledged.') });
      },
      recover: (a, banner) => purchaseView(a.deps, a.ctx, a.data.subscriptionId, { isNew: a.data.isNew !== false, ...banner }),
    },
    [VERBS.disableProduct]: {
      run: async ({ deps, ctx, data }) => {
        // The product comes from the stored subscription, not from the card.
        await checkAdminWrite(deps, ctx);
        const detail = await getPurchaseDetail(deps, ctx, { subscriptionId: data.subscriptionId });
        // What the card offered is what the domain allows from this purchase now (an ended one: the policies card instead).
        requireAbility(detail.adminActions?.disableProduct ?? adminWriteAbility([]));
        const change = await setPolicy(deps, ctx, { productId: detail.product.id, value: 'Disabled' });
        return purchaseView(deps, ctx, data.subscriptionId, {
          isNew: data.isNew !== false,
          ...done(`Self-service purchase of ${change.productName} is now turned off. Existing subscriptions keep working.`),
        });
      },
      recover: (a, banner) => purchaseView(a.deps, a.ctx, a.data.subscriptionId, { isNew: a.data.isNew !== false, ...banner }),
    },
  },
  views: {
    purchase: (deps, ctx, data) => purchaseView(deps, ctx, data.subscriptionId, { isNew: data.isNew === true }),
    purchases: (deps, ctx, data) => purchasesView(deps, ctx, data.page, data.origin),
  },
};
