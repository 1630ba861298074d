import { CATALOG } from '../domain/catalog/catalog-data';
import type { PurchaseDetail } from '../domain/admin/get-purchase-detail';
import type { CatalogItem } from '../domain/catalog/list-catalog';
import type { PolicyRow } from '../domain/policy/view-policies';
import { NOTIFICATION_KINDS, type Invoice, type NotificationIntent, type NotificationKind, type Product, type PurchaseRequest, type Subscription } from '../domain/model';
import {
  approvalCard,
  approvalsCard,
  auditCard,
  centralizeConfirmCard,
  exportCard,
  mri,
  policiesCard,
  productLicensesCard,
  purchaseCard,
  purchasesCard,
  rolesCard,
  takeOverConfirmCard,
} from './admin-cards';
import { choiceCard, suggestionCard, textCard } from './choice-cards';
import { notificationCard } from './notification-cards';
import {
  billsCard,
  buyFormCard,
  cancelConfirmCard,
  catalogCard,
  checkoutLinkCard,
  myPurchasesCard,
  openPageCard,
  payBillCard,
  paymentMethodCard,
  subscriptionCard,
} from './purchaser-cards';
import type { AdaptiveCard } from './ui';
import { VERBS } from './verbs';
import { subscriptionAbilities } from '../domain/purchasing/subscription-abilities';
import { purchaseAbilities } from '../domain/takeover/purchase-abilities';
import { requestAbilities } from '../domain/approvals/request-abilities';

/** What an admin (or a Global reader) may do to a sample approval request, by the domain's own rules. */
export const sampleRequestActions = (r: PurchaseRequest, reader: 'admin' | 'reader' = 'admin') =>
  requestAbilities(
    {
      tenant: { id: r.tenantId, name: 'Contoso', kind: 'Commercial', country: 'US', requireApproval: true, createdAt: r.createdAt },
      user: { id: 'u-admin', tenantId: r.tenantId, displayName: 'Admin', email: null, isGuest: false, active: true },
      roles: reader === 'reader' ? ['GlobalReader'] : ['GlobalAdmin'],
    },
    r,
  );
import type { PolicyValue } from '../domain/model';

/** What an admin (or a Global reader) may do to a sample purchase, by the domain's own rules. */
export const samplePurchaseActions = (
  d: PurchaseDetail,
  opts: { policy?: PolicyValue; targets?: ReadonlyArray<{ subscription: Subscription; available: number }>; reader?: 'admin' | 'reader' } = {},
) =>
  purchaseAbilities(
    {
      tenant: { id: d.subscription.tenantId, name: 'Contoso', kind: 'Commercial', country: 'US', requireApproval: false, createdAt: d.subscription.createdAt },
      user: { id: 'u-admin', tenantId: d.subscription.tenantId, displayName: 'Admin', email: null, isGuest: false, active: true },
      roles: opts.reader === 'reader' ? ['GlobalReader'] : ['GlobalAdmin'],
    },
    {
      subscription: d.subscription,
      product: d.product,
      policy: opts.policy ?? 'Enabled',
      acknowledged: d.acknowledged,
      holders: d.assignedUsers.length,
      targets: (opts.targets ?? []).map((t) => ({ ...t, needed: d.assignedUsers.length })),
      centralTotal: opts.targets?.length ?? 0,
    },
  );

/** What a reader may do to a sample subscription, by the domain's own rules (purchaser by default; a Global reader, or an admin for a central one). */
export const sampleActions = (s: Subscription, assigned: number, reader: 'purchaser' | 'reader' | 'admin' = 'purchaser') =>
  subscriptionAbilities(
    {
      tenant: { id: s.tenantId, name: 'Contoso', kind: 'Commercial', country: 'US', requireApproval: false, createdAt: s.createdAt },
      user: { id: reader === 'purchaser' ? s.purchaserId : 'u-someone-else', tenantId: s.tenantId, displayName: 'Reader', email: null, isGuest: false, active: true },
      roles: reader === 'reader' ? ['GlobalReader'] : reader === 'admin' ? ['GlobalAdmin'] : [],
    },
    s,
    assigned,
  );

