import type { ActorContext, Deps } from '../domain/ports';
import { DomainError, ErrorCodes } from '../domain/shared/errors';
import { buySubscription } from '../domain/purchasing/buy-subscription';
import { startTrial } from '../domain/purchasing/start-trial';
import { addLicenses, removeLicenses } from '../domain/purchasing/change-license-count';
import { assignLicenses, unassignLicenses } from '../domain/licenses/assign-licenses';
import { setRecurringBilling } from '../domain/purchasing/set-recurring-billing';
import { updatePaymentMethod } from '../domain/purchasing/update-payment-method';
import { cancelSubscription } from '../domain/purchasing/cancel-subscription';
import { listMyPurchases } from '../domain/purchasing/list-my-purchases';
import { payBill } from '../domain/billing/pay-bill';
import { acknowledgePurchase } from '../domain/admin/acknowledge-purchase';
import { getPurchaseDetail } from '../domain/admin/get-purchase-detail';
import { setAllPolicies, setPolicy } from '../domain/policy/set-policy';
import { takeOverCancel } from '../domain/takeover/take-over-cancel';
import { takeOverMoveUsers } from '../domain/takeover/take-over-move-users';
import { centralizeLicenses } from '../domain/takeover/centralize-licenses';
import { approvePurchaseRequest, rejectPurchaseRequest } from '../domain/approvals/decide-purchase-request';
import { grantRole, revokeRole } from '../domain/roles/manage-roles';
import { findPeople } from '../domain/directory/find-people';
import { listCatalog } from '../domain/catalog/list-catalog';
import { CardValidationError, type CardInput } from '../payments/sandbox-payment-provider';
import { price } from '../cards/format';
import { checkoutLinkCard } from '../cards/purchaser-cards';
import type { AdaptiveCard } from '../cards/ui';
import { VERBS, VIEWS, type Verb, type View } from '../cards/verbs';
import { refreshView, views } from './views';
import type { WebPage } from './web/pages';

export type ActionResult = { card: AdaptiveCard } | { message: string };

/** A short-lived signed link that opens one of the pages as the caller (outside Teams, and for Teams dialogs). */
export type PageLink = (ctx: ActorContext, page: WebPage, params?: Record<string, string>) => { url: string; minutes: number };

export interface ActionServices {
  /** Turns typed card details into a payment token; only the token reaches the domain. */
  tokenize(card: CardInput): { token: string };
  pageLink: PageLink;
}

export interface ActionInput {
  deps: Deps;
  ctx: ActorContext;
  /** The action's data merged with the card's inputs: untrusted, re-checked by every use case. */
  data: Record<string, unknown>;
  services: ActionServices;
}

type Handler = (a: ActionInput) => Promise<AdaptiveCard>;

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
/** The status line on a card after an action: what was done, or why it wasn't. */
export const done = (banner: string) => ({ banner, bannerIsError: false });
const refused = (banner: string) => ({ banner, bannerIsError: true });

/** "Patti, lynner@contoso.com and Isaiah" → the people, or a refusal naming who wasn't found. */
export const resolvePeople = async (deps: Deps, ctx: ActorContext, typed: string): Promise<string[]> => {
  const queries = typed.split(/\s*(?:,|;|\band\b)\s*/i).map((q) => q.trim().replace(/^@/, '')).filter(Boolean);
  const matches = await findPeople(deps, ctx, { queries });
  const problems: string[] = [];
  for (const m of matches) {
    if (m.people.length === 0) problems.push(`nobody in your organization matches "${m.query}"`);
    else if (m.people.length > 1) problems.push(`"${m.query}" could be ${m.people.map((p) => `${p.displayName}${p.email ? ` (${p.email})` : ''}`).join(' or ')}`);
  }
  if (problems.length) throw new DomainError(ErrorCodes.USER_NOT_FOUND, `Please be more specific: ${problems.join('; ')}.`);
  return [...new Set(matches.map((m) => m.people[0].id))];
};

