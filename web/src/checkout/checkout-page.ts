import { dialog } from '@microsoft/teams-js';
import { alreadyHaveNote, price } from '../../../cards/format';
import { cardView } from '../lib/adaptive-card-view';
import { h, render } from '../lib/dom';
import type { Me } from '../../contracts/me';
import { ApiError, type Session } from '../lib/session';
import type { BillingFrequency, CatalogItemView, CheckoutResponse } from '../../contracts/purchases';
import { errorText, isDefinite, newKey, say, withBusy } from '../purchases/ui';
import { cardFields, CardFieldError } from './card-fields';
import { orderCard, orderTotal, type Order } from './order-card';

/**
 * The checkout dialog: the order (an Adaptive Card), licenses and billing, the card, and a result
 * that says plainly what happened. Opened from the buy card in chat (a Teams dialog) or from the
 * My purchases tab; outside Teams it is an ordinary page.
 */

const MAX_LICENSES = 10_000;

interface Params {
  productId: string;
  mode: 'buy' | 'trial';
  quantity: number;
  frequency: BillingFrequency;
}

const paramsOf = (search: string): Params | null => {
  const q = new URLSearchParams(search);
  const productId = q.get('productId') ?? '';
  if (!/^[A-Za-z0-9._:@-]{1,128}$/.test(productId)) return null;
  const quantity = Number(q.get('quantity') ?? '1');
  return {
    productId,
    mode: q.get('mode') === 'trial' ? 'trial' : 'buy',
    quantity: Number.isInteger(quantity) && quantity >= 1 && quantity <= MAX_LICENSES ? quantity : 1,
    frequency: q.get('billingFrequency') === 'Monthly' ? 'Monthly' : 'Annual',
  };
};

const backLink = (session: Session): HTMLElement | null => (session.inTeams ? null : h('a', { href: '/web/purchases', class: 'button' }, 'Go to My purchases'));

export const drawCheckout = async (session: Session, me: Me, root: HTMLElement): Promise<void> => {
  const params = paramsOf(window.location.search);
  if (!params) {
    render(root, h('div', { class: 'card', role: 'alert' }, h('h1', {}, 'Nothing to check out'), h('p', {}, 'Open checkout from a product in the catalog.'), backLink(session)));
    return;
  }
  const item = await session.api<CatalogItemView>(`/catalog/${encodeURIComponent(params.productId)}`);
  const allowed = params.mode === 'buy' ? item.canBuy : item.canTrial;
  if (!allowed) {
    render(
      root,
      h('h1', {}, params.mode === 'buy' ? `Buy ${item.name}` : `Try ${item.name}`),
      h(
        'div',
        { class: 'card', role: 'alert' },
        h(
          'p',
          {},
          params.mode === 'buy'
            ? `Your organization doesn't allow buying ${item.name} here${item.canTrial ? ', only its trial' : ''}. Please contact your IT admin.`
            : `A trial of ${item.name} isn't available to you. Please contact your IT admin.`,
        ),
        item.canTrial && params.mode === 'buy'
          ? h('a', { class: 'button', href: `/web/checkout?productId=${encodeURIComponent(item.productId)}&mode=trial` }, 'Start the trial instead')
          : null,
        backLink(session),
      ),
    );
    return;
  }
  drawForm(session, me, root, item, params);
};

