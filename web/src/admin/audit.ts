import { h, render } from '../lib/dom';
import { cell, dateTime, failureText, loaded, loading, pager, table, type Section, type SectionContext } from './ui';
import type { AuditEntryDto, PageDto } from '../../contracts/admin';

const SURFACE_WORDS: Record<AuditEntryDto['surface'], string> = { chat: 'Chat', card: 'Card', web: 'Teams tab', system: 'Automatic' };

/** Every state change in the organization, newest first, 25 a page: who, what, when, from where. */
export const auditSection = ({ session }: SectionContext): Section => {
  let page = 1;
  let panel: HTMLElement;

  const draw = async (focusPager = false) => {
    try {
      const log = await session.api<PageDto<AuditEntryDto>>(`/admin/audit${page > 1 ? `?page=${page}` : ''}`);
      render(
        panel,
        h('p', { class: 'muted' }, `${log.total} entries, newest first.`),
        log.items.length
          ? table(
              'Audit log',
              ['When', 'Who', 'What', 'Where'],
              log.items.map((e) => h('tr', {}, cell(dateTime(e.at)), cell(e.actorName), cell(e.summary), cell(SURFACE_WORDS[e.surface] ?? e.surface))),
              { captionHidden: true },
            )
          : h('p', { class: 'muted' }, 'Nothing has happened yet.'),
        pager('Audit log pages', log, (p) => {
          page = p;
          void draw(true);
        }),
      );
      // The pager was redrawn: keep the keyboard where it was.
      if (focusPager) panel.querySelector<HTMLButtonElement>('nav.pager button:not([disabled])')?.focus();
    } catch (e) {
      render(panel, h('div', { class: 'notice notice-error', role: 'alert' }, failureText(e)));
    }
  };

  return {
    id: 'audit',
    label: 'Audit log',
    async show(p) {
      panel = p;
      // Re-read on every visit (the newest entries are the point), staying on the page the admin was on.
      if (!panel.querySelector('table')) loading(panel, 'the audit log');
      await draw();
      loaded(panel);
    },
  };
};
