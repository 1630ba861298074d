import type { Actor } from '../access';
import { LIVE_STATUSES, type BillingFrequency, type CardSummary, type Invoice, type Product, type Subscription } from '../model';
import type { ActorContext, Deps, Repositories } from '../ports';
import { addMonths } from '../shared/clock';
import { audit, notify, recordOrder, toEachUser } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { multiply, type Money } from '../shared/money';
import { requireAbility } from '../shared/abilities';
import { manageAbility, subscriptionAbilities, subscriptionAccess, type SubscriptionAction } from './subscription-abilities';

/** R2: a token from the payment provider, for a card that is not expired. Card numbers never get here. */
export const resolveCard = async (deps: Deps, token: unknown): Promise<CardSummary> => {
  if (typeof token !== 'string' || token.trim() === '') {
    return fail(ErrorCodes.PAYMENT_METHOD_REQUIRED, 'Please add a credit card to continue. Payment is by credit card only.');
  }
  const card = token.length <= 2048 ? await deps.payments.describe(token) : null;
  if (!card) return fail(ErrorCodes.PAYMENT_TOKEN_INVALID, "We couldn't read that card. Please enter it again.");
  const now = deps.clock.now();
  const endOfExpiryMonth = Date.UTC(card.expYear, card.expMonth, 1); // first instant after the expiry month
  if (endOfExpiryMonth <= now.getTime()) {
    fail(ErrorCodes.PAYMENT_CARD_EXPIRED, `Your ${card.brand} card ending ${card.last4} has expired. Please use another card.`);
  }
  return { token, ...card };
};

export const termEnd = (start: Date, frequency: BillingFrequency): Date => addMonths(start, frequency === 'Annual' ? 12 : 1);

export const isLive = (s: Subscription): boolean => LIVE_STATUSES.includes(s.status);

/** A new subscription starting now; callers give what differs between a purchase, a trial and a central buy. */
export const newSubscription = (
  deps: Deps,
  tenantId: string,
  fields: Pick<Subscription, 'productId' | 'purchaserId' | 'origin' | 'status' | 'quantity' | 'billingFrequency' | 'unitPrice' | 'recurring' | 'isTrial' | 'card' | 'expiresAt'>,
): Subscription => {
  const now = deps.clock.now();
  return {
    ...fields,
    id: deps.ids.next(),
    tenantId,
    startedAt: now,
    cancelledAt: null,
    cancelReason: null,
    centralizedInto: null,
    remindedFor: null,
    createdAt: now,
    version: 0,
  };
};

export const newInvoice = (deps: Deps, s: Subscription, amount: Money, description: string, outcome: { chargeId: string } | { failureCode: string }): Invoice => {
  const now = deps.clock.now();
  const paid = 'chargeId' in outcome;
  return {
    id: deps.ids.next(),
    tenantId: s.tenantId,
    subscriptionId: s.id,
    purchaserId: s.purchaserId,
    amount,
    status: paid ? 'Paid' : 'Unpaid',
    description,
    issuedAt: now,
    paidAt: paid ? now : null,
    chargeId: paid ? outcome.chargeId : null,
    failureCode: paid ? null : outcome.failureCode,
  };
};

/** What a purchase of `quantity` licenses costs, and what its bill says. */
export const purchaseCharge = (product: Product, quantity: number, frequency: BillingFrequency): { amount: Money; description: string } => ({
  amount: multiply(product.prices[frequency], quantity),
  description: `${product.name}, ${quantity} license${quantity === 1 ? '' : 's'}, ${frequency.toLowerCase()}`,
});

/**
 * Creates a paid self-service subscription for `purchaserId`, for a charge already made
 * (charges.ts): subscription, invoice, order, audit and the admins' "new purchase" notification, all
 * in the caller's transaction.
 */