/** A card on file (one of the caller's own subscriptions, looked up here) or a newly typed card. */
const paymentToken = async (a: ActionInput, required: boolean): Promise<string | undefined> => {
  const saved = str(a.data.savedCard);
  if (saved && saved !== 'new') {
    const mine = await listMyPurchases(a.deps, a.ctx);
    const card = mine.find((m) => m.subscription.id === saved)?.subscription.card;
    if (!card) throw new DomainError(ErrorCodes.PAYMENT_METHOD_REQUIRED, "That card isn't on file any more. Enter a card.");
    return card.token;
  }
  if (!str(a.data.cardNumber).trim()) {
    if (!required) return undefined;
    throw new DomainError(ErrorCodes.PAYMENT_METHOD_REQUIRED, 'Enter a card to pay with.');
  }
  const [month, year] = str(a.data.cardExpiry).split('/').map((p) => p.trim());
  return a.services.tokenize({ number: str(a.data.cardNumber), expMonth: month ?? '', expYear: year ?? '', cvc: str(a.data.cardCvc).trim(), name: str(a.data.cardName).trim() || undefined }).token;
};

/**
 * Every card verb and what it does (DESIGN §5.4: one table). Each handler calls one use case and
 * answers with the card's new state; `recover` says which card to show, with the reason, when the
 * use case refuses (stale card, double click, forged ids that don't resolve, bad input).
 */
