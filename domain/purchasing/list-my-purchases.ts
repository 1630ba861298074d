import { loadActor } from '../access';
import type { Product, PurchaseRequest, Subscription } from '../model';
import type { ActorContext, Deps } from '../ports';
import type { Abilities } from '../shared/abilities';
import { subscriptionAbilities, type SubscriptionAction } from './subscription-abilities';

export interface MyPurchase {
  subscription: Subscription;
  product: Product;
  assigned: number;
}

export interface MyPurchaseWithActions extends MyPurchase {
  /** What the purchaser may do with it now, and why not (the rules the use cases refuse with). */
  actions: Abilities<SubscriptionAction>;
}

/** R4: a purchaser sees only the subscriptions they bought, newest first. */
export const listMyPurchases = async (deps: Deps, ctx: ActorContext): Promise<MyPurchaseWithActions[]> =>
  deps.uow.read(async (repos) => {
    const actor = await loadActor(repos, ctx);
    const subs = await repos.subscriptions.listByPurchaser(ctx.tenantId, ctx.actorId);
    const [counts, products] = await Promise.all([
      repos.assignments.countBySubscriptions(
        ctx.tenantId,
        subs.map((s) => s.id),
      ),
      repos.products.list(),
    ]);
    const byId = new Map(products.map((p) => [p.id, p]));
    return subs
      .filter((s) => s.origin === 'SelfService')
      .map((s) => {
        const assigned = counts.get(s.id) ?? 0;
        return { subscription: s, product: byId.get(s.productId)!, assigned, actions: subscriptionAbilities(actor, s, assigned) };
      });
  });

export interface MyWaitingRequest {
  request: PurchaseRequest;
  product: Product;
}

/**
 * The caller's purchases and trials still waiting for an admin's approval (the tenant asks for it),
 * newest first. Pending requests are few (admins decide them), so the tenant's pending list is read.
 */
export const listMyWaitingRequests = async (deps: Deps, ctx: ActorContext): Promise<MyWaitingRequest[]> =>
  deps.uow.read(async (repos) => {
    await loadActor(repos, ctx);
    const mine = (await repos.requests.listPending(ctx.tenantId)).filter((r) => r.requesterId === ctx.actorId);
    if (mine.length === 0) return [];
    const byId = new Map((await repos.products.list()).map((p) => [p.id, p]));
    return mine
      .filter((r) => byId.has(r.productId))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map((request) => ({ request, product: byId.get(request.productId)! }));
  });
