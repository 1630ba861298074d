import { h } from '../lib/dom';
import type { Section } from './ui';

/**
 * The WAI-ARIA tabs pattern with automatic activation: one tab stop for the whole tab list (roving
 * tabindex), Left/Right arrows move and select with wrap-around, Home/End jump to the ends. Each
 * panel is labelled by its tab and is itself focusable, so Tab from the tab list lands in it even
 * while its content is still loading.
 */
export const tabs = (
  label: string,
  sections: readonly Section[],
  initial: string,
  onSelected: (id: string) => void = () => undefined,
): { list: HTMLElement; panels: HTMLElement; select(id: string): void } => {
  const tabFor = new Map<string, HTMLButtonElement>();
  const panelFor = new Map<string, HTMLElement>();

  const select = (id: string, focus = false) => {
    for (const s of sections) {
      const on = s.id === id;
      const tab = tabFor.get(s.id)!;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      panelFor.get(s.id)!.hidden = !on;
    }
    const tab = tabFor.get(id)!;
    if (focus) tab.focus();
    const section = sections.find((s) => s.id === id)!;
    onSelected(id);
    void section.show(panelFor.get(id)!);
  };

  const onKey = (e: KeyboardEvent) => {
    const i = sections.findIndex((s) => tabFor.get(s.id) === e.currentTarget);
    const last = sections.length - 1;
    const to = e.key === 'ArrowRight' ? (i === last ? 0 : i + 1) : e.key === 'ArrowLeft' ? (i === 0 ? last : i - 1) : e.key === 'Home' ? 0 : e.key === 'End' ? last : -1;
    if (to < 0) return;
    e.preventDefault();
    select(sections[to].id, true);
  };

  const list = h('nav', { class: 'tabs', role: 'tablist', 'aria-label': label });
  const panels = h('div', { class: 'tab-panels' });
  for (const s of sections) {
    const tab = h(
      'button',
      { type: 'button', role: 'tab', id: `tab-${s.id}`, 'aria-controls': `panel-${s.id}`, 'aria-selected': 'false', tabindex: '-1', onclick: () => select(s.id) },
      s.label,
    );
    tab.addEventListener('keydown', onKey);
    tabFor.set(s.id, tab);
    list.append(tab);
    const panel = h('section', { role: 'tabpanel', id: `panel-${s.id}`, 'aria-labelledby': `tab-${s.id}`, tabindex: '0', class: 'tab-panel' });
    panel.hidden = true;
    panelFor.set(s.id, panel);
    panels.append(panel);
  }
  select(sections.some((s) => s.id === initial) ? initial : sections[0].id);
  return { list, panels, select: (id) => select(id, true) };
};
