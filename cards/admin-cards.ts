import type { PurchaseRow } from '../domain/admin/list-purchases';
import type { PurchaseDetail } from '../domain/admin/get-purchase-detail';
import type { ProductLicensesView } from '../domain/admin/licenses-view';
import type { PolicyRow } from '../domain/policy/view-policies';
import type { AuditEntry, Page, PolicyValue, Product, PurchaseRequest, RoleAssignment, Subscription } from '../domain/model';
import { TAKEOVER_REASONS } from '../domain/purchasing/purchase-support';
import { day, plural, price, STATUS_WORDS } from './format';
import { banner, cardOf, execute, facts, heading, pageCount, pager, refresh, rowList, showCard, template, text, type AdaptiveCard } from './ui';
import { VERBS } from './verbs';
import type { Banner } from './purchaser-cards';

const POLICY_WORDS: Record<PolicyValue, string> = { Enabled: 'Enabled', Disabled: 'Disabled', OnlyTrialsWithoutPaymentMethod: 'Only trials without a card' };
const ORIGIN_WORDS = { SelfService: 'self-service', Central: 'central' } as const;
/** Teams identifies users in `refresh.userIds` by MRI; for Entra users that is 8:orgid:<object id>. */
export const mri = (aadObjectId: string): string => `8:orgid:${aadObjectId}`;

// ---------------------------------------------------------------------------------------------- purchases list

const purchasesTemplate = template<Record<string, unknown>>(
  cardOf([
    banner(),
    heading('${title}'),
    text('${summary}', { isSubtle: true, spacing: 'None' }),
    rowList([text('**${name}** · ${purchaser}'), text('${line}', { isSubtle: true, spacing: 'None' })], execute('Details', VERBS.purchase, { subscriptionId: '${id}' })),
    pager(VERBS.purchases, { origin: '${origin}' }),
  ], [
    execute('All', VERBS.purchases, { page: 1, origin: '' }, { when: "${origin != ''}" }),
    execute('Self-service only', VERBS.purchases, { page: 1, origin: 'SelfService' }, { when: "${origin != 'SelfService'}" }),
    execute('Central only', VERBS.purchases, { page: 1, origin: 'Central' }, { when: "${origin != 'Central'}" }),
  ], { refresh: refresh('purchases', { page: '${page}', origin: '${origin}' }, '${refreshUserIds}') }),
);

export const purchasesCard = (input: { page: Page<PurchaseRow>; origin: '' | 'SelfService' | 'Central'; refreshUserIds: string[] } & Banner): AdaptiveCard =>
  purchasesTemplate({
    ...input,
    title: input.origin === 'SelfService' ? 'Self-service purchases' : input.origin === 'Central' ? 'Central subscriptions' : 'All purchases',
    summary: input.page.total === 0 ? 'Nothing yet.' : `${input.page.total} in all · page ${input.page.page} of ${pageCount(input.page.total, input.page.pageSize)}`,
    page: input.page.page,
    pageCount: pageCount(input.page.total, input.page.pageSize),
    items: input.page.items.map((r) => ({
      id: r.subscription.id,
      name: r.product.name,
      purchaser: r.purchaserName,
      line: `${plural(r.subscription.quantity, 'license')} (${r.assigned} assigned) · ${ORIGIN_WORDS[r.subscription.origin]} · ${STATUS_WORDS[r.subscription.status]} · expires ${day(r.subscription.expiresAt)}`,
    })),
  });

// ---------------------------------------------------------------------------------------------- one purchase (also the new-purchase notification)

const purchaseTemplate = template<Record<string, unknown>>(
  cardOf([
    banner(),
    text('🛒 New self-service purchase', { $when: '${isNew}', weight: 'Bolder', color: 'Accent' }),
    heading('${name}'),
    text('${statusLine}', { isSubtle: true, spacing: 'None' }),
    facts([
      ['Purchaser', '${purchaser}'],
      ['Licenses', '${quantity} (${assignedCount} assigned)'],
      ['Price', '${priceLine}'],
      ['${expiryLabel}', '${expires}'],
      ['Policy', '${policy}'],
    ]),
    text('**Assigned to:** ${assigneeNames}', { $when: "${assigneeNames != ''}" }),
    text('${outcome}', { $when: "${outcome != ''}", weight: 'Bolder' }),
  ], [
    execute('Take over', VERBS.takeOverConfirm, { subscriptionId: '${id}' }, { when: '${canAct}', style: 'destructive' }),
    execute('Disable product', VERBS.disableProduct, { subscriptionId: '${id}' }, { when: "${canAct && policyValue != 'Disabled'}" }),
    execute('Acknowledge', VERBS.acknowledge, { subscriptionId: '${id}' }, { when: '${canAct && !acknowledged}', style: 'positive' }),
    execute('Centralize licenses', VERBS.centralizeConfirm, { subscriptionId: '${id}' }, { when: "${canAct && centralizedInto == ''}" }),
  ], { refresh: refresh('purchase', { subscriptionId: '${id}', isNew: '${isNew}' }, '${refreshUserIds}') }),
);

