import { canAdminWrite, isAdmin, READ_ONLY_REASON, type Actor } from '../access';
import { LIVE_STATUSES, type Subscription } from '../model';
import { allowed, firstRefusal, refusedBy, type Abilities, type Ability } from '../shared/abilities';
import { ErrorCodes } from '../shared/errors';
import { count } from '../shared/wording';
import { MAX_QUANTITY } from '../shared/validation';

/** What the person reading a subscription may do to it (R4, R6, R13, R14). */
export type SubscriptionAction = 'addLicenses' | 'removeLicenses' | 'assign' | 'unassign' | 'setRecurring' | 'updateCard' | 'cancel';
export const SUBSCRIPTION_ACTIONS: readonly SubscriptionAction[] = ['addLicenses', 'removeLicenses', 'assign', 'unassign', 'setRecurring', 'updateCard', 'cancel'];

const plural = count;

/**
 * Who may manage a subscription at all: a self-service one only its purchaser (R4; R6: an admin must
 * take it over first), a central one only an admin who may write. A Global reader views, never changes.
 */
export const manageAbility = (actor: Actor, s: Subscription): Ability => {
  if (s.origin === 'SelfService') {
    if (s.purchaserId === actor.user.id) return allowed();
    if (canAdminWrite(actor.roles)) {
      return refusedBy(ErrorCodes.LICENSE_ADMIN_MUST_TAKE_OVER, "Admins can't change a subscription someone bought for themselves. Take it over first.", { subscriptionId: s.id });
    }
    if (isAdmin(actor.roles)) return refusedBy(ErrorCodes.AUTH_READ_ONLY, READ_ONLY_REASON);
    return refusedBy(ErrorCodes.SUBSCRIPTION_NOT_OWNER, 'You can only manage subscriptions you bought.');
  }
  if (canAdminWrite(actor.roles)) return allowed();
  if (isAdmin(actor.roles)) return refusedBy(ErrorCodes.AUTH_READ_ONLY, READ_ONLY_REASON);
  return refusedBy(ErrorCodes.SUBSCRIPTION_NOT_OWNER, 'Only admins manage subscriptions bought centrally.');
};

/** Only a live (active or trial) subscription changes. */
export const liveAbility = (s: Subscription): Ability =>
  LIVE_STATUSES.includes(s.status)
    ? allowed()
    : refusedBy(ErrorCodes.SUBSCRIPTION_NOT_ACTIVE, `That subscription ${NOT_LIVE[s.status] ?? `is ${s.status.toLowerCase()}`}.`, { status: s.status });

/** Why a subscription that isn't live can't change, in words. */
const NOT_LIVE: Partial<Record<Subscription['status'], string>> = {
  PendingApproval: "is waiting for an admin's approval",
  Expired: 'has expired',
  Cancelled: 'was cancelled',
  Deleted: 'has ended (cancelled, or taken over by an admin)',
};

/** "All 3 licenses are assigned" / "The one license is assigned". */
const allAssigned = (quantity: number, of = ''): string => (quantity === 1 ? `The one license${of} is assigned` : `All ${plural(quantity, 'license')}${of} are assigned`);

/** May this actor change this subscription in any way now: the part every action shares. */
export const subscriptionAccess = (actor: Actor, s: Subscription): Ability => firstRefusal(manageAbility(actor, s), () => liveAbility(s));

/**
 * Every subscription action for this actor, now, with the reason for each one that isn't possible.
 * `assigned` is the number of licenses assigned on it. The use cases refuse through these same rules.
 */
export const subscriptionAbilities = (actor: Actor, s: Subscription, assigned: number): Abilities<SubscriptionAction> => {
  const access = subscriptionAccess(actor, s);
  const cardlessTrial = s.isTrial && !s.card;
  return {
    addLicenses: firstRefusal(
      access,
      () => (s.isTrial ? refusedBy(ErrorCodes.TRIAL_CANNOT_CHANGE, 'A trial has a fixed number of licenses. Buy the product to get more.') : allowed()),
      () => (s.quantity >= MAX_QUANTITY ? refusedBy(ErrorCodes.QUANTITY_TOO_LARGE, `A subscription can have at most ${MAX_QUANTITY} licenses.`, { max: MAX_QUANTITY }) : allowed()),
      () => (s.origin === 'SelfService' && !s.card ? refusedBy(ErrorCodes.PAYMENT_METHOD_REQUIRED, 'Add a card to this subscription first.') : allowed()),
    ),
    removeLicenses: firstRefusal(
      access,
      () => (s.isTrial ? refusedBy(ErrorCodes.TRIAL_CANNOT_CHANGE, 'A trial has a fixed number of licenses.') : allowed()),
      () =>
        s.quantity <= 1 ? refusedBy(ErrorCodes.QUANTITY_TOO_LARGE, 'This subscription has 1 license; to remove it, cancel the subscription.', { quantity: s.quantity }) : allowed(),
      () =>
        assigned >= s.quantity ? refusedBy(ErrorCodes.LICENSE_BELOW_ASSIGNED, `${allAssigned(s.quantity)}. Unassign people first.`, { assigned, quantity: s.quantity }) : allowed(),
    ),
    assign: firstRefusal(access, () =>
      assigned >= s.quantity
        ? refusedBy(
            ErrorCodes.LICENSE_NOT_ENOUGH,
            s.isTrial ? `${allAssigned(s.quantity, ' of this trial')}. Unassign someone first.` : `${allAssigned(s.quantity)}. Add licenses or unassign someone first.`,
            { available: 0, quantity: s.quantity },
          )
        : allowed(),
    ),
    unassign: firstRefusal(access, () => (assigned === 0 ? refusedBy(ErrorCodes.LICENSE_NOT_ASSIGNED, 'Nobody has a license on this subscription yet.') : allowed())),
    setRecurring: firstRefusal(access, () =>
      cardlessTrial ? refusedBy(ErrorCodes.TRIAL_CANNOT_CHANGE, 'This trial has no payment method, so it simply ends. Buy the product to keep using it.') : allowed(),
    ),
    updateCard: firstRefusal(
      access,
      () => (s.origin === 'Central' ? refusedBy(ErrorCodes.INPUT_INVALID, 'Central subscriptions are billed to your agreement, not a card.') : allowed()),
      () => (cardlessTrial ? refusedBy(ErrorCodes.TRIAL_CANNOT_CHANGE, "This trial doesn't use a payment method.") : allowed()),
    ),
    cancel: access,
  };
};
