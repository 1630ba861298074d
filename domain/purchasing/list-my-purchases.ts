import { adminWriteAbility, globalAdminAbility, isAdmin, loadActor, type Actor } from '../access';
import type { Product, PurchaseRequest, Subscription } from '../model';
import type { ActorContext, Deps, Repositories } from '../ports';
import type { Abilities } from '../shared/abilities';
import { DomainError } from '../shared/errors';
import { subscriptionAbilities, type SubscriptionAction } from './subscription-abilities';
import { isLive } from './purchase-support';

export interface MyPurchase {
  subscription: Subscription;
  product: Product;
  assigned: number;
  /** Its bills not paid yet (a declined renewal), when there are any: the purchaser pays them (R2). */
  unpaid?: number;
}

export interface MyPurchaseWithActions extends MyPurchase {
  /** What the purchaser may do with it now, and why not (the rules the use cases refuse with). */
  actions: Abilities<SubscriptionAction>;
}

/** `actor` still loading: the reads go out together (on PostgreSQL each is a round trip); nothing is shown unless it loads. */
const myPurchasesIn = async (repos: Repositories, ctx: ActorContext, loading: Promise<Actor>): Promise<MyPurchaseWithActions[]> => {
  const [actor, subs, products] = await Promise.all([loading, repos.subscriptions.purchasedBy(ctx.tenantId, ctx.actorId), repos.products.list()]);
  const byId = new Map(products.map((p) => [p.id, p]));
  // Live ones first (each group newest first, as read): a card shows the first few, and a purchaser
  // with many ended subscriptions still sees the ones they can act on.
  const live = (s: Subscription) => (isLive(s) ? 0 : 1);
  return subs
    .filter(({ subscription: s }) => s.origin === 'SelfService')
    .sort((a, b) => live(a.subscription) - live(b.subscription))
    .map(({ subscription: s, assigned, unpaid }) => ({
      subscription: s,
      product: byId.get(s.productId)!,
      assigned,
      ...(unpaid > 0 ? { unpaid } : {}),
      actions: subscriptionAbilities(actor, s, assigned),
    }));
};

/** R4: a purchaser sees only the subscriptions they bought: the live ones, then the ended ones, each newest first. */
export const listMyPurchases = async (deps: Deps, ctx: ActorContext): Promise<MyPurchaseWithActions[]> =>
  deps.uow.read((repos) => myPurchasesIn(repos, ctx, loadActor(repos, ctx)));

export interface MyStanding {
  /** May see every self-service purchase (R5). */
  isAdmin: boolean;
  /** May change what admins change (policy, take-over, centralize, approvals): not a Global reader. */
  adminWrite: boolean;
  /** May grant and revoke roles (a Global admin). */
  manageRoles: boolean;
  /** A purchaser's live subscriptions, as listMyPurchases orders them; none are read for an admin. */
  live: MyPurchaseWithActions[];
}

/**
 * For the help text: whether the caller is an admin and, if not, the subscriptions they can act on now,
 * in one read that loads the caller once. Someone the organization has not set up yet is a purchaser
 * with none (help still answers).
 */
export const getMyStanding = async (deps: Deps, ctx: ActorContext): Promise<MyStanding> =>
  deps.uow.read(async (repos) => {
    let actor: Actor;
    try {
      actor = await loadActor(repos, ctx);
    } catch (e) {
      if (e instanceof DomainError) return { isAdmin: false, adminWrite: false, manageRoles: false, live: [] };
      throw e;
    }
    if (isAdmin(actor.roles)) return { isAdmin: true, adminWrite: adminWriteAbility(actor.roles).ok, manageRoles: globalAdminAbility(actor.roles).ok, live: [] };
    const mine = await myPurchasesIn(repos, ctx, Promise.resolve(actor));
    return { isAdmin: false, adminWrite: false, manageRoles: false, live: mine.filter((m) => isLive(m.subscription)) };
  });

export interface MyWaitingRequest {
  request: PurchaseRequest;
  product: Product;
}

/**
 * The caller's subscriptions and, with them, their purchases and trials still waiting for an admin's
 * approval (when the tenant asks for it), newest first — in one read. Pending requests are few (admins
 * decide them), so the tenant's pending list is read and the caller's kept.
 */
export const getMyPurchasesOverview = async (deps: Deps, ctx: ActorContext): Promise<{ items: MyPurchaseWithActions[]; waiting: MyWaitingRequest[] }> =>
  deps.uow.read(async (repos) => {
    const [items, pending] = await Promise.all([
      myPurchasesIn(repos, ctx, loadActor(repos, ctx)),
      // A request left pending from before the setting was turned off still shows.
      repos.requests.listPending(ctx.tenantId).then((all) => all.filter((r) => r.requesterId === ctx.actorId)),
    ]);
    if (pending.length === 0) return { items, waiting: [] };
    const byId = new Map((await repos.products.list()).map((p) => [p.id, p]));
    const waiting = pending
      .filter((r) => byId.has(r.productId))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map((request) => ({ request, product: byId.get(request.productId)! }));
    return { items, waiting };
  });
