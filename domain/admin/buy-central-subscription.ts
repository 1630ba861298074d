import { requireAdminWrite } from '../access';
import type { Product, Subscription } from '../model';
import type { ActorContext, Deps, Repositories } from '../ports';
import { audit, getProduct, recordOrder } from '../shared/effects';
import { multiply } from '../shared/money';
import { parseBillingFrequency, parseQuantity } from '../shared/validation';
import { newSubscription, termEnd } from '../purchasing/purchase-support';
import type { Actor } from '../access';

/** R8: an admin buys centrally through the organization's existing agreement: no card, no policy check. */
export const buyCentralSubscription = async (deps: Deps, ctx: ActorContext, input: { productId: unknown; quantity: unknown; billingFrequency?: unknown }): Promise<Subscription> => {
  const quantity = parseQuantity(input.quantity);
  const frequency = parseBillingFrequency(input.billingFrequency ?? 'Annual');
  return deps.uow.run(async (repos) => {
    const actor = await requireAdminWrite(repos, ctx);
    const product = await getProduct(repos, input.productId);
    return createCentralSubscription(repos, deps, ctx, actor, product, quantity, frequency);
  });
};

export const createCentralSubscription = async (
  repos: Repositories,
  deps: Deps,
  ctx: ActorContext,
  actor: Actor,
  product: Product,
  quantity: number,
  frequency: 'Monthly' | 'Annual' = 'Annual',
): Promise<Subscription> => {
  const unitPrice = product.prices[frequency];
  const subscription = newSubscription(deps, ctx.tenantId, {
    productId: product.id,
    purchaserId: actor.user.id,
    origin: 'Central',
    status: 'Active',
    quantity,
    billingFrequency: frequency,
    unitPrice,
    recurring: true,
    isTrial: false,
    card: null,
    expiresAt: termEnd(deps.clock.now(), frequency),
  });
  await repos.subscriptions.create(subscription);
  await recordOrder(repos, deps, { tenantId: ctx.tenantId, subscriptionId: subscription.id, kind: 'Purchase', quantityDelta: quantity, amount: multiply(unitPrice, quantity), actorId: ctx.actorId, note: 'Billed to agreement' });
  await audit(repos, deps, ctx, 'subscription.central-purchase', { type: 'subscription', id: subscription.id }, `Bought ${quantity} × ${product.name} centrally`);
  return subscription;
};
