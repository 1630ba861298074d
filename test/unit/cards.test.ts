import { CATALOG } from '../../domain/catalog/catalog-data';
import { NOTIFICATION_KINDS, type Invoice, type PurchaseRequest, type Subscription } from '../../domain/model';
import type { PurchaseDetail } from '../../domain/admin/get-purchase-detail';
import {
  billsCard,
  buyFormCard,
  cancelConfirmCard,
  catalogCard,
  checkoutLinkCard,
  myPurchasesCard,
  paymentMethodCard,
  openPageCard,
  payBillCard,
  subscriptionCard,
} from '../../cards/purchaser-cards';
import {
  approvalCard,
  approvalsCard,
  auditCard,
  centralizeConfirmCard,
  exportCard,
  policiesCard,
  productLicensesCard,
  purchaseCard,
  purchasesCard,
  rolesCard,
  takeOverConfirmCard,
} from '../../cards/admin-cards';
import { notificationCard } from '../../cards/notification-cards';
import { ALL_VERBS, VERBS } from '../../cards/verbs';
import { CARD_SAMPLES, sampleActions, samplePurchaseActions, sampleRequestActions } from '../../cards/samples';
import { agree, count, frequencyLabel, perPeriod, plural, policyLabel, someNames, statusLabel, termEnd, termEndWord, withPolicyLabels } from '../../cards/format';
import { banner } from '../../cards/ui';
import { cardProblems, emptyTexts, unboundExpressions } from '../support/card-validation';

