import { loadActor } from '../access';
import type { Subscription } from '../model';
import type { ActorContext, Deps } from '../ports';
import { audit, getProduct, recordOrder } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { requireAbility } from '../shared/abilities';
import { parseId } from '../shared/validation';
import { loadManagedSubscription } from './purchase-support';
import { subscriptionAbilities } from './subscription-abilities';

/** R13: turning recurring billing off does not cancel; the subscription runs to its expiry date. */
/** `changed`: false when it was already so (nothing written, nothing recorded). */
export const setRecurringBilling = async (deps: Deps, ctx: ActorContext, input: { subscriptionId: unknown; enabled: unknown }): Promise<Subscription & { changed: boolean }> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  if (typeof input.enabled !== 'boolean') fail(ErrorCodes.INPUT_INVALID, 'Say on or off.');
  const enabled = input.enabled as boolean;
  return deps.uow.run(async (repos) => {
    const actor = await loadActor(repos, ctx);
    const s = await loadManagedSubscription(repos, actor, subscriptionId);
    // Asking for what already is changes nothing and is no refusal (a double click, a stale card).
    if (s.recurring === enabled) return { ...s, changed: false };
    // The assigned count plays no part in this rule.
    requireAbility(subscriptionAbilities(actor, s, 0).setRecurring);
    const product = await getProduct(repos, s.productId);
    const subscription = await repos.subscriptions.update({ ...s, recurring: enabled });
    await recordOrder(repos, deps, { tenantId: ctx.tenantId, subscriptionId: s.id, kind: enabled ? 'RecurringOn' : 'RecurringOff', actorId: ctx.actorId });
    await audit(repos, deps, ctx, 'subscription.recurring', { type: 'subscription', id: s.id }, `${product.name}: recurring billing ${enabled ? 'on' : 'off'}`);
    return { ...subscription, changed: true };
  });
};