const drawForm = (session: Session, me: Me, root: HTMLElement, item: CatalogItemView, params: Params): void => {
  const order: Order = { item, mode: params.mode, quantity: params.quantity, frequency: params.frequency };
  const needsCard = order.mode === 'buy' || Boolean(item.trial?.requiresPaymentMethod);
  const notice = h('div', { id: 'notice', class: 'notice', role: 'status', 'aria-live': 'polite' });
  const title = h('h1', { id: 'checkout-title' }, order.mode === 'buy' ? `Buy ${item.name}` : `Try ${item.name}`);

  const summary = h('div', { class: 'order' });
  const card = cardView(summary, { label: 'Your order' });

  // One attempt = one request id (and one token): a retried or double-submitted attempt buys once.
  // After a definite answer the next submit is a new attempt, so a new card after a decline is tried afresh.
  let attemptKey = newKey();

  const quantityInput = h('input', {
    id: 'quantity',
    name: 'quantity',
    type: 'number',
    min: 1,
    max: MAX_LICENSES,
    step: 1,
    value: order.quantity,
    inputmode: 'numeric',
    required: true,
    'aria-describedby': 'quantity-error',
  });
  const quantityError = h('p', { id: 'quantity-error', class: 'field-error' });
  const frequencyRadios = (['Annual', 'Monthly'] as const).map((f) =>
    h(
      'div',
      { class: 'choice' },
      h('input', { type: 'radio', id: `billing-${f}`, name: 'billingFrequency', value: f, checked: f === order.frequency }),
      h('label', { for: `billing-${f}` }, `${f === 'Annual' ? 'Yearly' : 'Monthly'}: ${price(item.prices[f])} per license`),
    ),
  );
  const fields = needsCard ? cardFields({ idPrefix: 'card', legend: 'Pay with a card' }) : null;
  const submit = h('button', { type: 'submit', class: 'primary', id: 'submit' });

  const quantityProblem = (): string | null => {
    const v = quantityInput.value.trim();
    if (!/^\d+$/.test(v)) return 'Enter a whole number of licenses.';
    const n = Number(v);
    return n < 1 || n > MAX_LICENSES ? `From 1 to ${MAX_LICENSES.toLocaleString('en-US')} licenses.` : null;
  };

  const refresh = () => {
    if (order.mode === 'buy') {
      const problem = quantityProblem();
      if (!problem) order.quantity = Number(quantityInput.value);
      order.frequency = (frequencyRadios.map((r) => r.querySelector('input')!).find((r) => r.checked)?.value as BillingFrequency) ?? 'Annual';
    }
    card.show(orderCard(order));
    submit.textContent = order.mode === 'buy' ? `Pay ${price(orderTotal(order))}` : 'Start trial';
  };
  quantityInput.addEventListener('input', () => {
    const problem = quantityProblem();
    quantityError.textContent = problem ?? '';
    if (problem) quantityInput.setAttribute('aria-invalid', 'true');
    else quantityInput.removeAttribute('aria-invalid');
    refresh();
  });
  for (const r of frequencyRadios) r.querySelector('input')!.addEventListener('change', refresh);

  const form = h(
    'form',
    { novalidate: true, 'aria-labelledby': 'checkout-title', class: 'checkout-form' },
    order.mode === 'buy'
      ? h(
          'fieldset',
          { class: 'order-fields' },
          h('legend', {}, 'Order'),
          h('div', { class: 'field' }, h('label', { for: 'quantity' }, 'Licenses'), quantityInput, quantityError),
          h('fieldset', { class: 'choices' }, h('legend', {}, 'Billing frequency'), ...frequencyRadios),
        )
      : null,
    fields?.element ?? h('p', {}, 'No card needed: the trial simply ends when its time is up.'),
    needsCard
      ? h(
          'p',
          { class: 'muted small' },
          'Your card goes straight to the payment provider; we keep only its brand, last 4 digits and expiry. Sandbox: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined.',
        )
      : null,
    h('div', { class: 'row actions' }, submit, session.inTeams ? h('button', { type: 'button', onclick: () => dialog.url.submit() }, 'Cancel') : backLink(session)),
  );

  const checkout = async () => {
    say(notice, '');
    if (order.mode === 'buy') {
      const problem = quantityProblem();
      quantityError.textContent = problem ?? '';
      if (problem) {
        quantityInput.setAttribute('aria-invalid', 'true');
        // Check the card too, so every mistake shows at once; focus goes to the first one.
        fields?.validate();
        quantityInput.focus();
        say(notice, 'Check the order: some details need fixing.', 'error');
        return;
      }
    }
    if (fields && !fields.validate()) {
      say(notice, 'Check the card details: some need fixing.', 'error');
      return;
    }
    let token: string | undefined;
    try {
      token = fields ? (await fields.tokenize()).token : undefined;
    } catch (e) {
      say(notice, e instanceof CardFieldError ? `Check the card details. ${e.message}` : errorText(e), 'error');
      return;
    }
    say(notice, order.mode === 'buy' ? 'Paying…' : 'Starting your trial…');
    let result: CheckoutResponse;
    try {
      result = await session.api<CheckoutResponse>('/checkout', {
        body:
          order.mode === 'buy'
            ? { mode: 'buy', productId: item.productId, quantity: order.quantity, billingFrequency: order.frequency, token, idempotencyKey: attemptKey }
            : { mode: 'trial', productId: item.productId, ...(token ? { token } : {}), idempotencyKey: attemptKey },
      });
    } catch (e) {
      if (isDefinite(e)) {
        attemptKey = newKey();
        fields?.forgetToken();
      }
      const declined = e instanceof ApiError && e.status === 402;
      say(notice, declined ? `Payment declined. ${e.message}` : isDefinite(e) ? errorText(e) : `${errorText(e)} If it went through, trying again won't charge you twice.`, 'error');
      if (declined) fields?.focus();
      return;
    }
    drawResult(session, me, root, item, result);
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void withBusy(submit, checkout);
  });

  // Buying or trying what they already have: said first, as the chat's buy card does.
  const owned = alreadyHaveNote(item.name, item.owned, order.mode === 'buy');
  render(root, title, h('p', { class: 'muted' }, `Signed in as ${me.displayName}`), owned ? h('p', { class: 'owned', id: 'owned' }, owned) : null, notice, summary, form);
  refresh();
};

const drawResult = (session: Session, me: Me, root: HTMLElement, item: CatalogItemView, result: CheckoutResponse): void => {
  const heading = h('h1', { tabindex: -1 }, result.status === 'created' ? 'All set' : 'Request sent');
  const done = session.inTeams
    ? h(
        'button',
        {
          type: 'button',
          class: 'primary',
          // Teams closes the dialog and tells the bot, which re-reads this from stored state and posts the confirmation in chat.
          onclick: () => dialog.url.submit(result.status === 'created' ? { subscriptionId: result.subscriptionId } : { requestId: result.requestId }),
        },
        'Done',
      )
    : h('a', { href: '/web/purchases', class: 'button primary' }, 'Go to My purchases');
  render(
    root,
    heading,
    h(
      'div',
      { class: 'card result', role: 'status' },
      h('p', { class: result.status === 'created' ? 'result-success' : '' }, result.message),
      session.inTeams ? h('p', { class: 'muted' }, 'Press Done to close; a confirmation is posted in your chat with the bot.') : null,
      h('p', { class: 'muted' }, `${item.name} · ${me.displayName}`),
      h('div', { class: 'row' }, done),
    ),
  );
  heading.focus();
};
