import { dialog } from '@microsoft/teams-js';
import { alreadyHaveNote, price } from '../../../cards/format';
import { h, render } from '../lib/dom';
import type { Me } from '../../contracts/me';
import { ApiError, type Session } from '../lib/session';
import type { BillsResponse, CatalogItemView, CatalogResponse, MySubscriptionsResponse } from '../../contracts/purchases';
import { billsSection } from './bills';
import type { PageContext } from './context';
import { subscriptionPanel } from './subscription-panel';
import { errorText, isDefinite, say, withBusy } from './ui';

/**
 * The purchaser's limited admin-center view (R4): their subscriptions with licenses and the people
 * holding them, their bills, and the catalog to buy more. Everything shown is read from the server;
 * after every action the page reads it again, so it never shows a button for something that is no
 * longer possible for long.
 */

const checkoutUrl = (productId: string, mode: 'buy' | 'trial'): string => `/web/checkout?${new URLSearchParams({ productId, mode }).toString()}`;

export const drawPurchases = async (session: Session, me: Me, root: HTMLElement): Promise<void> => {
  const notice = h('div', { id: 'notice', class: 'notice', role: 'status', 'aria-live': 'polite' });
  const subscriptions = h('div', { id: 'subscriptions' });
  const bills = h('div', { id: 'bills' });
  const catalog = h('section', { id: 'catalog', 'aria-labelledby': 'catalog-title', hidden: true });
  const toggleCatalog = h('button', { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'catalog' }, 'Buy something');

  let loadedCatalog = false;
  const showCatalog = async (show: boolean) => {
    catalog.hidden = !show;
    toggleCatalog.setAttribute('aria-expanded', String(show));
    toggleCatalog.textContent = show ? 'Hide the catalog' : 'Buy something';
    if (show && !loadedCatalog) {
      loadedCatalog = true;
      render(catalog, h('h2', { id: 'catalog-title' }, 'Buy or try'), h('p', { class: 'muted' }, 'Loading the catalog…'));
      try {
        const { items } = await session.api<CatalogResponse>('/catalog');
        render(
          catalog,
          h('h2', { id: 'catalog-title', tabindex: -1 }, 'Buy or try'),
          catalogList(session, items, () => void reload()),
        );
      } catch (e) {
        loadedCatalog = false;
        render(catalog, h('h2', { id: 'catalog-title' }, 'Buy or try'), h('p', { class: 'notice notice-error' }, errorText(e)));
      }
    }
  };
  toggleCatalog.addEventListener('click', () => {
    const show = catalog.hidden;
    void showCatalog(show).then(() => {
      if (show) document.getElementById('catalog-title')?.focus();
    });
  });

  const ctx: PageContext = {
    session,
    cancelReasons: [],
    maxPeoplePerOperation: 20,
    maxReasonDetails: 200,
    savedCards: [],
    tell: (message, kind = 'info') => say(notice, message, kind),
    act: async (control, work, opts = {}) => {
      let ok = false;
      await withBusy(control, async () => {
        say(notice, 'Working…');
        try {
          const { message } = await work();
          ok = true;
          await reload();
          say(notice, message, 'success');
          if (opts.focusId) document.getElementById(opts.focusId)?.focus();
        } catch (e) {
          opts.onRefused?.(e);
          // A refusal often means what is on screen is stale (cancelled elsewhere, assigned meanwhile):
          // show what is true now. A declined card keeps its form, so it can be corrected in place.
          if (isDefinite(e) && !(e instanceof ApiError && e.status === 402)) {
            await reload().catch(() => undefined);
            if (opts.focusId) document.getElementById(opts.focusId)?.focus();
          }
          say(notice, errorText(e), 'error');
        }
      });
      return ok;
    },
  };

  const reload = async (): Promise<void> => {
    const [mine, myBills] = await Promise.all([session.api<MySubscriptionsResponse>('/my/subscriptions'), session.api<BillsResponse>('/my/bills')]);
    ctx.cancelReasons = mine.cancelReasons;
    ctx.maxPeoplePerOperation = mine.maxPeoplePerOperation;
    ctx.maxReasonDetails = mine.maxReasonDetails;
    ctx.savedCards = myBills.savedCards;
    const live = mine.items.filter((s) => s.live);
    const ended = mine.items.filter((s) => !s.live);
    render(
      subscriptions,
      mine.items.length === 0
        ? h(
            'div',
            { class: 'card empty' },
            h('p', {}, "You haven't bought anything yet."),
            h('p', { class: 'muted' }, 'Buy licenses or start a trial; you can then assign them to anyone in your organization.'),
            h(
              'button',
              { type: 'button', class: 'primary', onclick: () => void showCatalog(true).then(() => document.getElementById('catalog-title')?.focus()) },
              'Browse the catalog',
            ),
          )
        : null,
      live.map((s) => subscriptionPanel(ctx, s)),
      ended.length
        ? h(
            'details',
            { class: 'ended-list' },
            h('summary', {}, `Ended (${ended.length})`),
            ended.map((s) => subscriptionPanel(ctx, s)),
          )
        : null,
    );
    render(bills, billsSection(ctx, myBills.items));
  };

  render(
    root,
    h(
      'header',
      { class: 'row page-header' },
      h('div', {}, h('h1', {}, 'My purchases'), h('p', { class: 'muted' }, `${me.displayName} · ${me.tenantName}`)),
      h('span', { class: 'spacer' }),
      toggleCatalog,
    ),
    notice,
    h('section', { 'aria-labelledby': 'subscriptions-title' }, h('h2', { id: 'subscriptions-title' }, 'Subscriptions'), subscriptions),
    catalog,
    h('section', { 'aria-labelledby': 'bills-title' }, h('h2', { id: 'bills-title' }, 'Bills'), bills),
  );
  await reload();
};

