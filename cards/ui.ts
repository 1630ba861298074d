import { count } from './format';
import { DATASETS, VERBS, type Verb, type View } from './verbs';
import { MAX_REASON_DETAILS } from '../domain/shared/validation';

// ---------------------------------------------------------------------------------------------- element types
//
// The subset of Adaptive Cards 1.5 (the newest Teams accepts from bots) that our cards use, as plain
// TypeScript types: a card is built by ordinary functions from its view model, so the compiler checks
// every element and no business rule hides in an expression string.

export type Spacing = 'None' | 'Small' | 'Default' | 'Medium' | 'Large' | 'ExtraLarge' | 'Padding';
export type TextSize = 'Small' | 'Default' | 'Medium' | 'Large' | 'ExtraLarge';
export type TextWeight = 'Lighter' | 'Default' | 'Bolder';
/** `Warning` (yellow) is hard to read on a light theme: use `Attention`, or the default colour with `isSubtle`. */
export type TextColor = 'Default' | 'Dark' | 'Light' | 'Accent' | 'Good' | 'Attention';
export type ContainerStyle = 'default' | 'emphasis' | 'good' | 'attention' | 'warning' | 'accent';
export type ActionStyle = 'positive' | 'destructive';
export type AssociatedInputs = 'auto' | 'none';

export interface TextOptions {
  size?: TextSize;
  weight?: TextWeight;
  color?: TextColor;
  isSubtle?: boolean;
  spacing?: Spacing;
  wrap?: boolean;
}

export interface TextBlock extends TextOptions {
  type: 'TextBlock';
  text: string;
}

export interface Fact {
  title: string;
  value: string;
}

export interface FactSet {
  type: 'FactSet';
  facts: Fact[];
}

export interface Container {
  type: 'Container';
  style?: ContainerStyle;
  separator?: boolean;
  spacing?: Spacing;
  items: CardElement[];
}

export interface Column {
  type: 'Column';
  width: 'auto' | 'stretch' | number;
  verticalContentAlignment?: 'Top' | 'Center' | 'Bottom';
  items: CardElement[];
}

export interface ColumnSet {
  type: 'ColumnSet';
  columns: Column[];
}

export interface ActionSet {
  type: 'ActionSet';
  actions: CardAction[];
}

interface InputBase {
  id: string;
  label?: string;
  isRequired?: boolean;
  errorMessage?: string;
}

export interface InputText extends InputBase {
  type: 'Input.Text';
  placeholder?: string;
  maxLength?: number;
  regex?: string;
  isMultiline?: boolean;
}

export interface InputNumber extends InputBase {
  type: 'Input.Number';
  min?: number;
  max?: number;
  value?: number;
}

export interface Choice {
  title: string;
  value: string;
}

export interface InputChoiceSet extends InputBase {
  type: 'Input.ChoiceSet';
  style?: 'compact' | 'expanded' | 'filtered';
  isMultiSelect?: boolean;
  value?: string;
  /** Shown in the typeahead's search box (a picker's). */
  placeholder?: string;
  choices: Choice[];
  /** Teams' dynamic typeahead: the choices come from the bot's `application/search` invoke as the person types. */
  'choices.data'?: { type: 'Data.Query'; dataset: string; count?: number };
}

export type CardElement = TextBlock | FactSet | Container | ColumnSet | ActionSet | InputText | InputNumber | InputChoiceSet;

/** What an action sends back: ids, page numbers, flags and enum words only (the server re-reads the rest). */
export type ActionData = Record<string, string | number | boolean>;

export interface SubmitAction {
  type: 'Action.Submit';
  title: string;
  data: Record<string, unknown>;
  style?: ActionStyle;
  associatedInputs?: AssociatedInputs;
}

export interface ExecuteAction {
  type: 'Action.Execute';
  title: string;
  verb: Verb;
  data: ActionData;
  style?: ActionStyle;
  id?: string;
  associatedInputs?: AssociatedInputs;
  fallback: SubmitAction;
}