const ACTIONS: Record<Verb, { run: Handler; recover?: (a: ActionInput, banner: ReturnType<typeof refused>) => Promise<AdaptiveCard> }> = {
  [VERBS.refresh]: {
    run: async ({ deps, ctx, data }) => {
      const view = VIEWS.find((v) => v === data.view) as View | undefined;
      if (!view) throw new DomainError(ErrorCodes.INPUT_INVALID, "That card can't be refreshed.");
      return refreshView(deps, ctx, view, data);
    },
  },
  [VERBS.catalog]: { run: ({ deps, ctx, data }) => views.catalog(deps, ctx, Number(data.page) || 1) },
  [VERBS.buyForm]: { run: ({ deps, ctx, data }) => views.buyForm(deps, ctx, str(data.productId), data.mode === 'trial' ? 'trial' : 'buy') },
  [VERBS.buy]: {
    run: async (a) => {
      const result = await buySubscription(a.deps, a.ctx, {
        productId: a.data.productId,
        quantity: a.data.quantity,
        billingFrequency: a.data.billingFrequency,
        cardToken: await paymentToken(a, true),
        idempotencyKey: a.data.formId,
      });
      if (result.status === 'pending') return views.mine(a.deps, a.ctx, done('Your organization asks admins to approve purchases: your request is on its way, and you will hear back here.'));
      const s = result.subscription;
      return views.subscription(a.deps, a.ctx, s.id, done(`Done: you bought ${s.quantity} ${s.quantity === 1 ? 'license' : 'licenses'}${result.invoice ? ` for ${price(result.invoice.amount)}` : ''}. Assign them below.`));
    },
    recover: (a, banner) => views.buyForm(a.deps, a.ctx, str(a.data.productId), 'buy', { ...banner, quantity: Number(a.data.quantity) || 1 }),
  },
  [VERBS.checkoutOpen]: {
    // Reached only where Teams dialogs aren't (the dialog button's Submit arrives as a message): the checkout page as a link instead.
    run: async ({ deps, ctx, data, services }) => {
      const mode = data.mode === 'trial' ? 'trial' : 'buy';
      const item = (await listCatalog(deps, ctx)).find((i) => i.product.id === str(data.productId));
      if (!item) throw new DomainError(ErrorCodes.PRODUCT_UNKNOWN, "We don't sell that product here. Say 'catalog' to see what's available.");
      const link = services.pageLink(ctx, 'checkout', { productId: item.product.id, mode });
      return checkoutLinkCard({ product: item.product, mode, ...link });
    },
  },
  [VERBS.trial]: {
    run: async (a) => {
      const result = await startTrial(a.deps, a.ctx, { productId: a.data.productId, cardToken: await paymentToken(a, false) });
      if (result.status === 'pending') return views.mine(a.deps, a.ctx, done('Your trial request is waiting for an admin’s approval; you will hear back here.'));
      return views.subscription(a.deps, a.ctx, result.subscription.id, done('Your trial has started. Assign its licenses below.'));
    },
    recover: (a, banner) => views.buyForm(a.deps, a.ctx, str(a.data.productId), 'trial', banner),
  },
  [VERBS.mine]: { run: ({ deps, ctx }) => views.mine(deps, ctx) },
  [VERBS.subscription]: { run: ({ deps, ctx, data }) => views.subscription(deps, ctx, data.subscriptionId) },
  [VERBS.addLicenses]: {
    run: async ({ deps, ctx, data }) => {
      const { subscription, invoice } = await addLicenses(deps, ctx, { subscriptionId: data.subscriptionId, quantity: data.addQuantity, idempotencyKey: data.formId });
      return views.subscription(deps, ctx, subscription.id, done(`Done: ${subscription.quantity} licenses now${invoice ? `; ${price(invoice.amount)} charged` : ''}.`));
    },
  },
  [VERBS.removeLicenses]: {
    run: async ({ deps, ctx, data }) => {
      const s = await removeLicenses(deps, ctx, { subscriptionId: data.subscriptionId, quantity: data.removeQuantity, idempotencyKey: data.formId });
      return views.subscription(deps, ctx, s.id, done(`Done: ${s.quantity} licenses from the next bill.`));
    },
  },
  [VERBS.assign]: {
    run: async ({ deps, ctx, data }) => {
      const userIds = await resolvePeople(deps, ctx, str(data.people));
      const r = await assignLicenses(deps, ctx, { subscriptionId: data.subscriptionId, userIds });
      const note = r.alreadyAssigned.length ? ` (${r.alreadyAssigned.length} already had one)` : '';
      return views.subscription(deps, ctx, data.subscriptionId, done(`Done: ${r.assigned.length} ${r.assigned.length === 1 ? 'person has' : 'people have'} a license now${note}; they've been told.`));
    },
  },
  [VERBS.unassign]: {
    run: async ({ deps, ctx, data }) => {
      const userIds = str(data.userIds).split(',').map((s) => s.trim()).filter(Boolean);
      const r = await unassignLicenses(deps, ctx, { subscriptionId: data.subscriptionId, userIds });
      return views.subscription(deps, ctx, data.subscriptionId, done(`Done: removed ${r.unassigned.length} ${r.unassigned.length === 1 ? 'license' : 'licenses'}; ${r.available} available.`));
    },
  },
  [VERBS.recurring]: {
    run: async ({ deps, ctx, data }) => {
      const s = await setRecurringBilling(deps, ctx, { subscriptionId: data.subscriptionId, enabled: data.enabled });
      return views.subscription(deps, ctx, s.id, done(s.recurring ? 'Recurring billing is on: it renews automatically.' : `Recurring billing is off: it ends on ${s.expiresAt.toISOString().slice(0, 10)}.`));
    },
  },
  [VERBS.paymentMethod]: {
    run: async (a) => {
      const s = await updatePaymentMethod(a.deps, a.ctx, { subscriptionId: a.data.subscriptionId, cardToken: await paymentToken({ ...a, data: { ...a.data, savedCard: 'new' } }, true) });
      return views.subscription(a.deps, a.ctx, s.id, done(`Saved: future bills go to the ${s.card?.brand} ending ${s.card?.last4}.`));
    },
  },
  [VERBS.cancelConfirm]: { run: ({ deps, ctx, data }) => views.cancelConfirm(deps, ctx, data.subscriptionId) },
  [VERBS.cancel]: {
    run: async ({ deps, ctx, data }) => {
      const s = await cancelSubscription(deps, ctx, { subscriptionId: data.subscriptionId, reason: data.reason });
      return views.subscription(deps, ctx, s.id, done("Cancelled. You won't be charged again."));
    },
  },
  [VERBS.cancelLater]: { run: ({ deps, ctx, data }) => views.subscription(deps, ctx, data.subscriptionId, done('OK. You can cancel it from here whenever you are ready.')) },
  [VERBS.bills]: { run: ({ deps, ctx }) => views.bills(deps, ctx) },
  [VERBS.payForm]: { run: ({ deps, ctx, data }) => views.payForm(deps, ctx, data.invoiceId) },
  [VERBS.payBill]: {
    run: async (a) => {
      const bill = await payBill(a.deps, a.ctx, { invoiceId: a.data.invoiceId, cardToken: await paymentToken(a, false) });
      return views.bills(a.deps, a.ctx, done(`Paid ${price(bill.amount)}. Thank you.`));
    },
    recover: (a, banner) => views.payForm(a.deps, a.ctx, a.data.invoiceId, banner).catch(() => views.bills(a.deps, a.ctx, banner)),
  },
  [VERBS.purchases]: { run: ({ deps, ctx, data }) => views.purchases(deps, ctx, data.page, data.origin) },
  [VERBS.purchase]: { run: ({ deps, ctx, data }) => views.purchase(deps, ctx, data.subscriptionId) },
  [VERBS.acknowledge]: {
    run: async ({ deps, ctx, data }) => {
      await acknowledgePurchase(deps, ctx, { subscriptionId: data.subscriptionId });
      return views.purchase(deps, ctx, data.subscriptionId, { isNew: true, ...done('Acknowledged.') });
    },
  },
  [VERBS.disableProduct]: {
    run: async ({ deps, ctx, data }) => {
      // The product comes from the stored subscription, not from the card.
      const detail = await getPurchaseDetail(deps, ctx, { subscriptionId: data.subscriptionId });
      const change = await setPolicy(deps, ctx, { productId: detail.product.id, value: 'Disabled' });
      return views.purchase(deps, ctx, data.subscriptionId, { isNew: true, ...done(`Self-service purchase of ${change.productName} is now turned off. Existing subscriptions keep working.`) });
    },
  },
  [VERBS.takeOverConfirm]: { run: ({ deps, ctx, data }) => views.takeOverConfirm(deps, ctx, data.subscriptionId) },
  [VERBS.takeOver]: {
    run: async ({ deps, ctx, data }) => {
      const mode = str(data.mode) || 'cancel';
      if (mode === 'cancel') {
        await takeOverCancel(deps, ctx, { subscriptionId: data.subscriptionId, reason: data.reason });
        return views.purchase(deps, ctx, data.subscriptionId, done('Taken over: the subscription is cancelled and its purchaser has been told why.'));
      }
      const r = await takeOverMoveUsers(deps, ctx, { subscriptionId: data.subscriptionId, targetSubscriptionId: mode });
      return views.purchase(deps, ctx, data.subscriptionId, done(`Taken over: ${r.moved} ${r.moved === 1 ? 'user' : 'users'} moved to the central subscription; the purchaser has been told.`));
    },
  },
  [VERBS.centralizeConfirm]: { run: ({ deps, ctx, data }) => views.centralizeConfirm(deps, ctx, data.subscriptionId) },
  [VERBS.centralize]: {
    run: async ({ deps, ctx, data }) => {
      const target = str(data.target);
      const r = await centralizeLicenses(deps, ctx, { subscriptionId: data.subscriptionId, targetSubscriptionId: target && target !== 'new' ? target : undefined });
      return views.purchase(deps, ctx, data.subscriptionId, done(`Centralized: ${r.assigned} ${r.assigned === 1 ? 'person has' : 'people have'} a central license now; the purchaser has been asked to cancel.`));
    },
  },
  [VERBS.policies]: { run: ({ deps, ctx }) => views.policies(deps, ctx) },
  [VERBS.setPolicy]: {
    run: async ({ deps, ctx, data }) => {
      const c = await setPolicy(deps, ctx, { productId: data.productId, value: data.value });
      return views.policies(deps, ctx, done(c.from === c.to ? `${c.productName} was already ${c.to}.` : `${c.productName}: ${c.from} → ${c.to}.`));
    },
  },
  [VERBS.setAllPolicies]: {
    run: async ({ deps, ctx, data }) => {
      const changes = await setAllPolicies(deps, ctx, { value: data.allValue });
      const changed = changes.filter((c) => c.from !== c.to).length;
      return views.policies(deps, ctx, done(`Every product is now ${changes[0]?.to ?? str(data.allValue)} (${changed} changed).`));
    },
  },
  [VERBS.approvals]: { run: ({ deps, ctx, data }) => (data.requestId ? views.approval(deps, ctx, data.requestId) : views.approvals(deps, ctx)) },
  [VERBS.approve]: {
    run: async ({ deps, ctx, data }) => {
      const r = await approvePurchaseRequest(deps, ctx, { requestId: data.requestId });
      return views.approval(deps, ctx, r.id, r.status === 'Approved' ? done('Approved; the requester has been told.') : refused(`Approved, but the purchase failed: ${r.decisionNote ?? 'the card was declined'}. The requester has been told.`));
    },
    recover: (a, banner) => views.approval(a.deps, a.ctx, a.data.requestId, banner),
  },
  [VERBS.reject]: {
    run: async ({ deps, ctx, data }) => {
      const r = await rejectPurchaseRequest(deps, ctx, { requestId: data.requestId, note: str(data.note).trim() || undefined });
      return views.approval(deps, ctx, r.id, done('Rejected; the requester has been told.'));
    },
    recover: (a, banner) => views.approval(a.deps, a.ctx, a.data.requestId, banner),
  },
  [VERBS.audit]: { run: ({ deps, ctx, data }) => views.audit(deps, ctx, data.page) },
  [VERBS.productLicenses]: { run: ({ deps, ctx, data }) => views.productLicenses(deps, ctx, data.productId, data.page) },
  [VERBS.roles]: { run: ({ deps, ctx }) => views.roles(deps, ctx) },
  [VERBS.grantRole]: {
    run: async ({ deps, ctx, data }) => {
      const [userId] = await resolvePeople(deps, ctx, str(data.person).split(/[,;]/)[0] ?? '');
      const a = await grantRole(deps, ctx, { userId, role: data.role });
      return views.roles(deps, ctx, done(`Granted ${a.role}.`));
    },
  },
  [VERBS.revokeRole]: {
    run: async ({ deps, ctx, data }) => {
      await revokeRole(deps, ctx, { userId: data.userId, role: data.role });
      return views.roles(deps, ctx, done('Revoked.'));
    },
  },
};

