import { h } from '../lib/dom';
import { digitsOf, luhnValid } from '../../../payments/card-number';
import type { TokenResponse } from '../../contracts/purchases';

/**
 * Card number, expiry, CVC and name, checked in the browser (Luhn, a future expiry, 3–4 digits) so
 * mistakes show next to the field at once, then sent to the payment provider's tokenization endpoint.
 * Only the token it returns goes to our API (R2): the card number never reaches our server's API, and
 * the page keeps nothing once it is closed.
 */

export const TOKENIZE_URL = '/payments/sandbox/tokens';

type Field = 'number' | 'expiry' | 'cvc' | 'name';

export interface CardFields {
  element: HTMLFieldSetElement;
  /** Checks every field and shows what is wrong next to it; focuses the first problem. */
  validate(): boolean;
  /**
   * The provider's token for what is typed. The same details give the same token until
   * `forgetToken()`, so a retried request is recognisably the same attempt.
   */
  tokenize(): Promise<TokenResponse>;
  /** After a definite answer (success or decline), the next submit is a new attempt with a new token. */
  forgetToken(): void;
  focus(): void;
}

/** Thrown when the card can't be used as typed; the message is already shown next to the field. */
export class CardFieldError extends Error {
  constructor(
    readonly field: Field | null,
    message: string,
  ) {
    super(message);
    this.name = 'CardFieldError';
  }
}

/** "MM/YY" or "MM/YYYY" → month and full year, or null when it isn't a date. */
export const parseExpiry = (value: string): { month: number; year: number } | null => {
  const m = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(value);
  if (!m) return null;
  const month = Number(m[1]);
  const year = m[2].length === 2 ? 2000 + Number(m[2]) : Number(m[2]);
  return month >= 1 && month <= 12 ? { month, year } : null;
};

/** A card is good through the last day of its expiry month. */
const expiryInFuture = ({ month, year }: { month: number; year: number }, now = new Date()): boolean => Date.UTC(year, month, 1) > now.getTime();

const problemOf = (field: Field, value: string): string | null => {
  switch (field) {
    case 'number': {
      const digits = digitsOf(value);
      if (!digits) return 'Enter the card number.';
      if (!/^\d+$/.test(digits)) return 'The card number has only digits.';
      if (digits.length < 12 || digits.length > 19) return 'The card number is 12 to 19 digits long.';
      return luhnValid(digits) ? null : 'That card number is not valid. Check it for typos.';
    }
    case 'expiry': {
      if (!value.trim()) return 'Enter the expiry date (MM/YY).';
      const exp = parseExpiry(value);
      if (!exp) return 'Enter the expiry date as MM/YY, for example 08/29.';
      return expiryInFuture(exp) ? null : 'That card has expired.';
    }
    case 'cvc':
      if (!value.trim()) return 'Enter the security code (CVC).';
      return /^\d{3,4}$/.test(value.trim()) ? null : 'The security code is 3 or 4 digits.';
    case 'name':
      return value.trim() ? null : 'Enter the name on the card.';
  }
};

export const cardFields = (opts: { idPrefix: string; legend?: string }): CardFields => {
  const inputs = {} as Record<Field, HTMLInputElement>;
  const errors = {} as Record<Field, HTMLElement>;
  const row = (field: Field, label: string, attrs: Record<string, string | number>, hint?: string) => {
    const id = `${opts.idPrefix}-${field}`;
    const errorId = `${id}-error`;
    const hintId = hint ? `${id}-hint` : null;
    const input = h('input', { id, name: field, type: 'text', spellcheck: 'false', 'aria-describedby': [hintId, errorId].filter(Boolean).join(' '), required: true, ...attrs });
    // Errors clear as soon as the field is fixed; they appear on leaving a field or on submit.
    input.addEventListener('input', () => {
      if (input.getAttribute('aria-invalid') === 'true' && problemOf(field, input.value) === null) setError(field, null);
    });
    input.addEventListener('blur', () => {
      if (input.value.trim()) setError(field, problemOf(field, input.value));
    });
    inputs[field] = input;
    errors[field] = h('p', { id: errorId, class: 'field-error' });
    return h('div', { class: `field field-${field}` }, h('label', { for: id }, label), hintId ? h('p', { id: hintId, class: 'muted hint' }, hint) : null, input, errors[field]);
  };

  const setError = (field: Field, message: string | null) => {
    errors[field].textContent = message ?? '';
    if (message) inputs[field].setAttribute('aria-invalid', 'true');
    else inputs[field].removeAttribute('aria-invalid');
  };

  const element = h(
    'fieldset',
    { class: 'card-fields' },
    h('legend', {}, opts.legend ?? 'Card details'),
    row('number', 'Card number', { inputmode: 'numeric', autocomplete: 'cc-number', maxlength: 23, placeholder: '1234 1234 1234 1234' }),
    h(
      'div',
      { class: 'row field-pair' },
      row('expiry', 'Expiry date (MM/YY)', { inputmode: 'numeric', autocomplete: 'cc-exp', maxlength: 7, placeholder: 'MM/YY' }),
      row('cvc', 'Security code (CVC)', { inputmode: 'numeric', autocomplete: 'cc-csc', maxlength: 4, placeholder: '123' }),
    ),
    row('name', 'Name on card', { autocomplete: 'cc-name', maxlength: 80 }),
  );

  const FIELDS: Field[] = ['number', 'expiry', 'cvc', 'name'];
  let cached: { fingerprint: string; token: TokenResponse } | null = null;
  const fingerprint = () => JSON.stringify(FIELDS.map((f) => inputs[f].value.trim()));

  const validate = (): boolean => {
    let first: Field | null = null;
    for (const f of FIELDS) {
      const problem = problemOf(f, inputs[f].value);
      setError(f, problem);
      if (problem && !first) first = f;
    }
    if (first) inputs[first].focus();
    return first === null;
  };

  return {
    element,
    validate,
    async tokenize() {
      if (cached && cached.fingerprint === fingerprint()) return cached.token;
      if (!validate()) throw new CardFieldError(null, 'Check the card details.');
      const exp = parseExpiry(inputs.expiry.value)!;
      let res: Response;
      try {
        res = await fetch(TOKENIZE_URL, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ number: digitsOf(inputs.number.value), expMonth: exp.month, expYear: exp.year, cvc: inputs.cvc.value.trim(), name: inputs.name.value.trim() }),
        });
      } catch {
        throw new CardFieldError(null, "The card couldn't be checked: the payment provider didn't answer. Try again.");
      }
      const body = (await res.json().catch(() => null)) as (TokenResponse & { error?: { field?: string | null; message?: string } }) | null;
      if (!res.ok || !body?.token) {
        const field = FIELDS.find((f) => f === body?.error?.field) ?? null;
        const message = body?.error?.message ?? "The card couldn't be checked. Try again.";
        if (field) {
          setError(field, message);
          inputs[field].focus();
        }
        throw new CardFieldError(field, message);
      }
      const token = { token: body.token, brand: body.brand, last4: body.last4, expMonth: body.expMonth, expYear: body.expYear };
      cached = { fingerprint: fingerprint(), token };
      return token;
    },
    forgetToken() {
      cached = null;
    },
    focus() {
      inputs.number.focus();
    },
  };
};
