import type { CatalogItem } from '../domain/catalog/list-catalog';
import type { MyPurchase, MyWaitingRequest } from '../domain/purchasing/list-my-purchases';
import type { BillingFrequency, Invoice, Product, Subscription } from '../domain/model';
import type { Abilities } from '../domain/shared/abilities';
import type { SubscriptionAction } from '../domain/purchasing/subscription-abilities';
import { CANCEL_REASONS } from '../domain/purchasing/purchase-support';
import { trialTerms } from '../domain/purchasing/start-trial';
import { agree, alreadyHaveNote, count, day, frequencyLabel, price, reasonWords, someNames, statusLabel, termEnd, termEndWord } from './format';
import {
  actionSet,
  type AdaptiveCard,
  type Banner,
  banner,
  cardOf,
  choiceSet,
  container,
  execute,
  facts,
  firstOf,
  heading,
  LIMITS,
  moreNote,
  newCardInputs,
  numberInput,
  only,
  openUrl,
  pageCount,
  pager,
  paymentInputs,
  peoplePicker,
  reasonDetailsInput,
  refresh,
  rowList,
  showCard,
  type SubmitAction,
  text,
  textInput,
} from './ui';
import { VERBS } from './verbs';

export type { Banner } from './ui';

export interface SavedCard {
  /** The subscription whose card on file would be charged (an id the server re-checks). */
  subscriptionId: string;
  label: string;
  /** A bill of that subscription is unpaid after this card was declined: offered, never preselected. */
  declined?: boolean;
}

// ---------------------------------------------------------------------------------------------- catalog

export const catalogCard = (input: { items: readonly CatalogItem[]; page: number; pageSize: number } & Banner): AdaptiveCard => {
  // However many a page is asked for, a card shows at most LIMITS.rows products (and pages by that).
  const pageSize = Math.min(Math.max(1, input.pageSize), LIMITS.rows);
  const start = (input.page - 1) * pageSize;
  const pages = pageCount(input.items.length, pageSize);
  return cardOf([
    ...banner(input),
    heading('What you can buy'),
    text(`Prices are per license. Page ${input.page} of ${pages}.`, { isSubtle: true, spacing: 'None' }),
    ...input.items.slice(start, start + pageSize).map((i) => {
      const productId = i.product.id;
      const trialLine = i.product.trial ? ` · ${i.product.trial.days}-day trial${i.product.trial.requiresPaymentMethod ? '' : ', no card needed'}` : '';
      const note = i.canBuy
        ? ''
        : i.canTrial
          ? 'Your organization allows only the trial of this product.'
          : 'Your organization has turned off buying this product. Please contact your IT admin.';
      return container(
        [
          text(`**${i.product.name}**`),
          text(`${price(i.product.prices.Annual)}/year or ${price(i.product.prices.Monthly)}/month${trialLine}`, { spacing: 'None', isSubtle: true }),
          ...only(note, text(note, { isSubtle: true, spacing: 'None' })),
          actionSet([
            ...only(i.canBuy, execute('Buy', VERBS.buyForm, { productId, mode: 'buy' })),
            ...only(i.canTrial, execute('Start trial', VERBS.buyForm, { productId, mode: 'trial' })),
          ]),
        ],
        { separator: true },
      );
    }),
    ...pager(VERBS.catalog, input.page, pages),
  ]);
};

// ---------------------------------------------------------------------------------------------- buy / trial

/**
 * Opens the checkout page as a Teams dialog: an Action.Submit whose `msteams.type` makes Teams send a
 * task/fetch invoke (dialogs have no Universal Action). It sends no inputs (associatedInputs none),
 * so a card number half-typed into this card never travels with it; the quantity it was shown with
 * is carried as a number and the page lets the person change it.
 */
const checkoutDialog = (title: string, productId: string, mode: 'buy' | 'trial', quantity: number): SubmitAction => ({
  type: 'Action.Submit',
  title,
  associatedInputs: 'none',
  data: { msteams: { type: 'task/fetch' }, verb: VERBS.checkoutOpen, productId, mode, quantity },
});

/**
 * The buy / trial form. It refreshes itself (Universal Actions) so that a product turned off after it
 * was sent no longer shows its Buy button; the refresh keeps the form's id, so a press after a
 * refresh is still the same request.
 */
