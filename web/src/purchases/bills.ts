import { day, price } from '../../../cards/format';
import { h } from '../lib/dom';
import { cardFields } from '../checkout/card-fields';
import type { ActionResponse, BillView } from '../../contracts/purchases';
import type { PageContext } from './context';
import { labelled } from './ui';

export const billRowId = (b: { id: string }): string => `bill-${b.id}`;

/** Pay one bill: a card on file (by the subscription that holds it) or a new card, tokenized first. */
const payForm = (ctx: PageContext, bill: BillView): HTMLFormElement => {
  const prefix = `bill-${bill.id}-pay`;
  const NEW = 'new';
  // The bill's own card was declined: the first card on file that wasn't is offered first, else a new one.
  const first = ctx.savedCards.find((c) => !c.declined)?.subscriptionId ?? NEW;
  const choice = h(
    'select',
    {},
    ...ctx.savedCards.map((c) => h('option', { value: c.subscriptionId, selected: c.subscriptionId === first }, c.label)),
    h('option', { value: NEW, selected: first === NEW }, 'A new card'),
  );
  const fields = cardFields({ idPrefix: `${prefix}-card`, legend: 'New card' });
  const showFields = () => {
    fields.element.hidden = choice.value !== NEW;
  };
  choice.addEventListener('change', showFields);
  const button = h('button', { type: 'submit', class: 'primary' }, `Pay ${price(bill.amount)}`);
  const form = h(
    'form',
    { novalidate: true, class: 'pay-form', 'aria-label': `Pay ${bill.description}` },
    labelled(`${prefix}-with`, 'Pay with', choice),
    fields.element,
    h('div', { class: 'row' }, button),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const useNew = choice.value === NEW;
    if (useNew && !fields.validate()) {
      ctx.tell('Check the card details: some need fixing.', 'error');
      return;
    }
    void ctx.act(
      button,
      async () => {
        const body = useNew ? { token: (await fields.tokenize()).token } : { savedSubscriptionId: choice.value };
        return ctx.session.api<ActionResponse>(`/my/bills/${encodeURIComponent(bill.id)}/pay`, { body });
      },
      { focusId: `${billRowId(bill)}-title`, onRefused: () => fields.forgetToken() },
    );
  });
  showFields();
  return form;
};

export const billsSection = (ctx: PageContext, bills: BillView[]): HTMLElement => {
  if (!bills.length) return h('p', { class: 'muted' }, 'You have no bills.');
  return h(
    'table',
    { class: 'bills' },
    h('caption', { class: 'sr-only' }, 'Your bills, newest first'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Issued'),
        h('th', { scope: 'col' }, 'What for'),
        h('th', { scope: 'col', class: 'num' }, 'Amount'),
        h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')),
      ),
    ),
    h(
      'tbody',
      {},
      bills.flatMap((b) => {
        const unpaid = b.status === 'Unpaid';
        const row = h(
          'tr',
          { id: billRowId(b) },
          h('td', {}, day(new Date(b.issuedAt))),
          h('th', { scope: 'row', id: `${billRowId(b)}-title`, tabindex: -1, class: 'bill-title' }, b.description),
          h('td', { class: 'num' }, price(b.amount)),
          h(
            'td',
            {},
            unpaid
              ? h('span', { class: 'badge bad' }, b.declined ? 'unpaid: the card was declined' : 'unpaid')
              : h('span', { class: 'badge good' }, `paid ${b.paidAt ? day(new Date(b.paidAt)) : ''}`.trim()),
          ),
          h(
            'td',
            {},
            unpaid
              ? h(
                  'details',
                  { class: 'action-panel pay' },
                  h('summary', { 'aria-label': `Pay ${price(b.amount)} for ${b.description}` }, 'Pay'),
                  h('div', { class: 'panel-body' }, payForm(ctx, b)),
                )
              : null,
          ),
        );
        return [row];
      }),
    ),
  );
};
