import type { Session } from '../lib/session';
import type { Me } from '../../contracts/me';
import { h, render } from '../lib/dom';
import { tabs } from './tabs';
import { ROLE_WORDS, type Section, type SectionContext } from './ui';
import { purchasesSection } from './purchases';
import { licensesSection } from './licenses';
import { policiesSection } from './policies';
import { approvalsSection } from './approvals';
import { auditSection } from './audit';
import { spendSection } from './spend';
import { rolesSection } from './roles';

/** People who are not admins get a plain answer instead of seven tabs of refusals. */
const notAnAdmin = (me: Me): HTMLElement =>
  h(
    'div',
    { class: 'card', role: 'alert' },
    h('h1', {}, 'Only admins can open this page'),
    h('p', {}, `The Admin tab is for Global admins, Billing admins and Global readers of ${me.tenantName}. You're signed in as ${me.displayName}, who isn't one.`),
    h('p', { class: 'muted' }, 'To see and manage what you bought yourself, open the My purchases tab, or say "my purchases" to the bot.'),
  );

/**
 * The Admin tab: every self-service purchase, licenses and their export, policies, approvals, the
 * audit log, spend and admin roles, as seven tabs. Each control is shown only where the server says
 * this caller may use it now (and the server checks every request again).
 */
export const drawAdmin = async (session: Session, me: Me, root: HTMLElement): Promise<void> => {
  if (!me.isAdmin) {
    render(root, notAnAdmin(me));
    return;
  }
  const ctx: SectionContext = { session, me };
  const sections: Section[] = [purchasesSection(ctx), licensesSection(ctx), policiesSection(ctx), approvalsSection(ctx), auditSection(ctx), spendSection(ctx), rolesSection(ctx)];
  // ?section=spend opens a section directly (links from chat, bookmarks inside Teams).
  const wanted = new URLSearchParams(window.location.search).get('section') ?? '';
  const roles = me.roles.map((r) => ROLE_WORDS[r] ?? r).join(', ');
  const t = tabs('Admin sections', sections, wanted, (id) => {
    const url = new URL(window.location.href);
    url.searchParams.set('section', id);
    history.replaceState(null, '', `${url.pathname}${url.search}${url.hash}`);
  });
  render(
    root,
    h(
      'header',
      { class: 'admin-header row' },
      h('h1', {}, 'Admin'),
      h('span', { class: 'spacer' }),
      h('span', { class: 'muted' }, `${me.tenantName} · ${me.displayName}${roles ? ` (${roles})` : ''}`),
    ),
    me.canAdminWrite ? null : h('p', { class: 'notice notice-info' }, 'You can see everything here, but only Global admins and Billing admins can change it.'),
    t.list,
    t.panels,
  );
};
