import { h, render } from '../lib/dom';
import {
  cell,
  dateTime,
  failureText,
  loaded,
  loading,
  money,
  nextId,
  plural,
  refusalNote,
  refusedReasons,
  say,
  showFailure,
  statusLine,
  table,
  type Section,
  type SectionContext,
} from './ui';
import type { ApprovalDto, ApprovalsDto, DecisionDto } from '../../contracts/admin';

const what = (r: ApprovalDto): string =>
  r.kind === 'Trial' ? `Trial of ${r.productName}` : `${plural(r.quantity, 'license')} of ${r.productName}, ${r.billingFrequency === 'Annual' ? 'yearly' : 'monthly'}`;

/**
 * The optional "require admin approval" setting and the purchase requests waiting for a decision.
 * Approving makes the purchase now, on the requester's card, under today's policy; rejecting tells
 * the requester, with the reason if one is given. Each control is there only when the server says this
 * admin may use it now; otherwise the server's reason is shown in its place.
 */
export const approvalsSection = ({ session }: SectionContext): Section => {
  const status = statusLine();

  const settingView = (data: ApprovalsDto): HTMLElement => {
    const id = nextId('require-approval');
    const canChange = data.setting.can.change;
    const box = h('input', {
      type: 'checkbox',
      id,
      disabled: !canChange,
      'aria-describedby': `${id}-hint`,
      onchange: async () => {
        box.disabled = true;
        try {
          const r = await session.api<{ requireApproval: boolean }>('/admin/settings/require-approval', { method: 'POST', body: { enabled: box.checked } });
          box.checked = r.requireApproval;
          say(
            status,
            r.requireApproval ? 'Purchases by people who aren’t admins now wait for an admin’s approval.' : 'People can buy without waiting for approval (within your policies).',
            'success',
          );
        } catch (e) {
          box.checked = !box.checked;
          say(status, failureText(e), 'error');
        } finally {
          box.disabled = !canChange;
        }
      },
    });
    box.checked = data.requireApproval;
    return h(
      'div',
      { class: 'card' },
      h('div', { class: 'check' }, box, h('label', { for: id }, 'Require admin approval for purchases')),
      h(
        'p',
        { class: 'muted', id: `${id}-hint` },
        canChange
          ? 'When on, a purchase or trial by someone who isn’t an admin waits here (and in the admins’ channel) until an admin approves or rejects it.'
          : refusedReasons(data.setting, ['change']).join(' '),
      ),
    );
  };

  const requestRow = (r: ApprovalDto, redraw: () => Promise<void>): HTMLTableRowElement[] => {
    const reasonRow = h('tr', { class: 'reason-row' });
    reasonRow.hidden = true;
    const decide = async (decision: 'approve' | 'reject', reason?: string) => {
      try {
        const d = await session.api<DecisionDto>(`/admin/approvals/${encodeURIComponent(r.id)}`, { method: 'POST', body: reason ? { decision, reason } : { decision } });
        await redraw();
        say(
          status,
          d.status === 'Approved'
            ? `Approved: ${what(r)} for ${r.requesterName}.`
            : d.status === 'Rejected'
              ? `Rejected ${what(r)} for ${r.requesterName}.`
              : `Approved, but the purchase failed: ${d.note ?? 'the card was declined'}. ${r.requesterName} has been told.`,
          d.status === 'Failed' ? 'error' : 'success',
        );
      } catch (e) {
        say(status, failureText(e), 'error');
      }
    };
    const label = `${what(r)} for ${r.requesterName}`;
    const approve = r.can.approve
      ? h(
          'button',
          {
            type: 'button',
            class: 'primary',
            'aria-label': `Approve ${label}`,
            onclick: (e: Event) => {
              (e.currentTarget as HTMLButtonElement).disabled = true;
              void decide('approve');
            },
          },
          'Approve',
        )
      : null;
    const reject = r.can.reject
      ? h(
          'button',
          {
            type: 'button',
            class: 'danger',
            'aria-label': `Reject ${label}`,
            'aria-expanded': 'false',
            onclick: (e: Event) => {
              const b = e.currentTarget as HTMLButtonElement;
              reasonRow.hidden = !reasonRow.hidden;
              b.setAttribute('aria-expanded', String(!reasonRow.hidden));
              if (!reasonRow.hidden) reasonRow.querySelector('textarea')?.focus();
            },
          },
          'Reject',
        )
      : null;
    const actions = h('div', { class: 'row' }, approve, reject, refusalNote(refusedReasons(r, ['approve', 'reject'])));
    const reasonId = nextId('reason');
    const reason = h('textarea', { id: reasonId, maxlength: '500', rows: '2' });
    render(
      reasonRow,
      h(
        'td',
        { colspan: '5' },
        h(
          'form',
          {
            class: 'reject-form',
            'aria-label': `Reject ${label}`,
            onsubmit: (e: Event) => {
              e.preventDefault();
              void decide('reject', reason.value.trim() || undefined);
            },
          },
          h('label', { for: reasonId }, `Why? ${r.requesterName} will see this (optional)`),
          reason,
          h('div', { class: 'row' }, h('button', { type: 'submit', class: 'danger' }, 'Reject request')),
        ),
      ),
    );
    return [
      h('tr', {}, cell(dateTime(r.createdAt)), cell(r.requesterName, { header: true }), cell(what(r)), cell(r.cost ? money(r.cost) : 'Free trial', { num: true }), cell(actions)),
      ...(reject ? [reasonRow] : []),
    ];
  };

  return {
    id: 'approvals',
    label: 'Approvals',
    async show(panel) {
      // Re-read on every visit: requests arrive and are decided in chat too.
      const list = h('div', {});
      const draw = (data: ApprovalsDto) =>
        render(
          list,
          data.items.length
            ? table(
                'Purchase requests waiting for a decision',
                ['Requested', 'By', 'What', { text: 'Cost', num: true }, { text: 'Decision', srOnly: true }],
                data.items.flatMap((r) => requestRow(r, redraw)),
              )
            : h('p', { class: 'muted' }, 'No purchase requests are waiting.'),
        );
      const redraw = async () => draw(await session.api<ApprovalsDto>('/admin/approvals'));
      loading(panel, 'approvals');
      try {
        const data = await session.api<ApprovalsDto>('/admin/approvals');
        render(panel, settingView(data), status, h('h2', {}, 'Waiting for a decision'), list);
        draw(data);
      } catch (e) {
        showFailure(panel, e);
      } finally {
        loaded(panel);
      }
    },
  };
};