export interface PurchaseCardInput extends Banner {
  detail: PurchaseDetail;
  policy: PolicyValue;
  /** Shown as the new-purchase notification in the admin channel. */
  isNew: boolean;
  refreshUserIds: string[];
}

export const purchaseCard = (input: PurchaseCardInput): AdaptiveCard => {
  const { subscription: s, product, purchaser, assignedUsers, acknowledged } = input.detail;
  const isLive = s.status === 'Active' || s.status === 'Trial';
  const outcome =
    s.status === 'Deleted' ? `Taken over${s.cancelReason ? ` (${s.cancelReason})` : ''}.`
      : s.status === 'Cancelled' ? `Cancelled by the purchaser${s.cancelReason ? ` (${s.cancelReason})` : ''}.`
        : acknowledged ? `Acknowledged by ${acknowledged.byName} on ${day(acknowledged.at)}.` : '';
  return purchaseTemplate({
    banner: input.banner ?? null,
    bannerIsError: input.bannerIsError ?? false,
    isNew: input.isNew,
    id: s.id,
    name: product.name,
    statusLine: `${s.isTrial ? 'Trial' : s.origin === 'Central' ? 'Central subscription' : 'Self-service purchase'} · ${STATUS_WORDS[s.status]}`,
    purchaser: purchaser ? `${purchaser.displayName}${purchaser.email ? ` (${purchaser.email})` : ''}${purchaser.active ? '' : ' · left the organization'}` : 'Unknown',
    quantity: s.quantity,
    assignedCount: assignedUsers.length,
    assigneeNames: assignedUsers.slice(0, 20).map((u) => u.displayName).join(', ') + (assignedUsers.length > 20 ? ` and ${assignedUsers.length - 20} more` : ''),
    priceLine: s.isTrial ? 'Free trial' : `${price(s.unitPrice)} per license, ${s.billingFrequency === 'Annual' ? 'yearly' : 'monthly'}`,
    expiryLabel: isLive ? (s.recurring ? 'Renews' : 'Ends') : 'Ended',
    expires: day(s.cancelledAt ?? s.expiresAt),
    policy: POLICY_WORDS[input.policy],
    policyValue: input.policy,
    outcome,
    acknowledged: acknowledged !== null,
    centralizedInto: s.centralizedInto ?? '',
    canAct: isLive && s.origin === 'SelfService',
    refreshUserIds: input.refreshUserIds,
  });
};

// ---------------------------------------------------------------------------------------------- take over / centralize

export interface CentralTarget {
  subscription: Subscription;
  available: number;
}

const takeOverTemplate = template<Record<string, unknown>>(
  cardOf([
    banner(),
    heading('Take over ${name} from ${purchaser}?'),
    text('${explain}'),
    {
      type: 'Input.ChoiceSet',
      id: 'mode',
      label: 'What happens to the licenses',
      style: 'expanded',
      isRequired: true,
      errorMessage: 'Pick what happens to the licenses',
      value: 'cancel',
      choices: [
        { title: '${cancelChoice}', value: 'cancel' },
        { $data: '${targets}', title: '${title}', value: '${value}' },
      ],
    },
    { type: 'Input.ChoiceSet', id: 'reason', label: 'Reason (the purchaser sees it)', isRequired: true, errorMessage: 'Pick a reason', choices: [{ $data: '${reasons}', title: '${$data}', value: '${$data}' }] },
  ], [
    execute('Take over', VERBS.takeOver, { subscriptionId: '${id}' }, { style: 'destructive' }),
    execute('Back', VERBS.purchase, { subscriptionId: '${id}' }, { associatedInputs: 'none' }),
  ]),
);

