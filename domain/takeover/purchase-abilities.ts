import { adminWriteAbility, type Actor } from '../access';
import { LIVE_STATUSES, type PolicyValue, type Product, type Subscription } from '../model';
import type { Repositories } from '../ports';
import { allowed, firstRefusal, refusedBy, type Abilities, type Ability } from '../shared/abilities';
import { ErrorCodes } from '../shared/errors';
import { count } from '../shared/wording';

/** What an admin may do about someone's self-service purchase (R3, R8–R10, and the new-purchase card). */
export type PurchaseAction = 'takeOverCancel' | 'moveUsers' | 'centralize' | 'acknowledge' | 'disableProduct';
export const PURCHASE_ACTIONS: readonly PurchaseAction[] = ['takeOverCancel', 'moveUsers', 'centralize', 'acknowledge', 'disableProduct'];

/** A live central subscription of the same product that users could move to. */
export interface MoveTarget {
  subscription: Subscription;
  /** Licenses not assigned on it. */
  available: number;
  /** How many of the purchase's license holders would need a license there (those already licensed there don't). */
  needed: number;
}

const licenses = (n: number): string => count(n, 'license');
const freeLicenses = (n: number): string => count(n, 'free license');

/** Only a self-service subscription is taken over, centralized or acknowledged. */
export const selfServiceAbility = (s: Subscription): Ability =>
  s.origin === 'SelfService' ? allowed() : refusedBy(ErrorCodes.TAKEOVER_NOT_SELF_SERVICE, 'That subscription was bought centrally; there is nothing to take over.');

/** A subscription that already ended has nothing left to take over. */
export const stillLiveAbility = (s: Subscription): Ability =>
  LIVE_STATUSES.includes(s.status) ? allowed() : refusedBy(ErrorCodes.SUBSCRIPTION_NOT_ACTIVE, `That subscription is already ${s.status.toLowerCase()}.`, { status: s.status });

/** R10 (and the start of R8, R9): an admin who may write, on a live self-service subscription. */
export const takeOverAbility = (actor: Actor, s: Subscription): Ability =>
  firstRefusal(
    adminWriteAbility(actor.roles),
    () => selfServiceAbility(s),
    () => stillLiveAbility(s),
  );

/** R8: centralizing can always buy a new central subscription, so it needs no free licenses anywhere. */
/**
 * R8: centralizing gives the people licensed on the subscription central licenses. With nobody
 * licensed there is nothing to centralize (a central subscription bought for nobody would go unused):
 * taking it over cancels it.
 */
export const centralizeAbility = (actor: Actor, s: Subscription, holders: number): Ability =>
  firstRefusal(takeOverAbility(actor, s), () =>
    holders > 0
      ? allowed()
      : refusedBy(ErrorCodes.LICENSE_NO_USERS, 'Nobody holds a license on this subscription, so there is nothing to centralize. Take it over to cancel it instead.'),
  );

/**
 * Best target first: the most licenses to spare after the move, then the most free, then the oldest.
 * The repositories' centralTargets reads in this order (its SQL says the same), so the first few
 * read are the best of any number.
 */
export const byMoveFit = (a: MoveTarget, b: MoveTarget): number =>
  b.available - b.needed - (a.available - a.needed) ||
  b.available - a.available ||
  a.subscription.createdAt.getTime() - b.subscription.createdAt.getTime() ||
  (a.subscription.id < b.subscription.id ? -1 : a.subscription.id > b.subscription.id ? 1 : 0);

/** The target that comes closest to taking every user. */
export const bestMoveTarget = (targets: readonly MoveTarget[]): MoveTarget | null =>
  targets.reduce<MoveTarget | null>((best, t) => (!best || byMoveFit(t, best) < 0 ? t : best), null);

/** The most move targets a take-over reads and offers: the best of them, however many the product has. */
export const MOVE_TARGETS_READ = 25;

/**
 * R9: moving users needs a live central subscription of the product with one free license for every
 * user moved. When none has enough, the reason says how many are missing and which subscription comes
 * closest, so the card can offer to add exactly those licenses to it.
 */