/**
 * Named sample view-models for every card, in the states worth seeing: the card gallery
 * (`npm run cards:gallery`) renders each one, and tests can build the same cards from here.
 * Dates and ids are fixed so that a card only looks different when the card itself changed.
 * The people are the demo tenant's (the Agents Playground personas).
 */

export type CardAudience = 'purchaser' | 'admin' | 'notification';

export interface CardSample {
  /** Unique and file-name safe: the gallery writes `<id>.png`. */
  id: string;
  title: string;
  /** Who sees it and what it is for, in a sentence (the gallery's index). */
  purpose: string;
  audience: CardAudience;
  /**
   * The exported builder from cards/*-cards.ts that makes it, so a test can find builders that have
   * no sample (typed as the top function type: any builder, whatever it takes).
   */
  builder: (...args: never) => AdaptiveCard;
  build: () => AdaptiveCard;
}

/** Ties a sample to its builder with the builder's own argument types, so a sample can't drift from its card. */
const sample = <A extends unknown[]>(meta: Pick<CardSample, 'id' | 'title' | 'purpose' | 'audience'>, builder: (...args: A) => AdaptiveCard, ...args: NoInfer<A>): CardSample => ({
  ...meta,
  builder,
  build: () => builder(...args),
});

// ---------------------------------------------------------------------------------------------- fixtures

const at = new Date('2026-11-21T10:00:00Z');
const byName = (name: string): Product => {
  const product = CATALOG.find((p) => p.name === name);
  if (!product) throw new Error(`cards/samples: no product named ${name} in the catalog`);
  return product;
};
const powerBi = byName('Power BI Pro');
const powerApps = byName('Power Apps per user');
const visio = byName('Visio Plan 1');

const subscription = (over: Partial<Subscription> = {}): Subscription => ({
  id: 'sub-1',
  tenantId: 't1',
  productId: powerBi.id,
  purchaserId: 'u-megan',
  origin: 'SelfService',
  status: 'Active',
  quantity: 5,
  billingFrequency: 'Annual',
  unitPrice: powerBi.prices.Annual,
  recurring: true,
  isTrial: false,
  card: { token: 'tok_x', brand: 'Visa', last4: '4242', expMonth: 12, expYear: 2030 },
  startedAt: at,
  expiresAt: new Date('2027-11-21T10:00:00Z'),
  cancelledAt: null,
  cancelReason: null,
  centralizedInto: null,
  remindedFor: null,
  createdAt: at,
  version: 1,
  ...over,
});
const detail = (over: Partial<Subscription> = {}, extra: Partial<PurchaseDetail> = {}): PurchaseDetail => ({
  subscription: subscription(over),
  product: powerBi,
  purchaser: { id: 'u-megan', displayName: 'Megan Bowen', email: 'meganb@contoso.com', active: true },
  assignedUsers: [
    { id: 'u-megan', displayName: 'Megan Bowen', email: 'meganb@contoso.com', assignedAt: at },
    { id: 'u-patti', displayName: 'Patti Fernandez', email: 'pattif@contoso.com', assignedAt: at },
    { id: 'u-lynne', displayName: 'Lynne Robbins', email: 'lynner@contoso.com', assignedAt: at },
  ],
  orders: [],
  invoices: [],
  acknowledged: null,
  ...extra,
});
const invoice = (over: Partial<Invoice> = {}): Invoice => ({
  id: 'inv-1',
  tenantId: 't1',
  subscriptionId: 'sub-1',
  purchaserId: 'u-megan',
  amount: { amountMinor: 84000, currency: 'USD' },
  status: 'Unpaid',
  description: 'Power BI Pro: 5 licenses, yearly',
  issuedAt: at,
  paidAt: null,
  chargeId: null,
  failureCode: 'card_declined',
  ...over,
});
const request = (over: Partial<PurchaseRequest> = {}): PurchaseRequest => ({
  id: 'req-1',
  tenantId: 't1',
  requesterId: 'u-megan',
  productId: powerBi.id,
  kind: 'Purchase',
  quantity: 3,
  billingFrequency: 'Monthly',
  cardToken: 'tok',
  status: 'Pending',
  decidedBy: null,
  decidedAt: null,
  decisionNote: null,
  subscriptionId: null,
  createdAt: at,
  ...over,
});
const savedCards = [{ subscriptionId: 'sub-1', label: 'Visa ending 4242' }];
/** The admins a refreshable card re-renders itself for (Teams MRIs). */
const refreshUserIds = [mri('u-alex')];
const names = new Map([
  ['u-alex', 'Alex Wilber'],
  ['u-isaiah', 'Isaiah Langer'],
]);