/** Fixed fixtures, so snapshots only change when a card does. */
const at = new Date('2026-11-21T10:00:00Z');
const [bi, , apps] = CATALOG;
const visio = CATALOG.find((p) => p.name === 'Visio Plan 1')!;
const sub = (over: Partial<Subscription> = {}): Subscription => ({
  id: 'sub-1',
  tenantId: 't1',
  productId: bi.id,
  purchaserId: 'u-megan',
  origin: 'SelfService',
  status: 'Active',
  quantity: 5,
  billingFrequency: 'Annual',
  unitPrice: bi.prices.Annual,
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
  subscription: sub(over),
  product: bi,
  purchaser: { id: 'u-megan', displayName: 'Megan Bowen', email: 'meganb@example.com', active: true },
  assignedUsers: [
    { id: 'u-patti', displayName: 'Patti Fernandez', email: 'pattif@example.com', assignedAt: at },
    { id: 'u-lynne', displayName: 'Lynne Robbins', email: 'lynner@example.com', assignedAt: at },
  ],
  orders: [],
  invoices: [],
  acknowledged: null,
  ...extra,
});
const bill = (over: Partial<Invoice> = {}): Invoice => ({
  id: 'inv-1',
  tenantId: 't1',
  subscriptionId: 'sub-1',
  purchaserId: 'u-megan',
  amount: { amountMinor: 84000, currency: 'USD' },
  status: 'Unpaid',
  description: 'Power BI Pro: 5 licenses',
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
  productId: bi.id,
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
const refreshUserIds = ['8:orgid:u-alex'];

const CARDS: Record<string, unknown> = {
  'catalog, page 1': catalogCard({ items: CATALOG.map((product, i) => ({ product, policy: 'Enabled', canBuy: i !== 1, canTrial: Boolean(product.trial) })), page: 1, pageSize: 5 }),
  'catalog, last page': catalogCard({ items: CATALOG.map((product) => ({ product, policy: 'Enabled', canBuy: true, canTrial: false })), page: 3, pageSize: 5 }),
  'buy form with a saved card': buyFormCard({ product: bi, mode: 'buy', savedCards: [{ subscriptionId: 'sub-1', label: 'Visa ending 4242' }], formId: 'form-1', quantity: 5 }),
  'buy form, the product already owned with licenses free': buyFormCard({
    product: bi,
    mode: 'buy',
    savedCards: [],
    formId: 'form-5',
    owned: [{ subscriptionId: 'sub-1', quantity: 5, assigned: 3, canAssign: true }],
  }),
  'buy form, two subscriptions of it owned, all assigned': buyFormCard({
    product: bi,
    mode: 'buy',
    savedCards: [],
    formId: 'form-6',
    owned: [
      { subscriptionId: 'sub-1', quantity: 2, assigned: 2, canAssign: false },
      { subscriptionId: 'sub-2', quantity: 1, assigned: 1, canAssign: false },
    ],
  }),
  'buy form, declined': buyFormCard({ product: bi, mode: 'buy', savedCards: [], formId: 'form-2', banner: 'The card was declined.', bannerIsError: true }),
  'trial without a card': buyFormCard({ product: visio, mode: 'trial', savedCards: [], formId: 'form-3' }),
  'trial with a card': buyFormCard({ product: apps, mode: 'trial', savedCards: [], formId: 'form-4' }),
  'my purchases': myPurchasesCard({
    items: [
      { subscription: sub(), product: bi, assigned: 2 },
      { subscription: sub({ id: 'sub-2', status: 'Cancelled' }), product: bi, assigned: 0 },
    ],
  }),
  'my purchases, empty': myPurchasesCard({ items: [] }),
  'my purchases, waiting for approval': myPurchasesCard({
    items: [],
    waiting: [
      { request: request({ quantity: 2, billingFrequency: 'Annual' }), product: bi },
      { request: request({ id: 'r2', kind: 'Trial', quantity: 25 }), product: visio },
    ],
  }),
  'subscription, purchaser': subscriptionCard({
    subscription: sub(),
    product: bi,
    assignees: [{ id: 'u-patti', name: 'Patti Fernandez' }],
    formId: 'form-5',
    actions: sampleActions(sub(), 1, 'purchaser'),
    banner: 'Done: 5 licenses now.',
  }),
  'subscription, cancelled': subscriptionCard({
    subscription: sub({ status: 'Cancelled', cancelReason: 'Too expensive', cancelledAt: at }),
    product: bi,
    assignees: [],
    formId: 'form-6',
    actions: sampleActions(sub({ status: 'Cancelled', cancelReason: 'Too expensive', cancelledAt: at }), 0, 'purchaser'),
  }),
  'subscription, centralized': subscriptionCard({
    subscription: sub({ centralizedInto: 'sub-c' }),
    product: bi,
    assignees: [],
    formId: 'form-7',
    actions: sampleActions(sub({ centralizedInto: 'sub-c' }), 0, 'purchaser'),
  }),
  'subscription, viewer who cannot manage': subscriptionCard({ subscription: sub(), product: bi, assignees: [], formId: 'form-8', actions: sampleActions(sub(), 0, 'reader') }),
  'cancel confirmation': cancelConfirmCard({ subscription: sub(), product: bi, assigned: 2 }),
  'payment method form': paymentMethodCard({ subscription: sub(), product: bi }),
  bills: billsCard({ bills: [bill(), bill({ id: 'inv-2', status: 'Paid', paidAt: at, failureCode: null })] }),
  'pay a bill': payBillCard({ bill: bill(), savedCards: [{ subscriptionId: 'sub-1', label: 'Visa ending 4242' }] }),
  'purchases, page 2 of self-service': purchasesCard({
    page: { items: [{ subscription: sub(), product: bi, purchaserName: 'Megan Bowen', assigned: 2 }], total: 9, page: 2, pageSize: 8 },
    origin: 'SelfService',
    refreshUserIds,
  }),
  'purchase, new': purchaseCard({ detail: detail(), actions: samplePurchaseActions(detail(), { policy: 'Enabled' }), policy: 'Enabled', isNew: true, refreshUserIds }),
  'purchase, acknowledged and product disabled': purchaseCard({
    detail: detail({}, { acknowledged: { byName: 'Alex Wilber', at } }),
    actions: samplePurchaseActions(detail({}, { acknowledged: { byName: 'Alex Wilber', at } }), { policy: 'Disabled' }),
    policy: 'Disabled',
    isNew: true,
    refreshUserIds,
  }),
  'purchase, taken over': purchaseCard({
    detail: detail({ status: 'Deleted', cancelReason: 'Cost control', cancelledAt: at }),
    actions: samplePurchaseActions(detail({ status: 'Deleted', cancelReason: 'Cost control', cancelledAt: at }), { policy: 'Enabled' }),
    policy: 'Enabled',
    isNew: true,
    refreshUserIds,
    banner: 'Taken over.',
  }),
  'take over confirmation': takeOverConfirmCard({
    detail: detail(),
    actions: samplePurchaseActions(detail(), { targets: [{ subscription: sub({ id: 'sub-c', origin: 'Central', card: null }), available: 10 }] }),
    targets: [{ subscription: sub({ id: 'sub-c', origin: 'Central', card: null }), available: 10, needed: detail().assignedUsers.length }],
    formId: 'f',
  }),
  'centralize confirmation': centralizeConfirmCard({ detail: detail(), targets: [] }),
  policies: policiesCard({
    rows: CATALOG.slice(0, 3).map((product, i) => ({
      product,
      policyId: 'AllowSelfServicePurchase',
      value: i === 1 ? 'Disabled' : 'Enabled',
      isDefault: i !== 1,
      updatedBy: null,
      updatedAt: null,
    })),
    canWrite: true,
    refreshUserIds,
  }),
  'policies, reader': policiesCard({ rows: [], canWrite: false, refreshUserIds }),
  'approval, pending': approvalCard({ request: request(), actions: sampleRequestActions(request()), product: bi, requesterName: 'Megan Bowen', deciderName: null, refreshUserIds }),
  'approval, rejected': approvalCard({
    request: request({ status: 'Rejected', decidedBy: 'u-alex', decidedAt: at, decisionNote: 'Use the central one' }),
    actions: sampleRequestActions(request({ status: 'Rejected', decidedBy: 'u-alex', decidedAt: at, decisionNote: 'Use the central one' })),
    product: bi,
    requesterName: 'Megan Bowen',
    deciderName: 'Alex Wilber',
    refreshUserIds,
  }),
  approvals: approvalsCard({ items: [{ request: request(), productName: bi.name, requesterName: 'Megan Bowen' }] }),
  audit: auditCard({
    page: {
      items: [
        {
          id: 'a1',
          tenantId: 't1',
          actorId: 'u-alex',
          action: 'policy.set',
          targetType: 'product',
          targetId: bi.id,
          summary: 'Power BI Pro: Enabled → Disabled',
          surface: 'card',
          at,
        },
      ],
      total: 11,
      page: 1,
      pageSize: 10,
    },
    names: new Map([['u-alex', 'Alex Wilber']]),
  }),
  'product licenses': productLicensesCard({
    view: {
      product: bi,
      subscriptions: 2,
      totalQuantity: 15,
      assigned: 3,
      available: 12,
      page: 1,
      pageSize: 10,
      totalGroups: 1,
      groups: [
        {
          purchaserId: 'u-megan',
          purchaserName: 'Megan Bowen',
          subscriptions: [{ id: 'sub-1', quantity: 5, assigned: 3, origin: 'SelfService', expiresAt: at }],
          users: [{ id: 'u-patti', displayName: 'Patti Fernandez', email: null, subscriptionId: 'sub-1' }],
        },
      ],
    },
  }),
  roles: rolesCard({
    assignments: [{ tenantId: 't1', userId: 'u-alex', role: 'GlobalAdmin', grantedBy: null, grantedAt: at }],
    names: new Map([['u-alex', 'Alex Wilber']]),
    canGrant: true,
  }),
  export: exportCard({ url: 'https://bot.example.com/exports/licensed-users.csv?token=abc', what: 'Everyone licensed on 2 live subscriptions, as CSV.', minutes: 10 }),
};
const data = {
  subscriptionId: 'sub-1',
  requestId: 'req-1',
  productId: bi.id,
  productName: bi.name,
  purchaserName: 'Megan Bowen',
  requesterName: 'Megan Bowen',
  adminName: 'Alex Wilber',
  quantity: 3,
  amountMinor: 50400,
  currency: 'USD',
  reason: 'Cost control',
  usersAffected: 2,
  usersMoved: 2,
  usersCovered: 2,
  assignedBy: 'Megan Bowen',
  expiresAt: '2026-12-01T00:00:00.000Z',
  recurring: true,
  trial: false,
  requestKind: 'Purchase',
};
for (const kind of NOTIFICATION_KINDS) CARDS[`notification ${kind}`] = notificationCard({ kind, data }, { refreshUserIds });

const actionsOf = (card: unknown): Array<Record<string, unknown>> => {
  const out: Array<Record<string, unknown>> = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    if (o.type === 'Action.Execute') out.push(o);
    for (const [k, v] of Object.entries(o)) if (k !== 'refresh') walk(v);
  };
  walk(card);
  return out;
};

describe.each(Object.entries(CARDS))('card: %s', (_name, card) => {
  test('parses with the adaptivecards parser without a single warning, and every binding is filled', () => {
    expect(cardProblems(card)).toEqual([]);
    expect(unboundExpressions(card)).toEqual([]);
    expect((card as { version: string }).version).toBe('1.5');
  });

  test('every button is a Universal Action with an Action.Submit fallback naming the same verb and carrying the same ids', () => {
    for (const a of actionsOf(card)) {
      expect(ALL_VERBS.has(a.verb as string)).toBe(true);
      const fallback = a.fallback as { type: string; data: Record<string, unknown> };
      expect(fallback.type).toBe('Action.Submit');
      expect(fallback.data).toEqual({ verb: a.verb, ...(a.data as object) });
      // Ids, page numbers, flags and enum words only: never names or amounts.
      for (const v of Object.values(a.data as object)) expect(typeof v === 'number' || typeof v === 'boolean' || /^[\w.:-]{0,64}$/.test(v as string)).toBe(true);
    }
  });

  test('fits comfortably in a Teams message', () => {
    expect(JSON.stringify(card).length).toBeLessThan(40_000);
  });

  test('matches its snapshot', () => {
    expect(card).toMatchSnapshot();
  });
});

describe('every value renders text', () => {
  // The renderer shows a FactSet value or a TextBlock only when it is a non-empty string: a number there is a blank.
  test.each(CARD_SAMPLES.map((s) => [s.id, s] as const))('sample %s: every FactSet value and TextBlock text is a non-empty string', (_id, sample) => {
    expect(emptyTexts(sample.build())).toEqual([]);
  });

  test.each(Object.entries(CARDS))('%s: every FactSet value and TextBlock text is a non-empty string', (_name, card) => {
    expect(emptyTexts(card)).toEqual([]);
  });

  test('the check itself finds a number in a FactSet and an empty TextBlock, also inside a ShowCard', () => {
    const card = {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [{ type: 'FactSet', facts: [{ title: 'Licenses', value: 5 }] }],
      actions: [{ type: 'Action.ShowCard', title: 'More', card: { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: ' ' }] } }],
    };
    expect(emptyTexts(card)).toEqual(['$.body[0].facts[0].value: 5', '$.actions[0].card.body[0].text: " "']);
  });
});

