import { h, render } from '../lib/dom';
import type { PeopleResponse, PersonView } from '../../contracts/purchases';
import type { PageContext } from './context';
import { errorText } from './ui';

const SEARCH_DELAY_MS = 250;

/**
 * Assign licenses by picking people: a search box over the organization's directory (the server's
 * people search, scoped to the caller's tenant), results as buttons, the picked people as removable
 * chips, and one Assign button. Only ids go back to the server, which checks every one again.
 */
export const peoplePicker = (
  ctx: PageContext,
  opts: { idPrefix: string; available: number; holders: ReadonlySet<string>; onAssign: (button: HTMLButtonElement, userIds: string[]) => Promise<boolean> },
): HTMLElement => {
  const limit = Math.min(opts.available, ctx.maxPeoplePerOperation);
  const picked = new Map<string, PersonView>();
  const searchId = `${opts.idPrefix}-search`;
  const search = h('input', {
    id: searchId,
    type: 'search',
    autocomplete: 'off',
    spellcheck: 'false',
    maxlength: 120,
    'aria-describedby': `${opts.idPrefix}-hint ${opts.idPrefix}-status`,
    'aria-controls': `${opts.idPrefix}-results`,
  });
  const status = h('p', { id: `${opts.idPrefix}-status`, class: 'muted', role: 'status', 'aria-live': 'polite' });
  const results = h('ul', { id: `${opts.idPrefix}-results`, class: 'results', 'aria-label': 'Search results' });
  const chips = h('ul', { class: 'chips', 'aria-label': 'People to assign' });
  const assign = h('button', { type: 'submit', class: 'primary' }, 'Assign licenses');

  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const drawChips = () => {
    render(
      chips,
      [...picked.values()].map((p) =>
        h(
          'li',
          { class: 'chip' },
          h('span', {}, p.displayName),
          h(
            'button',
            {
              type: 'button',
              class: 'chip-remove',
              'aria-label': `Remove ${p.displayName}`,
              onclick: () => {
                picked.delete(p.id);
                drawChips();
                search.focus();
              },
            },
            '×',
          ),
        ),
      ),
    );
    assign.textContent = picked.size ? `Assign ${picked.size} ${picked.size === 1 ? 'license' : 'licenses'}` : 'Assign licenses';
  };

  const drawResults = (people: PersonView[]) => {
    render(
      results,
      people.map((p) => {
        const has = opts.holders.has(p.id);
        const chosen = picked.has(p.id);
        return h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'result',
              disabled: has || chosen,
              onclick: () => {
                if (picked.size >= limit) {
                  status.textContent = `You can pick ${limit} ${limit === 1 ? 'person' : 'people'} here: ${limit === opts.available ? 'that is how many licenses are available' : 'that is the most per assignment'}.`;
                  return;
                }
                picked.set(p.id, p);
                drawChips();
                drawResults(people);
                status.textContent = `${p.displayName} added.`;
                search.focus();
              },
            },
            h('span', {}, p.displayName),
            p.email ? h('span', { class: 'muted' }, ` · ${p.email}`) : null,
            has ? h('span', { class: 'muted' }, ' · already has a license') : chosen ? h('span', { class: 'muted' }, ' · picked') : null,
          ),
        );
      }),
    );
  };

  const find = async (q: string) => {
    const mine = ++seq;
    try {
      const { people } = await ctx.session.api<PeopleResponse>(`/people?q=${encodeURIComponent(q)}`);
      if (mine !== seq) return; // a newer search is on its way
      drawResults(people);
      status.textContent = people.length
        ? `${people.length} ${people.length === 1 ? 'person' : 'people'} found. Press Tab to reach the results.`
        : `Nobody in your organization matches "${q}".`;
    } catch (e) {
      if (mine === seq) status.textContent = errorText(e);
    }
  };

  search.addEventListener('input', () => {
    clearTimeout(timer);
    const q = search.value.trim();
    if (!q) {
      seq++;
      render(results);
      status.textContent = '';
      return;
    }
    timer = setTimeout(() => void find(q), SEARCH_DELAY_MS);
  });
  // Enter in the search box searches at once instead of submitting the form.
  search.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter') return;
    ev.preventDefault();
    clearTimeout(timer);
    if (search.value.trim()) void find(search.value.trim());
  });

  const form = h(
    'form',
    { class: 'people-picker', novalidate: true },
    h('label', { for: searchId }, 'Find people in your organization'),
    h('p', { id: `${opts.idPrefix}-hint`, class: 'muted hint' }, `Type a name or email. Up to ${limit} ${limit === 1 ? 'person' : 'people'}.`),
    search,
    status,
    results,
    chips,
    h('div', { class: 'row' }, assign),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!picked.size) {
      ctx.tell('Pick at least one person to assign a license to.', 'error');
      search.focus();
      return;
    }
    void opts.onAssign(assign, [...picked.keys()]);
  });
  drawChips();
  return form;
};
