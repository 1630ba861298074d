import { requireAdminWrite } from '../access';
import type { Subscription } from '../model';
import type { ActorContext, Deps } from '../ports';
import { audit, getProduct, notify, recordOrder } from '../shared/effects';
import { parseId, parseReason } from '../shared/validation';
import { TAKEOVER_REASONS, endSubscription } from '../purchasing/purchase-support';
import { loadSelfServiceSubscription } from './take-over-support';
import { takeOverAbility } from './purchase-abilities';
import { requireAbility } from '../shared/abilities';

/**
 * R10: an admin takes over by cancelling, with a reason (the edge asks "Are you sure?"). Licensed users
 * lose access, the status becomes Deleted and the purchaser is told, all in one transaction.
 */
export const takeOverCancel = async (deps: Deps, ctx: ActorContext, input: { subscriptionId: unknown; reason: unknown; details?: unknown }): Promise<Subscription> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  const reason = parseReason(input.reason, TAKEOVER_REASONS, input.details);
  return deps.uow.run(async (repos) => {
    const actor = await requireAdminWrite(repos, ctx);
    const s = await loadSelfServiceSubscription(repos, ctx, subscriptionId);
    requireAbility(takeOverAbility(actor, s));
    const product = await getProduct(repos, s.productId);
    const { subscription, removedUserIds } = await endSubscription(repos, deps, s, { status: 'Deleted', reason, productName: product.name });
    await recordOrder(repos, deps, {
      tenantId: ctx.tenantId,
      subscriptionId: s.id,
      kind: 'TakenOver',
      quantityDelta: -s.quantity,
      actorId: ctx.actorId,
      note: `Cancelled by admin: ${reason}`,
    });
    await audit(
      repos,
      deps,
      ctx,
      'takeover.cancel',
      { type: 'subscription', id: s.id },
      `Took over and cancelled ${product.name} (${reason}); ${removedUserIds.length} users lost access`,
    );
    await notify(repos, deps, ctx.tenantId, [
      {
        recipient: { kind: 'user', userId: s.purchaserId },
        kind: 'SubscriptionCancelledByAdmin',
        data: { subscriptionId: s.id, productId: product.id, productName: product.name, adminName: actor.user.displayName, reason, usersAffected: removedUserIds.length },
      },
    ]);
    return subscription;
  });
};
