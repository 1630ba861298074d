import { isAdmin, loadActor } from '../access';
import type { DirectoryUser, Invoice, OrderEntry, Product, Subscription } from '../model';
import type { ActorContext, Deps } from '../ports';
import { getProduct } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { parseId } from '../shared/validation';
import { ACKNOWLEDGED } from './acknowledge-purchase';

export interface PurchaseDetail {
  subscription: Subscription;
  product: Product;
  purchaser: Pick<DirectoryUser, 'id' | 'displayName' | 'email' | 'active'> | null;
  assignedUsers: Array<Pick<DirectoryUser, 'id' | 'displayName' | 'email'> & { assignedAt: Date }>;
  orders: OrderEntry[];
  invoices: Invoice[];
  /** Who marked this self-service purchase as seen (the new-purchase card's Acknowledge), if anyone. */
  acknowledged: { byName: string; at: Date } | null;
}

/**
 * R5: product, purchaser, quantity, expiry, order history, price and assigned users. Admins see any
 * subscription of their tenant; a purchaser sees only their own (R4). Others get "not found".
 */
export const getPurchaseDetail = async (deps: Deps, ctx: ActorContext, input: { subscriptionId: unknown }): Promise<PurchaseDetail> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  return deps.uow.read(async (repos) => {
    const actor = await loadActor(repos, ctx);
    const s = await repos.subscriptions.get(ctx.tenantId, subscriptionId);
    if (!s || (!isAdmin(actor.roles) && s.purchaserId !== actor.user.id)) return fail(ErrorCodes.SUBSCRIPTION_NOT_FOUND, "We couldn't find that subscription.");
    const [product, assignments, orders, purchaser, ack] = await Promise.all([
      getProduct(repos, s.productId),
      repos.assignments.listBySubscription(ctx.tenantId, s.id),
      repos.orders.listBySubscription(ctx.tenantId, s.id),
      repos.users.get(ctx.tenantId, s.purchaserId),
      repos.audit.latestFor(ctx.tenantId, { type: 'subscription', id: s.id }, [ACKNOWLEDGED]),
    ]);
    const acknowledger = ack && (await repos.users.get(ctx.tenantId, ack.actorId));
    const users = new Map((await repos.users.getMany(ctx.tenantId, assignments.map((a) => a.userId))).map((u) => [u.id, u]));
    const invoices = (await repos.invoices.listByPurchaser(ctx.tenantId, s.purchaserId)).filter((i) => i.subscriptionId === s.id);
    return {
      subscription: s,
      product,
      purchaser: purchaser && { id: purchaser.id, displayName: purchaser.displayName, email: purchaser.email, active: purchaser.active },
      assignedUsers: assignments.map((a) => ({ id: a.userId, displayName: users.get(a.userId)?.displayName ?? a.userId, email: users.get(a.userId)?.email ?? null, assignedAt: a.assignedAt })),
      orders,
      invoices,
      acknowledged: ack && { byName: acknowledger?.displayName ?? 'an admin', at: ack.at },
    };
  });
};
