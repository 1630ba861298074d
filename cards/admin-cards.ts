import type { PurchaseRow } from '../domain/admin/list-purchases';
import type { PurchaseDetail } from '../domain/admin/get-purchase-detail';
import type { ProductLicensesView } from '../domain/admin/licenses-view';
import type { PolicyRow } from '../domain/policy/view-policies';
import { ROLE_NAMES, roleName, type AuditEntry, type Page, type PolicyValue, type Product, type PurchaseRequest, type RoleAssignment, type Subscription } from '../domain/model';
import { TAKEOVER_REASONS } from '../domain/purchasing/purchase-support';
import type { Abilities } from '../domain/shared/abilities';
import type { PurchaseAction } from '../domain/takeover/purchase-abilities';
import type { RequestAction } from '../domain/approvals/request-abilities';
import {
  agree,
  clip,
  count,
  day,
  frequencyLabel,
  perPeriod,
  POLICY_LABELS,
  policyLabel,
  price,
  reasonWords,
  someNames,
  statusLabel,
  termEnd,
  termEndWord,
  withPolicyLabels,
} from './format';
import {
  actionSet,
  type AdaptiveCard,
  banner,
  type Banner,
  cardOf,
  type Choice,
  choiceSet,
  container,
  execute,
  facts,
  firstOf,
  heading,
  LIMITS,
  moreNote,
  only,
  openUrl,
  pageCount,
  pager,
  peoplePicker,
  refresh,
  rowList,
  showCard,
  text,
  textInput,
  reasonDetailsInput,
} from './ui';
import { VERBS } from './verbs';

const ORIGIN_WORDS = { SelfService: 'self-service', Central: 'central' } as const;
/**
 * Teams identifies users in `refresh.userIds` by MRI: 8:orgid:<Entra object id> is one form; the bot
 * edge swaps in the 29:… id Teams uses in activities where it knows it (bot/conversations.ts).
 */
export const mri = (aadObjectId: string): string => `8:orgid:${aadObjectId}`;

// ---------------------------------------------------------------------------------------------- purchases list

export const purchasesCard = (input: { page: Page<PurchaseRow>; origin: '' | 'SelfService' | 'Central'; refreshUserIds: string[] } & Banner): AdaptiveCard => {
  const { origin } = input;
  const page = input.page.page;
  const pages = pageCount(input.page.total, input.page.pageSize);
  // A page longer than LIMITS.rows is cut (ask for pages of at most that many).
  const { shown, hidden } = firstOf(input.page.items, LIMITS.rows);
  return cardOf(
    [
      ...banner(input),
      heading(origin === 'SelfService' ? 'Self-service purchases' : origin === 'Central' ? 'Central subscriptions' : 'All purchases'),
      text(input.page.total === 0 ? 'Nothing yet.' : `${input.page.total} in all · page ${page} of ${pages}`, { isSubtle: true, spacing: 'None' }),
      ...rowList(
        shown.map((r) => ({
          lines: [
            text(`**${r.product.name}** · ${r.purchaserName}`),
            text(
              [
                `${count(r.subscription.quantity, 'license')} (${r.assigned} assigned)`,
                ORIGIN_WORDS[r.subscription.origin],
                statusLabel(r.subscription.status),
                termEnd(r.subscription),
              ]
                .filter(Boolean)
                .join(' · '),
              { isSubtle: true, spacing: 'None' },
            ),
          ],
          action: execute('Details', VERBS.purchase, { subscriptionId: r.subscription.id }),
        })),
      ),
      ...moreNote(hidden, 'purchase', { qualifier: 'on this page', where: 'The Admin tab lists them all.' }),
      ...pager(VERBS.purchases, page, pages, { origin }),
    ],
    [
      ...only(origin !== '', execute('All', VERBS.purchases, { page: 1, origin: '' })),
      ...only(origin !== 'SelfService', execute('Self-service only', VERBS.purchases, { page: 1, origin: 'SelfService' })),
      ...only(origin !== 'Central', execute('Central only', VERBS.purchases, { page: 1, origin: 'Central' })),
    ],
    { refresh: refresh('purchases', { page, origin }, input.refreshUserIds) },
  );
};