describe('wording (cards/format.ts)', () => {
  test("a term's end is worded by what happens then, on every card: a trial on a card becomes paid, one without a card (or with recurring off) ends, a recurring subscription renews", () => {
    const cardTrial = sub({ isTrial: true, status: 'Trial', recurring: true });
    const cardlessTrial = sub({ isTrial: true, status: 'Trial', recurring: false, card: null });
    expect([cardTrial, cardlessTrial, sub(), sub({ recurring: false }), sub({ status: 'Cancelled' })].map(termEndWord)).toEqual([
      'Becomes paid',
      'Ends',
      'Renews',
      'Ends',
      'Ended',
    ]);
    expect(termEnd(cardTrial)).toBe('becomes paid 2027-11-21');
    expect(termEnd(sub({ status: 'Expired' }))).toBe('');
    const factsOf = (card: unknown) => JSON.stringify(card);
    const view = (s: Subscription) => subscriptionCard({ subscription: s, product: bi, assignees: [], formId: 'f', actions: sampleActions(s, 0, 'purchaser') });
    expect(factsOf(view(cardTrial))).toContain('"title":"Becomes paid"');
    expect(factsOf(view(cardlessTrial))).toContain('"title":"Ends"');
    expect(factsOf(view(cardTrial))).not.toContain('"title":"Renews"');
  });

  test('count pluralizes the last word, with the irregular ones', () => {
    expect(count(1, 'license')).toBe('1 license');
    expect(count(2, 'license')).toBe('2 licenses');
    expect(count(0, 'license')).toBe('0 licenses');
    expect(count(1, 'person')).toBe('1 person');
    expect(count(3, 'person')).toBe('3 people');
    expect(count(2, 'more person')).toBe('2 more people');
    expect(count(11, 'entry')).toBe('11 entries');
    expect(count(2, 'day')).toBe('2 days');
    expect(count(2, 'self-service license')).toBe('2 self-service licenses');
    expect(count(2, 'person has', 'people have')).toBe('2 people have');
    expect(agree(1, 'loses', 'lose')).toBe('loses');
    expect(agree(2, 'loses', 'lose')).toBe('lose');
    expect(plural(2, 'person', 'people')).toBe('2 people');
  });

  test('labels: policies, billing frequencies and statuses as people read them', () => {
    expect(policyLabel('OnlyTrialsWithoutPaymentMethod')).toBe('Only trials without a card');
    expect(policyLabel('Enabled')).toBe('Enabled');
    expect(withPolicyLabels('AllowSelfServicePurchase for Power BI Pro: Enabled → OnlyTrialsWithoutPaymentMethod')).toBe(
      'AllowSelfServicePurchase for Power BI Pro: Enabled → Only trials without a card',
    );
    expect([frequencyLabel('Annual'), frequencyLabel('Monthly'), frequencyLabel('Annual', true)]).toEqual(['yearly', 'monthly', 'Yearly']);
    expect([perPeriod('Annual'), perPeriod('Monthly')]).toEqual(['per year', 'per month']);
    expect(statusLabel('Trial')).toBe('trial');
    expect(statusLabel('Trial', { saidTrial: true })).toBe('active');
    expect(statusLabel('Deleted')).toBe('cancelled by an admin');
  });

  test('someNames: a few names, then how many more', () => {
    expect(someNames(['A', 'B'])).toBe('A, B');
    expect(someNames(['A', 'B', 'C'], 2)).toBe('A, B and 1 more');
    expect(someNames(['A', 'B'], 2, 10_000)).toBe('A, B and 9998 more');
  });

  test('banners take a tone: waiting for approval is not a green success', () => {
    expect(banner({ banner: 'Done.' })[0].style).toBe('good');
    expect(banner({ banner: 'No.', bannerIsError: true })[0].style).toBe('attention');
    expect(banner({ banner: 'Your request is waiting for approval.', bannerTone: 'accent' })[0].style).toBe('accent');
    expect(banner({ banner: 'Noted.', bannerTone: 'neutral' })[0].style).toBe('emphasis');
    expect(banner({ banner: 'Waiting.', bannerIsError: false, bannerTone: 'attention' })[0].style).toBe('attention');
  });

  /** Cards with one and with nobody: where "1 licenses" and "0 people" would show. */
  const one = [{ id: 'u-patti', displayName: 'Patti Fernandez', email: 'pattif@example.com', assignedAt: at }];
  const central = [{ subscription: sub({ id: 'sub-c', origin: 'Central', card: null }), available: 10, needed: 1 }];
  const EDGE: Record<string, unknown> = {
    'subscription, trial, one assignee': subscriptionCard({
      subscription: sub({ isTrial: true, status: 'Trial', quantity: 1 }),
      product: bi,
      assignees: [{ id: 'u-patti', name: 'Patti Fernandez' }],
      formId: 'f',
      actions: sampleActions(sub({ isTrial: true, status: 'Trial', quantity: 1 }), 1, 'purchaser'),
    }),
    'my purchases, one license': myPurchasesCard({ items: [{ subscription: sub({ quantity: 1 }), product: bi, assigned: 1 }] }),
    'purchase, trial, one assignee': purchaseCard({
      detail: detail({ isTrial: true, status: 'Trial', quantity: 1 }, { assignedUsers: one }),
      actions: samplePurchaseActions(detail({ isTrial: true, status: 'Trial', quantity: 1 }, { assignedUsers: one }), { policy: 'OnlyTrialsWithoutPaymentMethod' }),
      policy: 'OnlyTrialsWithoutPaymentMethod',
      isNew: false,
      refreshUserIds,
    }),
    'take over, one assignee': takeOverConfirmCard({
      detail: detail({}, { assignedUsers: one }),
      actions: samplePurchaseActions(detail({}, { assignedUsers: one }), { targets: central }),
      targets: central,
      formId: 'f',
    }),
    'take over, nobody': takeOverConfirmCard({
      detail: detail({}, { assignedUsers: [] }),
      actions: samplePurchaseActions(detail({}, { assignedUsers: [] }), { targets: central }),
      targets: central,
      formId: 'f',
    }),
    'centralize, one': centralizeConfirmCard({ detail: detail({}, { assignedUsers: one }), targets: central }),
    'cancel, one': cancelConfirmCard({ subscription: sub(), product: bi, assigned: 1 }),
    'approval, one license yearly': approvalCard({
      request: request({ quantity: 1, billingFrequency: 'Annual' }),
      actions: sampleRequestActions(request({ quantity: 1, billingFrequency: 'Annual' })),
      product: bi,
      requesterName: 'Megan Bowen',
      deciderName: null,
      refreshUserIds,
    }),
    'audit, one entry with a raw policy': auditCard({
      page: {
        items: [
          {
            id: 'a1',
            tenantId: 't1',
            actorId: 'u-alex',
            action: 'policy.set',
            targetType: 'product',
            targetId: bi.id,
            summary: 'AllowSelfServicePurchase for Power BI Pro: Enabled → OnlyTrialsWithoutPaymentMethod',
            surface: 'card',
            at,
          },
        ],
        total: 1,
        page: 1,
        pageSize: 10,
      },
      names: new Map(),
    }),
    'policies, raw values': policiesCard({
      rows: [{ product: bi, policyId: 'AllowSelfServicePurchase', value: 'OnlyTrialsWithoutPaymentMethod', isDefault: false, updatedBy: null, updatedAt: null }],
      canWrite: true,
      refreshUserIds,
    }),
    'open page, one minute': openPageCard({ title: 'My purchases', what: 'Your subscriptions.', url: 'https://bot.example.com/p', minutes: 1 }),
    'export, one minute': exportCard({ url: 'https://bot.example.com/e.csv', what: 'Everyone.', minutes: 1 }),
    'licenses, one of each': productLicensesCard({
      view: {
        product: bi,
        subscriptions: 1,
        totalQuantity: 1,
        assigned: 1,
        available: 0,
        page: 1,
        pageSize: 10,
        totalGroups: 1,
        groups: [
          {
            purchaserId: 'u-megan',
            purchaserName: 'Megan Bowen',
            subscriptions: [{ id: 'sub-1', quantity: 1, assigned: 1, origin: 'SelfService', expiresAt: at }],
            users: [{ id: 'u-patti', displayName: 'Patti Fernandez', email: null, subscriptionId: 'sub-1' }],
          },
        ],
      },
    }),
  };
  for (const kind of NOTIFICATION_KINDS) {
    EDGE[`notification ${kind}, one`] = notificationCard({ kind, data: { ...data, quantity: 1, usersAffected: 1, usersMoved: 1, usersCovered: 1 } });
    EDGE[`notification ${kind}, nobody`] = notificationCard({ kind, data: { ...data, usersAffected: 0, usersMoved: 0, usersCovered: 0 } });
  }

  /** What a person reads on a card: texts, facts, choice and button titles (not ids or values sent back). */
  const readable = (card: unknown): string[] => {
    const out: string[] = [];
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) return n.forEach(walk);
      if (!n || typeof n !== 'object') return;
      const o = n as Record<string, unknown>;
      if (typeof o.text === 'string') out.push(o.text);
      if (typeof o.title === 'string') out.push(o.title);
      if (typeof o.label === 'string') out.push(o.label);
      for (const [k, v] of Object.entries(o)) if (k !== 'data' && k !== 'refresh' && k !== 'fallback') walk(v);
    };
    walk(card);
    // Fact values are read too (a choice's value is sent back, not read).
    const facts = JSON.stringify(card).match(/"facts":\[[^\]]*\]/g) ?? [];
    for (const f of facts) for (const m of f.matchAll(/"value":"((?:[^"\\]|\\.)*)"/g)) out.push(m[1]);
    return out;
  };

  const ALL = { ...CARDS, ...EDGE, ...Object.fromEntries(CARD_SAMPLES.map((x) => [`sample ${x.id}`, x.build()])) };
  test.each(Object.entries(ALL))('%s reads right', (_name, card) => {
    const words = readable(card).join('\n');
    expect(words).not.toMatch(/\b1 (licenses|users|people|persons|entries|minutes|days|subscriptions)\b/);
    expect(words).not.toMatch(/\b1 (people|person) (lose|hold|get|have)\b/);
    expect(words).not.toMatch(/\b0 (people|users|licenses)\b/);
    expect(words).not.toMatch(/\b(persons|licence)\b/);
    expect(words).not.toMatch(/Trial · trial/i);
    expect(words).not.toMatch(/OnlyTrialsWithoutPaymentMethod/);
    expect(words).not.toMatch(/\bannual(ly)?\b/i);
    expect(JSON.stringify(card)).not.toMatch(/"color":"Warning"/);
    expect(emptyTexts(card)).toEqual([]);
    expect(cardProblems(card)).toEqual([]);
  });
});

