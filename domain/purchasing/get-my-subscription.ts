import type { ActorContext, Deps } from '../ports';
import { ErrorCodes, fail } from '../shared/errors';
import { parseId } from '../shared/validation';
import { mySubscriptionsWithAssignees, type MySubscriptionWithActions } from './list-my-subscriptions';

/**
 * One subscription the caller bought (R4), with its license holders. Anyone else's, an admin's
 * included, is "not found": this read answers "is this mine?", e.g. when a checkout dialog reports
 * what it bought.
 */
export const getMySubscription = async (deps: Deps, ctx: ActorContext, input: { subscriptionId: unknown }): Promise<MySubscriptionWithActions> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  const [found] = await deps.uow.read((repos) => mySubscriptionsWithAssignees(repos, ctx, subscriptionId));
  return found ?? fail(ErrorCodes.SUBSCRIPTION_NOT_FOUND, "We couldn't find that subscription among yours.");
};