export const moveUsersAbility = (
  actor: Actor,
  s: Subscription,
  product: Product,
  targets: readonly MoveTarget[],
  holders: number,
  /** How many central subscriptions the product has, when `targets` are only the best of them. */
  centralTotal: number = targets.length,
): Ability =>
  firstRefusal(takeOverAbility(actor, s), () => {
    const best = bestMoveTarget(targets);
    if (!best) {
      return refusedBy(ErrorCodes.TAKEOVER_TARGET_INVALID, `There is no central ${product.name} subscription yet: buy one first.`, { needed: holders, best: null });
    }
    if (best.needed <= best.available) return allowed();
    const which = centralTotal === 1 ? 'The central subscription has' : `None of the ${centralTotal} central ${product.name} subscriptions has enough: the closest has`;
    return refusedBy(
      ErrorCodes.LICENSE_NOT_ENOUGH,
      `${which} ${freeLicenses(best.available)}; ${best.needed} ${best.needed === 1 ? 'is' : 'are'} needed. Add ${licenses(best.needed - best.available)} to it first.`,
      { needed: best.needed, best: { subscriptionId: best.subscription.id, available: best.available } },
    );
  });

/** The new-purchase card's "Acknowledge": once, on a live self-service purchase. */
export const acknowledgeAbility = (actor: Actor, s: Subscription, acknowledged: { byName: string } | null): Ability =>
  firstRefusal(
    adminWriteAbility(actor.roles),
    () =>
      s.origin === 'SelfService' ? allowed() : refusedBy(ErrorCodes.TAKEOVER_NOT_SELF_SERVICE, 'Only self-service purchases are acknowledged; this one was bought centrally.'),
    () => stillLiveAbility(s),
    () =>
      acknowledged ? refusedBy(ErrorCodes.PURCHASE_ALREADY_ACKNOWLEDGED, `${acknowledged.byName} already acknowledged this purchase.`, { byName: acknowledged.byName }) : allowed(),
  );

/** R3: turn the product's self-service purchase off (affects only future purchases and trials). */
export const disableProductAbility = (actor: Actor, product: Product, policy: PolicyValue): Ability =>
  firstRefusal(adminWriteAbility(actor.roles), () =>
    policy === 'Disabled'
      ? refusedBy(ErrorCodes.POLICY_ALREADY_SET, `Self-service purchase of ${product.name} is already turned off.`, { productId: product.id, policy })
      : allowed(),
  );

export interface PurchaseFacts {
  subscription: Subscription;
  product: Product;
  policy: PolicyValue;
  acknowledged: { byName: string } | null;
  /** Users licensed on the purchase. */
  holders: number;
  /** The best live central subscriptions of the product (at most MOVE_TARGETS_READ, best first). */
  targets: readonly MoveTarget[];
  /** How many live central subscriptions the product has. */
  centralTotal: number;
}

/** Every admin action on this purchase for this actor, now, with the reason for each one that isn't possible. */
export const purchaseAbilities = (actor: Actor, f: PurchaseFacts): Abilities<PurchaseAction> => ({
  takeOverCancel: takeOverAbility(actor, f.subscription),
  moveUsers: moveUsersAbility(actor, f.subscription, f.product, f.targets, f.holders, f.centralTotal),
  centralize: centralizeAbility(actor, f.subscription, f.holders),
  acknowledge: acknowledgeAbility(actor, f.subscription, f.acknowledged),
  // Offered on a purchase card only while the purchase is live; the policies card changes it any time.
  disableProduct: firstRefusal(disableProductAbility(actor, f.product, f.policy), () => stillLiveAbility(f.subscription)),
});

/**
 * The best live central subscriptions of `source`'s product (at most MOVE_TARGETS_READ, best first),
 * each with its free licenses and how many of `source`'s `holders` people it would need to take, and
 * how many there are. Counted in the database: no holder list is read.
 */
export const loadMoveTargets = async (repos: Repositories, source: Subscription, holders: number): Promise<{ targets: MoveTarget[]; total: number }> => {
  const { targets, total } = await repos.subscriptions.centralTargets(source.tenantId, source.productId, source.id, MOVE_TARGETS_READ);
  return {
    targets: targets.map((t) => ({ subscription: t.subscription, available: t.subscription.quantity - t.assigned, needed: Math.max(0, holders - t.overlap) })),
    total,
  };
};
