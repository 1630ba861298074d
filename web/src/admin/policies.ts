import { h, render } from '../lib/dom';
import {
  cell,
  date,
  failureText,
  loaded,
  loading,
  nextId,
  POLICY_WORDS,
  plural,
  refusalNote,
  refusedReasons,
  say,
  selectField,
  showFailure,
  statusLine,
  table,
  type Section,
  type SectionContext,
} from './ui';
import { POLICY_CHOICES, type PoliciesDto, type PolicyChangesDto, type PolicyRowDto, type PolicyValueDto } from '../../contracts/admin';

const OPTIONS = POLICY_CHOICES.map((v) => ({ value: v, text: POLICY_WORDS[v] }));

const lastChanged = (r: PolicyRowDto): string => (r.isDefault || !r.updatedAt ? 'Never (default)' : `${date(r.updatedAt)}${r.updatedByName ? ` by ${r.updatedByName}` : ''}`);

/**
 * R3: AllowSelfServicePurchase for every product, changed one product at a time or all at once.
 * A change applies to purchases and trials from now on, never to existing subscriptions. A row has its
 * controls only when the server says this caller may change it (a Global reader sees the table alone,
 * with the server's reason); the server checks every change again.
 */
export const policiesSection = ({ session }: SectionContext): Section => {
  const status = statusLine();

  const describe = (c: PolicyChangesDto['changes'][number]) =>
    c.from === c.to ? `${c.productName} was already ${POLICY_WORDS[c.to]}.` : `${c.productName}: ${POLICY_WORDS[c.from]} → ${POLICY_WORDS[c.to]}.`;

  /** `withControls`: some row of the table may be changed, so each row has a Save column (a refused row says why there). */
  const row = (r: PolicyRowDto, withControls: boolean, redraw: () => Promise<void>): HTMLTableRowElement => {
    if (!r.can.change) {
      const plain = [cell(r.productName, { header: true }), cell(POLICY_WORDS[r.value]), cell(lastChanged(r))];
      return h('tr', {}, plain, withControls ? cell(refusalNote(refusedReasons(r, ['change']))) : null);
    }
    const saveId = nextId('save');
    const save = h(
      'button',
      {
        type: 'button',
        id: saveId,
        disabled: true,
        onclick: async () => {
          save.disabled = true;
          try {
            const result = await session.api<PolicyChangesDto>(`/admin/policies/${encodeURIComponent(r.productId)}`, { method: 'POST', body: { value: select.value } });
            await redraw();
            say(status, describe(result.changes[0]), 'success');
            document.getElementById(`policy-${r.productId}`)?.focus();
          } catch (e) {
            save.disabled = false;
            say(status, failureText(e), 'error');
          }
        },
      },
      'Save',
      h('span', { class: 'sr-only' }, ` ${r.productName}`),
    );
    const { field, select } = selectField(
      `AllowSelfServicePurchase for ${r.productName}`,
      OPTIONS,
      r.value,
      (v) => {
        save.disabled = v === r.value;
      },
      { id: `policy-${r.productId}`, hideLabel: true },
    );
    return h('tr', {}, cell(r.productName, { header: true }), cell(field), cell(lastChanged(r)), cell(save));
  };

  /** Setting every product at once asks first: it's one click from blocking every purchase. */
  const setAll = (productCount: number, redraw: () => Promise<void>): HTMLElement => {
    let value: PolicyValueDto = 'Enabled';
    const confirmArea = h('div', { class: 'row confirm', role: 'group', 'aria-label': 'Confirm the change to every product' });
    const { field } = selectField(
      'Set all products to',
      OPTIONS,
      value,
      (v) => {
        value = v as PolicyValueDto;
        render(confirmArea);
      },
      { id: 'policy-all' },
    );
    const ask = () => {
      const yes = h(
        'button',
        {
          type: 'button',
          class: 'primary',
          onclick: async () => {
            yes.disabled = true;
            try {
              const result = await session.api<PolicyChangesDto>('/admin/policies', { method: 'POST', body: { value } });
              render(confirmArea);
              await redraw();
              const changed = result.changes.filter((c) => c.from !== c.to).length;
              say(status, `Every product is now ${POLICY_WORDS[value]} (${plural(changed, 'product')} changed).`, 'success');
              document.getElementById('policy-all')?.focus();
            } catch (e) {
              yes.disabled = false;
              say(status, failureText(e), 'error');
            }
          },
        },
        `Yes, set all ${productCount} products`,
      );
      const no = h(
        'button',
        {
          type: 'button',
          onclick: () => {
            render(confirmArea);
            document.getElementById('policy-all-apply')?.focus();
          },
        },
        'Cancel',
      );
      render(
        confirmArea,
        h('span', {}, `Set AllowSelfServicePurchase to ${POLICY_WORDS[value]} for all ${productCount} products? Existing subscriptions are not affected.`),
        yes,
        no,
      );
      yes.focus();
    };
    return h(
      'div',
      { class: 'set-all' },
      h('div', { class: 'row align-end' }, field, h('button', { type: 'button', id: 'policy-all-apply', onclick: ask }, 'Apply to all products…')),
      confirmArea,
    );
  };

  return {
    id: 'policies',
    label: 'Policies',
    async show(panel) {
      // Re-read on every visit: another admin (or the chat) may have changed a policy meanwhile.
      const tableArea = h('div', {});
      const draw = (data: PoliciesDto) => {
        const withControls = data.rows.some((r) => r.can.change);
        render(
          tableArea,
          table(
            'AllowSelfServicePurchase per product',
            withControls ? ['Product', 'AllowSelfServicePurchase', 'Last changed', { text: 'Save', srOnly: true }] : ['Product', 'AllowSelfServicePurchase', 'Last changed'],
            data.rows.map((r) => row(r, withControls, redraw)),
            { className: 'policy-table' },
          ),
        );
      };
      const redraw = async () => draw(await session.api<PoliciesDto>('/admin/policies'));
      loading(panel, 'policies');
      try {
        const data = await session.api<PoliciesDto>('/admin/policies');
        render(
          panel,
          h(
            'p',
            { class: 'muted' },
            `Whether people may buy or try each product themselves. New products start as ${POLICY_WORDS[data.defaultValue]}. A change applies to purchases and trials from now on; existing subscriptions keep running.`,
          ),
          data.can.changeAll
            ? setAll(data.rows.length, redraw)
            : h('p', { class: 'notice notice-info', id: 'policies-read-only' }, `Read-only: ${refusedReasons(data, ['changeAll']).join(' ')}`),
          status,
          tableArea,
        );
        draw(data);
      } catch (e) {
        showFailure(panel, e);
      } finally {
        loaded(panel);
      }
    },
  };
};
