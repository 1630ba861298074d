import { day, price, STATUS_WORDS } from '../../../cards/format';
import { ApiError, type Session } from '../lib/session';
import type { Me } from '../../contracts/me';
import { announce, h, render } from '../lib/dom';
import type { ActionsDto, MoneyDto, OriginDto, PolicyValueDto, RoleDto } from '../../contracts/admin';

/** What every section gets: the signed-in session, who is looking, and the page-wide status line. */
export interface SectionContext {
  session: Session;
  me: Me;
}

/** One tab of the Admin page. `show` runs each time the tab is selected (sections decide what to re-read). */
export interface Section {
  id: string;
  label: string;
  show(panel: HTMLElement): Promise<void>;
}

export const money = (m: MoneyDto): string => price(m);
export const date = (iso: string): string => day(new Date(iso));
export const dateTime = (iso: string): string => `${day(new Date(iso))} ${new Date(iso).toISOString().slice(11, 16)} UTC`;
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export const ORIGIN_WORDS: Record<OriginDto, string> = { SelfService: 'Self-service', Central: 'Central' };
export const POLICY_WORDS: Record<PolicyValueDto, string> = { Enabled: 'Enabled', Disabled: 'Disabled', OnlyTrialsWithoutPaymentMethod: 'Trials only (no card)' };
export const ROLE_WORDS: Record<RoleDto, string> = {
  GlobalAdmin: 'Global admin',
  BillingAdmin: 'Billing admin',
  GlobalReader: 'Global reader',
  DelegatedAdmin: 'Partner (delegated admin)',
};
export const statusWords = (status: string): string => STATUS_WORDS[status] ?? status;

/** Status as a badge whose colour follows what it means; the words carry the meaning, not the colour. */
export const statusBadge = (status: string): HTMLElement => {
  const tone =
    status === 'Active'
      ? 'good'
      : status === 'Trial' || status === 'PendingApproval'
        ? 'warn'
        : status === 'Deleted' || status === 'Cancelled' || status === 'Expired'
          ? 'bad'
          : '';
  return h('span', { class: `badge ${tone}` }, statusWords(status));
};

let uid = 0;
/** Ids for label/control pairs, unique on the page. */
export const nextId = (prefix: string): string => `${prefix}-${++uid}`;

/** A labelled select: the label is a real <label for>, so every control has an accessible name. */
export const selectField = (
  label: string,
  options: ReadonlyArray<{ value: string; text: string }>,
  value: string,
  onChange: (value: string) => void,
  opts: { id?: string; hideLabel?: boolean } = {},
): { field: HTMLElement; select: HTMLSelectElement } => {
  const id = opts.id ?? nextId('select');
  const select = h(
    'select',
    { id, onchange: () => onChange(select.value) },
    options.map((o) => h('option', { value: o.value }, o.text)),
  );
  select.value = value;
  return { field: h('div', { class: 'field' }, h('label', { for: id, class: opts.hideLabel ? 'sr-only' : null }, label), select), select };
};

/** A polite status line for a section: results and outcomes are announced without moving focus. */
export const statusLine = (): HTMLElement => h('p', { class: 'status-line', role: 'status', 'aria-live': 'polite' });

/** Outcomes (saved, refused) stand out as notices; plain information (counts) stays quiet text. */
export const say = (region: HTMLElement, message: string, kind: 'info' | 'error' | 'success' = 'info'): void => {
  if (kind === 'info') {
    region.className = 'status-line muted';
    region.textContent = message;
  } else announce(region, message, kind);
};

/** The words to show for a failed request: the server's own message, or what a 403 means here. */
export const failureText = (e: unknown): string => {
  if (e instanceof ApiError) {
    if (e.code === 'AUTH.NOT_ADMIN') return 'Only Global admins, Billing admins and Global readers can use the Admin tab.';
    return e.message;
  }
  return 'Something went wrong. Try again, or reload the page.';
};

/** A section that could not load says why in place of its content, as an alert. */
export const showFailure = (panel: HTMLElement, e: unknown): void => {
  render(panel, h('div', { class: 'notice notice-error', role: 'alert' }, failureText(e)));
};

export const loading = (panel: HTMLElement, what: string): void => {
  panel.setAttribute('aria-busy', 'true');
  render(panel, h('p', { class: 'muted' }, `Loading ${what}…`));
};

export const loaded = (panel: HTMLElement): void => panel.setAttribute('aria-busy', 'false');

/** A table with a caption (its accessible name) and column headers with scope. */
export const table = (
  caption: string,
  headers: ReadonlyArray<string | { text: string; num?: boolean; srOnly?: boolean }>,
  rows: HTMLTableRowElement[],
  opts: { captionHidden?: boolean; className?: string } = {},
): HTMLTableElement =>
  h(
    'table',
    { class: opts.className ?? null },
    h('caption', { class: opts.captionHidden ? 'sr-only' : null }, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((c) => {
          const col = typeof c === 'string' ? { text: c } : c;
          return h('th', { scope: 'col', class: col.num ? 'num' : null }, col.srOnly ? h('span', { class: 'sr-only' }, col.text) : col.text);
        }),
      ),
    ),
    h('tbody', {}, rows),
  );

export const cell = (content: Node | string | number | null, opts: { num?: boolean; header?: boolean } = {}): HTMLTableCellElement =>
  opts.header ? h('th', { scope: 'row', class: opts.num ? 'num' : null }, content) : h('td', { class: opts.num ? 'num' : null }, content);

/** "Page 2 of 5" with Previous/Next buttons, as a labelled navigation region. */
export const pager = (label: string, p: { page: number; pageSize: number; total: number }, go: (page: number) => void): HTMLElement | null => {
  const pages = Math.max(1, Math.ceil(p.total / p.pageSize));
  if (pages <= 1) return null;
  return h(
    'nav',
    { class: 'pager row', 'aria-label': label },
    h('button', { type: 'button', disabled: p.page <= 1, onclick: () => go(p.page - 1) }, 'Previous', h('span', { class: 'sr-only' }, ' page')),
    h('span', { 'aria-current': 'page' }, `Page ${p.page} of ${pages}`),
    h('button', { type: 'button', disabled: p.page >= pages, onclick: () => go(p.page + 1) }, 'Next', h('span', { class: 'sr-only' }, ' page')),
  );
};

/** A definition list of facts (label: value). */
export const facts = (rows: ReadonlyArray<[string, Node | string | null]>): HTMLElement =>
  h(
    'dl',
    { class: 'facts' },
    rows.filter(([, v]) => v !== null && v !== '').flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
  );

/**
 * Why the domain refused these actions, each sentence once (a Global reader's five refusals are one
 * sentence). Only the server's words: the page never works out a reason of its own.
 */
export const refusedReasons = <K extends string>(dto: ActionsDto<K>, keys: readonly K[]): string[] => [
  ...new Set(keys.flatMap((k) => (dto.can[k] ? [] : [dto.reasons[k]?.message ?? 'Not possible right now.']))),
];

/** The reasons as quiet text where the controls would be. */
export const refusalNote = (reasons: readonly string[], attrs: { id?: string } = {}): HTMLElement | null =>
  reasons.length ? h('p', { class: 'muted refusal', id: attrs.id ?? null }, reasons.join(' ')) : null;
