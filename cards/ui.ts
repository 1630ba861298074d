import * as ACData from 'adaptivecards-templating';
import { VERBS, type Verb, type View } from './verbs';

/** An Adaptive Card as JSON (schema 1.5, the newest Teams accepts from bots). */
export type AdaptiveCard = { type: 'AdaptiveCard'; version: '1.5'; body: unknown[]; actions?: unknown[]; [k: string]: unknown };
export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

type Json = unknown;
type Data = Record<string, string | number | boolean>;

/**
 * A Universal Action (Action.Execute) with an Action.Submit fallback for clients that predate
 * Universal Actions; both carry the same ids, and the Submit's data names the verb.
 * `data` values may be template expressions such as '${subscription.id}'.
 */
export const execute = (title: string, verb: Verb, data: Data = {}, opts: { style?: 'positive' | 'destructive'; when?: string; id?: string; associatedInputs?: 'auto' | 'none' } = {}): Json => ({
  type: 'Action.Execute',
  title,
  verb,
  data,
  ...(opts.style ? { style: opts.style } : {}),
  ...(opts.when ? { $when: opts.when } : {}),
  ...(opts.id ? { id: opts.id } : {}),
  ...(opts.associatedInputs ? { associatedInputs: opts.associatedInputs } : {}),
  fallback: { type: 'Action.Submit', title, data: { verb, ...data }, ...(opts.style ? { style: opts.style } : {}), ...(opts.associatedInputs ? { associatedInputs: opts.associatedInputs } : {}) },
});

/** A button that opens a small form inside the card (no round trip until its own action). */
export const showCard = (title: string, body: Json[], actions: Json[], when?: string): Json => ({
  type: 'Action.ShowCard',
  title,
  ...(when ? { $when: when } : {}),
  card: { type: 'AdaptiveCard', body, actions },
});

export const text = (value: string, opts: Record<string, unknown> = {}): Json => ({ type: 'TextBlock', text: value, wrap: true, ...opts });
export const heading = (value: string, opts: Record<string, unknown> = {}): Json => text(value, { size: 'Medium', weight: 'Bolder', ...opts });
/** A status line above a card's content after an action ("Done: …" or why it could not be done). */
export const banner = (): Json => ({
  type: 'Container',
  $when: '${banner != null}',
  style: "${if(bannerIsError, 'attention', 'good')}",
  items: [text('${banner}')],
});
/** Pages needed for `total` items (at least one, so an empty list still reads "page 1 of 1"). */
export const pageCount = (total: number, pageSize: number): number => Math.max(1, Math.ceil(total / pageSize));

/**
 * A list bound to `${items}`: each row is its lines on the left and one button on the right.
 * `actionsWhen` hides the button column's actions unless the expression holds.
 */
export const rowList = (lines: Json[], action: Json, actionsWhen?: string): Json => ({
  type: 'Container',
  $data: '${items}',
  separator: true,
  items: [
    {
      type: 'ColumnSet',
      columns: [
        { type: 'Column', width: 'stretch', items: lines },
        { type: 'Column', width: 'auto', verticalContentAlignment: 'Center', items: [{ type: 'ActionSet', ...(actionsWhen ? { $when: actionsWhen } : {}), actions: [action] }] },
      ],
    },
  ],
});

export const facts = (items: Array<[string, string]>): Json => ({ type: 'FactSet', facts: items.map(([title, value]) => ({ title, value })) });

/** Previous / Next for a paged list; the verb gets `page` plus any `extra` ids or filters. */
export const pager = (verb: Verb, extra: Data = {}): Json => ({
  type: 'ActionSet',
  $when: '${pageCount > 1}',
  actions: [
    execute('Previous', verb, { ...extra, page: '${page - 1}' }, { when: '${page > 1}' }),
    execute('Next', verb, { ...extra, page: '${page + 1}' }, { when: '${page < pageCount}' }),
  ],
});

/** Card number, expiry, CVC and name for the sandbox checkout; tokenized on receipt, never stored. */
export const newCardInputs = (required: boolean): Json[] => [
  { type: 'Input.Text', id: 'cardNumber', label: 'Card number', placeholder: '4242 4242 4242 4242', maxLength: 23, isRequired: required, errorMessage: 'Enter the card number' },
  {
    type: 'ColumnSet',
    columns: [
      { type: 'Column', width: 'stretch', items: [{ type: 'Input.Text', id: 'cardExpiry', label: 'Expiry (MM/YY)', placeholder: '12/30', maxLength: 7, isRequired: required, regex: '^\\s*\\d{1,2}\\s*/\\s*\\d{2,4}\\s*$', errorMessage: 'MM/YY' }] },
      { type: 'Column', width: 'stretch', items: [{ type: 'Input.Text', id: 'cardCvc', label: 'CVC', placeholder: '123', maxLength: 4, isRequired: required, regex: '^\\d{3,4}$', errorMessage: '3 or 4 digits' }] },
    ],
  },
  { type: 'Input.Text', id: 'cardName', label: 'Name on card', maxLength: 80 },
];

/** Which card to pay with: one already on file (by the subscription that holds it) or a new one. */
export const paymentInputs = (): Json[] => [
  {
    type: 'Input.ChoiceSet',
    id: 'savedCard',
    label: 'Pay with',
    $when: '${count(savedCards) > 0}',
    value: '${savedCards[0].subscriptionId}',
    choices: [{ $data: '${savedCards}', title: '${label}', value: '${subscriptionId}' }, { title: 'A new card', value: 'new' }],
  },
  text('New card (sandbox: 4242 4242 4242 4242, any future expiry, any CVC)', { $when: '${count(savedCards) > 0}', isSubtle: true, size: 'Small' }),
  ...newCardInputs(false),
];

/** Re-rendered with current state for whoever looks at the card (Universal Actions refresh). */
export const refresh = (view: View, ids: Data, userIdsExpr?: string): Json => ({
  action: { type: 'Action.Execute', verb: VERBS.refresh, data: { view, ...ids } },
  ...(userIdsExpr ? { userIds: userIdsExpr } : {}),
});

export const cardOf = (body: Json[], actions: Json[] = [], extra: Record<string, unknown> = {}): Json => ({
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  ...extra,
  body,
  ...(actions.length ? { actions } : {}),
});

/**
 * Compiles a card template once; the returned function binds a view model to it. Templating keeps
 * data out of the card's structure: a purchaser's name can never become a button.
 */
export const template = <VM extends object>(card: Json): ((vm: VM) => AdaptiveCard) => {
  const compiled = new ACData.Template(card);
  return (vm) => compiled.expand({ $root: { banner: null, bannerIsError: false, ...vm } }) as AdaptiveCard;
};