// ---------------------------------------------------------------------------------------------- purchaser

const purchaser = (id: string, title: string, purpose: string) => ({ id, title, purpose, audience: 'purchaser' as const });
const admin = (id: string, title: string, purpose: string) => ({ id, title, purpose, audience: 'admin' as const });

const PURCHASER_SAMPLES: CardSample[] = [
  sample(
    purchaser('catalog', 'Catalog', 'What a purchaser can buy or try, 5 products a page, with only the buttons their organization’s policy allows (`catalog`).'),
    catalogCard,
    {
      items: CATALOG.map((product, i): CatalogItem => ({
        product,
        policy: i === 1 ? 'OnlyTrialsWithoutPaymentMethod' : 'Enabled',
        canBuy: i !== 1,
        canTrial: Boolean(product.trial) || i === 1,
      })),
      page: 1,
      pageSize: 5,
    },
  ),
  sample(purchaser('buy-form', 'Buy', 'Checkout: licenses, yearly or monthly billing, a card on file or a new one (`buy <product>`).'), buyFormCard, {
    product: powerBi,
    mode: 'buy',
    savedCards,
    formId: 'form-1',
    quantity: 5,
  }),
  sample(purchaser('buy-form-declined', 'Buy, card declined', 'The checkout again after the payment provider declined the card, with the reason on top.'), buyFormCard, {
    product: powerBi,
    mode: 'buy',
    savedCards: [],
    formId: 'form-2',
    quantity: 5,
    banner: 'The card was declined. Try another card.',
    bannerIsError: true,
  }),
  sample(purchaser('trial-without-card', 'Trial without a card', 'Starting a trial of a product that needs no payment method; it simply ends (`trial <product>`).'), buyFormCard, {
    product: visio,
    mode: 'trial',
    savedCards: [],
    formId: 'form-3',
  }),
  sample(purchaser('trial-with-card', 'Trial with a card', 'Starting a trial that converts to a paid subscription, so it asks for a card.'), buyFormCard, {
    product: powerApps,
    mode: 'trial',
    savedCards: [],
    formId: 'form-4',
  }),
  sample(purchaser('my-purchases', 'My purchases', 'The purchaser’s own subscriptions, each with Manage, an unpaid bill flagged (`my purchases`).'), myPurchasesCard, {
    items: [
      { subscription: subscription(), product: powerBi, assigned: 3, unpaid: 1 },
      { subscription: subscription({ id: 'sub-2', productId: visio.id, isTrial: true, status: 'Trial', quantity: 1, recurring: false }), product: visio, assigned: 1 },
      { subscription: subscription({ id: 'sub-3', productId: powerApps.id, status: 'Cancelled' }), product: powerApps, assigned: 0 },
    ],
  }),
  sample(
    purchaser('subscription', 'Subscription', 'One subscription with everything its purchaser can do: add or remove licenses, assign, recurring billing, payment method, cancel.'),
    subscriptionCard,
    {
      subscription: subscription(),
      product: powerBi,
      assignees: [
        { id: 'u-megan', name: 'Megan Bowen' },
        { id: 'u-patti', name: 'Patti Fernandez' },
        { id: 'u-lynne', name: 'Lynne Robbins' },
      ],
      formId: 'form-5',
      actions: sampleActions(subscription(), 3),
      banner: 'Done: 5 licenses now.',
    },
  ),
  sample(
    purchaser('subscription-centralized', 'Subscription, centralized', 'A subscription whose users an admin now licenses centrally: the purchaser is asked to cancel it.'),
    subscriptionCard,
    {
      subscription: subscription({ centralizedInto: 'sub-c' }),
      product: powerBi,
      assignees: [],
      formId: 'form-7',
      actions: sampleActions(subscription({ centralizedInto: 'sub-c' }), 0),
    },
  ),
  sample(
    purchaser('subscription-cancelled', 'Subscription, cancelled', 'A cancelled subscription: what it was and when it ended; the only button left is the way back.'),
    subscriptionCard,
    {
      subscription: subscription({ status: 'Cancelled', cancelReason: 'Too expensive', cancelledAt: at }),
      product: powerBi,
      assignees: [],
      formId: 'form-6',
      actions: sampleActions(subscription({ status: 'Cancelled', cancelReason: 'Too expensive', cancelledAt: at }), 0),
    },
  ),
  sample(purchaser('cancel-confirmation', 'Cancel confirmation', 'Are you sure? The reason, and who loses a license (`cancel <product>`).'), cancelConfirmCard, {
    subscription: subscription(),
    product: powerBi,
    assigned: 3,
  }),
  sample(purchaser('payment-method', 'New card', 'The new-card form for one subscription (`payment method <product>`).'), paymentMethodCard, {
    subscription: subscription(),
    product: powerBi,
  }),
  sample(purchaser('bills', 'Bills', 'The purchaser’s bills, with Pay on the unpaid ones (`bills`).'), billsCard, {
    bills: [
      invoice(),
      invoice({
        id: 'inv-2',
        status: 'Paid',
        paidAt: at,
        failureCode: null,
        description: 'Power Apps per user: 2 licenses, monthly',
        amount: { amountMinor: 4000, currency: 'USD' },
      }),
    ],
  }),
  sample(purchaser('pay-bill', 'Pay a bill', 'Paying one bill with the card on file or a new card (`pay`).'), payBillCard, { bill: invoice(), savedCards }),
  sample(
    purchaser('open-page', 'Open a page', 'A short-lived link to the purchaser’s (or an admin’s) web page, for browsers outside Teams (`open my purchases`, `open admin`).'),
    openPageCard,
    { title: 'My purchases', what: 'Your subscriptions, licenses, bills and payment method, on one page.', url: 'https://bot.example.com/pages/purchases?token=abc', minutes: 10 },
  ),
  sample(
    purchaser(
      'checkout-link',
      'Secure checkout link',
      'Where Teams dialogs are not available, "Pay with a new card (secure checkout)" answers with a short-lived link to the checkout page.',
    ),
    checkoutLinkCard,
    { product: powerBi, mode: 'buy', url: 'https://bot.example.com/web/checkout?productId=CFQ7TTC0H9MP&mode=buy#link=abc', minutes: 30 },
  ),
];