describe('cards stay small at any volume (Teams refuses a message over ~100 KB of UTF-16)', () => {
  // The benchmark's largest volume: 10,000 assignees, 5,000 purchases or rows, names of about 80 characters.
  const ASSIGNEES = 10_000;
  const ROWS = 5_000;
  const long = (what: string, i: number) => `${what} ${i} Alexandra Montgomery-Featherstonehaugh de la Vega y Castellanos`.padEnd(80, 'x').slice(0, 80);
  const product = { ...bi, name: long('Power BI Pro Premium Enterprise Edition', 0) };
  const users = Array.from({ length: ASSIGNEES }, (_, i) => ({
    id: `u-${i}`,
    displayName: long('Person', i),
    email: `person.${i}.with.a.rather.long.address@contoso-international.example.com`,
    assignedAt: at,
  }));
  const subs = Array.from({ length: ROWS }, (_, i) => sub({ id: `sub-${i}`, quantity: 10_000 }));
  const savedCards = Array.from({ length: ROWS }, (_, i) => ({ subscriptionId: `sub-${i}`, label: `Visa ending ${String(i).padStart(4, '0')}` }));
  const bills = Array.from({ length: ROWS }, (_, i) =>
    bill({ id: `inv-${i}`, description: `${product.name}: 10000 licenses, yearly`, status: i % 2 ? 'Paid' : 'Unpaid', paidAt: i % 2 ? at : null }),
  );
  const mris = users.map((u) => `8:orgid:${u.id}`);
  const bigDetail = detail(
    { quantity: 20_000 },
    {
      product,
      purchaser: { id: 'u-0', displayName: long('Purchaser', 0), email: 'purchaser@example.com', active: true },
      assignedUsers: users,
      orders: Array.from({ length: ROWS }, (_, i) => ({
        id: `o-${i}`,
        tenantId: 't1',
        subscriptionId: 'sub-1',
        kind: 'LicensesAdded' as never,
        quantityDelta: 1,
        amount: { amountMinor: 1000, currency: 'USD' },
        actorId: 'u-0',
        at,
        note: long('note', i),
      })),
      invoices: bills,
    },
  );
  const targets = subs.map((s) => ({ subscription: { ...s, origin: 'Central' as const, card: null, quantity: 50_000 }, available: 40_000, needed: 1 }));
  const requests = Array.from({ length: ROWS }, (_, i) => ({
    request: request({ id: `req-${i}`, quantity: 10_000 }),
    productName: product.name,
    requesterName: long('Requester', i),
  }));
  const entries = Array.from({ length: ROWS }, (_, i) => ({
    id: `a-${i}`,
    tenantId: 't1',
    actorId: `u-${i}`,
    action: 'policy.set',
    targetType: 'product',
    targetId: bi.id,
    summary: `AllowSelfServicePurchase for ${product.name}: Enabled → OnlyTrialsWithoutPaymentMethod`,
    surface: 'card' as const,
    at,
  }));
  const names = new Map(users.map((u) => [u.id, u.displayName]));
  const groupUsers = users.map((u) => ({ id: u.id, displayName: u.displayName, email: u.email, subscriptionId: 'sub-1' }));
  const groups = Array.from({ length: ROWS }, (_, i) => ({
    purchaserId: `u-${i}`,
    purchaserName: long('Purchaser', i),
    subscriptions: subs.slice(0, i === 0 ? ROWS : 2).map((s) => ({ id: s.id, quantity: s.quantity, assigned: 10_000, origin: s.origin, expiresAt: at })),
    users: i === 0 ? groupUsers : groupUsers.slice(0, 3),
  }));
  const longData = {
    ...data,
    productName: product.name,
    purchaserName: long('Purchaser', 0),
    requesterName: long('Requester', 0),
    adminName: long('Admin', 0),
    assignedBy: long('Admin', 1),
    quantity: 10_000,
    usersAffected: ASSIGNEES,
    usersMoved: ASSIGNEES,
    usersCovered: ASSIGNEES,
    note: long('note', 0),
    reason: long('reason', 0),
  };

  const BIG: Record<string, () => unknown> = {
    catalogCard: () =>
      catalogCard({
        items: Array.from({ length: ROWS }, (_, i) => ({ product: { ...bi, id: `P${i}`, name: long('Product', i) }, policy: 'Enabled' as const, canBuy: true, canTrial: true })),
        page: 1,
        pageSize: ROWS,
      }),
    buyFormCard: () =>
      buyFormCard({
        product,
        mode: 'buy',
        savedCards,
        formId: 'f',
        quantity: 10_000,
        owned: Array.from({ length: ROWS }, (_, i) => ({ subscriptionId: `sub-${i}`, quantity: 10_000, assigned: i, canAssign: true })),
      }),
    myPurchasesCard: () =>
      myPurchasesCard({
        items: subs.map((s) => ({ subscription: s, product, assigned: 10_000 })),
        waiting: subs.map((s) => ({ request: request({ id: `r-${s.id}`, quantity: 10_000 }), product })),
      }),
    subscriptionCard: () =>
      subscriptionCard({
        subscription: sub({ quantity: 20_000 }),
        product,
        assignees: users.map((u) => ({ id: u.id, name: u.displayName })),
        formId: 'f',
        actions: sampleActions(sub({ quantity: 20_000 }), users.length, 'purchaser'),
        banner: long('Done', 0),
      }),
    cancelConfirmCard: () => cancelConfirmCard({ subscription: sub(), product, assigned: ASSIGNEES }),
    paymentMethodCard: () => paymentMethodCard({ subscription: sub(), product }),
    billsCard: () => billsCard({ bills }),
    payBillCard: () => payBillCard({ bill: bills[0], savedCards }),
    openPageCard: () => openPageCard({ title: long('Title', 0), what: long('What', 0), url: `https://bot.example.com/p?token=${'a'.repeat(600)}`, minutes: 10 }),
    checkoutLinkCard: () => checkoutLinkCard({ product, mode: 'buy', url: `https://bot.example.com/c#link=${'a'.repeat(600)}`, minutes: 30 }),
    purchasesCard: () =>
      purchasesCard({
        page: { items: subs.map((s, i) => ({ subscription: s, product, purchaserName: long('Purchaser', i), assigned: 10_000 })), total: ROWS, page: 1, pageSize: ROWS },
        origin: '',
        refreshUserIds: mris,
      }),
    purchaseCard: () => purchaseCard({ detail: bigDetail, actions: samplePurchaseActions(bigDetail, { policy: 'Enabled' }), policy: 'Enabled', isNew: true, refreshUserIds: mris }),
    takeOverConfirmCard: () => takeOverConfirmCard({ detail: bigDetail, actions: samplePurchaseActions(bigDetail, { targets }), targets, formId: 'f' }),
    centralizeConfirmCard: () => centralizeConfirmCard({ detail: bigDetail, targets }),
    policiesCard: () =>
      policiesCard({
        rows: Array.from({ length: ROWS }, (_, i) => ({
          product: { ...bi, id: `P${i}`, name: long('Product', i) },
          policyId: 'AllowSelfServicePurchase',
          value: 'OnlyTrialsWithoutPaymentMethod' as const,
          isDefault: false,
          updatedBy: null,
          updatedAt: null,
        })),
        canWrite: true,
        refreshUserIds: mris,
      }),
    approvalCard: () =>
      approvalCard({
        request: request({ status: 'Rejected', decidedAt: at, decisionNote: 'n'.repeat(5000), quantity: 10_000 }),
        actions: sampleRequestActions(request({ status: 'Rejected', decidedAt: at, decisionNote: 'n'.repeat(5000), quantity: 10_000 })),
        product,
        requesterName: long('Requester', 0),
        deciderName: long('Admin', 0),
        refreshUserIds: mris,
      }),
    approvalsCard: () => approvalsCard({ items: requests }),
    auditCard: () => auditCard({ page: { items: entries, total: ROWS, page: 1, pageSize: ROWS }, names }),
    productLicensesCard: () =>
      productLicensesCard({
        view: { product, subscriptions: ROWS, totalQuantity: 50_000_000, assigned: ASSIGNEES, available: 1, page: 1, pageSize: ROWS, totalGroups: ROWS, groups },
      }),
    rolesCard: () =>
      rolesCard({
        assignments: users.slice(0, ROWS).map((u) => ({ tenantId: 't1', userId: u.id, role: 'BillingAdmin' as const, grantedBy: 'u-0', grantedAt: at })),
        names,
        canGrant: true,
      }),
    exportCard: () => exportCard({ url: `https://bot.example.com/e.csv?token=${'a'.repeat(600)}`, what: long('What', 0), minutes: 10 }),
    notificationCard: () => notificationCard({ kind: 'PurchaseCreated', data: longData }, { refreshUserIds: mris }),
  };
  for (const kind of NOTIFICATION_KINDS) BIG[`notificationCard ${kind}`] = () => notificationCard({ kind, data: longData }, { refreshUserIds: mris });

  test('every exported card builder is built here', () => {
    const modules = [require('../../cards/purchaser-cards'), require('../../cards/admin-cards'), require('../../cards/notification-cards')] as Array<Record<string, unknown>>;
    const builders = modules.flatMap((m) =>
      Object.entries(m)
        .filter(([name, fn]) => typeof fn === 'function' && /Card$/.test(name))
        .map(([name]) => name),
    );
    expect(builders.filter((b) => !(b in BIG))).toEqual([]);
  });

  test.each(Object.entries(BIG))('%s stays under 40,000 characters of JSON, parses cleanly and renders text', (_name, build) => {
    const card = build();
    const json = JSON.stringify(card);
    expect(json.length).toBeLessThan(40_000);
    expect(cardProblems(card)).toEqual([]);
    expect(emptyTexts(card)).toEqual([]);
    // No choice set a person has to scroll through.
    for (const m of json.matchAll(/"choices":\[([^\]]*)\]/g)) expect((m[1].match(/"value":/g) ?? []).length).toBeLessThanOrEqual(26);
  });

  test('a long list says how many more there are instead of naming them', () => {
    const card = JSON.stringify(BIG.subscriptionCard());
    expect(card).toContain('and 9992 more');
    expect(card).toContain('"id":"unassignPeople"');
    expect(card).not.toContain('"id":"userIds"');
    expect(JSON.stringify(BIG.purchasesCard())).toContain('And 4980 more purchases on this page.');
    expect(JSON.stringify(BIG.productLicensesCard())).toContain('and 4997 more subscriptions');
  });

  test('a short one still offers its people to pick', () => {
    const few = subscriptionCard({
      subscription: sub(),
      product: bi,
      assignees: users.slice(0, 25).map((u) => ({ id: u.id, name: u.displayName })),
      formId: 'f',
      actions: sampleActions(sub(), 25, 'purchaser'),
    });
    expect(JSON.stringify(few)).toContain('"id":"userIds"');
    const cut = subscriptionCard({
      subscription: sub(),
      product: bi,
      assignees: users.slice(0, 3).map((u) => ({ id: u.id, name: u.displayName })),
      assigneeTotal: 40,
      formId: 'f',
      actions: sampleActions(sub(), 40, 'purchaser'),
    });
    expect(JSON.stringify(cut)).toContain('40 assigned');
    expect(JSON.stringify(cut)).toContain('"id":"unassignPeople"');
  });
});

