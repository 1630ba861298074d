import { loadActor } from '../access';
import type { DirectoryUser, Product, Subscription } from '../model';
import type { ActorContext, Deps, Repositories } from '../ports';
import type { Abilities } from '../shared/abilities';
import { subscriptionAbilities, type SubscriptionAction } from './subscription-abilities';

export interface MySubscription {
  subscription: Subscription;
  product: Product;
  /** Who holds a license on it, by name: what the purchaser's own admin-center view shows (R4). */
  assignees: Array<Pick<DirectoryUser, 'id' | 'displayName' | 'email'>>;
}

export interface MySubscriptionWithActions extends MySubscription {
  /** What the purchaser may do with it now, and why not (the rules the use cases refuse with). */
  actions: Abilities<SubscriptionAction>;
}

/**
 * The caller's own self-service subscriptions with their license holders, from one read. Shared by
 * the list and the single read so that both see exactly the same rows.
 */
export const mySubscriptionsWithAssignees = async (repos: Repositories, ctx: ActorContext, only?: string): Promise<MySubscriptionWithActions[]> => {
  const actor = await loadActor(repos, ctx);
  let subs = (await repos.subscriptions.listByPurchaser(ctx.tenantId, actor.user.id)).filter((s) => s.origin === 'SelfService');
  if (only !== undefined) subs = subs.filter((s) => s.id === only);
  if (subs.length === 0) return [];
  const [assignments, products] = await Promise.all([
    repos.assignments.listBySubscriptions(
      ctx.tenantId,
      subs.map((s) => s.id),
    ),
    repos.products.list(),
  ]);
  const people = new Map((await repos.users.getMany(ctx.tenantId, [...new Set(assignments.map((a) => a.userId))])).map((u) => [u.id, u]));
  const productById = new Map(products.map((p) => [p.id, p]));
  return subs.map((s) => {
    const assignees = assignments
      .filter((a) => a.subscriptionId === s.id)
      .map((a) => ({ id: a.userId, displayName: people.get(a.userId)?.displayName ?? a.userId, email: people.get(a.userId)?.email ?? null }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
    return { subscription: s, product: productById.get(s.productId)!, assignees, actions: subscriptionAbilities(actor, s, assignees.length) };
  });
};

/** R4: the purchaser's limited admin-center view: only what they bought, each with who holds its licenses. */
export const listMySubscriptions = async (deps: Deps, ctx: ActorContext): Promise<MySubscriptionWithActions[]> =>
  deps.uow.read((repos) => mySubscriptionsWithAssignees(repos, ctx));