export const buyFormCard = (
  input: {
    product: Product;
    mode: 'buy' | 'trial';
    savedCards: readonly SavedCard[];
    formId: string;
    quantity?: number;
    billingFrequency?: BillingFrequency;
    /** The caller's live subscriptions of this product: buying or trying it again may not be what they need. */
    owned?: ReadonlyArray<{ subscriptionId: string; quantity: number; assigned: number; canAssign: boolean }>;
  } & Banner,
): AdaptiveCard => {
  const { product, mode } = input;
  const trial = product.trial;
  const buying = mode === 'buy';
  const quantity = input.quantity ?? 1;
  const terms = trialTerms(product);
  const converts = terms?.convertsTo ?? null;
  const owned = input.owned ?? [];
  const ownedNote = alreadyHaveNote(product.name, owned, buying);
  return cardOf(
    [
      ...banner(input),
      heading(buying ? `Buy ${product.name}` : `Try ${product.name}`),
      text(
        buying
          ? 'You pay by card, you can assign the licenses to anyone in your organization, and you can cancel any time.'
          : `${count(trial?.days ?? 0, 'day')}, ${count(trial?.licenses ?? 0, 'license')}. ${
              converts
                ? `It then becomes a paid subscription at ${price(converts.perMonth)} a month (${price(terms!.unitPrice)} per license), charged to the card below, unless you turn recurring billing off before it ends.`
                : 'No card needed; it simply ends.'
            }`,
        { isSubtle: true, spacing: 'None' },
      ),
      ...only(
        ownedNote !== null,
        container([
          text(`ℹ️ ${ownedNote}`),
          actionSet([
            owned.length === 1
              ? execute('Open my subscription', VERBS.subscription, { subscriptionId: owned[0].subscriptionId }, { associatedInputs: 'none' })
              : execute('My purchases', VERBS.mine, {}, { associatedInputs: 'none' }),
          ]),
        ]),
      ),
      ...only(
        buying,
        container([
          numberInput('quantity', { label: 'Licenses', min: 1, max: 10000, value: quantity, isRequired: true, errorMessage: 'From 1 to 10,000 licenses' }),
          choiceSet(
            'billingFrequency',
            [
              { title: `${frequencyLabel('Annual', true)}: ${price(product.prices.Annual)} per license`, value: 'Annual' },
              { title: `${frequencyLabel('Monthly', true)}: ${price(product.prices.Monthly)} per license`, value: 'Monthly' },
            ],
            { label: 'Billing', style: 'expanded', value: input.billingFrequency ?? 'Annual' },
          ),
        ]),
      ),
      // Next to the card fields it replaces, so the card's own buttons stay short enough to read.
      ...only(
        buying || trial?.requiresPaymentMethod,
        container([
          ...paymentInputs(input.savedCards),
          actionSet([checkoutDialog(buying ? 'Pay with a new card (secure checkout)' : 'Add a card (secure checkout)', product.id, mode, quantity)]),
        ]),
      ),
    ],
    [
      execute(buying ? 'Buy' : 'Start trial', buying ? VERBS.buy : VERBS.trial, { productId: product.id, formId: input.formId }, { style: 'positive' }),
      execute('Back to catalog', VERBS.catalog, { page: 1 }, { associatedInputs: 'none' }),
    ],
    { refresh: refresh('buyForm', { productId: product.id, mode, formId: input.formId, quantity }) },
  );
};

// ---------------------------------------------------------------------------------------------- my purchases

export const myPurchasesCard = (input: { items: readonly MyPurchase[]; waiting?: readonly MyWaitingRequest[] } & Banner): AdaptiveCard => {
  const { shown, hidden } = firstOf(input.items, LIMITS.rows);
  const waiting = firstOf(input.waiting ?? [], LIMITS.rows);
  return cardOf(
    [
      ...banner(input),
      heading('Your subscriptions'),
      ...only(input.items.length === 0 && waiting.shown.length === 0, text("You haven't bought anything yet.")),
      ...only(input.items.length === 0 && waiting.shown.length > 0, text('None yet: what you asked for is waiting for approval.', { isSubtle: true })),
      ...rowList(
        shown.map(({ subscription: s, product, assigned, unpaid }) => ({
          lines: [
            text(`**${product.name}**`),
            text([`${count(s.quantity, 'license')} (${assigned} assigned)`, statusLabel(s.status), termEnd(s)].filter(Boolean).join(' · '), { isSubtle: true, spacing: 'None' }),
            ...only(
              (unpaid ?? 0) > 0,
              text(`⚠️ ${unpaid === 1 ? 'A bill is' : `${unpaid} bills are`} unpaid: the card was declined. Say **pay** to pay ${unpaid === 1 ? 'it' : 'them'}.`, {
                color: 'Attention',
                size: 'Small',
                spacing: 'None',
              }),
            ),
          ],
          action: execute('Manage', VERBS.subscription, { subscriptionId: s.id }),
        })),
      ),
      ...moreNote(hidden, 'subscription', { where: 'The My purchases tab lists them all.' }),
      ...only(waiting.shown.length > 0, heading('Waiting for an admin’s approval')),
      ...rowList(
        waiting.shown.map(({ request: r, product }) => ({
          lines: [
            text(`**${product.name}**`),
            text(`${r.kind === 'Trial' ? 'Trial' : `${count(r.quantity, 'license')}, ${frequencyLabel(r.billingFrequency)}`} · asked ${day(r.createdAt)} · nothing charged yet`, {
              isSubtle: true,
              spacing: 'None',
            }),
          ],
        })),
      ),
      ...moreNote(waiting.hidden, 'request'),
    ],
    [execute('Catalog', VERBS.catalog, { page: 1 }), execute('Bills', VERBS.bills)],
    { refresh: refresh('mine', {}) },
  );
};