export const takeOverConfirmCard = (input: { detail: PurchaseDetail; targets: readonly CentralTarget[] } & Banner): AdaptiveCard => {
  const { subscription: s, product, purchaser, assignedUsers } = input.detail;
  const n = assignedUsers.length;
  return takeOverTemplate({
    ...input,
    id: s.id,
    name: product.name,
    purchaser: purchaser?.displayName ?? 'its purchaser',
    explain: `The self-service subscription is cancelled and its purchaser is told, with your reason. ${n ? `${plural(n, 'person', 'people')} hold${n === 1 ? 's' : ''} a license on it.` : 'Nobody holds a license on it.'}`,
    cancelChoice: n ? `Cancel it: ${plural(n, 'person', 'people')} lose access now` : 'Cancel it',
    targets: input.targets
      .filter((t) => t.available >= n && n > 0)
      .map((t) => ({ value: t.subscription.id, title: `Move the ${plural(n, 'user')} to the central ${product.name} subscription (${t.available} available), then cancel` })),
    reasons: [...TAKEOVER_REASONS],
  });
};

const centralizeTemplate = template<Record<string, unknown>>(
  cardOf([
    banner(),
    heading('Centralize ${name} licenses of ${purchaser}?'),
    text('Everyone licensed on this subscription (${holders}) gets a license your organization pays for; then ${purchaser} is asked to cancel, so nobody pays twice.'),
    {
      type: 'Input.ChoiceSet',
      id: 'target',
      label: 'Licenses from',
      style: 'expanded',
      isRequired: true,
      errorMessage: 'Pick where the licenses come from',
      value: '${defaultTarget}',
      choices: [{ $data: '${targets}', title: '${title}', value: '${value}' }, { title: '${newChoice}', value: 'new' }],
    },
  ], [
    execute('Centralize', VERBS.centralize, { subscriptionId: '${id}' }, { style: 'positive' }),
    execute('Back', VERBS.purchase, { subscriptionId: '${id}' }, { associatedInputs: 'none' }),
  ]),
);

export const centralizeConfirmCard = (input: { detail: PurchaseDetail; targets: readonly CentralTarget[] } & Banner): AdaptiveCard => {
  const { subscription: s, product, purchaser, assignedUsers } = input.detail;
  const n = assignedUsers.length;
  const targets = input.targets.filter((t) => t.available >= n).map((t) => ({ value: t.subscription.id, title: `The central subscription (${t.available} of ${t.subscription.quantity} available)` }));
  return centralizeTemplate({
    ...input,
    id: s.id,
    name: product.name,
    purchaser: purchaser?.displayName ?? 'the purchaser',
    holders: plural(n, 'person', 'people'),
    targets,
    defaultTarget: targets[0]?.value ?? 'new',
    newChoice: `A new central subscription of ${plural(Math.max(n, 1), 'license')}, billed to your organization's agreement`,
  });
};

// ---------------------------------------------------------------------------------------------- policies

const policiesTemplate = template<Record<string, unknown>>(
  cardOf([
    banner(),
    heading('AllowSelfServicePurchase'),
    text('Who may buy or try each product without IT. New products start as Enabled.', { isSubtle: true, spacing: 'None' }),
    { type: 'FactSet', facts: [{ $data: '${rows}', title: '${name}', value: '${value}' }] },
  ], [
    showCard('Change one product', [
      { type: 'Input.ChoiceSet', id: 'productId', label: 'Product', isRequired: true, errorMessage: 'Pick a product', choices: [{ $data: '${rows}', title: '${name}', value: '${id}' }] },
      { type: 'Input.ChoiceSet', id: 'value', label: 'Setting', isRequired: true, errorMessage: 'Pick a setting', value: 'Disabled', choices: [{ $data: '${values}', title: '${title}', value: '${value}' }] },
    ], [execute('Apply', VERBS.setPolicy, {}, { style: 'positive' })], '${canWrite}'),
    showCard('Change all products', [
      { type: 'Input.ChoiceSet', id: 'allValue', label: 'Setting for every product', isRequired: true, errorMessage: 'Pick a setting', value: 'Disabled', choices: [{ $data: '${values}', title: '${title}', value: '${value}' }] },
    ], [execute('Apply to all products', VERBS.setAllPolicies, {}, { style: 'destructive' })], '${canWrite}'),
  ], { refresh: refresh('policies', {}, '${refreshUserIds}') }),
);