// ---------------------------------------------------------------------------------------------- one purchase (also the new-purchase notification)

export interface PurchaseCardInput extends Banner {
  detail: PurchaseDetail;
  /** What the reading admin may do to this purchase now (null: not an admin, no buttons). The card re-checks nothing. */
  actions: Abilities<PurchaseAction> | null;
  policy: PolicyValue;
  /** Shown as the new-purchase notification in the admin channel. */
  isNew: boolean;
  refreshUserIds: string[];
}

export const purchaseCard = (input: PurchaseCardInput): AdaptiveCard => {
  const { subscription: s, product, purchaser, assignedUsers, acknowledged } = input.detail;
  const holders = input.detail.assignedTotal ?? assignedUsers.length;
  const id = s.id;
  const can = (a: PurchaseAction): boolean => input.actions?.[a].ok ?? false;
  const outcome =
    s.status === 'Deleted'
      ? `Taken over${s.cancelReason ? ` (${reasonWords(s.cancelReason)})` : ''}.`
      : s.status === 'Cancelled'
        ? `Cancelled by the purchaser${s.cancelReason ? ` (${reasonWords(s.cancelReason)})` : ''}.`
        : acknowledged
          ? `Acknowledged by ${acknowledged.byName} on ${day(acknowledged.at)}.`
          : '';
  const assigneeNames = someNames(
    assignedUsers.slice(0, LIMITS.names).map((u) => u.displayName),
    LIMITS.names,
    holders,
  );
  return cardOf(
    [
      ...banner(input),
      ...only(input.isNew, text('🛒 New self-service purchase', { weight: 'Bolder', color: 'Accent' })),
      heading(product.name),
      text(`${s.isTrial ? 'Trial' : s.origin === 'Central' ? 'Central subscription' : 'Self-service purchase'} · ${statusLabel(s.status, { saidTrial: s.isTrial })}`, {
        isSubtle: true,
        spacing: 'None',
      }),
      facts([
        ['Purchaser', purchaser ? `${purchaser.displayName}${purchaser.email ? ` (${purchaser.email})` : ''}${purchaser.active ? '' : ' · left the organization'}` : 'Unknown'],
        ['Licenses', `${s.quantity} (${holders} assigned)`],
        ['Price', s.isTrial ? 'Free trial' : `${price(s.unitPrice)} per license, ${frequencyLabel(s.billingFrequency)}`],
        [termEndWord(s), day(s.cancelledAt ?? s.expiresAt)],
        ['Policy', policyLabel(input.policy)],
      ]),
      ...only(assigneeNames, text(`**Assigned to:** ${assigneeNames}`)),
      ...only(holders > LIMITS.names, text('The licensed users export (CSV) lists everyone.', { isSubtle: true, size: 'Small', spacing: 'None' })),
      ...only(outcome, text(outcome, { weight: 'Bolder' })),
      ...(input.detail.notReached ? [text(`⚠️ ${day(input.detail.notReached.at)}: ${clip(input.detail.notReached.summary, 300)}`, { color: 'Attention', size: 'Small' })] : []),
    ],
    [
      ...only(can('takeOverCancel') || can('moveUsers'), execute('Take over', VERBS.takeOverConfirm, { subscriptionId: id }, { style: 'destructive' })),
      // isNew only says which of the two cards this is (the channel's notice or the Details card) for the answer: it grants nothing.
      ...only(can('disableProduct'), execute('Disable product', VERBS.disableProduct, { subscriptionId: id, isNew: input.isNew })),
      ...only(can('acknowledge'), execute('Acknowledge', VERBS.acknowledge, { subscriptionId: id, isNew: input.isNew }, { style: 'positive' })),
      ...only(can('centralize'), execute('Centralize licenses', VERBS.centralizeConfirm, { subscriptionId: id })),
      // Opened from the purchases list (not the channel's new-purchase notice): the way back to it.
      ...only(!input.isNew, execute('Back to purchases', VERBS.purchases, { page: 1, origin: '' }, { associatedInputs: 'none' })),
    ],
    { refresh: refresh('purchase', { subscriptionId: id, isNew: input.isNew }, input.refreshUserIds) },
  );
};

// ---------------------------------------------------------------------------------------------- take over / centralize