// ---------------------------------------------------------------------------------------------- admin

const ADMIN_SAMPLES: CardSample[] = [
  sample(admin('purchases', 'Purchases', 'Every purchase in the organization, 8 a page, filtered by self-service or central, with Details (`purchases`).'), purchasesCard, {
    page: {
      items: [
        { subscription: subscription(), product: powerBi, purchaserName: 'Megan Bowen', assigned: 3 },
        {
          subscription: subscription({ id: 'sub-2', productId: visio.id, isTrial: true, status: 'Trial', quantity: 1, purchaserId: 'u-adele' }),
          product: visio,
          purchaserName: 'Adele Vance',
          assigned: 1,
        },
      ],
      total: 9,
      page: 1,
      pageSize: 8,
    },
    origin: 'SelfService',
    refreshUserIds,
  }),
  sample(admin('purchase-new', 'New purchase', 'Posted in the admin channel when someone buys: Take over, Disable product, Acknowledge, Centralize.'), purchaseCard, {
    detail: detail(),
    actions: samplePurchaseActions(detail()),
    policy: 'Enabled',
    isNew: true,
    refreshUserIds,
  }),
  sample(
    admin('purchase-acknowledged', 'Purchase, acknowledged', 'The same card after an admin acknowledged it and disabled the product: only what is still possible remains.'),
    purchaseCard,
    {
      detail: detail({}, { acknowledged: { byName: 'Alex Wilber', at } }),
      actions: samplePurchaseActions(detail({}, { acknowledged: { byName: 'Alex Wilber', at } }), { policy: 'Disabled' }),
      policy: 'Disabled',
      isNew: true,
      refreshUserIds,
    },
  ),
  sample(admin('purchase-taken-over', 'Purchase, taken over', 'The same card once an admin has taken the subscription over: the outcome, no buttons.'), purchaseCard, {
    detail: detail({ status: 'Deleted', cancelReason: 'Cost control', cancelledAt: at }),
    actions: samplePurchaseActions(detail({ status: 'Deleted', cancelReason: 'Cost control', cancelledAt: at })),
    policy: 'Enabled',
    isNew: true,
    refreshUserIds,
    banner: 'Taken over: Megan Bowen has been told.',
  }),
  sample(admin('purchase-reader', 'Purchase, Global reader', 'A new purchase as a Global reader sees it: every detail, no buttons (readers look, never change).'), purchaseCard, {
    detail: detail(),
    actions: samplePurchaseActions(detail(), { reader: 'reader' }),
    policy: 'Enabled',
    isNew: true,
    refreshUserIds,
  }),
  sample(
    admin(
      'take-over-confirmation',
      'Take over',
      'Take over a self-service subscription: cancel it, or move its users to a central subscription, with a reason the purchaser sees (`take over <product>`).',
    ),
    takeOverConfirmCard,
    {
      detail: detail(),
      actions: samplePurchaseActions(detail(), { targets: [{ subscription: subscription({ id: 'sub-c', origin: 'Central', card: null, quantity: 25 }), available: 10 }] }),
      targets: [{ subscription: subscription({ id: 'sub-c', origin: 'Central', card: null, quantity: 25 }), available: 10, needed: detail().assignedUsers.length }],
      formId: 'form-t1',
    },
  ),
  sample(
    admin(
      'take-over-not-enough',
      'Take over, not enough central licenses',
      'Moving the users needs one free central license each: the card says how many are missing and adds them (agreement, no card).',
    ),
    takeOverConfirmCard,
    {
      detail: detail(),
      actions: samplePurchaseActions(detail(), { targets: [{ subscription: subscription({ id: 'sub-c', origin: 'Central', card: null, quantity: 5 }), available: 1 }] }),
      targets: [{ subscription: subscription({ id: 'sub-c', origin: 'Central', card: null, quantity: 5 }), available: 1, needed: detail().assignedUsers.length }],
      formId: 'form-t2',
    },
  ),
  sample(
    admin('centralize-confirmation', 'Centralize', 'License a purchaser’s users from a central subscription, then ask the purchaser to cancel (`centralize <product>`).'),
    centralizeConfirmCard,
    {
      detail: detail(),
      targets: [{ subscription: subscription({ id: 'sub-c', origin: 'Central', card: null, quantity: 25 }), available: 10, needed: detail().assignedUsers.length }],
    },
  ),
  sample(admin('policies', 'Policies', 'The `AllowSelfServicePurchase` policy of each product, changed for one product or all (`policies`).'), policiesCard, {
    rows: CATALOG.slice(0, 6).map((product, i): PolicyRow => ({
      product,
      policyId: 'AllowSelfServicePurchase',
      value: i === 1 ? 'Disabled' : i === 4 ? 'OnlyTrialsWithoutPaymentMethod' : 'Enabled',
      isDefault: i !== 1 && i !== 4,
      updatedBy: null,
      updatedAt: null,
    })),
    canWrite: true,
    refreshUserIds,
  }),
  sample(admin('policies-reader', 'Policies, Global reader', 'The same list for a Global reader: look, don’t touch.'), policiesCard, {
    rows: CATALOG.slice(0, 3).map((product): PolicyRow => ({ product, policyId: 'AllowSelfServicePurchase', value: 'Enabled', isDefault: true, updatedBy: null, updatedAt: null })),
    canWrite: false,
    refreshUserIds,
  }),
  sample(admin('approval-pending', 'Approval request', 'When purchases need approval: Approve, or Reject with a note the requester sees.'), approvalCard, {
    request: request(),
    actions: sampleRequestActions(request()),
    product: powerBi,
    requesterName: 'Megan Bowen',
    deciderName: null,
    refreshUserIds,
  }),
  sample(admin('approval-rejected', 'Approval, rejected', 'The same request once decided: who, when and why.'), approvalCard, {
    request: request({ status: 'Rejected', decidedBy: 'u-alex', decidedAt: at, decisionNote: 'Use the central subscription' }),
    actions: sampleRequestActions(request({ status: 'Rejected', decidedBy: 'u-alex', decidedAt: at, decisionNote: 'Use the central subscription' })),
    product: powerBi,
    requesterName: 'Megan Bowen',
    deciderName: 'Alex Wilber',
    refreshUserIds,
  }),
  sample(admin('approvals', 'Approvals', 'Requests waiting for an admin (`approvals`).'), approvalsCard, {
    items: [
      { request: request(), productName: powerBi.name, requesterName: 'Megan Bowen' },
      { request: request({ id: 'req-2', kind: 'Trial', quantity: 1, productId: visio.id }), productName: visio.name, requesterName: 'Adele Vance' },
    ],
  }),
  sample(
    admin('product-licenses', 'Licenses of a product', 'One product’s licenses: totals over all its subscriptions, users grouped by purchaser (`licenses <product>`).'),
    productLicensesCard,
    {
      view: {
        product: powerBi,
        subscriptions: 2,
        totalQuantity: 30,
        assigned: 4,
        available: 26,
        page: 1,
        pageSize: 10,
        totalGroups: 2,
        groups: [
          {
            purchaserId: 'u-megan',
            purchaserName: 'Megan Bowen',
            subscriptions: [{ id: 'sub-1', quantity: 5, assigned: 3, origin: 'SelfService', expiresAt: at }],
            users: [
              { id: 'u-megan', displayName: 'Megan Bowen', email: null, subscriptionId: 'sub-1' },
              { id: 'u-patti', displayName: 'Patti Fernandez', email: null, subscriptionId: 'sub-1' },
              { id: 'u-lynne', displayName: 'Lynne Robbins', email: null, subscriptionId: 'sub-1' },
            ],
          },
          {
            purchaserId: 'u-alex',
            purchaserName: 'Alex Wilber',
            subscriptions: [{ id: 'sub-c', quantity: 25, assigned: 1, origin: 'Central', expiresAt: at }],
            users: [{ id: 'u-alex', displayName: 'Alex Wilber', email: null, subscriptionId: 'sub-c' }],
          },
        ],
      },
    },
  ),
  sample(admin('export', 'Export', 'A short-lived link to the licensed users as CSV (`export`).'), exportCard, {
    url: 'https://bot.example.com/exports/licensed-users.csv?token=abc',
    what: 'Everyone licensed on 2 live Power BI Pro subscriptions, as CSV.',
    minutes: 10,
  }),
  sample(admin('audit', 'Audit log', 'Every change, who made it, when and from where, newest first (`audit`).'), auditCard, {
    page: {
      items: [
        {
          id: 'a2',
          tenantId: 't1',
          actorId: 'u-alex',
          action: 'policy.set',
          targetType: 'product',
          targetId: powerBi.id,
          summary: 'Power BI Pro: Enabled → Disabled',
          surface: 'card',
          at,
        },
        {
          id: 'a1',
          tenantId: 't1',
          actorId: 'system',
          action: 'subscription.renewed',
          targetType: 'subscription',
          targetId: 'sub-1',
          summary: 'Power BI Pro renewed until 2027-11-21',
          surface: 'system',
          at: new Date('2026-11-21T02:00:00Z'),
        },
      ],
      total: 11,
      page: 1,
      pageSize: 10,
    },
    names,
  }),
  sample(admin('roles', 'Admin roles', 'Who is an admin here, and granting or revoking roles (`roles`).'), rolesCard, {
    assignments: [
      { tenantId: 't1', userId: 'u-alex', role: 'GlobalAdmin', grantedBy: null, grantedAt: at },
      { tenantId: 't1', userId: 'u-isaiah', role: 'GlobalReader', grantedBy: 'u-alex', grantedAt: at },
    ],
    names,
    canGrant: true,
  }),
];

