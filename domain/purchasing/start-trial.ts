import { isAdmin, loadActor } from '../access';
import { createPurchaseRequest } from '../approvals/create-purchase-request';
import type { BillingFrequency, CardSummary, Product, PurchaseRequest, Subscription } from '../model';
import { multiply, type Money } from '../shared/money';
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
      const terms = trialTerms(product)!;
      const request = await createPurchaseRequest(repos, deps, ctx, actor, {
        product,
        kind: 'Trial',
        quantity: terms.licenses,
        frequency: terms.billingFrequency,
        cardToken: card?.token ?? null,
      });
      return { status: 'pending', request };
    }
    const subscription = await createTrial(repos, deps, ctx, { product, card, purchaserId: actor.user.id, purchaserName: actor.user.displayName });
    return { status: 'created', subscription };
  });

/**
 * R14: what a trial of this product is billed as: monthly, at the list price, for the trial's licenses.
 * `convertsTo` is what a card trial costs once it ends (a card-free one simply ends): the form says it
 * before the trial starts, and the trial is created on these same terms.
 */
export const trialTerms = (product: Product): { billingFrequency: BillingFrequency; unitPrice: Money; licenses: number; convertsTo: { perMonth: Money } | null } | null => {
  const trial = product.trial;
  if (!trial) return null;
  const unitPrice = product.prices.Monthly;
  return { billingFrequency: 'Monthly', unitPrice, licenses: trial.licenses, convertsTo: trial.requiresPaymentMethod ? { perMonth: multiply(unitPrice, trial.licenses) } : null };
};

export const createTrial = async (
  repos: Repositories,
  deps: Deps,
  ctx: ActorContext,
  args: { product: Product; card: CardSummary | null; purchaserId: string; purchaserName: string },
): Promise<Subscription> => {
  const { product, card } = args;
  const trial = product.trial!;
  const terms = trialTerms(product)!;
  const subscription = newSubscription(deps, ctx.tenantId, {
    productId: product.id,
    purchaserId: args.purchaserId,
    origin: 'SelfService',
    status: 'Trial',
    quantity: terms.licenses,
    billingFrequency: terms.billingFrequency,
    unitPrice: terms.unitPrice,
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