export interface CentralTarget {
  subscription: Subscription;
  available: number;
  /** How many of the purchase's license holders would need a license there. */
  needed: number;
}

const reasonChoices = (reasons: readonly string[]): Choice[] => reasons.map((r) => ({ title: r, value: r }));

export interface TakeOverInput extends Banner {
  detail: PurchaseDetail;
  /** The domain's answer for this admin: may they cancel it, may they move its users (and why not). */
  actions: Pick<Abilities<PurchaseAction>, 'takeOverCancel' | 'moveUsers'>;
  targets: readonly CentralTarget[];
  /** One per card, so that a double press of "add central licenses" adds once. */
  formId: string;
}

/** When moving the users isn't possible, the one step that makes it possible: add licenses to the closest central subscription, or buy one. */
const moveStep = (input: TakeOverInput): { why: string; action: ReturnType<typeof execute> | null } | null => {
  const move = input.actions.moveUsers;
  const holders = input.detail.assignedTotal ?? input.detail.assignedUsers.length;
  if (move.ok || holders === 0) return null;
  const { subscription: s, product } = input.detail;
  const needed = Number(move.details?.needed ?? holders);
  const best = move.details?.best as { subscriptionId: string; available: number } | null | undefined;
  if (move.code === 'AUTH.READ_ONLY' || move.code === 'AUTH.NOT_ADMIN' || !Number.isInteger(needed) || needed < 1) return { why: move.reason, action: null };
  if (best) {
    const more = needed - best.available;
    return {
      why: move.reason,
      action: execute(
        `Add ${count(more, 'central license')}`,
        VERBS.takeOverAddCentral,
        { subscriptionId: s.id, targetId: best.subscriptionId, quantity: more, formId: input.formId },
        { associatedInputs: 'none' },
      ),
    };
  }
  return {
    why: move.reason,
    action: execute(
      `Buy ${count(needed, 'central license')} of ${product.name}`,
      VERBS.takeOverBuyCentral,
      { subscriptionId: s.id, quantity: needed, formId: input.formId },
      { associatedInputs: 'none' },
    ),
  };
};

export const takeOverConfirmCard = (input: TakeOverInput): AdaptiveCard => {
  const { subscription: s, product, purchaser, assignedUsers } = input.detail;
  const n = input.detail.assignedTotal ?? assignedUsers.length;
  // Only the subscriptions that can take everyone: moving to one short of licenses would be refused.
  const fitting = input.actions.moveUsers.ok && n > 0 ? input.targets.filter((t) => t.available >= t.needed) : [];
  const targets = fitting.slice(0, LIMITS.choices).map((t) => ({
    title: `Move ${n === 1 ? 'its user' : `its ${count(n, 'user')}`} to the central ${product.name} subscription (${t.available} available), then cancel`,
    value: t.subscription.id,
  }));
  const step = moveStep(input);
  return cardOf(
    [
      ...banner(input),
      heading(`Take over ${product.name} from ${purchaser?.displayName ?? 'its purchaser'}?`),
      text(
        `The self-service subscription will be cancelled and its purchaser told, with your reason. ${n ? `${count(n, 'person')} ${agree(n, 'holds', 'hold')} a license on it.` : 'Nobody holds a license on it.'}`,
      ),
      choiceSet('mode', [{ title: n ? `Cancel it: ${count(n, 'person')} ${agree(n, 'loses', 'lose')} access now` : 'Cancel it', value: 'cancel' }, ...targets], {
        label: 'What happens to the licenses',
        style: 'expanded',
        isRequired: true,
        errorMessage: 'Pick what happens to the licenses',
        // Keeping people's access comes first when it can: cancelling is the choice that takes it away.
        value: targets[0]?.value ?? 'cancel',
      }),
      ...only(step, text(step ? `Moving the users instead: ${step.why}` : '', { isSubtle: true, size: 'Small' })),
      ...only(step?.action, actionSet(step?.action ? [step.action] : [])),
      choiceSet('reason', reasonChoices(TAKEOVER_REASONS), { label: 'Reason (the purchaser sees it)', isRequired: true, errorMessage: 'Pick a reason' }),
      reasonDetailsInput('If Other: in your words, which the purchaser sees'),
    ],
    [
      ...only(input.actions.takeOverCancel.ok || input.actions.moveUsers.ok, execute('Take over', VERBS.takeOver, { subscriptionId: s.id }, { style: 'destructive' })),
      execute('Back', VERBS.purchase, { subscriptionId: s.id }, { associatedInputs: 'none' }),
    ],
  );
};

