import type { Subscription } from '../model';
import type { ActorContext, Repositories } from '../ports';
import { ErrorCodes, fail } from '../shared/errors';
import { isLive } from '../purchasing/purchase-support';

/** The self-service subscription an admin acts on: must exist in their tenant, be self-service and live. */
export const loadSelfServiceSubscription = async (repos: Repositories, ctx: ActorContext, id: string): Promise<Subscription> => {
  const s = (await repos.subscriptions.get(ctx.tenantId, id)) ?? fail(ErrorCodes.SUBSCRIPTION_NOT_FOUND, "We couldn't find that subscription.");
  if (s.origin !== 'SelfService') fail(ErrorCodes.TAKEOVER_NOT_SELF_SERVICE, 'That subscription was bought centrally; there is nothing to take over.');
  if (!isLive(s)) fail(ErrorCodes.SUBSCRIPTION_NOT_ACTIVE, `That subscription is already ${s.status.toLowerCase()}.`, { status: s.status });
  return s;
};

/** A central subscription of the tenant that can receive licenses. */
export const loadCentralTarget = async (repos: Repositories, ctx: ActorContext, id: string, source: Subscription): Promise<Subscription> => {
  const t = await repos.subscriptions.get(ctx.tenantId, id);
  if (!t || t.id === source.id || t.origin !== 'Central' || !isLive(t)) {
    fail(ErrorCodes.TAKEOVER_TARGET_INVALID, 'Choose an active subscription your organization bought centrally.', { targetSubscriptionId: id });
  }
  return t!;
};
