import { termEndWord } from '../../../cards/format';
import { h, render } from '../lib/dom';
import {
  cell,
  date,
  facts,
  failureText,
  loaded,
  loading,
  money,
  ORIGIN_WORDS,
  pager,
  plural,
  refusalNote,
  refusedReasons,
  say,
  selectField,
  showFailure,
  statusBadge,
  statusLine,
  statusWords,
  table,
  type Section,
  type SectionContext,
} from './ui';
import { STATUSES, type AcknowledgedDto, type PageDto, type PolicyChangesDto, type PurchaseDetailDto, type PurchaseFiltersDto, type PurchaseRowDto } from '../../contracts/admin';

interface Filters {
  origin: string;
  productId: string;
  purchaserId: string;
  status: string;
}

const ORDER_WORDS: Record<string, string> = {
  Purchase: 'Bought',
  TrialStarted: 'Trial started',
  TrialConverted: 'Trial converted to paid',
  TrialEnded: 'Trial ended',
  LicensesAdded: 'Licenses added',
  LicensesRemoved: 'Licenses removed',
  Renewed: 'Renewed',
  RenewalFailed: 'Renewal payment failed',
  Expired: 'Expired',
  RecurringOn: 'Recurring billing on',
  RecurringOff: 'Recurring billing off',
  PaymentMethodUpdated: 'Card updated',
  Cancelled: 'Cancelled',
  UsersMoved: 'Users moved',
  TakenOver: 'Taken over by an admin',
};

const per = (frequency: 'Monthly' | 'Annual') => (frequency === 'Annual' ? 'year' : 'month');

/**
 * R5: every purchase of the organization, filtered by how it was bought, product, purchaser and
 * status, 25 a page; a row opens its detail (product, purchaser, quantity, expiry, order history,
 * price, assigned users) with the admin actions the server says this caller may take on it now, and
 * the server's reason for each one they can't.
 */
