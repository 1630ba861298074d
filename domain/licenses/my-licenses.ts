import { loadActor } from '../access';
import type { Product, SubscriptionOrigin } from '../model';
import type { ActorContext, Deps } from '../ports';
import { isLive } from '../purchasing/purchase-support';

/** More than anyone holds; a bound on one read all the same. */
export const MAX_LICENSES_LISTED = 100;

/** A license someone holds: what it is for, where it comes from and who gave it. */
export interface MyLicense {
  product: Product;
  subscriptionId: string;
  assignedAt: Date;
  /** A colleague's own purchase (self-service) or the organization's (central). */
  origin: SubscriptionOrigin;
  /** Who bought it, as the directory names them (self-service); null for the organization's. */
  purchaserName: string | null;
  /** The caller bought it themselves (and holds one of its licenses). */
  boughtByYou: boolean;
  /** Who assigned it, as the directory names them; null when it was the holder themselves. */
  assignedByName: string | null;
}

/**
 * The licenses the caller holds on their organization's live subscriptions, newest first: anyone
 * may ask about their own (a licensed colleague is usually not a purchaser), nobody about another's.
 */
export const listMyLicenses = async (deps: Deps, ctx: ActorContext): Promise<MyLicense[]> =>
  deps.uow.read(async (repos) => {
    const [, held, products] = await Promise.all([loadActor(repos, ctx), repos.assignments.heldBy(ctx.tenantId, ctx.actorId, MAX_LICENSES_LISTED), repos.products.list()]);
    if (held.length === 0) return [];
    const subs = new Map((await repos.subscriptions.getMany(ctx.tenantId, [...new Set(held.map((a) => a.subscriptionId))])).map((s) => [s.id, s]));
    const live = held.filter((a) => {
      const s = subs.get(a.subscriptionId);
      return s !== undefined && isLive(s);
    });
    const people = [...new Set(live.flatMap((a) => [a.assignedBy, subs.get(a.subscriptionId)!.purchaserId]))];
    const names = new Map((await repos.users.getMany(ctx.tenantId, people)).map((u) => [u.id, u.displayName]));
    const byId = new Map(products.map((p) => [p.id, p]));
    return live
      .filter((a) => byId.has(subs.get(a.subscriptionId)!.productId))
      .map((a) => {
        const s = subs.get(a.subscriptionId)!;
        return {
          product: byId.get(s.productId)!,
          subscriptionId: s.id,
          assignedAt: a.assignedAt,
          origin: s.origin,
          purchaserName: s.origin === 'SelfService' ? (names.get(s.purchaserId) ?? null) : null,
          boughtByYou: s.origin === 'SelfService' && s.purchaserId === ctx.actorId,
          assignedByName: a.assignedBy === ctx.actorId ? null : (names.get(a.assignedBy) ?? null),
        };
      });
  });