// ---------------------------------------------------------------------------------------------- one subscription

export interface SubscriptionView extends Banner {
  subscription: Subscription;
  product: Product;
  /** Who holds a license; may be only the first of them when `assigneeTotal` says how many there are. */
  assignees: ReadonlyArray<{ id: string; name: string }>;
  /** How many hold a license, when `assignees` is only the first few (defaults to `assignees.length`). */
  assigneeTotal?: number;
  formId: string;
  /** What the reader may do to it now, and why not (the domain's rules; the card re-checks none of them). */
  actions: Abilities<SubscriptionAction>;
}

const cardLabel = (s: Subscription): string => (s.card ? `${s.card.brand} ending ${s.card.last4}` : s.origin === 'Central' ? 'Your organization’s agreement' : 'None');

export const subscriptionCard = (input: SubscriptionView): AdaptiveCard => {
  const s = input.subscription;
  const id = s.id;
  const live = s.status === 'Active' || s.status === 'Trial';
  const can = (a: SubscriptionAction): boolean => input.actions[a].ok;
  const managing = input.actions.cancel.ok || can('setRecurring') || can('unassign');
  // The reason for the action the reader would look for first, when it can't be done now.
  const why = !live || !managing ? null : !can('assign') ? input.actions.assign : !can('addLicenses') ? input.actions.addLicenses : null;
  const assignedCount = Math.max(input.assigneeTotal ?? 0, input.assignees.length);
  const available = Math.max(0, s.quantity - assignedCount);
  const namesCut = assignedCount > LIMITS.names;
  // Few enough to pick from a list; otherwise typed, and resolved on the server like Assign.
  const pickable = assignedCount <= LIMITS.choices && input.assignees.length === assignedCount;
  return cardOf(
    [
      ...banner(input),
      heading(input.product.name),
      text(
        `${s.isTrial ? 'Trial' : s.origin === 'Central' ? 'Bought by your organization' : 'Self-service purchase'} · ${statusLabel(s.status, { saidTrial: s.isTrial })}${s.cancelReason ? ` (${reasonWords(s.cancelReason)})` : ''}`,
        { isSubtle: true, spacing: 'None' },
      ),
      ...only(
        s.centralizedInto && live,
        text('Your IT admin now provides these licenses centrally. Please cancel this subscription so you are not charged twice.', { color: 'Attention' }),
      ),
      facts([
        // Free licenses only on a subscription that runs: a cancelled or ended one has none to give.
        ['Licenses', live ? `${s.quantity} (${assignedCount} assigned, ${available} available)` : String(s.quantity)],
        ['Billing', s.isTrial ? 'Free trial' : `${price(s.unitPrice)} per license, ${frequencyLabel(s.billingFrequency)}`],
        ['Card', cardLabel(s)],
        [termEndWord(s), day(s.cancelledAt ?? s.expiresAt)],
      ]),
      ...only(
        assignedCount > 0,
        text('**Assigned to**'),
        text(
          someNames(
            input.assignees.map((a) => a.name),
            LIMITS.names,
            assignedCount,
          ),
          { spacing: 'None' },
        ),
      ),
      ...only(namesCut, text('The My purchases tab lists everyone.', { isSubtle: true, size: 'Small', spacing: 'None' })),
      ...only(why && !why.ok, text(why && !why.ok ? why.reason : '', { isSubtle: true, size: 'Small' })),
    ],
    [
      ...only(
        can('addLicenses'),
        showCard(
          'Add licenses',
          [
            numberInput('addQuantity', { label: 'How many more?', min: 1, max: 10000, value: 1, isRequired: true, errorMessage: 'From 1 to 10,000' }),
            text('Charged now to the card on file for the rest of this term, prorated by day.', { isSubtle: true, size: 'Small' }),
          ],
          [execute('Add', VERBS.addLicenses, { subscriptionId: id, formId: input.formId }, { style: 'positive' })],
        ),
      ),
      ...only(
        can('assign'),
        showCard(
          'Assign',
          [
            peoplePicker('assignUserIds', { label: 'People', placeholder: 'Start typing a name', isMultiSelect: true }),
            textInput('people', {
              label: 'Or names or emails, separated by commas',
              placeholder: 'A name or work email; several separated by commas',
              maxLength: 1000,
            }),
          ],
          [execute('Assign licenses', VERBS.assign, { subscriptionId: id }, { style: 'positive' })],
        ),
      ),
      ...only(
        managing,
        showCard(
          'More',
          [],
          [
            ...only(
              can('unassign'),
              showCard(
                'Unassign',
                pickable
                  ? [
                      choiceSet(
                        'userIds',
                        input.assignees.map((a) => ({ title: a.name, value: a.id })),
                        { label: 'Remove the license of', isMultiSelect: true, isRequired: true, errorMessage: 'Pick at least one person' },
                      ),
                    ]
                  : [
                      textInput('unassignPeople', {
                        label: 'Remove the license of (names or emails, separated by commas)',
                        placeholder: someNames(
                          input.assignees.map((a) => a.name),
                          2,
                          2,
                        ),
                        maxLength: 1000,
                        isRequired: true,
                        errorMessage: 'Name at least one person',
                      }),
                      text(`${count(assignedCount, 'person')} ${agree(assignedCount, 'holds', 'hold')} a license; the My purchases tab lists them all.`, {
                        isSubtle: true,
                        size: 'Small',
                      }),
                    ],
                [execute('Unassign', VERBS.unassign, { subscriptionId: id })],
              ),
            ),
            ...only(
              can('removeLicenses'),
              showCard(
                'Remove licenses',
                [
                  numberInput('removeQuantity', { label: 'How many fewer?', min: 1, max: 10000, value: 1, isRequired: true, errorMessage: 'At least 1' }),
                  text(`You can go down to the number assigned (${assignedCount}); no refund for the current term.`, { isSubtle: true, size: 'Small' }),
                ],
                [execute('Remove', VERBS.removeLicenses, { subscriptionId: id, formId: input.formId })],
              ),
            ),
            ...only(
              can('setRecurring'),
              s.recurring
                ? execute('Turn recurring billing off', VERBS.recurring, { subscriptionId: id, enabled: false })
                : execute('Turn recurring billing on', VERBS.recurring, { subscriptionId: id, enabled: true }),
            ),
            ...only(
              can('updateCard'),
              showCard('Update payment method', newCardInputs(true), [execute('Save card', VERBS.paymentMethod, { subscriptionId: id }, { style: 'positive' })]),
            ),
            ...only(can('cancel'), execute('Cancel subscription', VERBS.cancelConfirm, { subscriptionId: id }, { style: 'destructive' })),
          ],
        ),
      ),
      execute('Back to my purchases', VERBS.mine, {}, { associatedInputs: 'none' }),
    ],
    { refresh: refresh('subscription', { subscriptionId: id }) },
  );
};

