import { ApiError } from '../lib/session';
import { announce, h } from '../lib/dom';

/**
 * A request id for one form: the server does what it asks once, however often it is sent.
 * getRandomValues works on plain-http hosts too, where randomUUID is unavailable.
 */
export const newKey = (): string => [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');

/**
 * Runs one request for a button. Presses while it runs are ignored (a double click acts once), and
 * the button is marked busy with aria-disabled rather than disabled, so keyboard focus stays on it.
 */
export const withBusy = async <T>(button: HTMLElement, work: () => Promise<T>): Promise<T | undefined> => {
  if (button.getAttribute('aria-disabled') === 'true') return undefined;
  button.setAttribute('aria-disabled', 'true');
  button.classList.add('busy');
  try {
    return await work();
  } finally {
    button.removeAttribute('aria-disabled');
    button.classList.remove('busy');
  }
};

/** Words for a failed request: the server's own message for refusals, something honest otherwise. */
export const errorText = (e: unknown): string => {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error && e.name === 'CardFieldError') return e.message;
  return "We couldn't reach the server. Check your connection and try again.";
};

/** Whether the server answered definitely (it refused), as opposed to "we don't know what happened". */
export const isDefinite = (e: unknown): boolean => e instanceof ApiError && e.status >= 400 && e.status < 500;

export const say = (region: HTMLElement, message: string, kind: 'info' | 'error' | 'success' = 'info'): void => {
  // Errors interrupt (alert); results wait their turn (status): both are read without moving focus.
  region.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  announce(region, message, kind);
};

/** A labelled form control: the label is a real <label for>, errors and hints are described-by. */
export const labelled = (id: string, label: string, control: HTMLElement, hint?: string): HTMLElement => {
  control.id = id;
  const hintId = hint ? `${id}-hint` : '';
  if (hint) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('p', { id: hintId, class: 'muted hint' }, hint) : null);
};

export const cardLabel = (c: { brand: string; last4: string; expMonth: number; expYear: number }): string =>
  `${c.brand} ending ${c.last4} (expires ${String(c.expMonth).padStart(2, '0')}/${String(c.expYear).slice(-2)})`;
