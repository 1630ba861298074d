import { requireAdminRead } from '../access';
import type { ActorContext, Deps } from '../ports';
import { parseId } from '../shared/validation';
import { loadMoveTargets, type MoveTarget } from './purchase-abilities';
import { loadSelfServiceSubscription } from './take-over-support';

/**
 * R8/R9: the organization's best live central subscriptions of the same product (at most
 * MOVE_TARGETS_READ, best first), each with its free licenses and how many of the purchase's holders it
 * would need to take.
 */
export const listCentralTargets = async (deps: Deps, ctx: ActorContext, input: { subscriptionId: unknown }): Promise<MoveTarget[]> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  return deps.uow.read(async (repos) => {
    await requireAdminRead(repos, ctx);
    const s = await loadSelfServiceSubscription(repos, ctx, subscriptionId);
    const holders = (await repos.assignments.countBySubscriptions(ctx.tenantId, [s.id])).get(s.id) ?? 0;
    return (await loadMoveTargets(repos, s, holders)).targets;
  });
};