export const policiesCard = (input: { rows: readonly PolicyRow[]; canWrite: boolean; refreshUserIds: string[] } & Banner): AdaptiveCard =>
  policiesTemplate({
    ...input,
    rows: input.rows.map((r) => ({ id: r.product.id, name: r.product.name, value: `${POLICY_WORDS[r.value]}${r.isDefault ? ' (default)' : ''}` })),
    values: Object.entries(POLICY_WORDS).map(([value, title]) => ({ value, title })),
  });

// ---------------------------------------------------------------------------------------------- approvals

const approvalTemplate = template<Record<string, unknown>>(
  cardOf([
    banner(),
    text('✋ Approval request', { weight: 'Bolder', color: 'Accent' }),
    heading('${what}'),
    facts([
      ['Requested by', '${requester}'],
      ['When', '${when}'],
      ['Cost', '${cost}'],
    ]),
    text('${outcome}', { $when: "${outcome != ''}", weight: 'Bolder' }),
  ], [
    execute('Approve', VERBS.approve, { requestId: '${id}' }, { style: 'positive', when: '${pending}', associatedInputs: 'none' }),
    showCard('Reject', [{ type: 'Input.Text', id: 'note', label: 'Why (the requester sees it)', maxLength: 500, isMultiline: true }], [execute('Reject', VERBS.reject, { requestId: '${id}' }, { style: 'destructive' })], '${pending}'),
  ], { refresh: refresh('approval', { requestId: '${id}' }, '${refreshUserIds}') }),
);

export const approvalCard = (input: { request: PurchaseRequest; product: Product; requesterName: string; deciderName: string | null; refreshUserIds: string[] } & Banner): AdaptiveCard => {
  const r = input.request;
  const unit = input.product.prices[r.billingFrequency];
  return approvalTemplate({
    ...input,
    id: r.id,
    what: r.kind === 'Trial' ? `Trial of ${input.product.name}` : `${plural(r.quantity, 'license')} of ${input.product.name}`,
    requester: input.requesterName,
    when: day(r.createdAt),
    cost: r.kind === 'Trial' ? 'Free trial' : `${price({ amountMinor: unit.amountMinor * r.quantity, currency: unit.currency })} ${r.billingFrequency === 'Annual' ? 'per year' : 'per month'}, on the requester's card`,
    pending: r.status === 'Pending',
    outcome: r.status === 'Pending' ? '' : `${r.status === 'Rejected' ? 'Rejected' : r.status === 'Approved' ? 'Approved' : 'Approved, but the purchase failed'}${input.deciderName ? ` by ${input.deciderName}` : ''}${r.decidedAt ? ` on ${day(r.decidedAt)}` : ''}${r.decisionNote ? `: ${r.decisionNote}` : '.'}`,
  });
};

const approvalsTemplate = template<Record<string, unknown>>(
  cardOf([
    banner(),
    heading('Waiting for approval'),
    text('Nothing is waiting for approval.', { $when: '${count(items) == 0}' }),
    rowList([text('**${what}**'), text('${who} · ${when}', { isSubtle: true, spacing: 'None' })], execute('Open', VERBS.approvals, { requestId: '${id}' })),
  ]),
);

export const approvalsCard = (input: { items: ReadonlyArray<{ request: PurchaseRequest; productName: string; requesterName: string }> } & Banner): AdaptiveCard =>
  approvalsTemplate({
    ...input,
    items: input.items.map(({ request: r, productName, requesterName }) => ({
      id: r.id,
      what: r.kind === 'Trial' ? `Trial of ${productName}` : `${plural(r.quantity, 'license')} of ${productName}`,
      who: requesterName,
      when: day(r.createdAt),
    })),
  });

// ---------------------------------------------------------------------------------------------- audit, licenses, roles, export

const auditTemplate = template<Record<string, unknown>>(
  cardOf([
    heading('Audit log'),
    text('${summary}', { isSubtle: true, spacing: 'None' }),
    { type: 'Container', $data: '${items}', separator: true, items: [text('${summary}'), text('${when} · ${who} · ${surface}', { isSubtle: true, spacing: 'None', size: 'Small' })] },
    pager(VERBS.audit),
  ]),
);