test('cards offer only what is still possible', () => {
  const titles = (c: unknown) => actionsOf(c).map((a) => a.title);
  expect(titles(CARDS['purchase, new'])).toEqual(expect.arrayContaining(['Take over', 'Disable product', 'Acknowledge']));
  expect(titles(CARDS['purchase, acknowledged and product disabled'])).not.toEqual(expect.arrayContaining(['Acknowledge']));
  expect(titles(CARDS['purchase, acknowledged and product disabled'])).not.toContain('Disable product');
  expect(titles(CARDS['purchase, taken over'])).toEqual([]);
  expect(titles(CARDS['subscription, cancelled'])).toEqual(['Back to my purchases']);
  expect(titles(CARDS['subscription, viewer who cannot manage'])).toEqual(['Back to my purchases']);
  expect(titles(CARDS['approval, rejected'])).toEqual([]);
  expect(titles(CARDS['catalog, last page'])).toContain('Previous');
  expect(titles(CARDS['catalog, last page'])).not.toContain('Next');
  expect(titles(CARDS['policies, reader'])).toEqual([]);
});

test('the verb map has no duplicates and every verb has a handler in the action table', async () => {
  expect(new Set(Object.values(VERBS)).size).toBe(Object.values(VERBS).length);
  // The registry refuses to start when two features declare one verb; every verb but the two the registry runs itself has a feature.
  const { FEATURES } = await import('../../bot/features/registry');
  const declared = new Set(FEATURES.flatMap((f) => Object.keys(f.verbs ?? {})));
  expect(
    Object.values(VERBS)
      .filter((v) => !declared.has(v))
      .sort(),
  ).toEqual([VERBS.refresh, VERBS.runCommand].sort());
});

