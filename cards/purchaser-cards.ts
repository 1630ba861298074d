import type { CatalogItem } from '../domain/catalog/list-catalog';
import type { MyPurchase } from '../domain/purchasing/list-my-purchases';
import type { Invoice, Product, Subscription } from '../domain/model';
import { CANCEL_REASONS } from '../domain/purchasing/purchase-support';
import { day, plural, price, STATUS_WORDS } from './format';
import { banner, cardOf, execute, facts, heading, newCardInputs, pageCount, pager, paymentInputs, refresh, rowList, showCard, template, text, type AdaptiveCard } from './ui';
import { VERBS } from './verbs';

export interface Banner {
  banner?: string | null;
  bannerIsError?: boolean;
}

export interface SavedCard {
  /** The subscription whose card on file would be charged (an id the server re-checks). */
  subscriptionId: string;
  label: string;
}

// ---------------------------------------------------------------------------------------------- catalog

const catalogTemplate = template<{ items: unknown[]; page: number; pageCount: number; total: number }>(
  cardOf([
    banner(),
    heading('What you can buy'),
    text('Prices are per license. Page ${page} of ${pageCount}.', { isSubtle: true, spacing: 'None' }),
    {
      type: 'Container',
      $data: '${items}',
      separator: true,
      items: [
        text('**${name}**'),
        text('${prices}${trialLine}', { spacing: 'None', isSubtle: true }),
        text('${note}', { $when: "${note != ''}", color: 'Warning', spacing: 'None' }),
        {
          type: 'ActionSet',
          actions: [
            execute('Buy', VERBS.buyForm, { productId: '${productId}', mode: 'buy' }, { when: '${canBuy}' }),
            execute('Start trial', VERBS.buyForm, { productId: '${productId}', mode: 'trial' }, { when: '${canTrial}' }),
          ],
        },
      ],
    },
    pager(VERBS.catalog),
  ]),
);

export const catalogCard = (input: { items: readonly CatalogItem[]; page: number; pageSize: number } & Banner): AdaptiveCard => {
  const start = (input.page - 1) * input.pageSize;
  return catalogTemplate({
    ...input,
    total: input.items.length,
    pageCount: pageCount(input.items.length, input.pageSize),
    items: input.items.slice(start, start + input.pageSize).map((i) => ({
      productId: i.product.id,
      name: i.product.name,
      prices: `${price(i.product.prices.Annual)}/year or ${price(i.product.prices.Monthly)}/month`,
      trialLine: i.product.trial ? ` · ${i.product.trial.days}-day trial${i.product.trial.requiresPaymentMethod ? '' : ', no card needed'}` : '',
      canBuy: i.canBuy,
      canTrial: i.canTrial,
      note: i.canBuy ? '' : i.canTrial ? 'Your organization allows only the trial of this product.' : 'Your organization has turned off buying this product. Please contact your IT admin.',
    })),
  });
};

// ---------------------------------------------------------------------------------------------- buy / trial

/**
 * Opens the checkout page as a Teams dialog: an Action.Submit whose `msteams.type` makes Teams send a
 * task/fetch invoke (dialogs have no Universal Action). It sends no inputs (associatedInputs none),
 * so a card number half-typed into this card never travels with it; the quantity it was shown with
 * is carried as a number and the page lets the person change it.
 */
const checkoutDialog = (title: string) => ({
  type: 'Action.Submit',
  title,
  associatedInputs: 'none',
  data: { msteams: { type: 'task/fetch' }, verb: VERBS.checkoutOpen, productId: '${productId}', mode: '${mode}', quantity: '${quantity}' },
});

const buyTemplate = template<Record<string, unknown>>(
  cardOf([
    banner(),
    heading('${title}'),
    text('${terms}', { isSubtle: true, spacing: 'None' }),
    {
      type: 'Container',
      $when: "${mode == 'buy'}",
      items: [
        { type: 'Input.Number', id: 'quantity', label: 'Licenses', min: 1, max: 10000, value: '${quantity}', isRequired: true, errorMessage: 'From 1 to 10,000 licenses' },
        {
          type: 'Input.ChoiceSet',
          id: 'billingFrequency',
          label: 'Billing',
          style: 'expanded',
          value: 'Annual',
          choices: [
            { title: '${annual}', value: 'Annual' },
            { title: '${monthly}', value: 'Monthly' },
          ],
        },
      ],
    },
    {
      type: 'Container',
      $when: '${needsCard}',
      // Next to the card fields it replaces, so the card's own buttons stay short enough to read.
      items: [...paymentInputs(), { type: 'ActionSet', actions: [checkoutDialog('${checkoutTitle}')] }],
    },
  ], [
    execute('${submitTitle}', '${verb}' as never, { productId: '${productId}', formId: '${formId}' }, { style: 'positive' }),
    execute('Back to catalog', VERBS.catalog, { page: 1 }, { associatedInputs: 'none' }),
  ]),
);

