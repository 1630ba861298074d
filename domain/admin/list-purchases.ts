import { requireAdminRead } from '../access';
import type { Page, Product, Subscription, SubscriptionOrigin, SubscriptionStatus } from '../model';
import type { ActorContext, Deps, SubscriptionFilter } from '../ports';
import { canonicalProductId } from '../catalog/catalog-data';
import { ErrorCodes, fail } from '../shared/errors';
import { parseId, parsePaging } from '../shared/validation';

export interface PurchaseRow {
  subscription: Subscription;
  product: Product;
  purchaserName: string;
  assigned: number;
}

const ORIGINS: readonly SubscriptionOrigin[] = ['SelfService', 'Central'];
const STATUSES: readonly SubscriptionStatus[] = ['PendingApproval', 'Active', 'Trial', 'Expired', 'Cancelled', 'Deleted'];

const pick = <T extends string>(raw: unknown, allowed: readonly T[], field: string): T | undefined => {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const hit = allowed.find((v) => typeof raw === 'string' && v.toLowerCase() === raw.toLowerCase().replace(/[\s-]/g, ''));
  return hit ?? fail(ErrorCodes.INPUT_INVALID, `${field} must be one of ${allowed.join(', ')}.`, { field });
};

export interface PurchaseFilterInput {
  origin?: unknown;
  productId?: unknown;
  purchaserId?: unknown;
  status?: unknown;
  page?: unknown;
  pageSize?: unknown;
}

/**
 * R5: every purchase in the tenant with product, purchaser, quantity, expiry, price and assigned count;
 * filter self-service vs central, product, purchaser, status. A fixed number of queries per page.
 */
export const listPurchases = async (deps: Deps, ctx: ActorContext, input: PurchaseFilterInput = {}): Promise<Page<PurchaseRow>> => {
  const { page, pageSize } = parsePaging(input.page, input.pageSize);
  const filter: SubscriptionFilter = {
    origin: pick(input.origin, ORIGINS, 'Origin'),
    status: pick(input.status, STATUSES, 'Status'),
    purchaserId: input.purchaserId === undefined || input.purchaserId === '' ? undefined : parseId(input.purchaserId, 'purchaser'),
  };
  return deps.uow.read(async (repos) => {
    const products = await repos.products.list();
    const allowed = requireAdminRead(repos, ctx);
    if (input.productId !== undefined && input.productId !== '') {
      const productId = typeof input.productId === 'string' && canonicalProductId(products, input.productId);
      if (!productId) {
        await allowed; // who may not look is told so first
        return fail(ErrorCodes.PRODUCT_UNKNOWN, "We don't know that product.");
      }
      filter.productId = productId;
    }
    // Each row with its assigned licenses and its purchaser's name: one read for the page, sent with
    // the access check (nothing is returned unless it passes).
    const [, result] = await Promise.all([allowed, repos.subscriptions.searchPurchases(ctx.tenantId, filter, page, pageSize)]);
    const byId = new Map(products.map((p) => [p.id, p]));
    return {
      ...result,
      items: result.items.map(({ subscription: s, assigned, purchaserName }) => ({
        subscription: s,
        product: byId.get(s.productId)!,
        purchaserName: purchaserName ?? 'Former employee',
        assigned,
      })),
    };
  });
};
