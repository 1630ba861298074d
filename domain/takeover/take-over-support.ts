import type { Subscription } from '../model';
import type { ActorContext, Repositories } from '../ports';
import { firstRefusal, requireAbility } from '../shared/abilities';
import { ErrorCodes, fail } from '../shared/errors';
import { isLive } from '../purchasing/purchase-support';
import { selfServiceAbility, stillLiveAbility } from './purchase-abilities';

/** The self-service subscription an admin acts on: must exist in their tenant, be self-service and live. */
export const loadSelfServiceSubscription = async (repos: Repositories, ctx: ActorContext, id: string): Promise<Subscription> => {
  const s = (await repos.subscriptions.get(ctx.tenantId, id)) ?? fail(ErrorCodes.SUBSCRIPTION_NOT_FOUND, "We couldn't find that subscription.");
  requireAbility(firstRefusal(selfServiceAbility(s), () => stillLiveAbility(s)));
  return s;
};

/** A central subscription of the tenant that can receive licenses. */
export const loadCentralTarget = async (repos: Repositories, ctx: ActorContext, id: string, source: Subscription): Promise<Subscription> => {
  const t = await repos.subscriptions.get(ctx.tenantId, id);
  if (!t || t.id === source.id || t.origin !== 'Central' || !isLive(t) || t.productId !== source.productId) {
    fail(ErrorCodes.TAKEOVER_TARGET_INVALID, 'Choose an active subscription of the same product that your organization bought centrally.', { targetSubscriptionId: id });
  }
  return t!;
};