// ---------------------------------------------------------------------------------------------- payment method

/** The new-card form on its own, for "payment method <product>" (a ShowCard can't be opened for someone). */
export const paymentMethodCard = (input: { subscription: Subscription; product: Product } & Banner): AdaptiveCard => {
  const id = input.subscription.id;
  return cardOf(
    [
      ...banner(input),
      heading(`New card for ${input.product.name}`),
      text(`Future bills for this subscription go to the card you save here. Now: ${cardLabel(input.subscription)}.`, { isSubtle: true, spacing: 'None' }),
      ...newCardInputs(true),
    ],
    [
      execute('Save card', VERBS.paymentMethod, { subscriptionId: id }, { style: 'positive' }),
      execute('Back', VERBS.subscription, { subscriptionId: id }, { associatedInputs: 'none' }),
    ],
  );
};

// ---------------------------------------------------------------------------------------------- cancel

export const cancelConfirmCard = (input: { subscription: Subscription; product: Product; assigned: number } & Banner): AdaptiveCard => {
  const id = input.subscription.id;
  return cardOf(
    [
      ...banner(input),
      heading(`Cancel ${input.product.name}?`),
      // Which one, when the purchaser has several of this product: its size, billing and term.
      text(
        [`${count(input.subscription.quantity, 'license')}, ${input.assigned} assigned`, frequencyLabel(input.subscription.billingFrequency), termEnd(input.subscription)]
          .filter(Boolean)
          .join(' · '),
        { isSubtle: true, spacing: 'None' },
      ),
      text(`${input.assigned ? `${count(input.assigned, 'person')} will lose their license now. ` : ''}You won't be charged again. This can't be undone.`, { wrap: true }),
      choiceSet(
        'reason',
        CANCEL_REASONS.map((r) => ({ title: r, value: r })),
        { label: 'Why are you cancelling?', isRequired: true, errorMessage: 'Pick a reason' },
      ),
      reasonDetailsInput('If Other: in your words'),
    ],
    [
      execute('Cancel subscription', VERBS.cancel, { subscriptionId: id }, { style: 'destructive' }),
      execute('Keep it', VERBS.subscription, { subscriptionId: id }, { associatedInputs: 'none' }),
    ],
    { refresh: refresh('subscription', { subscriptionId: id }) },
  );
};