export interface ShowCardAction {
  type: 'Action.ShowCard';
  title: string;
  card: { type: 'AdaptiveCard'; body: CardElement[]; actions: CardAction[] };
}

export interface OpenUrlAction {
  type: 'Action.OpenUrl';
  title: string;
  url: string;
}

export type CardAction = ExecuteAction | SubmitAction | ShowCardAction | OpenUrlAction;

/** Universal Actions refresh: the card is re-rendered with current state for whoever looks at it. */
export interface Refresh {
  action: { type: 'Action.Execute'; verb: Verb; data: Record<string, string | number | boolean> };
  userIds?: string[];
}

/** An Adaptive Card as JSON (schema 1.5, the newest Teams accepts from bots). */
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema?: string;
  version: '1.5';
  refresh?: Refresh;
  body: CardElement[];
  actions?: CardAction[];
}

// ---------------------------------------------------------------------------------------------- helpers

/**
 * How long a list on a card may get. Teams refuses a bot message over about 100 KB of UTF-16
 * (413 MessageSizeTooBig), so every list is cut here whatever the data: a few names then "and N more",
 * a page of rows, a choice set small enough to scan; the tab or the CSV has the whole list.
 */
export const LIMITS = {
  /** Names written out in a sentence before "and N more". */
  names: 8,
  /** Choices in one Input.ChoiceSet. */
  choices: 25,
  /** Rows in one list (a page, or the first of a longer list). */
  rows: 20,
  /** Cards on file offered to pay with. */
  savedCards: 10,
  /** Teams refreshes a card automatically for at most 60 users (refresh.userIds). */
  refreshUsers: 60,
} as const;

/** The holders a card reads to show names and the Unassign choices; the count says how many there are in all. */
export const CARD_HOLDERS_READ = Math.max(LIMITS.choices, LIMITS.names) + 1;

/** The first `max` items and how many were left out. */
export const firstOf = <T>(items: readonly T[], max: number): { shown: T[]; hidden: number } => ({ shown: items.slice(0, max), hidden: Math.max(0, items.length - max) });

/** "And 9980 more purchases on this page. <where>" under a list that was cut short; nothing when it wasn't. */
export const moreNote = (hidden: number, noun: string, opts: { where?: string; qualifier?: string } = {}): TextBlock[] =>
  only(
    hidden > 0,
    text(`And ${count(hidden, `more ${noun}`)}${opts.qualifier ? ` ${opts.qualifier}` : ''}.${opts.where ? ` ${opts.where}` : ''}`, { isSubtle: true, size: 'Small' }),
  );

/** `items` when `condition` holds, else nothing: spread into a list (`...only(isLive, execute(…))`). */
export const only = <T>(condition: unknown, ...items: T[]): T[] => (condition ? items : []);

export interface ExecuteOptions {
  style?: ActionStyle;
  id?: string;
  associatedInputs?: AssociatedInputs;
}

/**
 * A Universal Action (Action.Execute) with an Action.Submit fallback for clients that predate
 * Universal Actions; both carry the same ids, and the Submit's data names the verb.
 */
export const execute = (title: string, verb: Verb, data: ActionData = {}, opts: ExecuteOptions = {}): ExecuteAction => ({
  type: 'Action.Execute',
  title,
  verb,
  data,
  ...(opts.style ? { style: opts.style } : {}),
  ...(opts.id ? { id: opts.id } : {}),
  ...(opts.associatedInputs ? { associatedInputs: opts.associatedInputs } : {}),
  fallback: {
    type: 'Action.Submit',
    title,
    data: { verb, ...data },
    ...(opts.style ? { style: opts.style } : {}),
    ...(opts.associatedInputs ? { associatedInputs: opts.associatedInputs } : {}),
  },
});

/** A button that opens a small form inside the card (no round trip until its own action). */
export const showCard = (title: string, body: CardElement[], actions: CardAction[]): ShowCardAction => ({
  type: 'Action.ShowCard',
  title,
  card: { type: 'AdaptiveCard', body, actions },
});

