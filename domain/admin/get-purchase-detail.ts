import { isAdmin, loadActor, requireAdminRead, type Actor } from '../access';
import type { DirectoryUser, Invoice, OrderEntry, Product, Subscription } from '../model';
import type { ActorContext, Deps, Repositories } from '../ports';
import type { Abilities } from '../shared/abilities';
import { getProduct, UNDELIVERED_ACTION } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { parseId } from '../shared/validation';
import { effectivePolicy } from '../policy/policy-rules';
import { subscriptionAbilities, type SubscriptionAction } from '../purchasing/subscription-abilities';
import { loadMoveTargets, purchaseAbilities, stillLiveAbility, type PurchaseAction } from '../takeover/purchase-abilities';
import { ACKNOWLEDGED } from './acknowledge-purchase';

export interface PurchaseDetail {
  subscription: Subscription;
  product: Product;
  purchaser: Pick<DirectoryUser, 'id' | 'displayName' | 'email' | 'active'> | null;
  assignedUsers: Array<Pick<DirectoryUser, 'id' | 'displayName' | 'email'> & { assignedAt: Date }>;
  /** How many hold a license, when `assignedUsers` is only the first of them (read with `assigneeLimit`). */
  assignedTotal?: number;
  orders: OrderEntry[];
  invoices: Invoice[];
  /** Who marked this self-service purchase as seen (the new-purchase card's Acknowledge), if anyone. */
  acknowledged: { byName: string; at: Date } | null;
  /** For admins: the latest notification about it that could not reach its person (who, what and why), if any. */
  notReached?: { summary: string; at: Date } | null;
}

/** What the admin's take-over card needs: each admin action with its reason, and where users could move. */
export interface PurchaseActions {
  actions: Abilities<PurchaseAction>;
  /**
   * The best live central subscriptions of the product (R8, R9; at most MOVE_TARGETS_READ, best
   * first), each with its free licenses and how many of the purchase's holders it would need to take.
   */
  moveTargets: Array<{ subscription: Subscription; available: number; needed: number }>;
  /** People licensed on the purchase: what moving users (R9) or centralizing (R8) has to cover. */
  usersToMove: number;
}

/** The detail as the reader may act on it: `actions` for everyone, `adminActions` (with move targets) for admins. */
export interface PurchaseDetailWithActions extends PurchaseDetail {
  /** The subscription's own actions for this reader (purchaser; admin on a central one; R6 refusals otherwise). */
  actions: Abilities<SubscriptionAction>;
  /** Admins' actions on someone's self-service purchase; null for anyone who isn't an admin. */
  adminActions: Abilities<PurchaseAction> | null;
  moveTargets: PurchaseActions['moveTargets'];
  usersToMove: number;
}

/** The admin actions on one subscription, from the state already read (holders, acknowledgement). */
const purchaseActionsOf = async (
  repos: Repositories,
  actor: Actor,
  s: Subscription,
  product: Product,
  holders: number,
  acknowledged: { byName: string } | null,
): Promise<PurchaseActions> => {
  // Targets only matter (and are only read) where moving users could be possible at all.
  const [{ targets, total }, policies] = await Promise.all([
    s.origin === 'SelfService' && stillLiveAbility(s).ok ? loadMoveTargets(repos, s, holders) : { targets: [], total: 0 },
    repos.policies.list(s.tenantId),
  ]);
  const policy = effectivePolicy(policies, product.id);
  return {
    actions: purchaseAbilities(actor, { subscription: s, product, policy, acknowledged, holders, targets, centralTotal: total }),
    moveTargets: targets,
    usersToMove: holders,
  };
};

/**
 * The subscription with its assigned licenses (the row's own count), if this reader may see it:
 * admins any of their tenant's, a purchaser only their own (R4, R5). Anyone else is told "not found".
 * The caller and the row are read together; nothing of the row leaves before the check.
 */
const visibleSubscription = async (repos: Repositories, ctx: ActorContext, subscriptionId: string): Promise<{ actor: Actor; s: Subscription; assigned: number }> => {
  const [actor, found] = await Promise.all([loadActor(repos, ctx), repos.subscriptions.getWithAssigned(ctx.tenantId, subscriptionId)]);
  if (!found || (!isAdmin(actor.roles) && found.subscription.purchaserId !== actor.user.id)) return fail(ErrorCodes.SUBSCRIPTION_NOT_FOUND, "We couldn't find that subscription.");
  return { actor, s: found.subscription, assigned: found.assigned };
};

/** What a subscription's own card shows: the subscription, the first of its holders, how many there are, and what this reader may do with it. */
export interface SubscriptionSummary {
  subscription: Subscription;
  product: Product;
  /** The first `assigneeLimit` holders, by name (in the order they were licensed). */
  assignedUsers: Array<Pick<DirectoryUser, 'id' | 'displayName'>>;
  assignedTotal: number;
  actions: Abilities<SubscriptionAction>;
}

/**
 * getPurchaseDetail's subscription, holders and actions without what only the detail shows (orders,
 * bills, purchaser, acknowledgement, the admins' take-over): the card a change answers with reads four
 * statements instead of nine. Same visibility (R4, R5).
 */