export const buyFormCard = (input: { product: Product; mode: 'buy' | 'trial'; savedCards: readonly SavedCard[]; formId: string; quantity?: number } & Banner): AdaptiveCard => {
  const { product, mode } = input;
  const trial = product.trial;
  return buyTemplate({
    ...input,
    productId: product.id,
    title: mode === 'buy' ? `Buy ${product.name}` : `Try ${product.name}`,
    terms:
      mode === 'buy'
        ? 'You pay by card, you can assign the licenses to anyone in your organization, and you can cancel any time.'
        : `${trial?.days ?? 0} days, ${plural(trial?.licenses ?? 0, 'license')}. ${trial?.requiresPaymentMethod ? 'It becomes a paid subscription at the end unless you turn recurring billing off.' : 'No card needed; it simply ends.'}`,
    annual: `Yearly: ${price(product.prices.Annual)} per license`,
    monthly: `Monthly: ${price(product.prices.Monthly)} per license`,
    quantity: input.quantity ?? 1,
    needsCard: mode === 'buy' || Boolean(trial?.requiresPaymentMethod),
    savedCards: input.savedCards,
    submitTitle: mode === 'buy' ? 'Buy' : 'Start trial',
    checkoutTitle: mode === 'buy' ? 'Pay with a new card (secure checkout)' : 'Add a card (secure checkout)',
    verb: mode === 'buy' ? VERBS.buy : VERBS.trial,
  });
};

// ---------------------------------------------------------------------------------------------- my purchases

const mineTemplate = template<{ items: unknown[] }>(
  cardOf([
    banner(),
    heading('Your subscriptions'),
    text("You haven't bought anything yet.", { $when: '${count(items) == 0}' }),
    rowList([text('**${name}**'), text('${line}', { isSubtle: true, spacing: 'None' })], execute('Manage', VERBS.subscription, { subscriptionId: '${id}' })),
  ], [execute('Catalog', VERBS.catalog, { page: 1 }), execute('Bills', VERBS.bills)], { refresh: refresh('mine', {}) }),
);

export const myPurchasesCard = (input: { items: readonly MyPurchase[] } & Banner): AdaptiveCard =>
  mineTemplate({
    ...input,
    items: input.items.map(({ subscription: s, product, assigned }) => ({
      id: s.id,
      name: product.name,
      line: `${plural(s.quantity, 'license')} (${assigned} assigned) · ${STATUS_WORDS[s.status]}${s.status === 'Active' || s.status === 'Trial' ? ` · ${s.recurring ? 'renews' : 'ends'} ${day(s.expiresAt)}` : ''}`,
    })),
  });

// ---------------------------------------------------------------------------------------------- one subscription