export const createPaidSubscription = async (
  repos: Repositories,
  deps: Deps,
  ctx: ActorContext,
  args: { product: Product; quantity: number; frequency: BillingFrequency; card: CardSummary; purchaserId: string; purchaserName: string; chargeId: string },
): Promise<{ subscription: Subscription; invoice: Invoice }> => {
  const { product, quantity, frequency, card, chargeId } = args;
  const unitPrice = product.prices[frequency];
  const { amount, description } = purchaseCharge(product, quantity, frequency);
  const subscription = newSubscription(deps, ctx.tenantId, {
    productId: product.id,
    purchaserId: args.purchaserId,
    origin: 'SelfService',
    status: 'Active',
    quantity,
    billingFrequency: frequency,
    unitPrice,
    recurring: true,
    isTrial: false,
    card,
    expiresAt: termEnd(deps.clock.now(), frequency),
  });
  await repos.subscriptions.create(subscription);
  const invoice = newInvoice(deps, subscription, amount, description, { chargeId });
  await repos.invoices.add(invoice);
  await recordOrder(repos, deps, { tenantId: ctx.tenantId, subscriptionId: subscription.id, kind: 'Purchase', quantityDelta: quantity, amount, actorId: ctx.actorId });
  await audit(repos, deps, ctx, 'subscription.purchase', { type: 'subscription', id: subscription.id }, `Bought ${description} for ${args.purchaserName}`);
  await notify(repos, deps, ctx.tenantId, [
    {
      recipient: { kind: 'admins' },
      kind: 'PurchaseCreated',
      data: {
        subscriptionId: subscription.id,
        productId: product.id,
        productName: product.name,
        purchaserId: args.purchaserId,
        purchaserName: args.purchaserName,
        quantity,
        trial: false,
        amountMinor: amount.amountMinor,
        currency: amount.currency,
      },
    },
  ]);
  return { subscription, invoice };
};

const subscriptionNotFound = (): never => fail(ErrorCodes.SUBSCRIPTION_NOT_FOUND, "We couldn't find that subscription.");

export const getSubscriptionOrFail = async (repos: Repositories, tenantId: string, subscriptionId: string): Promise<Subscription> =>
  (await repos.subscriptions.get(tenantId, subscriptionId)) ?? subscriptionNotFound();

/**
 * Loads a subscription of the caller's tenant that the actor may manage: a self-service subscription
 * only by its purchaser (R4, R6: an admin must take it over first), a central one only by an admin.
 */
export const loadManagedSubscription = async (repos: Repositories, actor: Actor, subscriptionId: string, opts: { mustBeLive?: boolean } = {}): Promise<Subscription> => {
  const s = await getSubscriptionOrFail(repos, actor.tenant.id, subscriptionId);
  requireAbility((opts.mustBeLive ?? true) ? subscriptionAccess(actor, s) : manageAbility(actor, s));
  return s;
};

/**
 * Loads a subscription for one action and refuses, with the same code and reason the reads report,
 * when that action isn't possible for this actor now. Returns the number of licenses assigned on it.
 */
export const loadForAction = async (
  repos: Repositories,
  actor: Actor,
  subscriptionId: string,
  action: SubscriptionAction,
): Promise<{ subscription: Subscription; assigned: number }> => {
  const { subscription: s, assigned } = (await repos.subscriptions.getWithAssigned(actor.tenant.id, subscriptionId)) ?? subscriptionNotFound();
  // Who and whether live first: a stranger learns nothing about the assignments.
  requireAbility(subscriptionAccess(actor, s));
  requireAbility(subscriptionAbilities(actor, s, assigned)[action]);
  return { subscription: s, assigned };
};

export const CANCEL_REASONS = ['No longer needed', 'Too expensive', 'Switching to another product', 'Bought by mistake', 'Licenses centralized', 'Other'] as const;
export const TAKEOVER_REASONS = [
  'Duplicate of a central subscription',
  'Not approved by IT',
  'Security or compliance',
  'Cost control',
  'Purchaser left the organization',
  'Other',
] as const;

/**
 * Ends a subscription: every assigned user loses the license (and is told), the status changes.
 * Used by cancellation (purchaser or admin) and by expiry; callers add their own order/audit entries.
 */
export const endSubscription = async (
  repos: Repositories,
  deps: Deps,
  s: Subscription,
  change: { status: 'Cancelled' | 'Deleted' | 'Expired'; reason: string | null; productName: string },
): Promise<{ subscription: Subscription; removedUserIds: string[] }> => {
  const assignments = await repos.assignments.listBySubscription(s.tenantId, s.id);
  const removedUserIds = assignments.map((a) => a.userId);
  if (removedUserIds.length) await repos.assignments.remove(s.tenantId, s.id, removedUserIds);
  const now = deps.clock.now();
  const subscription = await repos.subscriptions.update({
    ...s,
    status: change.status,
    recurring: false,
    cancelledAt: change.status === 'Expired' ? s.cancelledAt : now,
    cancelReason: change.reason,
  });
  await notify(
    repos,
    deps,
    s.tenantId,
    toEachUser(removedUserIds, 'LicenseRemoved', { subscriptionId: s.id, productId: s.productId, productName: change.productName, reason: change.status }),
  );
  return { subscription, removedUserIds };
};
