import * as AEL from 'adaptive-expressions';
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
 * Which expansion `template` uses: ours (below), or adaptivecards-templating's own `expand`, the
 * reference ours must equal byte for byte (test/unit/card-expansion.test.ts renders every sample
 * card both ways). Read on every expansion, so a test can switch it.
 */
export const cardExpansion: { engine: 'compiled' | 'library' } = { engine: 'compiled' };

/**
 * Compiles a card template once; the returned function binds a view model to it. Templating keeps
 * data out of the card's structure: a purchaser's name can never become a button.
 */
export const template = <VM extends object>(card: Json): ((vm: VM) => AdaptiveCard) => {
  const compiled = new ACData.Template(card);
  const byLibrary = (vm: VM) => compiled.expand({ $root: { banner: null, bannerIsError: false, ...vm } }) as AdaptiveCard;
  const prepared = (compiled as unknown as { _preparedPayload?: unknown })._preparedPayload;
  // Ours works on the payload the library parsed; should a later version keep it elsewhere, the library expands.
  if (prepared === undefined || !usesOurExpressions(prepared)) return byLibrary;
  const expand = compile(prepared);
  return (vm) => (cardExpansion.engine === 'library' ? byLibrary(vm) : (expand(new Expansion({ banner: null, bannerIsError: false, ...vm })) as AdaptiveCard));
};

// ---------------------------------------------------------------------------------------------- expansion
//
// adaptivecards-templating 2.3 expands a card in about 45 µs here, more than the database reads of the
// turn that shows it: for every `${…}` it builds a memory object, splits the path with regular
// expressions and finds each property by lowercasing every key of the view model, and for every node
// it pushes and pops evaluation state. `compile` and `Expansion` are the library's own algorithm
// (Template.prototype.internalExpand, expandSingleObject and Template.internalTryEvaluateExpression,
// 2.3.1), step for step, on the payload the library parsed, with the same adaptive-expressions
// evaluating every expression; what changes is when work is done: node kinds are told apart once, and
// property lookups are memoized per object (see TemplateMemory). The card tests compare both on every
// sample card.

const RESERVED = new Set(['$data', '$when', '$root', '$index', '$host', '$_acTemplateVersion']);

/** What the library puts in every expression's memory as `$_acTemplateVersion` (from its package version). */
const TEMPLATE_VERSION = (() => {
  const version = ((): string => {
    try {
      return (require('adaptivecards-templating/package.json') as { version: string }).version;
    } catch {
      return '0.0.0';
    }
  })();
  const [major, minor, patch = ''] = version.split('.');
  const [patchNumber, suffix] = patch.split('-');
  return { major: parseInt(major), minor: parseInt(minor), patch: parseInt(patchNumber), suffix: suffix || '' };
})();

const usesOurExpressions = (node: unknown): boolean => {
  if (node instanceof AEL.Expression) return true;
  if (Array.isArray(node)) return node.every(usesOurExpressions);
  if (typeof node === 'object' && node !== null) {
    // A parsed expression from another copy of adaptive-expressions would look like a plain object here.
    if (typeof (node as { tryEvaluate?: unknown }).tryEvaluate === 'function') return false;
    return Object.values(node).every(usesOurExpressions);
  }
  return true;
};

/** `Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase())`, the lookup adaptive-expressions does, kept per object. */
const firstKeys = new WeakMap<object, Map<string, string>>();
const keyOf = (instance: object, property: string): string | undefined => {
  let keys = firstKeys.get(instance);
  if (!keys) {
    keys = new Map();
    for (const k of Object.keys(instance)) {
      const lower = k.toLowerCase();
      if (!keys.has(lower)) keys.set(lower, k);
    }
    firstKeys.set(instance, keys);
  }
  return keys.get(property.toLowerCase());
};

const SIMPLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The library's TemplateObjectMemory (a relative path is read under `$data`), read through
 * AEL.SimpleObjectMemory, except that a plain name (`${name}`) on a plain object is looked up by
 * `keyOf`, which finds the same key. View models are built afresh for each card and never changed
 * while it expands, so the memo can't go stale; anything else (dotted paths, `$root`, `$index`,
 * arrays, Maps, strings) goes the library's way.
 */
class TemplateMemory implements AEL.MemoryInterface {
  private readonly _memory: AEL.SimpleObjectMemory;
  constructor(
    readonly $root: unknown,
    readonly $data: unknown,
    readonly $index: unknown,
    readonly $host: unknown,
    readonly $_acTemplateVersion: unknown,
  ) {
    this._memory = new AEL.SimpleObjectMemory(this);
  }