export const centralizeConfirmCard = (input: { detail: PurchaseDetail; targets: readonly CentralTarget[] } & Banner): AdaptiveCard => {
  const { subscription: s, product, purchaser, assignedUsers } = input.detail;
  const n = input.detail.assignedTotal ?? assignedUsers.length;
  const who = purchaser?.displayName ?? 'the purchaser';
  const targets = input.targets
    .filter((t) => t.available >= t.needed)
    .slice(0, LIMITS.choices)
    .map((t) => ({ title: `The central subscription (${t.available} of ${t.subscription.quantity} available)`, value: t.subscription.id }));
  return cardOf(
    [
      ...banner(input),
      heading(`Centralize ${product.name} licenses of ${who}?`),
      text(
        `${n === 1 ? 'The person' : `The ${count(n, 'person')}`} licensed on this subscription ${agree(n, 'gets a license', 'get licenses')} your organization pays for; then ${who} is asked to cancel, so nobody pays twice.`,
      ),
      choiceSet('target', [...targets, { title: `A new central subscription of ${count(n, 'license')}, billed to your organization's agreement`, value: 'new' }], {
        label: 'Licenses from',
        style: 'expanded',
        isRequired: true,
        errorMessage: 'Pick where the licenses come from',
        value: targets[0]?.value ?? 'new',
      }),
    ],
    [
      execute('Centralize', VERBS.centralize, { subscriptionId: s.id }, { style: 'positive' }),
      execute('Back', VERBS.purchase, { subscriptionId: s.id }, { associatedInputs: 'none' }),
    ],
  );
};

// ---------------------------------------------------------------------------------------------- policies

const policyChoices = (): Choice[] => Object.entries(POLICY_LABELS).map(([value, title]) => ({ title, value }));

export const policiesCard = (input: { rows: readonly PolicyRow[]; canWrite: boolean; refreshUserIds: string[] } & Banner): AdaptiveCard => {
  const { shown, hidden } = firstOf(input.rows, LIMITS.choices);
  return cardOf(
    [
      ...banner(input),
      heading('AllowSelfServicePurchase'),
      text('Who may buy or try each product without IT. New products start as Enabled.', { isSubtle: true, spacing: 'None' }),
      facts(shown.map((r) => [r.product.name, `${policyLabel(r.value)}${r.isDefault ? ' (default)' : ''}`] as const)),
      ...moreNote(hidden, 'product', { where: 'The Admin tab lists and changes them all.' }),
    ],
    [
      ...only(
        input.canWrite,
        showCard(
          'Change one product',
          [
            choiceSet(
              'productId',
              shown.map((r) => ({ title: r.product.name, value: r.product.id })),
              { label: 'Product', isRequired: true, errorMessage: 'Pick a product' },
            ),
            choiceSet('value', policyChoices(), { label: 'Setting', isRequired: true, errorMessage: 'Pick a setting', value: 'Disabled' }),
          ],
          [execute('Apply', VERBS.setPolicy, {}, { style: 'positive' })],
        ),
        showCard(
          'Change all products',
          [choiceSet('allValue', policyChoices(), { label: 'Setting for every product', isRequired: true, errorMessage: 'Pick a setting', value: 'Disabled' })],
          [execute('Apply to all products', VERBS.setAllPolicies, {}, { style: 'destructive' })],
        ),
      ),
    ],
    { refresh: refresh('policies', {}, input.refreshUserIds) },
  );
};

// ---------------------------------------------------------------------------------------------- approvals