export const auditCard = (input: { page: Page<AuditEntry>; names: ReadonlyMap<string, string> }): AdaptiveCard =>
  auditTemplate({
    page: input.page.page,
    pageCount: pageCount(input.page.total, input.page.pageSize),
    summary: input.page.total === 0 ? 'The audit log is empty.' : `${input.page.total} entries, newest first · page ${input.page.page} of ${pageCount(input.page.total, input.page.pageSize)}`,
    items: input.page.items.map((e) => ({
      summary: e.summary,
      when: e.at.toISOString().slice(0, 16).replace('T', ' '),
      who: input.names.get(e.actorId) ?? (e.actorId === 'system' ? 'System' : e.actorId),
      surface: { chat: 'in chat', card: 'on a card', web: 'on the web', system: 'automatic' }[e.surface],
    })),
  });

const licensesTemplate = template<Record<string, unknown>>(
  cardOf([
    heading('${name} licenses'),
    facts([
      ['Subscriptions', '${subscriptions}'],
      ['Licenses', '${totalQuantity}'],
      ['Assigned', '${assigned}'],
      ['Available', '${available}'],
    ]),
    {
      type: 'Container',
      $data: '${groups}',
      separator: true,
      items: [text('**Bought by ${purchaser}** · ${subs}'), text('${users}', { isSubtle: true, spacing: 'None' })],
    },
    pager(VERBS.productLicenses, { productId: '${productId}' }),
  ]),
);

export const productLicensesCard = (input: { view: ProductLicensesView }): AdaptiveCard => {
  const v = input.view;
  return licensesTemplate({
    productId: v.product.id,
    name: v.product.name,
    subscriptions: v.subscriptions,
    totalQuantity: v.totalQuantity,
    assigned: v.assigned,
    available: v.available,
    page: v.page,
    pageCount: pageCount(v.totalGroups, v.pageSize),
    groups: v.groups.map((g) => ({
      purchaser: g.purchaserName,
      subs: g.subscriptions.map((s) => `${s.quantity} ${ORIGIN_WORDS[s.origin]} (${s.assigned} assigned)`).join(', '),
      users: g.users.length ? g.users.map((u) => u.displayName).join(', ') : 'Nobody assigned yet',
    })),
  });
};

const ROLE_WORDS: Record<string, string> = { GlobalAdmin: 'Global admin', BillingAdmin: 'Billing admin', GlobalReader: 'Global reader', DelegatedAdmin: 'Delegated admin' };
export const roleWord = (role: string): string => ROLE_WORDS[role] ?? role;

const rolesTemplate = template<Record<string, unknown>>(
  cardOf([
    banner(),
    heading('Admin roles'),
    text('Admins see every purchase; Global and Billing admins can change them; Global readers only look.', { isSubtle: true, spacing: 'None' }),
    rowList(
      [text('**${name}** · ${role}'), text('${source}', { isSubtle: true, spacing: 'None', size: 'Small' })],
      execute('Revoke', VERBS.revokeRole, { userId: '${userId}', role: '${roleId}' }, { associatedInputs: 'none' }),
      '${$root.canGrant}',
    ),
  ], [
    showCard('Grant a role', [
      { type: 'Input.Text', id: 'person', label: 'Name or email', isRequired: true, maxLength: 200, errorMessage: 'Name a person' },
      { type: 'Input.ChoiceSet', id: 'role', label: 'Role', isRequired: true, errorMessage: 'Pick a role', value: 'BillingAdmin', choices: [{ $data: '${roles}', title: '${title}', value: '${value}' }] },
    ], [execute('Grant', VERBS.grantRole, {}, { style: 'positive' })], '${canGrant}'),
  ]),
);

export const rolesCard = (input: { assignments: readonly RoleAssignment[]; names: ReadonlyMap<string, string>; canGrant: boolean } & Banner): AdaptiveCard =>
  rolesTemplate({
    ...input,
    items: input.assignments.map((a) => ({
      userId: a.userId,
      roleId: a.role,
      name: input.names.get(a.userId) ?? a.userId,
      role: roleWord(a.role),
      source: a.grantedBy ? `granted ${day(a.grantedAt)}` : 'from configuration',
    })),
    roles: Object.entries(ROLE_WORDS).map(([value, title]) => ({ value, title })),
  });

const exportTemplate = template<Record<string, unknown>>(
  cardOf([heading('Licensed users export'), text('${what} The link works for ${minutes} minutes and only for admins of your organization.')], [{ type: 'Action.OpenUrl', title: 'Download CSV', url: '${url}' }]),
);

export const exportCard = (input: { url: string; what: string; minutes: number }): AdaptiveCard => exportTemplate(input);
