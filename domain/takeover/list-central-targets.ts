import { requireAdminRead } from '../access';
import type { Subscription } from '../model';
import type { ActorContext, Deps } from '../ports';
import { parseId } from '../shared/validation';
import { loadSelfServiceSubscription } from './take-over-support';

/** R8/R9: the organization's live central subscriptions of the same product, with free licenses. */
export const listCentralTargets = async (deps: Deps, ctx: ActorContext, input: { subscriptionId: unknown }): Promise<Array<{ subscription: Subscription; available: number }>> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  return deps.uow.read(async (repos) => {
    await requireAdminRead(repos, ctx);
    const s = await loadSelfServiceSubscription(repos, ctx, subscriptionId);
    const central = await repos.subscriptions.listLiveByProduct(ctx.tenantId, s.productId, 'Central');
    const counts = await repos.assignments.countBySubscriptions(
      ctx.tenantId,
      central.map((c) => c.id),
    );
    return central.map((c) => ({ subscription: c, available: c.quantity - (counts.get(c.id) ?? 0) }));
  });
};
