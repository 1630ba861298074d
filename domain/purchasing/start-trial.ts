import { isAdmin, loadActor } from '../access';
import { createPurchaseRequest } from '../approvals/create-purchase-request';
import type { CardSummary, Product, PurchaseRequest, Subscription } from '../model';
import type { ActorContext, Deps, Repositories } from '../ports';
import { effectivePolicy } from '../policy/policy-rules';
import { trialAbility } from '../catalog/catalog-abilities';
import { requireAbility } from '../shared/abilities';
import { addDays } from '../shared/clock';
import { audit, getProduct, notify, recordOrder } from '../shared/effects';
import { newSubscription, resolveCard } from './purchase-support';

export type TrialResult = { status: 'created'; subscription: Subscription } | { status: 'pending'; request: PurchaseRequest };

/**
 * R14: a trial either needs a card and converts to a paid subscription when it ends, or needs none
 * and simply ends. One trial per person and product. Under OnlyTrialsWithoutPaymentMethod only the
 * card-free kind may start (R3).
 */
export const startTrial = async (deps: Deps, ctx: ActorContext, input: { productId: unknown; cardToken?: unknown }): Promise<TrialResult> =>
  deps.uow.run(async (repos) => {
    const actor = await loadActor(repos, ctx);
    const product = await getProduct(repos, input.productId);
    // The catalog's Start trial reports this same rule.
    const policy = effectivePolicy(await repos.policies.list(ctx.tenantId), product.id);
    requireAbility(trialAbility(actor, deps.settings, product, policy, await repos.subscriptions.hasTrial(ctx.tenantId, actor.user.id, product.id)));
    const card = product.trial!.requiresPaymentMethod ? await resolveCard(deps, input.cardToken) : null;
    if (actor.tenant.requireApproval && !isAdmin(actor.roles)) {
      const request = await createPurchaseRequest(repos, deps, ctx, actor, {
        product,
        kind: 'Trial',
        quantity: product.trial!.licenses,
        frequency: 'Monthly',
        cardToken: card?.token ?? null,
      });
      return { status: 'pending', request };
    }
    const subscription = await createTrial(repos, deps, ctx, { product, card, purchaserId: actor.user.id, purchaserName: actor.user.displayName });
    return { status: 'created', subscription };
  });

export const createTrial = async (
  repos: Repositories,
  deps: Deps,
  ctx: ActorContext,
  args: { product: Product; card: CardSummary | null; purchaserId: string; purchaserName: string },
): Promise<Subscription> => {
  const { product, card } = args;
  const trial = product.trial!;
  const subscription = newSubscription(deps, ctx.tenantId, {
    productId: product.id,
    purchaserId: args.purchaserId,
    origin: 'SelfService',
    status: 'Trial',
    quantity: trial.licenses,
    billingFrequency: 'Monthly',
    unitPrice: product.prices.Monthly,
    // A card trial converts to paid unless the purchaser turns recurring billing off; a card-free one just ends.
    recurring: trial.requiresPaymentMethod,
    isTrial: true,
    card: trial.requiresPaymentMethod ? card : null,
    expiresAt: addDays(deps.clock.now(), trial.days),
  });
  await repos.subscriptions.create(subscription);
  await recordOrder(repos, deps, { tenantId: ctx.tenantId, subscriptionId: subscription.id, kind: 'TrialStarted', quantityDelta: trial.licenses, actorId: ctx.actorId });
  await audit(
    repos,
    deps,
    ctx,
    'subscription.trial',
    { type: 'subscription', id: subscription.id },
    `Started a ${trial.days}-day trial of ${product.name} for ${args.purchaserName}`,
  );
  await notify(repos, deps, ctx.tenantId, [
    {
      recipient: { kind: 'admins' },
      kind: 'PurchaseCreated',
      data: {
        subscriptionId: subscription.id,
        productId: product.id,
        productName: product.name,
        purchaserId: args.purchaserId,
        purchaserName: args.purchaserName,
        quantity: trial.licenses,
        trial: true,
        amountMinor: 0,
        currency: product.prices.Monthly.currency,
      },
    },
  ]);
  return subscription;
};