export const openUrl = (title: string, url: string): OpenUrlAction => ({ type: 'Action.OpenUrl', title, url });

export const text = (value: string, opts: TextOptions = {}): TextBlock => ({ type: 'TextBlock', text: value, wrap: true, ...opts });
export const heading = (value: string, opts: TextOptions = {}): TextBlock => text(value, { size: 'Medium', weight: 'Bolder', ...opts });

export const container = (items: CardElement[], opts: Omit<Container, 'type' | 'items'> = {}): Container => ({ type: 'Container', ...opts, items });
export const column = (width: Column['width'], items: CardElement[], opts: Omit<Column, 'type' | 'width' | 'items'> = {}): Column => ({ type: 'Column', width, ...opts, items });
export const columnSet = (columns: Column[]): ColumnSet => ({ type: 'ColumnSet', columns });
export const actionSet = (actions: CardAction[]): ActionSet => ({ type: 'ActionSet', actions });
export const facts = (items: ReadonlyArray<readonly [string, string]>): FactSet => ({ type: 'FactSet', facts: items.map(([title, value]) => ({ title, value })) });

export const textInput = (id: string, opts: Omit<InputText, 'type' | 'id'> = {}): InputText => ({ type: 'Input.Text', id, ...opts });
export const numberInput = (id: string, opts: Omit<InputNumber, 'type' | 'id'> = {}): InputNumber => ({ type: 'Input.Number', id, ...opts });
/** The choices come last, after the label and the default `value`. */
export const choiceSet = (id: string, choices: Choice[], opts: Omit<InputChoiceSet, 'type' | 'id' | 'choices'> = {}): InputChoiceSet => ({
  type: 'Input.ChoiceSet',
  id,
  ...opts,
  choices,
});

/**
 * A people picker: Teams asks the bot for matches as the person types (`application/search`, dataset
 * `people`) and sends the chosen Entra ids, comma-separated when several. Clients without dynamic
 * typeahead show an empty list: cards that use it keep a typed-names input beside it.
 */
export const peoplePicker = (id: string, opts: Omit<InputChoiceSet, 'type' | 'id' | 'choices' | 'choices.data' | 'style'> = {}): InputChoiceSet => ({
  type: 'Input.ChoiceSet',
  id,
  ...opts,
  style: 'filtered',
  choices: [],
  'choices.data': { type: 'Data.Query', dataset: DATASETS.people, count: 10 },
});

/**
 * How a banner reads: `good` (green) for something done, `attention` (red) for what could not be
 * done, `accent` (blue) or `neutral` (grey) for news that is neither, such as "waiting for approval".
 */
export type BannerTone = 'good' | 'attention' | 'accent' | 'neutral';

export interface Banner {
  banner?: string | null;
  bannerIsError?: boolean;
  /** Wins over `bannerIsError`; without either a banner is `good`. */
  bannerTone?: BannerTone;
}

const TONE_STYLES: Record<BannerTone, ContainerStyle> = { good: 'good', attention: 'attention', accent: 'accent', neutral: 'emphasis' };

/** The tone a banner is shown in: its own, else attention for an error, else good. */
export const bannerTone = (input: Banner): BannerTone => input.bannerTone ?? (input.bannerIsError ? 'attention' : 'good');

/** A status line above a card's content after an action ("Done: …", why it could not be done, or what happens next); nothing without one. */
export const banner = (input: Banner): Container[] => (input.banner ? [container([text(input.banner)], { style: TONE_STYLES[bannerTone(input)] })] : []);

/** Pages needed for `total` items (at least one, so an empty list still reads "page 1 of 1"). */
export const pageCount = (total: number, pageSize: number): number => Math.max(1, Math.ceil(total / pageSize));

/** One row of a list: its lines on the left and, optionally, one button on the right. */
export interface Row {
  lines: CardElement[];
  action?: CardAction;
}

/** A list: each row a separated container with its lines and its button. */
export const rowList = (rows: readonly Row[]): Container[] =>
  rows.map((row) =>
    container([columnSet([column('stretch', row.lines), column('auto', row.action ? [actionSet([row.action])] : [], { verticalContentAlignment: 'Center' })])], {
      separator: true,
    }),
  );