  getValue(path: string): unknown {
    if (path.length > 0 && path[0] !== '$' && SIMPLE_NAME.test(path)) {
      const scope = this.$data;
      if (!scope) return undefined;
      if (typeof scope === 'object' && !(scope instanceof Map) && !Array.isArray(scope)) {
        const key = keyOf(scope, path);
        return key === undefined ? undefined : (scope as Record<string, unknown>)[key];
      }
    }
    return this._memory.getValue(path.length > 0 && path[0] !== '$' ? `$data.${path}` : path);
  }

  setValue(path: string, input: unknown): void {
    this._memory.setValue(path, input);
  }

  version(): string {
    return this._memory.version();
  }
}

/** One node of a parsed template, compiled once into what expanding it does. */
type Compiled = (x: Expansion) => unknown;

/**
 * Template.prototype.internalExpand for one node, decided once per node instead of on every
 * expansion. The library saves and restores `$data`/`$index` around every node; only a node with
 * `$data` changes them, so only that kind restores them (every node leaves them as it found them).
 */
const compile = (node: unknown): Compiled => {
  if (Array.isArray(node)) {
    const items = node.map(compile);
    return (x) => {
      let out: unknown[] = [];
      for (const item of items) {
        const expanded = item(x);
        if (expanded !== null) {
          if (Array.isArray(expanded)) out = out.concat(expanded);
          else out.push(expanded);
        }
      }
      return out;
    };
  }
  if (node instanceof AEL.Expression) {
    return (x) => {
      const evaluation = x.evaluate(node, true);
      if (evaluation.error) throw new Error(evaluation.error as string);
      return evaluation.value;
    };
  }
  if (typeof node !== 'object' || node === null) return () => node;

  const object = node as Record<string, unknown>;
  const when = object.$when;
  const dataContext = object.$data;
  /** Template.prototype.expandSingleObject: every key but the reserved ones, in order, dropping undefined. */
  const fields = Object.keys(object).filter((key) => !RESERVED.has(key)).map((key) => [key, compile(object[key])] as const);
  const single = (x: Expansion): Record<string, unknown> => {
    const result: Record<string, unknown> = {};
    for (const [key, field] of fields) {
      const value = field(x);
      if (value !== undefined) result[key] = value;
    }
    return result;
  };
  const dropped = (x: Expansion): boolean => {
    if (when instanceof AEL.Expression) {
      const evaluation = x.evaluate(when, false);
      return !(!evaluation.error && typeof evaluation.value === 'boolean' && evaluation.value);
    }
    return Boolean(when);
  };
  if (dataContext === undefined) {
    return (x) => (dropped(x) ? null : single(x));
  }
  return (x) => {
    const savedData = x.data;
    const savedIndex = x.index;
    let contextValue: unknown = dataContext;
    if (contextValue instanceof AEL.Expression) {
      const evaluation = x.evaluate(contextValue, true);
      if (evaluation.error) throw new Error(evaluation.error as string);
      contextValue = evaluation.value;
    }
    const isArray = Array.isArray(contextValue);
    const contexts: unknown[] = isArray ? (contextValue as unknown[]) : [contextValue];
    const out: unknown[] = [];
    for (let i = 0; i < contexts.length; i++) {
      if (isArray) x.index = i;
      if (contexts[i] !== undefined) x.data = contexts[i];
      if (!dropped(x)) out.push(single(x));
    }
    x.data = savedData;
    x.index = savedIndex;
    return out.length === 0 ? null : out.length === 1 ? out[0] : out;
  };
};

/** The state of one expansion: the library's EvaluationContext. */
class Expansion {
  data: unknown;
  index: unknown = undefined;

  constructor(private readonly root: unknown) {
    this.data = root;
  }

  /** Template.internalTryEvaluateExpression. */
  evaluate(expression: AEL.Expression, allowSubstitutions: boolean): { value: unknown; error: unknown } {
    const memory = new TemplateMemory(this.root, this.data, this.index, undefined, TEMPLATE_VERSION);
    let options: AEL.Options | undefined;
    if (allowSubstitutions) {
      options = new AEL.Options();
      options.nullSubstitution = (path: string) => `\${${path}}`;
    }
    if (expression.type === AEL.ExpressionType.Concat && allowSubstitutions) {
      let result = '';
      for (const child of expression.children) {
        let evaluation: { value: unknown; error?: unknown };
        try {
          evaluation = child.tryEvaluate(memory, options);
        } catch (ex) {
          evaluation = { value: undefined, error: ex };
        }
        if (evaluation.error) evaluation.value = `\${${child.toString()}}`;
        result += (evaluation.value as { toString(): string }).toString();
      }
      return { value: result, error: undefined };
    }
    return expression.tryEvaluate(memory, options);
  }
}