const subscriptionTemplate = template<Record<string, unknown>>(
  cardOf(
    [
      banner(),
      heading('${name}'),
      text('${statusLine}', { isSubtle: true, spacing: 'None' }),
      text('${centralizedNote}', { $when: "${centralizedNote != ''}", color: 'Warning' }),
      facts([
        ['Licenses', '${quantity} (${assignedCount} assigned, ${available} available)'],
        ['Billing', '${billing}'],
        ['Card', '${cardLabel}'],
        ['${expiryLabel}', '${expires}'],
      ]),
      text('**Assigned to**', { $when: '${count(assignees) > 0}' }),
      text('${assigneeNames}', { $when: '${count(assignees) > 0}', spacing: 'None' }),
    ],
    [
      showCard('Add licenses', [{ type: 'Input.Number', id: 'addQuantity', label: 'How many more?', min: 1, max: 10000, value: 1, isRequired: true, errorMessage: 'From 1 to 10,000' }, text('${addNote}', { isSubtle: true, size: 'Small' })], [execute('Add', VERBS.addLicenses, { subscriptionId: '${id}', formId: '${formId}' }, { style: 'positive' })], '${isLive && !isTrial}'),
      showCard('Assign', [{ type: 'Input.Text', id: 'people', label: 'Names or emails, separated by commas', placeholder: 'Patti Fernandez, lynner@contoso.com', maxLength: 1000, isRequired: true, errorMessage: 'Name at least one person' }], [execute('Assign licenses', VERBS.assign, { subscriptionId: '${id}' }, { style: 'positive' })], '${isLive && available > 0}'),
      showCard(
        'More',
        [],
        [
          showCard('Unassign', [{ type: 'Input.ChoiceSet', id: 'userIds', label: 'Remove the license of', isMultiSelect: true, isRequired: true, errorMessage: 'Pick at least one person', choices: [{ $data: '${assignees}', title: '${name}', value: '${id}' }] }], [execute('Unassign', VERBS.unassign, { subscriptionId: '${id}' })], '${isLive && count(assignees) > 0}'),
          showCard('Remove licenses', [{ type: 'Input.Number', id: 'removeQuantity', label: 'How many fewer?', min: 1, max: 10000, value: 1, isRequired: true, errorMessage: 'At least 1' }, text('You can go down to the number assigned (${assignedCount}); no refund for the current term.', { isSubtle: true, size: 'Small' })], [execute('Remove', VERBS.removeLicenses, { subscriptionId: '${id}', formId: '${formId}' })], '${isLive && !isTrial && quantity > 1}'),
          execute('Turn recurring billing off', VERBS.recurring, { subscriptionId: '${id}', enabled: false }, { when: '${isLive && recurring}' }),
          execute('Turn recurring billing on', VERBS.recurring, { subscriptionId: '${id}', enabled: true }, { when: '${isLive && !recurring}' }),
          showCard('Update payment method', newCardInputs(true), [execute('Save card', VERBS.paymentMethod, { subscriptionId: '${id}' }, { style: 'positive' })], '${isLive && hasCard}'),
          execute('Cancel subscription', VERBS.cancelConfirm, { subscriptionId: '${id}' }, { style: 'destructive', when: '${isLive}' }),
        ],
        '${isLive}',
      ),
      execute('Back to my purchases', VERBS.mine, {}, { associatedInputs: 'none' }),
    ],
    { refresh: refresh('subscription', { subscriptionId: '${id}' }) },
  ),
);

export interface SubscriptionView extends Banner {
  subscription: Subscription;
  product: Product;
  assignees: ReadonlyArray<{ id: string; name: string }>;
  formId: string;
  /** The viewer may change it: its purchaser (self-service) or an admin (central). */
  canManage: boolean;
}

const cardLabel = (s: Subscription): string => (s.card ? `${s.card.brand} ending ${s.card.last4}` : s.origin === 'Central' ? 'Your organization’s agreement' : 'None');

export const subscriptionCard = (input: SubscriptionView): AdaptiveCard => {
  const s = input.subscription;
  const live = s.status === 'Active' || s.status === 'Trial';
  const isLive = live && input.canManage;
  return subscriptionTemplate({
    banner: input.banner ?? null,
    bannerIsError: input.bannerIsError ?? false,
    id: s.id,
    formId: input.formId,
    name: input.product.name,
    statusLine: `${s.isTrial ? 'Trial' : s.origin === 'Central' ? 'Bought by your organization' : 'Self-service purchase'} · ${STATUS_WORDS[s.status]}${s.cancelReason ? ` (${s.cancelReason})` : ''}`,
    centralizedNote: s.centralizedInto && live ? 'Your IT admin now provides these licenses centrally. Please cancel this subscription so you are not charged twice.' : '',
    quantity: s.quantity,
    assignedCount: input.assignees.length,
    available: Math.max(0, s.quantity - input.assignees.length),
    billing: s.isTrial ? 'Free trial' : `${price(s.unitPrice)} per license, ${s.billingFrequency === 'Annual' ? 'yearly' : 'monthly'}`,
    cardLabel: cardLabel(s),
    expiryLabel: !live ? 'Ended' : s.recurring ? 'Renews' : 'Ends',
    expires: day(s.cancelledAt ?? s.expiresAt),
    assignees: input.assignees,
    assigneeNames: input.assignees.map((a) => a.name).join(', '),
    isLive,
    isTrial: s.isTrial,
    recurring: s.recurring,
    hasCard: s.card !== null,
    addNote: 'Charged now to the card on file for the rest of this term, prorated by day.',
  });
};

// ---------------------------------------------------------------------------------------------- cancel

const cancelTemplate = template<Record<string, unknown>>(
  cardOf([
    banner(),
    heading('Cancel ${name}?'),
    text('${consequence}', { wrap: true }),
    { type: 'Input.ChoiceSet', id: 'reason', label: 'Why are you cancelling?', isRequired: true, errorMessage: 'Pick a reason', choices: [{ $data: '${reasons}', title: '${$data}', value: '${$data}' }] },
  ], [
    execute('Cancel subscription', VERBS.cancel, { subscriptionId: '${id}' }, { style: 'destructive' }),
    execute('Keep it', VERBS.subscription, { subscriptionId: '${id}' }, { associatedInputs: 'none' }),
  ], { refresh: refresh('subscription', { subscriptionId: '${id}' }) }),
);

