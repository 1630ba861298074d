import { requireAdminWrite } from '../access';
import type { ActorContext, Deps } from '../ports';
import { audit, getProduct } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { parseId } from '../shared/validation';

export const ACKNOWLEDGED = 'purchase.acknowledged';

/**
 * An admin marks a new self-service purchase as seen and fine as it is (the third answer to the
 * new-purchase card, next to taking it over or turning the product off). Recorded once, in the audit log.
 */
export const acknowledgePurchase = async (deps: Deps, ctx: ActorContext, input: { subscriptionId: unknown }): Promise<{ by: string; at: Date }> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  return deps.uow.run(async (repos) => {
    const actor = await requireAdminWrite(repos, ctx);
    const s = await repos.subscriptions.get(ctx.tenantId, subscriptionId);
    if (!s || s.origin !== 'SelfService') return fail(ErrorCodes.SUBSCRIPTION_NOT_FOUND, "We couldn't find that self-service purchase.");
    const earlier = await repos.audit.latestFor(ctx.tenantId, { type: 'subscription', id: s.id }, [ACKNOWLEDGED]);
    if (earlier) return { by: earlier.actorId, at: earlier.at };
    const product = await getProduct(repos, s.productId);
    await audit(repos, deps, ctx, ACKNOWLEDGED, { type: 'subscription', id: s.id }, `Acknowledged the self-service purchase of ${product.name}`);
    return { by: actor.user.id, at: deps.clock.now() };
  });
};
