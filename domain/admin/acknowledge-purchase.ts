import { requireAdminWrite } from '../access';
import type { ActorContext, Deps } from '../ports';
import { requireAbility } from '../shared/abilities';
import { audit, getProduct } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { parseId } from '../shared/validation';
import { acknowledgeAbility } from '../takeover/purchase-abilities';

export const ACKNOWLEDGED = 'purchase.acknowledged';

/**
 * An admin marks a new self-service purchase as seen and fine as it is (the third answer to the
 * new-purchase card, next to taking it over or turning the product off). Recorded once, in the audit log:
 * acknowledging again answers with the first acknowledgement (a double click is no error).
 */
export const acknowledgePurchase = async (deps: Deps, ctx: ActorContext, input: { subscriptionId: unknown }): Promise<{ by: string; at: Date }> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  return deps.uow.run(async (repos) => {
    const actor = await requireAdminWrite(repos, ctx);
    const s = (await repos.subscriptions.get(ctx.tenantId, subscriptionId)) ?? fail(ErrorCodes.SUBSCRIPTION_NOT_FOUND, "We couldn't find that self-service purchase.");
    const earlier = await repos.audit.latestFor(ctx.tenantId, { type: 'subscription', id: s.id }, [ACKNOWLEDGED]);
    if (earlier && s.origin === 'SelfService') return { by: earlier.actorId, at: earlier.at };
    requireAbility(acknowledgeAbility(actor, s, null));
    const product = await getProduct(repos, s.productId);
    await audit(repos, deps, ctx, ACKNOWLEDGED, { type: 'subscription', id: s.id }, `Acknowledged the self-service purchase of ${product.name}`);
    return { by: actor.user.id, at: deps.clock.now() };
  });
};