/** Previous / Next for a paged list; the verb gets `page` plus any `extra` ids or filters. Nothing when it all fits on one page. */
export const pager = (verb: Verb, page: number, pages: number, extra: ActionData = {}): ActionSet[] =>
  pages > 1
    ? [actionSet([...only(page > 1, execute('Previous', verb, { ...extra, page: page - 1 })), ...only(page < pages, execute('Next', verb, { ...extra, page: page + 1 }))])]
    : [];

/** Card number, expiry, CVC and name for the sandbox checkout; tokenized on receipt, never stored. */
export const newCardInputs = (required: boolean): CardElement[] => [
  textInput('cardNumber', { label: 'Card number', placeholder: '4242 4242 4242 4242', maxLength: 23, isRequired: required, errorMessage: 'Enter the card number' }),
  columnSet([
    column('stretch', [
      textInput('cardExpiry', {
        label: 'Expiry (MM/YY)',
        placeholder: '12/30',
        maxLength: 7,
        isRequired: required,
        regex: '^\\s*\\d{1,2}\\s*/\\s*\\d{2,4}\\s*$',
        errorMessage: 'MM/YY',
      }),
    ]),
    column('stretch', [textInput('cardCvc', { label: 'CVC', placeholder: '123', maxLength: 4, isRequired: required, regex: '^\\d{3,4}$', errorMessage: '3 or 4 digits' })]),
  ]),
  textInput('cardName', { label: 'Name on card', maxLength: 80 }),
];

/**
 * Which card to pay with: one already on file (by the subscription that holds it) or a new one. The
 * same card on several subscriptions is offered once, and only the first few cards.
 */
export const paymentInputs = (cards: ReadonlyArray<{ subscriptionId: string; label: string; declined?: boolean }>): CardElement[] => {
  const seen = new Set<string>();
  const savedCards = cards.filter((c) => !seen.has(c.label) && seen.add(c.label)).slice(0, LIMITS.savedCards);
  return paymentChoice(savedCards);
};

/** The first card on file that wasn't just declined is preselected; with none, a new card. */
const paymentChoice = (savedCards: ReadonlyArray<{ subscriptionId: string; label: string; declined?: boolean }>): CardElement[] => [
  ...only<CardElement>(
    savedCards.length > 0,
    choiceSet('savedCard', [...savedCards.map((c) => ({ title: c.label, value: c.subscriptionId })), { title: 'A new card', value: 'new' }], {
      label: 'Pay with',
      value: savedCards.find((c) => !c.declined)?.subscriptionId ?? 'new',
    }),
    text('New card (sandbox: 4242 4242 4242 4242, any future expiry, any CVC)', { isSubtle: true, size: 'Small' }),
  ),
  ...newCardInputs(false),
];

/** Beside a reasons list: the person's own words, kept when they chose "Other". */
export const reasonDetailsInput = (label: string): InputText =>
  textInput('reasonDetails', { label: `${label} (up to ${MAX_REASON_DETAILS} characters)`, placeholder: 'Optional', maxLength: MAX_REASON_DETAILS, isMultiline: false });

/** Re-rendered with current state for whoever looks at the card (Universal Actions refresh); `userIds` limits who triggers it. */
export const refresh = (view: View, ids: Record<string, string | number | boolean>, userIds?: string[]): Refresh => ({
  action: { type: 'Action.Execute', verb: VERBS.refresh, data: { view, ...ids } },
  ...(userIds ? { userIds: userIds.slice(0, LIMITS.refreshUsers) } : {}),
});

/** A whole card; `actions` is written when given, even empty. */
export const cardOf = (body: CardElement[], actions?: CardAction[], opts: { refresh?: Refresh } = {}): AdaptiveCard => ({
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  ...(opts.refresh ? { refresh: opts.refresh } : {}),
  body,
  ...(actions ? { actions } : {}),
});