// ---------------------------------------------------------------------------------------------- bills

export const billsCard = (input: { bills: readonly Invoice[] } & Banner): AdaptiveCard => {
  // Unpaid bills first (they need paying), then the rest as given; only the first LIMITS.rows.
  const ordered = [...input.bills.filter((b) => b.status === 'Unpaid'), ...input.bills.filter((b) => b.status !== 'Unpaid')];
  const { shown, hidden } = firstOf(ordered, LIMITS.rows);
  return cardOf(
    [
      ...banner(input),
      heading('Your bills'),
      ...only(input.bills.length === 0, text('You have no bills.')),
      ...shown.map((b) => {
        const unpaid = b.status === 'Unpaid';
        const statusWord = b.status === 'Paid' ? `paid ${b.paidAt ? day(b.paidAt) : ''}` : `unpaid${b.failureCode ? ' (the card was declined)' : ''}`;
        return container(
          [
            text(`**${price(b.amount)}** · ${b.description}`),
            text(`${day(b.issuedAt)} · ${statusWord}`, { isSubtle: true, spacing: 'None', color: unpaid ? 'Attention' : 'Default' }),
            ...only(unpaid, actionSet([execute('Pay', VERBS.payForm, { invoiceId: b.id })])),
          ],
          { separator: true },
        );
      }),
      ...moreNote(hidden, 'bill', { where: 'The My purchases tab lists them all.' }),
    ],
    [execute('My purchases', VERBS.mine)],
    { refresh: refresh('bills', {}) },
  );
};

export const payBillCard = (input: { bill: Invoice; savedCards: readonly SavedCard[] } & Banner): AdaptiveCard => {
  const amount = price(input.bill.amount);
  return cardOf(
    [
      ...banner(input),
      heading(`Pay ${amount}`),
      text(`${input.bill.description} · issued ${day(input.bill.issuedAt)}`, { isSubtle: true, spacing: 'None' }),
      ...paymentInputs(input.savedCards),
    ],
    [execute(`Pay ${amount}`, VERBS.payBill, { invoiceId: input.bill.id }, { style: 'positive' }), execute('Back to bills', VERBS.bills, {}, { associatedInputs: 'none' })],
  );
};

// ---------------------------------------------------------------------------------------------- pages

/** A signed link to a tab's page, for browsers outside Teams (local development, the Agents Playground). */
export const openPageCard = (input: { title: string; what: string; url: string; minutes: number }): AdaptiveCard =>
  cardOf(
    [
      heading(input.title),
      text(input.what),
      text(`The link is only for you and works for ${count(input.minutes, 'minute')}. In Teams, the same page is the **${input.title}** tab at the top of this chat.`, {
        isSubtle: true,
      }),
    ],
    [openUrl(`Open ${input.title}`, input.url)],
  );

/** Where Teams dialogs aren't available (the card's Submit arrives as a message), the checkout page as a signed link. */
export const checkoutLinkCard = (input: { product: Product; mode: 'buy' | 'trial'; url: string; minutes: number }): AdaptiveCard =>
  cardOf(
    [
      heading(input.mode === 'buy' ? `Secure checkout: ${input.product.name}` : `Secure checkout: try ${input.product.name}`),
      text('Checkout opens in your browser: enter your card there. The card goes straight to the payment provider; we keep only its brand, last 4 digits and expiry.'),
      text(`The link is only for you and works for ${count(input.minutes, 'minute')}.`, { isSubtle: true }),
    ],
    [openUrl('Open secure checkout', input.url), execute('Back', VERBS.buyForm, { productId: input.product.id, mode: input.mode }, { associatedInputs: 'none' })],
  );