export const purchasesSection = ({ session }: SectionContext): Section => {
  const filters: Filters = { origin: '', productId: '', purchaserId: '', status: '' };
  let page = 1;
  let panel: HTMLElement;
  const status = statusLine();
  const list = h('div', { class: 'purchase-list' });
  let filtersForm: HTMLElement | null = null;
  let detailOpen = false;
  /** Filters change faster than answers arrive: only the newest request may draw. */
  let latest = 0;

  const query = () => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
    if (page > 1) q.set('page', String(page));
    const s = q.toString();
    return `/admin/purchases${s ? `?${s}` : ''}`;
  };

  const loadList = async (focusFirstRow = false) => {
    const mine = ++latest;
    list.setAttribute('aria-busy', 'true');
    try {
      const result = await session.api<PageDto<PurchaseRowDto>>(query());
      if (mine !== latest) return;
      render(list, listView(result));
      say(
        status,
        result.total === 0
          ? 'No purchases match these filters.'
          : `${plural(result.total, 'purchase')} found. Page ${result.page} of ${Math.max(1, Math.ceil(result.total / result.pageSize))}.`,
      );
      // After paging, the keyboard continues at the top of the new page rather than on a redrawn button.
      if (focusFirstRow) list.querySelector<HTMLElement>('button.link')?.focus();
    } catch (e) {
      if (mine === latest) render(list, h('div', { class: 'notice notice-error', role: 'alert' }, failureText(e)));
    } finally {
      if (mine === latest) list.setAttribute('aria-busy', 'false');
    }
  };

  const setFilter = (k: keyof Filters) => (value: string) => {
    filters[k] = value;
    page = 1;
    void loadList();
  };

  const filterForm = (c: PurchaseFiltersDto): HTMLElement => {
    const all = { value: '', text: 'All' };
    return h(
      'form',
      { class: 'filters row', 'aria-label': 'Filter purchases', onsubmit: (e: Event) => e.preventDefault() },
      selectField('Bought', [all, { value: 'SelfService', text: 'Self-service' }, { value: 'Central', text: 'Centrally' }], filters.origin, setFilter('origin'), {
        id: 'filter-origin',
      }).field,
      selectField('Product', [all, ...c.products.map((p) => ({ value: p.id, text: p.name }))], filters.productId, setFilter('productId'), { id: 'filter-product' }).field,
      selectField('Purchaser', [all, ...c.purchasers.map((p) => ({ value: p.id, text: p.name }))], filters.purchaserId, setFilter('purchaserId'), { id: 'filter-purchaser' }).field,
      selectField('Status', [all, ...STATUSES.map((s) => ({ value: s, text: statusWords(s).replace(/^./, (x) => x.toUpperCase()) }))], filters.status, setFilter('status'), {
        id: 'filter-status',
      }).field,
    );
  };

  const listView = (result: PageDto<PurchaseRowDto>): Array<HTMLElement | null> => {
    if (result.items.length === 0) return [h('p', { class: 'muted' }, 'No purchases match these filters.')];
    const rows = result.items.map((r) =>
      h(
        'tr',
        {},
        cell(
          h(
            'button',
            { type: 'button', class: 'link', 'aria-label': `${r.productName}, bought by ${r.purchaserName}: show details`, onclick: () => void openDetail(r.id) },
            r.productName,
          ),
          { header: true },
        ),
        cell(r.purchaserName),
        cell(ORIGIN_WORDS[r.origin]),
        cell(statusBadge(r.status)),
        cell(`${r.assigned} of ${r.quantity}`, { num: true }),
        cell(r.isTrial ? 'Free trial' : `${money(r.unitPrice)} / ${per(r.billingFrequency)}`, { num: true }),
        cell(date(r.expiresAt)),
      ),
    );
    return [
      table('Purchases', ['Product', 'Purchaser', 'Bought', 'Status', { text: 'Licenses assigned', num: true }, { text: 'Price per license', num: true }, 'Expires'], rows, {
        captionHidden: true,
      }),
      pager('Purchases pages', result, (p) => {
        page = p;
        void loadList(true);
      }),
    ];
  };

  const backToList = () => {
    detailOpen = false;
    render(panel, filtersForm, status, list);
    list.querySelector<HTMLElement>('button.link')?.focus();
  };

  /** `done`: the outcome of an action just taken on this purchase, said once the detail is drawn again. */
  const openDetail = async (id: string, done?: string) => {
    detailOpen = true;
    loading(panel, 'the purchase');
    try {
      const d = await session.api<PurchaseDetailDto>(`/admin/purchases/${encodeURIComponent(id)}`);
      render(panel, detailView(d, done));
      panel.querySelector<HTMLElement>('h2')?.focus();
    } catch (e) {
      render(panel, h('button', { type: 'button', onclick: backToList }, '← All purchases'), h('div', { class: 'notice notice-error', role: 'alert' }, failureText(e)));
    } finally {
      loaded(panel);
    }
  };

  /**
   * Take over, move users and centralize are done from the purchase's card in Teams (they ask for a
   * reason, a target and a confirmation there): when possible the page says what to tell the bot.
   * Turning the product off is one click here. Refused ones are the server's reasons, each said once.
   */
  const adminActions = (d: PurchaseDetailDto, detailStatus: HTMLElement): HTMLElement | null => {
    const p = d.purchase;
    const from = `${p.productName} from ${p.purchaserName}`;
    const inChat: Array<[boolean, string]> = [
      [d.can.takeOverCancel, `Take over and cancel it: say “take over ${from}” to the bot.`],
      [d.can.moveUsers, `Take over and move its users to a central subscription: say “take over ${from}” to the bot.`],
      [d.can.centralize, `Centralize its licenses: say “centralize ${from}” to the bot.`],
    ];
    const disable = d.can.disableProduct
      ? h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: async (e: Event) => {
              const b = e.currentTarget as HTMLButtonElement;
              b.disabled = true;
              try {
                const r = await session.api<PolicyChangesDto>(`/admin/policies/${encodeURIComponent(p.productId)}`, { method: 'POST', body: { value: 'Disabled' } });
                // Re-read: what an admin may do about this purchase follows from the new policy.
                await openDetail(p.id, `Self-service purchase of ${r.changes[0]?.productName ?? p.productName} is now turned off for new purchases and trials.`);
              } catch (err) {
                b.disabled = false;
                say(detailStatus, failureText(err), 'error');
              }
            },
          },
          `Turn off self-service purchase of ${p.productName}`,
        )
      : null;
    // An acknowledgement already shows as its badge; its refusal would only repeat it.
    const refused = refusedReasons(
      d,
      d.acknowledged ? ['takeOverCancel', 'moveUsers', 'centralize', 'disableProduct'] : ['takeOverCancel', 'moveUsers', 'centralize', 'acknowledge', 'disableProduct'],
    );
    const possible = inChat.filter(([ok]) => ok).map(([, text]) => h('li', {}, text));
    if (!disable && possible.length === 0 && refused.length === 0) return null;
    return h(
      'section',
      { class: 'admin-actions', 'aria-labelledby': 'purchase-actions-title' },
      h('h3', { id: 'purchase-actions-title' }, 'Admin actions'),
      possible.length ? h('ul', {}, possible) : null,
      disable ? h('div', { class: 'row' }, disable, h('span', { class: 'muted' }, 'New purchases and trials only; existing subscriptions keep running.')) : null,
      refusalNote(refused),
    );
  };

  const detailView = (d: PurchaseDetailDto, done?: string): HTMLElement => {
    const p = d.purchase;
    const detailStatus = statusLine();
    if (done) say(detailStatus, done, 'success');
    const ackArea = h('div', { class: 'row' });
    const showAck = (a: AcknowledgedDto | null) => {
      if (a) render(ackArea, h('span', { class: 'badge good' }, `Acknowledged by ${a.byName} on ${date(a.at)}`));
      else if (d.can.acknowledge) {
        const button = h(
          'button',
          {
            type: 'button',
            class: 'primary',
            onclick: async () => {
              button.disabled = true;
              try {
                const ack = await session.api<AcknowledgedDto>(`/admin/purchases/${encodeURIComponent(p.id)}/acknowledge`, { method: 'POST', body: {} });
                showAck(ack);
                say(detailStatus, 'Purchase acknowledged.', 'success');
              } catch (e) {
                button.disabled = false;
                say(detailStatus, failureText(e), 'error');
              }
            },
          },
          'Acknowledge',
        );
        render(ackArea, button, h('span', { class: 'muted' }, 'Mark this purchase as seen and fine as it is.'));
      } else render(ackArea);
    };
    showAck(d.acknowledged);
    const actions = adminActions(d, detailStatus);
    const total = { amountMinor: p.unitPrice.amountMinor * p.quantity, currency: p.unitPrice.currency };
    const termEnds = termEndWord(p);
    const purchaser = d.purchaser
      ? `${d.purchaser.displayName}${d.purchaser.email ? ` (${d.purchaser.email})` : ''}${d.purchaser.active ? '' : ' — has left the organization'}`
      : 'Former employee';
    return h(
      'article',
      { class: 'purchase-detail', 'aria-labelledby': 'purchase-title' },
      h('button', { type: 'button', onclick: backToList }, '← All purchases'),
      h('h2', { id: 'purchase-title', tabindex: '-1' }, p.productName),
      facts([
        ['Purchaser', purchaser],
        ['Bought', p.origin === 'SelfService' ? 'Self-service, on the purchaser’s card' : 'Centrally, through the organization’s agreement'],
        ['Status', statusBadge(p.status)],
        ['Licenses', `${p.quantity} (${p.assigned} assigned, ${p.quantity - p.assigned} available)`],
        ['Purchase price', p.isTrial ? 'Free trial' : `${money(p.unitPrice)} per license per ${per(p.billingFrequency)} · ${money(total)} per ${per(p.billingFrequency)} in all`],
        ['Recurring billing', p.recurring ? 'On' : 'Off'],
        ['Started', date(p.startedAt)],
        [termEnds === 'Ended' ? 'Expiry date' : termEnds, date(p.expiresAt)],
        ['Cancelled', p.cancelledAt ? `${date(p.cancelledAt)}${p.cancelReason ? ` — ${p.cancelReason}` : ''}` : null],
      ]),
      ackArea,
      actions,
      detailStatus,
      h('h3', {}, 'Assigned users'),
      d.assignedUsers.length
        ? table(
            'Assigned users',
            ['Name', 'Email', 'Assigned'],
            d.assignedUsers.map((u) => h('tr', {}, cell(u.displayName, { header: true }), cell(u.email ?? ''), cell(date(u.assignedAt)))),
            { captionHidden: true },
          )
        : h('p', { class: 'muted' }, 'Nobody holds a license of this subscription.'),
      h('h3', {}, 'Order history'),
      table(
        'Order history',
        ['Date', 'What happened', { text: 'Licenses', num: true }, { text: 'Amount', num: true }, 'By', 'Note'],
        d.orders.map((o) =>
          h(
            'tr',
            {},
            cell(date(o.at)),
            cell(ORDER_WORDS[o.kind] ?? o.kind),
            cell(o.quantityDelta ? (o.quantityDelta > 0 ? `+${o.quantityDelta}` : String(o.quantityDelta)) : '', { num: true }),
            cell(o.amount ? money(o.amount) : '', { num: true }),
            cell(o.actorName),
            cell(o.note ?? ''),
          ),
        ),
        { captionHidden: true },
      ),
      h('h3', {}, 'Invoices'),
      d.invoices.length
        ? table(
            'Invoices',
            ['Issued', 'Description', { text: 'Amount', num: true }, 'Status'],
            d.invoices.map((i) =>
              h(
                'tr',
                {},
                cell(date(i.issuedAt)),
                cell(i.description),
                cell(money(i.amount), { num: true }),
                cell(h('span', { class: `badge ${i.status === 'Paid' ? 'good' : 'bad'}` }, i.status === 'Paid' ? `Paid ${i.paidAt ? date(i.paidAt) : ''}`.trim() : 'Unpaid')),
              ),
            ),
            { captionHidden: true },
          )
        : h('p', { class: 'muted' }, p.origin === 'Central' ? 'Billed through the organization’s agreement.' : 'No invoices (a trial is free).'),
    );
  };

  return {
    id: 'purchases',
    label: 'Purchases',
    async show(p) {
      panel = p;
      if (filtersForm) {
        // Coming back keeps the filters, the page and an open detail; the list itself is re-read,
        // as purchases may have been made or approved meanwhile.
        if (!detailOpen) await loadList();
        return;
      }
      loading(panel, 'purchases');
      try {
        filtersForm = filterForm(await session.api<PurchaseFiltersDto>('/admin/purchase-filters'));
        render(panel, filtersForm, status, list);
        await loadList();
      } catch (e) {
        showFailure(panel, e);
      } finally {
        loaded(panel);
      }
    },
  };
};
