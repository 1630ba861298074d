import { h, render } from '../lib/dom';
import { cell, date, failureText, loaded, money, nextId, plural, say, selectField, statusLine, table, type Section, type SectionContext } from './ui';
import type { SpendAmountsDto, SpendDto, SpendLineDto } from '../../contracts/admin';

const SVG = 'http://www.w3.org/2000/svg';
const ROW = 30;
const BAR = 18;
/** Horizontal layout in percent of the chart's width, so it fits any tab width without scaling text. */
const LABEL_END = 30;
const BAR_START = 31;
const BAR_SPAN = 52;

const svg = <K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: Array<Node | string>): SVGElementTagNameMap[K] => {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
};

const short = (name: string, max = 28): string => (name.length > max ? `${name.slice(0, max - 1)}…` : name);

const barText = (l: SpendLineDto): string =>
  `${l.name}: ${money(l.billed)} billed${l.paid.amountMinor === l.billed.amountMinor ? ', all paid' : `, ${money(l.paid)} paid`}, ${plural(l.invoices, 'invoice')}`;

/**
 * One horizontal bar per line, longest first, drawn as SVG from DOM calls (no chart library, no
 * inline script). The paid part is solid and the unpaid rest lighter; each bar is an image with its
 * own spoken label, and the same figures follow as a table for anyone who prefers numbers.
 */
const barChart = (title: string, lines: SpendLineDto[]): HTMLElement => {
  const captionId = nextId('chart');
  const max = Math.max(...lines.map((l) => l.billed.amountMinor), 1);
  const chart = svg('svg', { role: 'group', 'aria-labelledby': captionId, width: '100%', height: lines.length * ROW + 4, class: 'bar-chart' });
  lines.forEach((l, i) => {
    const y = i * ROW + 2;
    const billed = (l.billed.amountMinor / max) * BAR_SPAN;
    const paid = (l.paid.amountMinor / max) * BAR_SPAN;
    chart.append(
      svg(
        'g',
        { role: 'img', 'aria-label': barText(l), class: 'bar' },
        svg('title', {}, barText(l)),
        svg('text', { x: `${LABEL_END}%`, y: y + BAR / 2 + 1, 'text-anchor': 'end', 'dominant-baseline': 'middle', class: 'bar-label' }, short(l.name)),
        svg('rect', { x: `${BAR_START}%`, y, width: `${Math.max(billed, 0.3)}%`, height: BAR, rx: 2, class: 'bar-billed' }),
        svg('rect', { x: `${BAR_START}%`, y, width: `${paid}%`, height: BAR, rx: 2, class: 'bar-paid' }),
        svg('text', { x: `${BAR_START + billed + 1}%`, y: y + BAR / 2 + 1, 'dominant-baseline': 'middle', class: 'bar-value' }, money(l.billed)),
      ),
    );
  });
  return h(
    'figure',
    { class: 'chart card' },
    h('figcaption', { id: captionId }, title),
    chart,
    table(
      `${title}: figures`,
      ['Name', { text: 'Billed', num: true }, { text: 'Paid', num: true }, { text: 'Invoices', num: true }],
      lines.map((l) =>
        h(
          'tr',
          { 'data-spend-id': l.id },
          cell(l.name, { header: true }),
          cell(money(l.billed), { num: true }),
          cell(money(l.paid), { num: true }),
          cell(l.invoices, { num: true }),
        ),
      ),
      { captionHidden: true, className: 'compact spend-table' },
    ),
  );
};

const totalsView = (totals: SpendAmountsDto[]): HTMLElement =>
  h(
    'dl',
    { class: 'spend-totals' },
    totals.flatMap((t) => [
      h(
        'div',
        { class: 'card', 'data-currency': t.billed.currency },
        h('dt', {}, `Billed (${t.billed.currency})`),
        h('dd', { class: 'big' }, money(t.billed)),
        h('dt', {}, 'Paid'),
        h('dd', {}, money(t.paid)),
        h('dt', {}, 'Invoices'),
        h('dd', {}, String(t.invoices)),
      ),
    ]),
  );

const PERIODS = [3, 6, 12, 24, 36];

/**
 * Spend at a glance (DESIGN §3): what self-service purchasers were billed, per product and per
 * purchaser, one chart per currency. Central purchases are billed through the organization's
 * agreement and are not part of these figures.
 */
export const spendSection = ({ session }: SectionContext): Section => {
  let months = 12;
  let panel: HTMLElement;
  const body = h('div', { class: 'spend-body' });
  const status = statusLine();

  let latest = 0;
  const draw = async () => {
    const mine = ++latest;
    body.setAttribute('aria-busy', 'true');
    try {
      const s = await session.api<SpendDto>(`/admin/spend?months=${months}`);
      if (mine !== latest) return; // a newer period was chosen meanwhile
      const currencies = s.totals.map((t) => t.billed.currency);
      const byCurrency = (lines: SpendLineDto[], c: string) => lines.filter((l) => l.billed.currency === c);
      say(status, s.totals.length ? `Last ${s.months} months: ${s.totals.map((t) => `${money(t.billed)} billed`).join(', ')}.` : `Last ${s.months} months: nothing billed.`);
      render(
        body,
        h('p', { class: 'muted' }, `Invoices issued from ${date(s.from)} to ${date(s.to)}, paid or not. Central purchases are billed through your agreement and aren’t included.`),
        s.totals.length === 0
          ? h('p', { class: 'muted' }, 'Nothing was billed in this period.')
          : [
              totalsView(s.totals),
              h(
                'div',
                { class: 'chart-legend row', 'aria-hidden': 'true' },
                h('span', { class: 'swatch paid' }),
                'Paid',
                h('span', { class: 'swatch billed' }),
                'Billed, not paid',
              ),
              h('h2', {}, 'Per product'),
              ...currencies.map((c) => barChart(`Spend per product (${c})`, byCurrency(s.byProduct, c))),
              h('h2', {}, 'Per purchaser'),
              ...currencies.map((c) => barChart(`Spend per purchaser (${c})`, byCurrency(s.byPurchaser, c))),
            ],
      );
    } catch (e) {
      if (mine === latest) render(body, h('div', { class: 'notice notice-error', role: 'alert' }, failureText(e)));
    } finally {
      if (mine === latest) body.setAttribute('aria-busy', 'false');
    }
  };

  return {
    id: 'spend',
    label: 'Spend',
    async show(p) {
      const first = !panel;
      panel = p;
      if (first) {
        const period = selectField(
          'Period',
          PERIODS.map((m) => ({ value: String(m), text: `Last ${m} months` })),
          String(months),
          (v) => {
            months = Number(v);
            void draw();
          },
          { id: 'spend-period' },
        );
        render(panel, period.field, status, body);
        render(body, h('p', { class: 'muted' }, 'Loading spend…'));
      }
      // Re-read on every visit: a purchase made meanwhile shows up.
      await draw();
      loaded(panel);
    },
  };
};