const SUBSCRIPTION_VERBS: ReadonlySet<string> = new Set([VERBS.addLicenses, VERBS.removeLicenses, VERBS.assign, VERBS.unassign, VERBS.recurring, VERBS.paymentMethod, VERBS.cancel, VERBS.cancelConfirm, VERBS.cancelLater]);
const PURCHASE_VERBS: ReadonlySet<string> = new Set([VERBS.acknowledge, VERBS.disableProduct, VERBS.takeOver, VERBS.takeOverConfirm, VERBS.centralize, VERBS.centralizeConfirm]);
const POLICY_VERBS: ReadonlySet<string> = new Set([VERBS.setPolicy, VERBS.setAllPolicies]);
const ROLE_VERBS: ReadonlySet<string> = new Set([VERBS.grantRole, VERBS.revokeRole]);

/** The card to show when a verb is refused: the thing it was about, as it is now, with the reason. */
const defaultRecover = (verb: string, a: ActionInput, banner: ReturnType<typeof refused>): Promise<AdaptiveCard> | null => {
  if (SUBSCRIPTION_VERBS.has(verb)) return views.subscription(a.deps, a.ctx, a.data.subscriptionId, banner);
  if (PURCHASE_VERBS.has(verb)) return views.purchase(a.deps, a.ctx, a.data.subscriptionId, banner);
  if (POLICY_VERBS.has(verb)) return views.policies(a.deps, a.ctx, banner);
  if (ROLE_VERBS.has(verb)) return views.roles(a.deps, a.ctx, banner);
  return null;
};

const reasonOf = (e: unknown): string | null =>
  e instanceof DomainError ? e.message : e instanceof CardValidationError ? e.message : null;

/**
 * Runs one card action for the caller. Unknown verbs and refusals never throw: the caller gets the
 * card as it now is with the reason on it, or, when even that can't be shown (someone else's ids,
 * another tenant's, forged data), a short message and no change.
 */
export const runCardAction = async (verb: unknown, a: ActionInput): Promise<ActionResult & { refused?: string }> => {
  const entry = typeof verb === 'string' ? ACTIONS[verb as Verb] : undefined;
  if (!entry || !Object.prototype.hasOwnProperty.call(ACTIONS, verb as string)) {
    return { message: "That button doesn't do anything any more. Say **help** to see what I can do.", refused: 'unknown verb' };
  }
  try {
    return { card: await entry.run(a) };
  } catch (e) {
    const reason = reasonOf(e);
    if (reason === null) throw e;
    const banner = refused(reason);
    try {
      const card = await (entry.recover?.(a, banner) ?? defaultRecover(verb as string, a, banner));
      if (card) return { card, refused: reason };
    } catch (again) {
      if (reasonOf(again) === null) throw again;
    }
    return { message: reason, refused: reason };
  }
};
