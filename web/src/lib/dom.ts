/**
 * A tiny element builder: text always goes in as text (never HTML), so data from the server can't
 * inject markup; attributes starting with "on" take listeners.
 */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export const h = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Array<Child | Child[]>): HTMLElementTagNameMap[K] => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
};

const append = (el: Element, children: Array<Child | Child[]>) => {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'number' ? String(c) : c);
  }
};

/** Replaces an element's content. */
export const render = (el: Element, ...children: Array<Child | Child[]>): void => {
  el.replaceChildren();
  append(el, children);
};

/** A polite live region: screen readers announce results and errors without moving focus. */
export const announce = (region: Element, message: string, kind: 'info' | 'error' | 'success' = 'info'): void => {
  region.className = `notice notice-${kind}`;
  region.textContent = message;
};

export const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
};