describe('every button a reader gets is one the domain allows them now', () => {
  /** Each card verb and the ability (or abilities) that must be ok for it to be offered. */
  const SUBSCRIPTION_VERB: Record<string, Array<keyof ReturnType<typeof sampleActions>>> = {
    [VERBS.addLicenses]: ['addLicenses'],
    [VERBS.assign]: ['assign'],
    [VERBS.unassign]: ['unassign'],
    [VERBS.removeLicenses]: ['removeLicenses'],
    [VERBS.recurring]: ['setRecurring'],
    [VERBS.paymentMethod]: ['updateCard'],
    [VERBS.cancelConfirm]: ['cancel'],
  };
  const PURCHASE_VERB: Record<string, Array<keyof ReturnType<typeof samplePurchaseActions>>> = {
    [VERBS.takeOverConfirm]: ['takeOverCancel', 'moveUsers'],
    [VERBS.disableProduct]: ['disableProduct'],
    [VERBS.acknowledge]: ['acknowledge'],
    [VERBS.centralizeConfirm]: ['centralize'],
  };
  const verbsOf = (card: unknown): string[] => {
    const found: string[] = [];
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) return n.forEach(walk);
      if (!n || typeof n !== 'object') return;
      const o = n as Record<string, unknown>;
      if (o.type === 'Action.Execute' && typeof o.verb === 'string') found.push(o.verb);
      for (const [k, v] of Object.entries(o)) if (k !== 'fallback' && k !== 'refresh') walk(v);
    };
    walk(card);
    return found;
  };
  const people = [
    { id: 'u-patti', name: 'Patti Fernandez' },
    { id: 'u-lynne', name: 'Lynne Robbins' },
  ];
  const states: Array<[string, Partial<Subscription>, number]> = [
    ['live, room left', {}, 2],
    ['live, full', { quantity: 2 }, 2],
    ['one license, nobody', { quantity: 1 }, 0],
    ['trial', { isTrial: true, status: 'Trial', card: null }, 1],
    ['recurring off', { recurring: false }, 1],
    ['cancelled', { status: 'Cancelled', cancelledAt: at }, 0],
    ['taken over', { status: 'Deleted', cancelledAt: at }, 0],
    ['central', { origin: 'Central', card: null }, 1],
  ];
  const readers = ['purchaser', 'reader', 'admin'] as const;

  test.each(states.flatMap(([name, over, n]) => readers.map((r) => [name, r, over, n] as const)))('subscription card, %s, as %s', (_name, reader, over, n) => {
    const s = sub(over);
    const actions = sampleActions(s, n, reader);
    const card = subscriptionCard({ subscription: s, product: bi, assignees: people.slice(0, n), formId: 'f', actions });
    for (const verb of verbsOf(card)) {
      const needs = SUBSCRIPTION_VERB[verb];
      if (needs) expect({ verb, ok: needs.some((a) => actions[a].ok) }).toEqual({ verb, ok: true });
    }
    // And the other way round: what the domain allows is on the card.
    for (const [verb, needs] of Object.entries(SUBSCRIPTION_VERB)) if (needs.every((a) => actions[a].ok)) expect(verbsOf(card)).toContain(verb);
  });

  test.each(states.flatMap(([name, over]) => (['admin', 'reader'] as const).map((r) => [name, r, over] as const)))('purchase card, %s, as %s', (_name, reader, over) => {
    const d = detail(over);
    for (const policy of ['Enabled', 'Disabled'] as const) {
      const actions = samplePurchaseActions(d, { policy, reader });
      const card = purchaseCard({ detail: d, actions, policy, isNew: true, refreshUserIds: [] });
      for (const verb of verbsOf(card)) {
        const needs = PURCHASE_VERB[verb];
        if (needs) expect({ verb, policy, ok: needs.some((a) => actions[a].ok) }).toEqual({ verb, policy, ok: true });
      }
      if (reader === 'reader') expect(verbsOf(card).filter((v) => PURCHASE_VERB[v])).toEqual([]);
    }
  });
});

