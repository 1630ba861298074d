import { loadActor } from '../access';
import type { Subscription } from '../model';
import type { ActorContext, Deps } from '../ports';
import { audit, getProduct, recordOrder } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { parseId } from '../shared/validation';
import { loadManagedSubscription, resolveCard } from './purchase-support';

/** Replaces the card on file (R2: only the provider's token and the card's summary are kept). */
export const updatePaymentMethod = async (deps: Deps, ctx: ActorContext, input: { subscriptionId: unknown; cardToken: unknown }): Promise<Subscription> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  return deps.uow.run(async (repos) => {
    const actor = await loadActor(repos, ctx);
    const s = await loadManagedSubscription(repos, actor, subscriptionId);
    if (s.origin === 'Central') fail(ErrorCodes.INPUT_INVALID, 'Central subscriptions are billed to your agreement, not a card.');
    if (s.isTrial && !s.card) fail(ErrorCodes.TRIAL_CANNOT_CHANGE, "This trial doesn't use a payment method.");
    const card = await resolveCard(deps, input.cardToken);
    const product = await getProduct(repos, s.productId);
    const subscription = await repos.subscriptions.update({ ...s, card });
    await recordOrder(repos, deps, { tenantId: ctx.tenantId, subscriptionId: s.id, kind: 'PaymentMethodUpdated', actorId: ctx.actorId, note: `${card.brand} •••• ${card.last4}` });
    await audit(repos, deps, ctx, 'subscription.payment-method', { type: 'subscription', id: s.id }, `${product.name}: card changed to ${card.brand} ending ${card.last4}`);
    return subscription;
  });
};