// ---------------------------------------------------------------------------------------------- which one? / did you mean?

const CHOICE_SAMPLES: CardSample[] = [
  sample(
    purchaser(
      'choice-subscription',
      'Which subscription?',
      'When words match more than one subscription, a card that tells them apart; each button finishes the job on that one (`add 1 license to Power BI Pro` with two of them).',
    ),
    choiceCard,
    {
      heading: 'Which subscription?',
      question: 'You have 2 Power BI Pro subscriptions that could get 1 more license. Pick one:',
      options: [
        {
          title: 'Power BI Pro',
          lines: ['5 licenses, 3 assigned · yearly · active', 'Bought 2026-11-21 · renews 2027-11-21'],
          action: { title: 'Add here', verb: VERBS.addLicenses, data: { subscriptionId: 'sub-1', quantity: 1 } },
        },
        {
          title: 'Power BI Pro',
          lines: ['2 licenses, 2 assigned · monthly · active', 'Bought 2026-10-02 · renews 2026-12-02', 'Centralized: an admin asked you to cancel this one'],
          action: { title: 'Add here', verb: VERBS.addLicenses, data: { subscriptionId: 'sub-2', quantity: 1 } },
        },
      ],
      moreHint: 'Say **my purchases** to see them all.',
    },
  ),
  sample(
    purchaser(
      'suggestion',
      'Did you mean?',
      'A command that was not understood: the closest commands for the person’s role, with what was understood filled in, each a button that runs it.',
    ),
    suggestionCard,
    { said: 'by power bi 2', commands: ['buy Power BI Pro 2'] },
  ),
  sample(
    purchaser('text-answer', 'A text answer', 'What a suggestion’s button shows when the command answers in words (help, for example): the text, in place of the suggestion.'),
    textCard,
    '**I can help you buy and manage Microsoft 365 subscriptions.**\n\nFor your own purchases: **catalog**, **buy <product> [licenses] [monthly|yearly]**, **my purchases**, **bills**.',
  ),
];

