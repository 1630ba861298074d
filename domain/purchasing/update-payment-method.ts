import { loadActor } from '../access';
import type { CardSummary, Subscription } from '../model';
import type { ActorContext, Deps, Repositories } from '../ports';
import { audit, getProduct, recordOrder } from '../shared/effects';
import { parseId } from '../shared/validation';
import { loadForAction, resolveCard } from './purchase-support';

/** Replaces the card on file (R2: only the provider's token and the card's summary are kept). */
export const updatePaymentMethod = async (deps: Deps, ctx: ActorContext, input: { subscriptionId: unknown; cardToken: unknown }): Promise<Subscription> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  return deps.uow.run(async (repos) => {
    const actor = await loadActor(repos, ctx);
    const { subscription: s } = await loadForAction(repos, actor, subscriptionId, 'updateCard');
    return putCardOnFile(repos, deps, ctx, s, await resolveCard(deps, input.cardToken));
  });
};

/** The card becomes the subscription's, with its order entry and audit; `why` adds to the audit's words ("paying a bill"). */
export const putCardOnFile = async (repos: Repositories, deps: Deps, ctx: ActorContext, s: Subscription, card: CardSummary, why?: string): Promise<Subscription> => {
  const product = await getProduct(repos, s.productId);
  const subscription = await repos.subscriptions.update({ ...s, card });
  await recordOrder(repos, deps, { tenantId: ctx.tenantId, subscriptionId: s.id, kind: 'PaymentMethodUpdated', actorId: ctx.actorId, note: `${card.brand} •••• ${card.last4}` });
  await audit(
    repos,
    deps,
    ctx,
    'subscription.payment-method',
    { type: 'subscription', id: s.id },
    `${product.name}: card changed to ${card.brand} ending ${card.last4}${why ? ` (${why})` : ''}`,
  );
  return subscription;
};
