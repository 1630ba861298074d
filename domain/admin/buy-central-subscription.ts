import { requireAdminWrite } from '../access';
import type { Product, Subscription } from '../model';
import type { ActorContext, Deps, Repositories } from '../ports';
import { audit, getProduct, recordOrder } from '../shared/effects';
import { multiply } from '../shared/money';
import { parseBillingFrequency, parseQuantity } from '../shared/validation';
import { newSubscription, termEnd } from '../purchasing/purchase-support';
import type { Actor } from '../access';
import { parseIdempotencyKey, remember, replay } from '../shared/idempotency';

/**
 * R8: an admin buys centrally through the organization's existing agreement: no card, no policy check.
 * With an idempotency key, a second press of the same button returns the first subscription.
 */
export const buyCentralSubscription = async (
  deps: Deps,
  ctx: ActorContext,
  input: { productId: unknown; quantity: unknown; billingFrequency?: unknown; idempotencyKey?: unknown },
): Promise<Subscription> => {
  const quantity = parseQuantity(input.quantity);
  const frequency = parseBillingFrequency(input.billingFrequency ?? 'Annual');
  const key = parseIdempotencyKey(input.idempotencyKey);
  const fingerprint = JSON.stringify(['central', input.productId, quantity, frequency]);
  return deps.uow.run(async (repos) => {
    const actor = await requireAdminWrite(repos, ctx);
    const earlier = await replay(repos, ctx, key, 'buy-central', fingerprint);
    if (earlier) {
      const first = await repos.subscriptions.get(ctx.tenantId, earlier);
      if (first) return first;
    }
    const product = await getProduct(repos, input.productId);
    const subscription = await createCentralSubscription(repos, deps, ctx, actor, product, quantity, frequency);
    await remember(repos, deps, ctx, key, 'buy-central', fingerprint, subscription.id);
    return subscription;
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
  await recordOrder(repos, deps, {
    tenantId: ctx.tenantId,
    subscriptionId: subscription.id,
    kind: 'Purchase',
    quantityDelta: quantity,
    amount: multiply(unitPrice, quantity),
    actorId: ctx.actorId,
    note: 'Billed to agreement',
  });
  await audit(
    repos,
    deps,
    ctx,
    'subscription.central-purchase',
    { type: 'subscription', id: subscription.id },
    `Bought ${quantity} ${quantity === 1 ? 'license' : 'licenses'} of ${product.name} centrally`,
  );
  return subscription;
};