describe('notifications posted where several people read them', () => {
  test.each(['PurchaseCreated', 'ApprovalRequested'] as const)('%s offers only Review (the refresh view) until Teams refreshes it for each admin', (kind) => {
    const card = notificationCard({ kind, data }, { refreshUserIds });
    const buttons = actionsOf(card);
    expect(buttons.map((b) => b.title)).toEqual(['Review']);
    expect(buttons[0]).toMatchObject({ verb: VERBS.refresh, data: (card.refresh as { action: { data: unknown } }).action.data });
    expect((card.refresh as { userIds: string[] }).userIds).toEqual(refreshUserIds);
  });
});

describe('a licenses group larger than the view holds', () => {
  test('says how many people and subscriptions there are in all, from the counts, not from the rows it got', () => {
    const users = Array.from({ length: 25 }, (_, i) => ({ id: `u-${i}`, displayName: `Person ${i}`, email: null, subscriptionId: 'sub-1' }));
    const subscriptions = Array.from({ length: 10 }, (_, i) => ({ id: `sub-${i}`, quantity: 2000, assigned: 1670, origin: 'SelfService' as const, expiresAt: at }));
    const card = productLicensesCard({
      view: {
        product: bi,
        subscriptions: 40,
        totalQuantity: 80_000,
        assigned: 16_700,
        available: 63_300,
        page: 1,
        pageSize: 10,
        totalGroups: 1,
        groups: [{ purchaserId: 'u-megan', purchaserName: 'Megan Bowen', subscriptions, subscriptionCount: 40, users, userCount: 16_700 }],
      },
    });
    const text = JSON.stringify(card);
    expect(text).toMatch(/and 37 more subscriptions/);
    expect(text).toMatch(/Person 7 and 16692 more/);
  });
});

