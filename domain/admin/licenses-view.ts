import { requireAdminRead } from '../access';
import type { Product, SubscriptionOrigin } from '../model';
import type { ActorContext, Deps } from '../ports';
import { getProduct } from '../shared/effects';
import { parsePaging } from '../shared/validation';

export interface ProductLicenses {
  product: Product;
  subscriptions: number;
  /** R7: the total over all the product's subscriptions. */
  totalQuantity: number;
  assigned: number;
  available: number;
}

/** R7: each product listed once, with quantities summed over all its live subscriptions. */
export const licensesOverview = async (deps: Deps, ctx: ActorContext, input: { origin?: SubscriptionOrigin } = {}): Promise<ProductLicenses[]> =>
  deps.uow.read(async (repos) => {
    await requireAdminRead(repos, ctx);
    const products = await repos.products.list();
    const rows: ProductLicenses[] = [];
    for (const product of products) {
      const totals = await repos.subscriptions.productTotals(ctx.tenantId, product.id, input.origin);
      if (totals.subscriptions > 0) rows.push({ product, ...totals, available: totals.totalQuantity - totals.assigned });
    }
    return rows;
  });

export interface PurchaserGroup {
  purchaserId: string;
  purchaserName: string;
  subscriptions: Array<{ id: string; quantity: number; assigned: number; origin: SubscriptionOrigin; expiresAt: Date }>;
  users: Array<{ id: string; displayName: string; email: string | null; subscriptionId: string }>;
}

export interface ProductLicensesView extends ProductLicenses {
  /** R7: users grouped by the purchaser of the subscription they hold; groups are paged. */
  groups: PurchaserGroup[];
  page: number;
  pageSize: number;
  totalGroups: number;
}

export const licensesForProduct = async (
  deps: Deps,
  ctx: ActorContext,
  input: { productId: unknown; origin?: SubscriptionOrigin; page?: unknown; pageSize?: unknown },
): Promise<ProductLicensesView> => {
  const { page, pageSize } = parsePaging(input.page, input.pageSize, 50);
  return deps.uow.read(async (repos) => {
    await requireAdminRead(repos, ctx);
    const product = await getProduct(repos, input.productId);
    const [totals, purchasers] = await Promise.all([
      repos.subscriptions.productTotals(ctx.tenantId, product.id, input.origin),
      repos.subscriptions.purchasersOfProduct(ctx.tenantId, product.id, input.origin, page, pageSize),
    ]);
    const pageIds = purchasers.items;
    const pageSubs = pageIds.length ? await repos.subscriptions.listLiveByProduct(ctx.tenantId, product.id, input.origin, pageIds) : [];
    const assignments = await repos.assignments.listBySubscriptions(
      ctx.tenantId,
      pageSubs.map((s) => s.id),
    );
    const people = new Map((await repos.users.getMany(ctx.tenantId, [...new Set([...pageIds, ...assignments.map((a) => a.userId)])])).map((u) => [u.id, u]));
    const assignedPer = new Map<string, number>();
    for (const a of assignments) assignedPer.set(a.subscriptionId, (assignedPer.get(a.subscriptionId) ?? 0) + 1);
    const subPurchaser = new Map(pageSubs.map((s) => [s.id, s.purchaserId]));
    const groups: PurchaserGroup[] = pageIds.map((purchaserId) => ({
      purchaserId,
      purchaserName: people.get(purchaserId)?.displayName ?? 'Former employee',
      subscriptions: pageSubs
        .filter((s) => s.purchaserId === purchaserId)
        .map((s) => ({ id: s.id, quantity: s.quantity, assigned: assignedPer.get(s.id) ?? 0, origin: s.origin, expiresAt: s.expiresAt })),
      users: assignments
        .filter((a) => subPurchaser.get(a.subscriptionId) === purchaserId)
        .map((a) => ({ id: a.userId, displayName: people.get(a.userId)?.displayName ?? a.userId, email: people.get(a.userId)?.email ?? null, subscriptionId: a.subscriptionId })),
    }));
    return { product, ...totals, available: totals.totalQuantity - totals.assigned, groups, page, pageSize, totalGroups: purchasers.total };
  });
};
