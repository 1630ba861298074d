import { day, plural, price, termEndWord } from '../../../cards/format';
import { h } from '../lib/dom';
import { cardFields } from '../checkout/card-fields';
import type { ActionResponse, SubscriptionView } from '../../contracts/purchases';
import type { PageContext } from './context';
import { peoplePicker } from './people-picker';
import { cardLabel, isDefinite, labelled, newKey } from './ui';

export const subscriptionHeadingId = (s: { id: string }): string => `sub-${s.id}-title`;

const STATUS_BADGE: Record<string, string> = { Active: 'good', Trial: 'warn', PendingApproval: 'warn', Expired: 'bad', Cancelled: 'bad', Deleted: 'bad' };

const post = (ctx: PageContext, s: SubscriptionView, action: string, body: unknown) =>
  ctx.session.api<ActionResponse>(`/my/subscriptions/${encodeURIComponent(s.id)}/${action}`, { body });

/** A collapsible action area: a native <details>, so it opens with Enter or Space and needs no script. */
const panel = (title: string, ...content: HTMLElement[]): HTMLDetailsElement =>
  h('details', { class: 'action-panel' }, h('summary', {}, title), h('div', { class: 'panel-body' }, ...content));

const numberInput = (max: number) => h('input', { type: 'number', min: 1, max, step: 1, value: 1, inputmode: 'numeric', required: true });

/** Add or remove licenses: one request id per form, renewed once the server has answered. */
const licensesForm = (ctx: PageContext, s: SubscriptionView, action: 'add' | 'remove'): HTMLFormElement => {
  const prefix = `sub-${s.id}-${action}`;
  const max = action === 'add' ? 10_000 - s.quantity : s.quantity - Math.max(1, s.assigned);
  const input = numberInput(Math.max(1, max));
  const button = h('button', { type: 'submit', class: action === 'add' ? 'primary' : '' }, action === 'add' ? 'Add licenses' : 'Remove licenses');
  let key = newKey();
  const form = h(
    'form',
    { novalidate: true },
    labelled(
      `${prefix}-count`,
      action === 'add' ? 'Licenses to add' : 'Licenses to remove',
      input,
      action === 'add'
        ? `Charged now to the card on file for the rest of this term, prorated by day (${price(s.unitPrice)} per license per ${s.billingFrequency === 'Annual' ? 'year' : 'month'}).`
        : `You can go down to ${Math.max(1, s.assigned)} (the number assigned). No refund for the current term.`,
    ),
    h('div', { class: 'row' }, button),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const count = Number(input.value);
    if (!Number.isInteger(count) || count < 1 || count > Math.max(1, max)) {
      input.setAttribute('aria-invalid', 'true');
      ctx.tell(action === 'add' ? `Enter a whole number from 1 to ${Math.max(1, max)}.` : `You can remove from 1 to ${Math.max(1, max)} licenses.`, 'error');
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    void ctx.act(button, () => post(ctx, s, 'licenses', { action, count, idempotencyKey: key }), {
      focusId: subscriptionHeadingId(s),
      onRefused: (e) => {
        if (isDefinite(e)) key = newKey();
      },
    });
  });
  return form;
};

const paymentMethodForm = (ctx: PageContext, s: SubscriptionView): HTMLFormElement => {
  const fields = cardFields({ idPrefix: `sub-${s.id}-card`, legend: 'New card' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Save card');
  const form = h('form', { novalidate: true }, fields.element, h('div', { class: 'row' }, button));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!fields.validate()) {
      ctx.tell('Check the card details: some need fixing.', 'error');
      return;
    }
    void ctx.act(button, async () => post(ctx, s, 'payment-method', { token: (await fields.tokenize()).token }), {
      focusId: subscriptionHeadingId(s),
      onRefused: () => fields.forgetToken(),
    });
  });
  return form;
};

/** Cancel with a reason, then "Are you sure?" in a modal dialog (focus is trapped in it and returns after). */
const cancelForm = (ctx: PageContext, s: SubscriptionView): HTMLFormElement => {
  const prefix = `sub-${s.id}-cancel`;
  const reason = h('select', { required: true }, h('option', { value: '' }, 'Choose a reason'), ...ctx.cancelReasons.map((r) => h('option', { value: r }, r)));
  // "Other" may say more, in the person's own words (the same limit the server keeps).
  const details = h('input', { type: 'text', maxlength: String(ctx.maxReasonDetails), placeholder: 'Optional' });
  const consequence = `${s.assigned ? `${plural(s.assigned, 'person', 'people')} will lose their license now. ` : ''}You won't be charged again. This can't be undone.`;
  const open = h('button', { type: 'submit', class: 'danger' }, 'Cancel subscription…');
  const yes = h('button', { type: 'button', class: 'danger' }, 'Yes, cancel it');
  const no = h('button', { type: 'button' }, 'Keep it');
  const confirm = h(
    'dialog',
    { 'aria-labelledby': `${prefix}-confirm-title`, 'aria-describedby': `${prefix}-confirm-text`, class: 'confirm' },
    h('h2', { id: `${prefix}-confirm-title` }, `Cancel ${s.productName}?`),
    h('p', { id: `${prefix}-confirm-text` }, `Are you sure? ${consequence}`),
    h('div', { class: 'row' }, yes, no),
  );
  no.addEventListener('click', () => confirm.close());
  yes.addEventListener('click', () => {
    void ctx
      .act(yes, () => post(ctx, s, 'cancel', { reason: reason.value, ...(reason.value === 'Other' && details.value.trim() ? { details: details.value } : {}) }), {
        focusId: subscriptionHeadingId(s),
      })
      .then(() => {
        if (confirm.open) confirm.close();
      });
  });
  // Wherever it closes (Keep it, Esc), focus goes back to where the person was.
  confirm.addEventListener('close', () => {
    if (open.isConnected) open.focus();
  });
  const form = h(
    'form',
    { novalidate: true },
    labelled(`${prefix}-reason`, 'Why are you cancelling?', reason),
    labelled(`${prefix}-details`, `If Other: in your words (up to ${ctx.maxReasonDetails} characters)`, details),
    h('p', {}, consequence),
    h('div', { class: 'row' }, open),
    confirm,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!reason.value) {
      reason.setAttribute('aria-invalid', 'true');
      ctx.tell('Choose a reason for cancelling.', 'error');
      reason.focus();
      return;
    }
    reason.removeAttribute('aria-invalid');
    confirm.showModal();
    no.focus();
  });
  return form;
};

