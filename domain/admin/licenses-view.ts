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

/** How much of one group a page shows: a purchaser may hold thousands of licenses (an admin who
 *  centralized them); the counts are exact, the rest is in the CSV export and the next page. */
export const GROUP_SUBSCRIPTIONS_SHOWN = 10;
export const GROUP_USERS_SHOWN = 25;

export interface PurchaserGroup {
  purchaserId: string;
  purchaserName: string;
  /** The first GROUP_SUBSCRIPTIONS_SHOWN, oldest first; `subscriptionCount` counts them all. */
  subscriptions: Array<{ id: string; quantity: number; assigned: number; origin: SubscriptionOrigin; expiresAt: Date }>;
  /** Always set by licensesForProduct (optional for views built by hand, as the card samples are). */
  subscriptionCount?: number;
  /** The first GROUP_USERS_SHOWN licensed users (by subscription, oldest first); `userCount` counts them all. */
  users: Array<{ id: string; displayName: string; email: string | null; subscriptionId: string }>;
  userCount?: number;
}

export interface ProductLicensesView extends ProductLicenses {
  /** R7: users grouped by the purchaser of the subscription they hold; groups are paged. */
  groups: PurchaserGroup[];
  page: number;
  pageSize: number;
  totalGroups: number;
}

/** A fixed number of statements per page, each reading only what the page shows (plus index-only counts). */
export const licensesForProduct = async (
  deps: Deps,
  ctx: ActorContext,
  input: { productId: unknown; origin?: SubscriptionOrigin; page?: unknown; pageSize?: unknown },
): Promise<ProductLicensesView> => {
  const { page, pageSize } = parsePaging(input.page, input.pageSize, 50);
  return deps.uow.read(async (repos) => {
    await requireAdminRead(repos, ctx);
    const product = await getProduct(repos, input.productId);
    const [totals, found] = await Promise.all([
      repos.subscriptions.productTotals(ctx.tenantId, product.id, input.origin),
      repos.subscriptions.licenseGroups(ctx.tenantId, product.id, input.origin, page, pageSize, { subscriptions: GROUP_SUBSCRIPTIONS_SHOWN, users: GROUP_USERS_SHOWN }),
    ]);
    const groups: PurchaserGroup[] = found.items.map((g) => ({
      purchaserId: g.purchaserId,
      purchaserName: g.purchaserName ?? 'Former employee',
      subscriptions: g.subscriptions.map((s) => ({ id: s.id, quantity: s.quantity, assigned: s.assigned, origin: s.origin, expiresAt: s.expiresAt })),
      subscriptionCount: g.subscriptionCount,
      users: g.users.map((u) => ({ id: u.userId, displayName: u.displayName ?? u.userId, email: u.email, subscriptionId: u.subscriptionId })),
      userCount: g.userCount,
    }));
    return { product, ...totals, available: totals.totalQuantity - totals.assigned, groups, page, pageSize, totalGroups: found.total };
  });
};