export const cancelConfirmCard = (input: { subscription: Subscription; product: Product; assigned: number } & Banner): AdaptiveCard =>
  cancelTemplate({
    ...input,
    id: input.subscription.id,
    name: input.product.name,
    consequence: `${input.assigned ? `${plural(input.assigned, 'person', 'people')} will lose their license now. ` : ''}You won't be charged again. This can't be undone.`,
    reasons: [...CANCEL_REASONS],
  });

// ---------------------------------------------------------------------------------------------- bills

const billsTemplate = template<Record<string, unknown>>(
  cardOf([
    banner(),
    heading('Your bills'),
    text('You have no bills.', { $when: '${count(items) == 0}' }),
    {
      type: 'Container',
      $data: '${items}',
      separator: true,
      items: [
        text('**${amount}** · ${description}'),
        text('${issued} · ${statusWord}', { isSubtle: true, spacing: 'None', color: "${if(unpaid, 'Attention', 'Default')}" }),
        { type: 'ActionSet', $when: '${unpaid}', actions: [execute('Pay', VERBS.payForm, { invoiceId: '${id}' })] },
      ],
    },
  ], [execute('My purchases', VERBS.mine)], { refresh: refresh('bills', {}) }),
);

export const billsCard = (input: { bills: readonly Invoice[] } & Banner): AdaptiveCard =>
  billsTemplate({
    ...input,
    items: input.bills.map((b) => ({
      id: b.id,
      amount: price(b.amount),
      description: b.description,
      issued: day(b.issuedAt),
      unpaid: b.status === 'Unpaid',
      statusWord: b.status === 'Paid' ? `paid ${b.paidAt ? day(b.paidAt) : ''}` : `unpaid${b.failureCode ? ' (the card was declined)' : ''}`,
    })),
  });

const payTemplate = template<Record<string, unknown>>(
  cardOf([banner(), heading('Pay ${amount}'), text('${description} · issued ${issued}', { isSubtle: true, spacing: 'None' }), ...paymentInputs()], [
    execute('Pay ${amount}', VERBS.payBill, { invoiceId: '${id}' }, { style: 'positive' }),
    execute('Back to bills', VERBS.bills, {}, { associatedInputs: 'none' }),
  ]),
);

export const payBillCard = (input: { bill: Invoice; savedCards: readonly SavedCard[] } & Banner): AdaptiveCard =>
  payTemplate({ ...input, id: input.bill.id, amount: price(input.bill.amount), description: input.bill.description, issued: day(input.bill.issuedAt) });

// ---------------------------------------------------------------------------------------------- pages

const openPageTemplate = template<Record<string, unknown>>(
  cardOf(
    [heading('${title}'), text('${what}'), text('The link is only for you and works for ${minutes} minutes. In Teams, the same page is the **${title}** tab at the top of this chat.', { isSubtle: true })],
    [{ type: 'Action.OpenUrl', title: 'Open ${title}', url: '${url}' }],
  ),
);

/** A signed link to a tab's page, for browsers outside Teams (local development, the Agents Playground). */
export const openPageCard = (input: { title: string; what: string; url: string; minutes: number }): AdaptiveCard => openPageTemplate(input);

const checkoutLinkTemplate = template<Record<string, unknown>>(
  cardOf(
    [
      heading('${title}'),
      text('Checkout opens in your browser: enter your card there. The card goes straight to the payment provider; we keep only its brand, last 4 digits and expiry.'),
      text('The link is only for you and works for ${minutes} minutes.', { isSubtle: true }),
    ],
    [
      { type: 'Action.OpenUrl', title: 'Open secure checkout', url: '${url}' },
      execute('Back', VERBS.buyForm, { productId: '${productId}', mode: '${mode}' }, { associatedInputs: 'none' }),
    ],
  ),
);

/** Where Teams dialogs aren't available (the card's Submit arrives as a message), the checkout page as a signed link. */
export const checkoutLinkCard = (input: { product: Product; mode: 'buy' | 'trial'; url: string; minutes: number }): AdaptiveCard =>
  checkoutLinkTemplate({
    title: input.mode === 'buy' ? `Secure checkout: ${input.product.name}` : `Secure checkout: try ${input.product.name}`,
    productId: input.product.id,
    mode: input.mode,
    url: input.url,
    minutes: input.minutes,
  });