/** R13: off is not a cancellation; it is a switch, so Space toggles it and it says its state. */
const recurringSwitch = (ctx: PageContext, s: SubscriptionView): HTMLElement => {
  const id = `sub-${s.id}-recurring`;
  const input = h('input', { type: 'checkbox', role: 'switch', id, checked: s.recurring, 'aria-describedby': `${id}-hint` });
  input.addEventListener('change', () => {
    const on = input.checked;
    // The box shows the request, not the outcome: it goes back if the server says no.
    void ctx
      .act(input, () => post(ctx, s, 'recurring', { on }), { focusId: id })
      .then((done) => {
        if (!done) input.checked = !on;
      });
  });
  return h(
    'div',
    { class: 'switch-row' },
    input,
    h('label', { for: id }, 'Recurring billing'),
    h(
      'p',
      { id: `${id}-hint`, class: 'muted hint' },
      s.recurring
        ? `On: renews on ${day(new Date(s.expiresAt))}. Turning it off doesn't cancel; it runs until then.`
        : `Off: ends on ${day(new Date(s.expiresAt))}. Turn it on to keep it.`,
    ),
  );
};

export const subscriptionPanel = (ctx: PageContext, s: SubscriptionView): HTMLElement => {
  const titleId = subscriptionHeadingId(s);
  const ended = s.cancelledAt ?? s.expiresAt;
  const facts: Array<[string, string]> = [
    ['Licenses', `${s.quantity} (${s.assigned} assigned, ${s.available} available)`],
    [
      'Price',
      s.isTrial
        ? s.recurring
          ? `Free trial, then ${price(s.unitPrice)} per license per month`
          : 'Free trial'
        : `${price(s.unitPrice)} per license, ${s.billingFrequency === 'Annual' ? 'yearly' : 'monthly'}`,
    ],
    [s.live ? `${termEndWord(s)} on` : 'Ended', day(new Date(s.live ? s.expiresAt : ended))],
    ['Card', s.card ? cardLabel(s.card) : s.isTrial ? 'None needed' : 'None'],
  ];
  if (s.cancelReason) facts.push(['Reason', s.cancelReason]);

  const holders = new Set(s.assignees.map((a) => a.id));
  const people = s.assignees.length
    ? h(
        'ul',
        { class: 'people', 'aria-labelledby': `${titleId}-people` },
        s.assignees.map((p) => {
          const unassign = h('button', { type: 'button', 'aria-label': `Unassign ${p.displayName}` }, 'Unassign');
          unassign.addEventListener('click', () => void ctx.act(unassign, () => post(ctx, s, 'unassign', { userIds: [p.id] }), { focusId: titleId }));
          return h(
            'li',
            {},
            h('span', { class: 'person' }, h('span', {}, p.displayName), p.email ? h('span', { class: 'muted' }, ` · ${p.email}`) : null),
            s.can.unassign ? unassign : null,
          );
        }),
      )
    : h('p', { class: 'muted' }, s.live ? 'Nobody has a license yet.' : 'Nobody.');

  const panels: HTMLElement[] = [];
  if (s.can.assign) {
    panels.push(
      panel(
        `Assign licenses (${s.available} available)`,
        peoplePicker(ctx, {
          idPrefix: `sub-${s.id}-assign`,
          available: s.available,
          holders,
          onAssign: (button, userIds) => ctx.act(button, () => post(ctx, s, 'assign', { userIds }), { focusId: titleId }),
        }),
      ),
    );
  }
  if (s.can.addLicenses) panels.push(panel('Add licenses', licensesForm(ctx, s, 'add')));
  if (s.can.removeLicenses) panels.push(panel('Remove licenses', licensesForm(ctx, s, 'remove')));
  if (s.can.updateCard) panels.push(panel('Update payment method', paymentMethodForm(ctx, s)));
  if (s.can.cancel) panels.push(panel('Cancel subscription', cancelForm(ctx, s)));

  return h(
    'article',
    { class: `card subscription${s.live ? '' : ' ended'}`, 'aria-labelledby': titleId, 'data-subscription-id': s.id },
    h(
      'div',
      { class: 'row' },
      h('h3', { id: titleId, tabindex: -1 }, s.productName),
      h('span', { class: `badge ${STATUS_BADGE[s.status] ?? ''}` }, s.isTrial && s.status === 'Trial' ? 'trial' : s.statusWord),
    ),
    s.centralized
      ? h('p', { class: 'notice notice-info' }, 'Your IT admin now provides these licenses centrally. Please cancel this subscription so you are not charged twice.')
      : null,
    h(
      'dl',
      { class: 'facts' },
      facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
    ),
    s.can.setRecurring ? recurringSwitch(ctx, s) : null,
    h('h4', { id: `${titleId}-people` }, `People with a license (${s.assigned})`),
    people,
    panels.length ? h('div', { class: 'panels' }, panels) : null,
  );
};