/** What they already have of it, in the buy card's words (above: their subscriptions, where they assign). */
const ownedLine = (item: CatalogItemView): HTMLElement | null => {
  const note = alreadyHaveNote(item.name, item.owned, item.canBuy);
  return note ? h('p', { class: 'owned' }, note) : null;
};

/** Products with Buy / Start trial: checkout opens as a Teams dialog in Teams, as a page outside it. */
const catalogList = (session: Session, items: CatalogItemView[], onDone: () => void): HTMLElement => {
  const open = (ev: Event, item: CatalogItemView, mode: 'buy' | 'trial') => {
    if (!session.inTeams) return; // the link itself opens the page; the tab's sign-in travels with it
    ev.preventDefault();
    dialog.url.open(
      { url: `${window.location.origin}${checkoutUrl(item.productId, mode)}`, title: mode === 'buy' ? `Buy ${item.name}` : `Try ${item.name}`, size: { height: 760, width: 600 } },
      () => onDone(),
    );
  };
  return h(
    'ul',
    { class: 'catalog' },
    items.map((item) =>
      h(
        'li',
        { class: 'card' },
        h('h3', {}, item.name),
        h(
          'p',
          { class: 'muted' },
          `${price(item.prices.Annual)} per license per year, or ${price(item.prices.Monthly)} per month${item.trial ? ` · ${item.trial.days}-day trial${item.trial.requiresPaymentMethod ? '' : ', no card needed'}` : ''}`,
        ),
        !item.canBuy && !item.canTrial ? h('p', {}, 'Your organization has turned off buying this product. Please contact your IT admin.') : null,
        ownedLine(item),
        h(
          'div',
          { class: 'row' },
          item.canBuy
            ? h('a', { class: 'button primary', href: checkoutUrl(item.productId, 'buy'), 'aria-label': `Buy ${item.name}`, onclick: (ev: Event) => open(ev, item, 'buy') }, 'Buy')
            : null,
          item.canTrial
            ? h(
                'a',
                { class: 'button', href: checkoutUrl(item.productId, 'trial'), 'aria-label': `Start a trial of ${item.name}`, onclick: (ev: Event) => open(ev, item, 'trial') },
                'Start trial',
              )
            : null,
        ),
      ),
    ),
  );
};