export const getSubscriptionSummary = async (deps: Deps, ctx: ActorContext, input: { subscriptionId: unknown; assigneeLimit: number }): Promise<SubscriptionSummary> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  return deps.uow.read(async (repos) => {
    const { actor, s, assigned } = await visibleSubscription(repos, ctx, subscriptionId);
    const limit = Math.max(0, Math.floor(input.assigneeLimit));
    const [product, assignments] = await Promise.all([
      getProduct(repos, s.productId),
      limit > 0 && assigned > 0 ? repos.assignments.listBySubscription(ctx.tenantId, s.id, limit) : [],
    ]);
    const names = new Map(
      (
        await repos.users.getMany(
          ctx.tenantId,
          assignments.map((a) => a.userId),
        )
      ).map((u) => [u.id, u.displayName]),
    );
    return {
      subscription: s,
      product,
      assignedUsers: assignments.map((a) => ({ id: a.userId, displayName: names.get(a.userId) ?? a.userId })),
      assignedTotal: assigned,
      actions: subscriptionAbilities(actor, s, assigned),
    };
  });
};

/**
 * R5: product, purchaser, quantity, expiry, order history, price and assigned users. Admins see any
 * subscription of their tenant; a purchaser sees only their own (R4). Others get "not found".
 * With it, what this reader may do now and why not (the same rules the use cases refuse with).
 */
export const getPurchaseDetail = async (
  deps: Deps,
  ctx: ActorContext,
  input: {
    subscriptionId: unknown;
    /** Only the first this many assigned users (a card shows a few and the count); `assignedTotal` says how many there are. */
    assigneeLimit?: number;
  },
): Promise<PurchaseDetailWithActions & { assignedTotal: number }> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  return deps.uow.read(async (repos) => {
    const { actor, s, assigned: assignedTotal } = await visibleSubscription(repos, ctx, subscriptionId);
    const limit = input.assigneeLimit;
    const [product, assignments, orders, purchaser, ack, undelivered] = await Promise.all([
      getProduct(repos, s.productId),
      repos.assignments.listBySubscription(ctx.tenantId, s.id, limit),
      repos.orders.listBySubscription(ctx.tenantId, s.id),
      repos.users.get(ctx.tenantId, s.purchaserId),
      repos.audit.latestFor(ctx.tenantId, { type: 'subscription', id: s.id }, [ACKNOWLEDGED]),
      isAdmin(actor.roles) ? repos.audit.latestFor(ctx.tenantId, { type: 'subscription', id: s.id }, [UNDELIVERED_ACTION]) : null,
    ]);
    const acknowledger = ack && (await repos.users.get(ctx.tenantId, ack.actorId));
    const users = new Map(
      (
        await repos.users.getMany(
          ctx.tenantId,
          assignments.map((a) => a.userId),
        )
      ).map((u) => [u.id, u]),
    );
    const invoices = await repos.invoices.listBySubscription(ctx.tenantId, s.id);
    const acknowledged = ack && { byName: acknowledger?.displayName ?? 'an admin', at: ack.at };
    const admin = isAdmin(actor.roles) ? await purchaseActionsOf(repos, actor, s, product, assignedTotal, acknowledged) : null;
    return {
      subscription: s,
      product,
      purchaser: purchaser && { id: purchaser.id, displayName: purchaser.displayName, email: purchaser.email, active: purchaser.active },
      assignedUsers: assignments.map((a) => ({
        id: a.userId,
        displayName: users.get(a.userId)?.displayName ?? a.userId,
        email: users.get(a.userId)?.email ?? null,
        assignedAt: a.assignedAt,
      })),
      orders,
      invoices,
      acknowledged,
      notReached: undelivered && { summary: undelivered.summary, at: undelivered.at },
      assignedTotal,
      actions: subscriptionAbilities(actor, s, assignedTotal),
      adminActions: admin?.actions ?? null,
      moveTargets: admin?.moveTargets ?? [],
      usersToMove: admin?.usersToMove ?? assignedTotal,
    };
  });
};

/**
 * The admin actions on one subscription for the take-over card (readers get every one refused with
 * the read-only reason): take over by cancelling or moving users, centralize, acknowledge, disable the
 * product. When moving users isn't possible the reason says why, with what to add and where.
 */
export const getPurchaseActions = async (deps: Deps, ctx: ActorContext, input: { subscriptionId: unknown }): Promise<PurchaseActions> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  return deps.uow.read(async (repos) => {
    const actor = await requireAdminRead(repos, ctx);
    const s = (await repos.subscriptions.get(ctx.tenantId, subscriptionId)) ?? fail(ErrorCodes.SUBSCRIPTION_NOT_FOUND, "We couldn't find that subscription.");
    const [product, counts, ack] = await Promise.all([
      getProduct(repos, s.productId),
      repos.assignments.countBySubscriptions(ctx.tenantId, [s.id]),
      repos.audit.latestFor(ctx.tenantId, { type: 'subscription', id: s.id }, [ACKNOWLEDGED]),
    ]);
    const acknowledger = ack && (await repos.users.get(ctx.tenantId, ack.actorId));
    return purchaseActionsOf(repos, actor, s, product, counts.get(s.id) ?? 0, ack && { byName: acknowledger?.displayName ?? 'an admin' });
  });
};