export const approvalCard = (
  input: { request: PurchaseRequest; product: Product; requesterName: string; deciderName: string | null; refreshUserIds: string[]; actions: Abilities<RequestAction> } & Banner,
): AdaptiveCard => {
  const r = input.request;
  const unit = input.product.prices[r.billingFrequency];
  const pending = r.status === 'Pending';
  const outcome = pending
    ? ''
    : `${r.status === 'Rejected' ? 'Rejected' : r.status === 'Approved' ? 'Approved' : 'Approved, but the purchase failed'}${input.deciderName ? ` by ${input.deciderName}` : ''}${r.decidedAt ? ` on ${day(r.decidedAt)}` : ''}${r.decisionNote ? `: ${clip(r.decisionNote, 500)}` : '.'}`;
  return cardOf(
    [
      ...banner(input),
      text('✋ Approval request', { weight: 'Bolder', color: 'Accent' }),
      heading(r.kind === 'Trial' ? `Trial of ${input.product.name}` : `${count(r.quantity, 'license')} of ${input.product.name}`),
      facts([
        ['Requested by', input.requesterName],
        ['When', day(r.createdAt)],
        [
          'Cost',
          r.kind === 'Trial'
            ? 'Free trial'
            : `${price({ amountMinor: unit.amountMinor * r.quantity, currency: unit.currency })} ${perPeriod(r.billingFrequency)}, on the requester's card`,
        ],
      ]),
      ...only(outcome, text(outcome, { weight: 'Bolder' })),
    ],
    [
      ...only(input.actions.approve.ok, execute('Approve', VERBS.approve, { requestId: r.id }, { style: 'positive', associatedInputs: 'none' })),
      ...only(
        input.actions.reject.ok,
        showCard(
          'Reject',
          [textInput('note', { label: 'Why (the requester sees it)', maxLength: 500, isMultiline: true })],
          [execute('Reject', VERBS.reject, { requestId: r.id }, { style: 'destructive' })],
        ),
      ),
    ],
    { refresh: refresh('approval', { requestId: r.id }, input.refreshUserIds) },
  );
};

export const approvalsCard = (input: { items: ReadonlyArray<{ request: PurchaseRequest; productName: string; requesterName: string }> } & Banner): AdaptiveCard => {
  const { shown, hidden } = firstOf(input.items, LIMITS.rows);
  return cardOf([
    ...banner(input),
    heading('Waiting for approval'),
    ...only(input.items.length === 0, text('Nothing is waiting for approval.')),
    ...rowList(
      shown.map(({ request: r, productName, requesterName }) => ({
        lines: [
          text(`**${r.kind === 'Trial' ? `Trial of ${productName}` : `${count(r.quantity, 'license')} of ${productName}`}**`),
          text(`${requesterName} · ${day(r.createdAt)}`, { isSubtle: true, spacing: 'None' }),
        ],
        action: execute('Open', VERBS.approvals, { requestId: r.id }),
      })),
    ),
    ...moreNote(hidden, 'request', { where: 'The Admin tab lists them all.' }),
  ]);
};

// ---------------------------------------------------------------------------------------------- audit, licenses, roles, export

const SURFACE_WORDS = { chat: 'in chat', card: 'on a card', web: 'on the web', system: 'automatic' } as const;

export const auditCard = (input: { page: Page<AuditEntry>; names: ReadonlyMap<string, string> }): AdaptiveCard => {
  const page = input.page.page;
  const pages = pageCount(input.page.total, input.page.pageSize);
  const { shown, hidden } = firstOf(input.page.items, LIMITS.rows);
  return cardOf([
    heading('Audit log'),
    text(input.page.total === 0 ? 'The audit log is empty.' : `${count(input.page.total, 'entry')}, newest first · page ${page} of ${pages}`, { isSubtle: true, spacing: 'None' }),
    ...shown.map((e) =>
      container(
        [
          text(clip(withPolicyLabels(e.summary), 300)),
          text(
            `${e.at.toISOString().slice(0, 16).replace('T', ' ')} · ${input.names.get(e.actorId) ?? (e.actorId === 'system' ? 'System' : e.actorId)} · ${SURFACE_WORDS[e.surface]}`,
            { isSubtle: true, spacing: 'None', size: 'Small' },
          ),
        ],
        { separator: true },
      ),
    ),
    ...moreNote(hidden, 'entry', { qualifier: 'on this page', where: 'The Admin tab lists them all.' }),
    ...pager(VERBS.audit, page, pages),
  ]);
};