describe('take-over and centralize offer only the central subscriptions that can take everyone', () => {
  const d = detail(
    {},
    {
      assignedUsers: [
        { id: 'u1', displayName: 'One', email: null, assignedAt: at },
        { id: 'u2', displayName: 'Two', email: null, assignedAt: at },
      ],
    },
  );
  const target = (id: string, available: number, needed: number) => ({ subscription: sub({ id, origin: 'Central', card: null }), available, needed });
  // sub-fits has room for both; sub-short has one free license and needs two; sub-has-one already licenses one of them.
  const targets = [target('sub-fits', 5, 2), target('sub-has-one', 1, 1), target('sub-short', 1, 2)];
  const offered = (card: unknown, id: string): string[] => {
    const found: string[] = [];
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) return n.forEach(walk);
      if (!n || typeof n !== 'object') return;
      const o = n as Record<string, unknown>;
      if (o.type === 'Input.ChoiceSet' && o.id === id) found.push(...(o.choices as Array<{ value: string }>).map((c) => c.value));
      Object.values(o).forEach(walk);
    };
    walk(card);
    return found;
  };

  test('take over', () => {
    const card = takeOverConfirmCard({ detail: d, actions: samplePurchaseActions(d, { targets: targets.slice(0, 1) }), targets, formId: 'f' });
    expect(offered(card, 'mode')).toEqual(['cancel', 'sub-fits', 'sub-has-one']);
  });

  test('centralize', () => {
    expect(offered(centralizeConfirmCard({ detail: d, targets }), 'target')).toEqual(['sub-fits', 'sub-has-one', 'new']);
  });
});
