import { loadActor } from '../access';
import type { Product, Subscription } from '../model';
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
