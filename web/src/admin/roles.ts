import { h, render } from '../lib/dom';
import {
  cell,
  date,
  failureText,
  loaded,
  loading,
  nextId,
  refusalNote,
  refusedReasons,
  ROLE_WORDS,
  say,
  selectField,
  showFailure,
  statusLine,
  table,
  type Section,
  type SectionContext,
} from './ui';
import { ROLE_CHOICES, type RoleChangeDto, type RoleDto, type RoleRowDto, type RolesDto } from '../../contracts/admin';
import type { PeopleResponse } from '../../contracts/purchases';

const SEARCH_DELAY_MS = 250;

const granted = (r: RoleRowDto): string => `${date(r.grantedAt)}${r.grantedByName ? ` by ${r.grantedByName}` : ' (from configuration)'}`;

/**
 * Who holds which admin role, and (where the server allows it) granting and revoking them. Revoke is
 * on a row only when the server says so: never for the last Global admin, never for a caller who
 * isn't a Global admin. Those see the server's reason instead.
 */
export const rolesSection = ({ session }: SectionContext): Section => {
  const status = statusLine();
  const list = h('div', {});

  const change = async (verb: 'grant' | 'revoke', userId: string, role: RoleDto, redraw: () => Promise<void>) => {
    try {
      const r = await session.api<RoleChangeDto>(`/admin/roles/${verb}`, { method: 'POST', body: { userId, role } });
      await redraw();
      const word = ROLE_WORDS[r.role];
      say(
        status,
        verb === 'grant'
          ? r.changed
            ? `Granted ${word} to ${r.displayName}.`
            : `${r.displayName} is already a ${word}.`
          : r.changed
            ? `Revoked ${word} from ${r.displayName}.`
            : `${r.displayName} isn’t a ${word} any more.`,
        'success',
      );
    } catch (e) {
      say(status, failureText(e), 'error');
    }
  };

  const draw = (data: RolesDto, redraw: () => Promise<void>) => {
    const withControls = data.items.some((r) => r.can.revoke);
    const rows = data.items.map((r) =>
      h(
        'tr',
        {},
        cell(r.displayName, { header: true }),
        cell(ROLE_WORDS[r.role]),
        cell(granted(r)),
        withControls
          ? cell(
              r.can.revoke
                ? h(
                    'button',
                    {
                      type: 'button',
                      class: 'danger',
                      'aria-label': `Revoke ${ROLE_WORDS[r.role]} from ${r.displayName}`,
                      onclick: (e: Event) => {
                        (e.currentTarget as HTMLButtonElement).disabled = true;
                        void change('revoke', r.userId, r.role, redraw);
                      },
                    },
                    'Revoke',
                  )
                : refusalNote(refusedReasons(r, ['revoke'])),
            )
          : null,
      ),
    );
    render(
      list,
      table('Admin roles', withControls ? ['Name', 'Role', 'Granted', { text: 'Revoke', srOnly: true }] : ['Name', 'Role', 'Granted'], rows, { captionHidden: true }),
      // Without any control on the page, the reasons are said once, under the table.
      withControls || data.can.grant
        ? null
        : refusalNote([...new Set([...refusedReasons(data, ['grant']), ...data.items.flatMap((r) => refusedReasons(r, ['revoke']))])], { id: 'roles-read-only' }),
    );
  };

  /** Grant: a role, then a person found by name; each result is a button that grants it to them. */
  const grantForm = (redraw: () => Promise<void>): HTMLElement => {
    let role: RoleDto = 'BillingAdmin';
    const searchId = nextId('role-person');
    const results = h('ul', { class: 'results', 'aria-label': 'People found' });
    const found = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
    let timer: ReturnType<typeof setTimeout> | undefined;
    let latest = 0;
    const search = async () => {
      const q = input.value.trim();
      const mine = ++latest;
      if (!q) {
        render(results);
        found.textContent = '';
        return;
      }
      try {
        const r = await session.api<PeopleResponse>(`/people?q=${encodeURIComponent(q)}`);
        if (mine !== latest) return;
        found.textContent = r.people.length ? `${r.people.length} found.` : 'Nobody by that name in your organization.';
        render(
          results,
          r.people.map((p) =>
            h(
              'li',
              {},
              h(
                'button',
                {
                  type: 'button',
                  onclick: async (e: Event) => {
                    (e.currentTarget as HTMLButtonElement).disabled = true;
                    await change('grant', p.id, role, redraw);
                    input.value = '';
                    render(results);
                    found.textContent = '';
                  },
                },
                `Grant ${ROLE_WORDS[role]} to ${p.displayName}${p.email ? ` (${p.email})` : ''}`,
              ),
            ),
          ),
        );
      } catch (e) {
        if (mine === latest) found.textContent = failureText(e);
      }
    };
    const input = h('input', {
      id: searchId,
      type: 'search',
      autocomplete: 'off',
      maxlength: 120,
      oninput: () => {
        clearTimeout(timer);
        timer = setTimeout(() => void search(), SEARCH_DELAY_MS);
      },
    });
    const { field } = selectField(
      'Role to grant',
      ROLE_CHOICES.map((r) => ({ value: r, text: ROLE_WORDS[r] })),
      role,
      (v) => {
        role = v as RoleDto;
        void search();
      },
      { id: 'grant-role' },
    );
    return h(
      'form',
      {
        class: 'card grant-form',
        'aria-label': 'Grant a role',
        onsubmit: (e: Event) => {
          e.preventDefault();
          void search();
        },
      },
      h('div', { class: 'row align-end' }, field, h('div', { class: 'field' }, h('label', { for: searchId }, 'Person (name or email)'), input)),
      found,
      results,
    );
  };

  return {
    id: 'roles',
    label: 'Roles',
    async show(panel) {
      // Re-read on every visit: roles change in chat too.
      const redraw = async () => draw(await session.api<RolesDto>('/admin/roles'), redraw);
      loading(panel, 'roles');
      try {
        const data = await session.api<RolesDto>('/admin/roles');
        render(
          panel,
          h('p', { class: 'muted' }, 'Global admins and Billing admins manage purchases and policies; Global readers see everything and change nothing.'),
          data.can.grant ? grantForm(redraw) : null,
          status,
          list,
        );
        draw(data, redraw);
      } catch (e) {
        showFailure(panel, e);
      } finally {
        loaded(panel);
      }
    },
  };
};
