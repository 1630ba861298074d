import { loadActor } from '../access';
import type { Product, Subscription } from '../model';
import type { ActorContext, Deps } from '../ports';

export interface MyPurchase {
  subscription: Subscription;
  product: Product;
  assigned: number;
}

/** R4: a purchaser sees only the subscriptions they bought, newest first. */
export const listMyPurchases = async (deps: Deps, ctx: ActorContext): Promise<MyPurchase[]> =>
  deps.uow.read(async (repos) => {
    await loadActor(repos, ctx);
    const subs = await repos.subscriptions.listByPurchaser(ctx.tenantId, ctx.actorId);
    const [counts, products] = await Promise.all([repos.assignments.countBySubscriptions(ctx.tenantId, subs.map((s) => s.id)), repos.products.list()]);
    const byId = new Map(products.map((p) => [p.id, p]));
    return subs
      .filter((s) => s.origin === 'SelfService')
      .map((s) => ({ subscription: s, product: byId.get(s.productId)!, assigned: counts.get(s.id) ?? 0 }));
  });
