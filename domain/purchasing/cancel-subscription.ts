import { loadActor } from '../access';
import type { Subscription } from '../model';
import type { ActorContext, Deps } from '../ports';
import { audit, getProduct, recordOrder } from '../shared/effects';
import { parseId, parseReason } from '../shared/validation';
import { CANCEL_REASONS, endSubscription, loadForAction } from './purchase-support';

/** The purchaser cancels with a reason; assigned users lose their licenses at once. */
export const cancelSubscription = async (deps: Deps, ctx: ActorContext, input: { subscriptionId: unknown; reason: unknown; details?: unknown }): Promise<Subscription> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  const reason = parseReason(input.reason, CANCEL_REASONS, input.details);
  return deps.uow.run(async (repos) => {
    const actor = await loadActor(repos, ctx);
    const { subscription: s } = await loadForAction(repos, actor, subscriptionId, 'cancel');
    const product = await getProduct(repos, s.productId);
    const { subscription, removedUserIds } = await endSubscription(repos, deps, s, { status: 'Cancelled', reason, productName: product.name });
    await recordOrder(repos, deps, { tenantId: ctx.tenantId, subscriptionId: s.id, kind: 'Cancelled', quantityDelta: -s.quantity, actorId: ctx.actorId, note: reason });
    await audit(repos, deps, ctx, 'subscription.cancel', { type: 'subscription', id: s.id }, `Cancelled ${product.name} (${reason}); ${removedUserIds.length} users lost access`);
    return subscription;
  });
};
