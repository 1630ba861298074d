import { h, render } from '../lib/dom';
import { cell, date, failureText, loaded, loading, nextId, ORIGIN_WORDS, plural, say, showFailure, statusLine, table, type Section, type SectionContext } from './ui';
import { MAX_EXPORT_SUBSCRIPTIONS, type LicensesOverviewDto, type ProductLicenseGroupsDto, type ProductLicensesDto, type PurchaserGroupDto } from '../../contracts/admin';

/**
 * R7: each product once, with its total and available licenses over all its subscriptions; its
 * people grouped by purchaser on demand. Subscriptions are chosen with checkboxes and their licensed
 * users exported as one CSV (ids only go to the server, which checks each one).
 */
export const licensesSection = ({ session }: SectionContext): Section => {
  const chosen = new Set<string>();
  const status = statusLine();
  const count = h('span', { id: 'export-count', 'aria-live': 'polite' });
  const exportButton = h('button', { type: 'button', class: 'primary', 'aria-describedby': 'export-count', onclick: () => void runExport() }, 'Export licensed users (CSV)');
  let drawn = false;

  const updateCount = () => {
    count.textContent = chosen.size === 0 ? 'No subscriptions chosen' : `${plural(chosen.size, 'subscription')} chosen`;
    exportButton.disabled = chosen.size === 0 || chosen.size > MAX_EXPORT_SUBSCRIPTIONS;
  };

  const runExport = async () => {
    exportButton.disabled = true;
    say(status, 'Preparing the CSV…');
    try {
      await session.download('/admin/export', { subscriptionIds: [...chosen] }, 'licensed-users.csv');
      say(status, `Downloaded the licensed users of ${plural(chosen.size, 'subscription')}.`, 'success');
    } catch (e) {
      say(status, failureText(e), 'error');
    } finally {
      updateCount();
    }
  };

  const groupView = (productName: string, g: PurchaserGroupDto): HTMLElement => {
    const legendId = nextId('group');
    return h(
      'div',
      { class: 'license-group' },
      h('h4', { id: legendId }, `Bought by ${g.purchaserName}`),
      h(
        'fieldset',
        { class: 'subscription-choices' },
        h('legend', { class: 'sr-only' }, `Subscriptions of ${productName} bought by ${g.purchaserName} to export`),
        g.subscriptions.map((s) => {
          const id = nextId('sub');
          const box = h('input', {
            type: 'checkbox',
            id,
            value: s.id,
            'data-subscription': s.id,
            onchange: () => {
              if (box.checked) chosen.add(s.id);
              else chosen.delete(s.id);
              updateCount();
            },
          });
          box.checked = chosen.has(s.id);
          return h(
            'div',
            { class: 'check' },
            box,
            h(
              'label',
              { for: id },
              `${productName} — ${ORIGIN_WORDS[s.origin].toLowerCase()}, ${plural(s.quantity, 'license')}, ${s.assigned} assigned, expires ${date(s.expiresAt)}`,
            ),
          );
        }),
      ),
      g.users.length
        ? table(
            `People licensed through ${g.purchaserName}’s ${productName}`,
            ['Name', 'Email'],
            g.users.map((u) => h('tr', {}, cell(u.displayName, { header: true }), cell(u.email ?? ''))),
            { captionHidden: true, className: 'compact' },
          )
        : h('p', { class: 'muted' }, 'No licenses assigned yet.'),
    );
  };

  const productView = (p: ProductLicensesDto): HTMLElement => {
    const regionId = `licenses-${p.productId}`;
    const region = h('div', { id: regionId, class: 'license-groups' });
    region.hidden = true;
    let loadedPages = 0;
    let total = 0;
    const more = h('button', { type: 'button', onclick: () => void loadPage() }, 'More purchasers');
    more.hidden = true;

    const loadPage = async () => {
      region.setAttribute('aria-busy', 'true');
      try {
        const v = await session.api<ProductLicenseGroupsDto>(`/admin/licenses/${encodeURIComponent(p.productId)}?page=${loadedPages + 1}`);
        loadedPages = v.page;
        total = v.totalGroups;
        more.before(...v.groups.map((g) => groupView(p.productName, g)));
        more.hidden = loadedPages * v.pageSize >= total;
      } catch (e) {
        more.before(h('div', { class: 'notice notice-error', role: 'alert' }, failureText(e)));
      } finally {
        region.setAttribute('aria-busy', 'false');
      }
    };
    region.append(more);

    const toggle = h(
      'button',
      {
        type: 'button',
        'aria-expanded': 'false',
        'aria-controls': regionId,
        onclick: async () => {
          const open = toggle.getAttribute('aria-expanded') !== 'true';
          toggle.setAttribute('aria-expanded', String(open));
          region.hidden = !open;
          if (open && loadedPages === 0) await loadPage();
        },
      },
      'People by purchaser',
      h('span', { class: 'sr-only' }, ` for ${p.productName}`),
    );

    return h(
      'article',
      { class: 'card product-licenses', 'aria-labelledby': `${regionId}-name` },
      h('div', { class: 'row' }, h('h3', { id: `${regionId}-name` }, p.productName), h('span', { class: 'spacer' }), toggle),
      h(
        'dl',
        { class: 'license-totals' },
        h('div', {}, h('dt', {}, 'Total'), h('dd', {}, String(p.totalQuantity))),
        h('div', {}, h('dt', {}, 'Assigned'), h('dd', {}, String(p.assigned))),
        h('div', {}, h('dt', {}, 'Available'), h('dd', {}, String(p.available))),
        h('div', {}, h('dt', {}, 'Subscriptions'), h('dd', {}, String(p.subscriptions))),
      ),
      region,
    );
  };

  return {
    id: 'licenses',
    label: 'Licenses',
    async show(panel) {
      if (drawn) return; // keeps what was chosen while the admin looks at other tabs
      loading(panel, 'licenses');
      try {
        const overview = await session.api<LicensesOverviewDto>('/admin/licenses');
        updateCount();
        render(
          panel,
          h(
            'p',
            { class: 'muted' },
            'Each product once, with its licenses over all its live subscriptions. Open a product to see who holds its licenses, grouped by who bought them, and choose subscriptions to export.',
          ),
          h('div', { class: 'export-bar row' }, exportButton, count),
          status,
          overview.products.length ? overview.products.map(productView) : h('p', { class: 'muted' }, 'No live subscriptions yet.'),
        );
        drawn = true;
      } catch (e) {
        showFailure(panel, e);
      } finally {
        loaded(panel);
      }
    },
  };
};