// ---------------------------------------------------------------------------------------------- notifications

/** Every field any notification uses, so each kind's sample has what it needs (and extras it ignores). */
type NotificationData = Record<string, string | number | boolean | null>;

const notificationData: NotificationData = {
  subscriptionId: 'sub-1',
  requestId: 'req-1',
  productId: powerBi.id,
  productName: powerBi.name,
  purchaserName: 'Megan Bowen',
  requesterName: 'Megan Bowen',
  adminName: 'Alex Wilber',
  quantity: 3,
  amountMinor: 50400,
  currency: 'USD',
  reason: 'Cost control',
  usersAffected: 3,
  usersMoved: 3,
  usersCovered: 3,
  assignedBy: 'Megan Bowen',
  expiresAt: '2026-12-01T00:00:00.000Z',
  recurring: true,
  trial: false,
  requestKind: 'Purchase',
};

/** A record, not a list: adding a notification kind to the domain doesn't compile until it has a sample here. */
const NOTIFICATIONS: Record<NotificationKind, { title: string; purpose: string; data?: NotificationData }> = {
  PurchaseCreated: { title: 'New purchase', purpose: 'To the admins when someone buys, with Take over, Disable product and Acknowledge.' },
  ApprovalRequested: { title: 'Approval requested', purpose: 'To the admins when a purchase needs their approval.' },
  RequestApproved: { title: 'Request approved', purpose: 'To the requester: approved, and the subscription is ready.' },
  RequestRejected: { title: 'Request rejected', purpose: 'To the requester: declined, with the admin’s note.', data: { note: 'Use the central subscription' } },
  RequestFailed: { title: 'Request failed', purpose: 'To the requester: approved, but the purchase itself failed.', data: { note: 'the card was declined' } },
  SubscriptionTakenOver: { title: 'Taken over', purpose: 'To the purchaser: an admin moved their users to a central subscription and cancelled theirs.' },
  SubscriptionCancelledByAdmin: { title: 'Cancelled by an admin', purpose: 'To the purchaser: an admin cancelled their subscription, with the reason.' },
  CancelRequested: { title: 'Please cancel', purpose: 'To the purchaser after an admin centralized their users: Cancel now or Later.' },
  LicenseAssigned: { title: 'License assigned', purpose: 'To a person who was just given a license.' },
  LicenseRemoved: { title: 'License removed', purpose: 'To a person whose license was removed or whose subscription ended.', data: { reason: 'Cancelled' } },
  TrialEnding: { title: 'Trial ending', purpose: 'To the purchaser a few days before a trial ends.', data: { trial: true } },
  TrialEnded: { title: 'Trial ended', purpose: 'To the purchaser when a trial has ended, with Buy it.', data: { productId: visio.id, productName: visio.name, trial: true } },
  RenewalUpcoming: { title: 'Renewal coming', purpose: 'To the purchaser a few days before a renewal.' },
  Renewed: { title: 'Renewed', purpose: 'To the purchaser after a renewal was charged.', data: { expiresAt: '2027-12-01T00:00:00.000Z' } },
  PaymentFailed: { title: 'Payment failed', purpose: 'To the purchaser when a charge failed, with Pay now.' },
  SubscriptionExpired: { title: 'Expired', purpose: 'To the purchaser when a subscription with recurring billing off has run out.' },
};

const kebab = (s: string) => s.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

const NOTIFICATION_SAMPLES: CardSample[] = NOTIFICATION_KINDS.map((kind) =>
  sample(
    { id: `notification-${kebab(kind)}`, title: `Notification: ${NOTIFICATIONS[kind].title}`, purpose: NOTIFICATIONS[kind].purpose, audience: 'notification' },
    notificationCard,
    // Every field any kind uses: each kind's card reads its own (the shapes are the domain's NotificationData).
    { kind, data: { ...notificationData, ...NOTIFICATIONS[kind].data } } as unknown as Pick<NotificationIntent, 'kind' | 'data'>,
    { refreshUserIds },
  ),
);

/** Every sample, purchaser cards first, then the which-one and did-you-mean cards, then admin cards, then notifications. */
export const CARD_SAMPLES: readonly CardSample[] = [...PURCHASER_SAMPLES, ...CHOICE_SAMPLES, ...ADMIN_SAMPLES, ...NOTIFICATION_SAMPLES];