export const productLicensesCard = (input: { view: ProductLicensesView }): AdaptiveCard => {
  const v = input.view;
  // Each purchaser takes a few lines; a page longer than 10 is cut (ask for pages of at most 10).
  const groups = firstOf(v.groups, 10);
  return cardOf([
    heading(`${v.product.name} licenses`),
    // A FactSet shows text only: a number there renders as an empty value.
    facts([
      ['Subscriptions', String(v.subscriptions)],
      ['Licenses', String(v.totalQuantity)],
      ['Assigned', String(v.assigned)],
      ['Available', String(v.available)],
    ]),
    ...groups.shown.map((g) => {
      // The view holds the first few of a large group; its counts say how many there are in all.
      const subs = firstOf(g.subscriptions, 3);
      const subsHidden = Math.max(subs.hidden, (g.subscriptionCount ?? g.subscriptions.length) - subs.shown.length);
      const more = subsHidden ? ` and ${count(subsHidden, 'more subscription')}` : '';
      const users = Math.max(g.userCount ?? 0, g.users.length);
      return container(
        [
          text(
            `**Bought by ${g.purchaserName}** · ${subs.shown.map((s) => `${count(s.quantity, `${ORIGIN_WORDS[s.origin]} license`)} (${s.assigned} assigned)`).join(', ')}${more}`,
          ),
          text(
            users
              ? someNames(
                  g.users.slice(0, LIMITS.names).map((u) => u.displayName),
                  LIMITS.names,
                  users,
                )
              : 'Nobody assigned yet',
            { isSubtle: true, spacing: 'None' },
          ),
        ],
        { separator: true },
      );
    }),
    ...moreNote(groups.hidden, 'purchaser', { qualifier: 'on this page', where: 'The Admin tab and the licensed users export list them all.' }),
    ...pager(VERBS.productLicenses, v.page, pageCount(v.totalGroups, v.pageSize), { productId: v.product.id }),
  ]);
};

export const rolesCard = (
  input: {
    assignments: readonly RoleAssignment[];
    names: ReadonlyMap<string, string>;
    canGrant: boolean;
    /** The assignments this reader may revoke now (`userId\u0000role`), as the domain says; absent: none. */
    canRevoke?: ReadonlySet<string>;
  } & Banner,
): AdaptiveCard => {
  const { shown, hidden } = firstOf(input.assignments, LIMITS.rows);
  return cardOf(
    [
      ...banner(input),
      heading('Admin roles'),
      text('Admins see every purchase; Global and Billing admins can change them; Global readers only look.', { isSubtle: true, spacing: 'None' }),
      ...rowList(
        shown.map((a) => ({
          lines: [
            text(`**${input.names.get(a.userId) ?? a.userId}** · ${roleName(a.role)}`),
            text(a.grantedBy ? `granted ${day(a.grantedAt)}` : 'from configuration', { isSubtle: true, spacing: 'None', size: 'Small' }),
          ],
          ...(input.canRevoke?.has(`${a.userId}\u0000${a.role}`)
            ? { action: execute('Revoke', VERBS.revokeRole, { userId: a.userId, role: a.role }, { associatedInputs: 'none' }) }
            : {}),
        })),
      ),
      ...moreNote(hidden, 'role assignment'),
    ],
    [
      ...only(
        input.canGrant,
        showCard(
          'Grant a role',
          [
            peoplePicker('grantUserId', { label: 'Person', placeholder: 'Start typing a name' }),
            textInput('person', { label: 'Or their name or email', maxLength: 200 }),
            choiceSet(
              'role',
              Object.entries(ROLE_NAMES).map(([value, title]) => ({ title, value })),
              { label: 'Role', isRequired: true, errorMessage: 'Pick a role', value: 'BillingAdmin' },
            ),
          ],
          [execute('Grant', VERBS.grantRole, {}, { style: 'positive' })],
        ),
      ),
    ],
  );
};

export const exportCard = (input: { url: string; what: string; minutes: number }): AdaptiveCard =>
  cardOf(
    [heading('Licensed users export'), text(`${input.what} The link works for ${count(input.minutes, 'minute')} and only for admins of your organization.`)],
    [openUrl('Download CSV', input.url)],
  );
