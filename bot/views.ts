import { randomUUID } from 'node:crypto';
import type { ActorContext, Deps } from '../domain/ports';
import type { PolicyValue } from '../domain/model';
import { listCatalog } from '../domain/catalog/list-catalog';
import { listMyPurchases } from '../domain/purchasing/list-my-purchases';
import { listBills } from '../domain/billing/list-bills';
import { getPurchaseDetail } from '../domain/admin/get-purchase-detail';
import { listPurchases } from '../domain/admin/list-purchases';
import { getPolicy, listPolicies } from '../domain/policy/view-policies';
import { getPurchaseRequest, listPendingRequests } from '../domain/approvals/manage-approvals';
import { listAudit } from '../domain/audit/list-audit';
import { listRoles } from '../domain/roles/manage-roles';
import { licensesForProduct } from '../domain/admin/licenses-view';
import { listCentralTargets } from '../domain/takeover/list-central-targets';
import { canAdminWrite } from '../domain/access';
import { DomainError, ErrorCodes } from '../domain/shared/errors';
import { parseId } from '../domain/shared/validation';
import { billsCard, buyFormCard, cancelConfirmCard, catalogCard, myPurchasesCard, payBillCard, subscriptionCard, type Banner, type SavedCard } from '../cards/purchaser-cards';
import {
  approvalCard, approvalsCard, auditCard, centralizeConfirmCard, mri, policiesCard, productLicensesCard, purchaseCard, purchasesCard, rolesCard, takeOverConfirmCard,
} from '../cards/admin-cards';
import type { AdaptiveCard } from '../cards/ui';
import type { View } from '../cards/verbs';

/**
 * Each view loads what one card shows through the domain's read use cases (which check the caller)
 * and renders it. Text commands, card actions and refreshes all end here, so a card looks the same
 * however it was reached.
 */
export const CATALOG_PAGE_SIZE = 5;
export const LIST_PAGE_SIZE = 8;
/** Teams refreshes a card automatically for at most 60 listed users. */
const MAX_REFRESH_USERS = 60;

const adminMris = async (deps: Deps, ctx: ActorContext): Promise<string[]> => {
  const roles = await deps.uow.read((r) => r.roles.list(ctx.tenantId));
  return [...new Set(roles.map((a) => a.userId))].slice(0, MAX_REFRESH_USERS).map(mri);
};

/** Cards on file the caller may pay with: those of their own live subscriptions, one per card. */
export const savedCardsOf = async (deps: Deps, ctx: ActorContext): Promise<SavedCard[]> => {
  const mine = await listMyPurchases(deps, ctx);
  const seen = new Set<string>();
  const cards: SavedCard[] = [];
  for (const { subscription: s } of mine) {
    if (!s.card || (s.status !== 'Active' && s.status !== 'Trial')) continue;
    const label = `${s.card.brand} ending ${s.card.last4} (expires ${String(s.card.expMonth).padStart(2, '0')}/${String(s.card.expYear).slice(-2)})`;
    if (seen.has(label)) continue;
    seen.add(label);
    cards.push({ subscriptionId: s.id, label });
  }
  return cards;
};

export const views = {
  catalog: async (deps: Deps, ctx: ActorContext, page = 1, banner?: Banner): Promise<AdaptiveCard> => {
    const items = await listCatalog(deps, ctx);
    const pages = Math.max(1, Math.ceil(items.length / CATALOG_PAGE_SIZE));
    return catalogCard({ items, page: Math.min(Math.max(1, Math.trunc(page) || 1), pages), pageSize: CATALOG_PAGE_SIZE, ...banner });
  },

  buyForm: async (deps: Deps, ctx: ActorContext, productId: string, mode: 'buy' | 'trial', opts: { quantity?: number } & Banner = {}): Promise<AdaptiveCard> => {
    const items = await listCatalog(deps, ctx);
    const item = items.find((i) => i.product.id === productId);
    if (!item) throw new DomainError(ErrorCodes.PRODUCT_UNKNOWN, "We don't sell that product here. Say 'catalog' to see what's available.");
    // The form is offered only when the use case would accept it; the use case checks again on submit.
    if (mode === 'buy' && !item.canBuy) {
      throw new DomainError(item.canTrial ? ErrorCodes.POLICY_TRIALS_ONLY : ErrorCodes.POLICY_DISABLED, `Your organization doesn't allow buying ${item.product.name} here${item.canTrial ? ', only its trial' : ''}. Please contact your IT admin.`);
    }
    if (mode === 'trial' && !item.canTrial) {
      throw new DomainError(ErrorCodes.TRIAL_NOT_AVAILABLE, `A trial of ${item.product.name} isn't available to you. Please contact your IT admin.`);
    }
    return buyFormCard({ product: item.product, mode, savedCards: await savedCardsOf(deps, ctx), formId: randomUUID(), ...opts });
  },

  mine: async (deps: Deps, ctx: ActorContext, banner?: Banner): Promise<AdaptiveCard> => myPurchasesCard({ items: await listMyPurchases(deps, ctx), ...banner }),

  subscription: async (deps: Deps, ctx: ActorContext, subscriptionId: unknown, banner?: Banner): Promise<AdaptiveCard> => {
    const d = await getPurchaseDetail(deps, ctx, { subscriptionId });
    const roles = d.subscription.origin === 'Central' ? await deps.uow.read((r) => r.roles.listForUser(ctx.tenantId, ctx.actorId)) : [];
    return subscriptionCard({
      canManage: d.subscription.origin === 'SelfService' ? d.subscription.purchaserId === ctx.actorId : canAdminWrite(roles),
      subscription: d.subscription,
      product: d.product,
      assignees: d.assignedUsers.map((u) => ({ id: u.id, name: u.displayName })),
      formId: randomUUID(),
      ...banner,
    });
  },

  cancelConfirm: async (deps: Deps, ctx: ActorContext, subscriptionId: unknown): Promise<AdaptiveCard> => {
    const d = await getPurchaseDetail(deps, ctx, { subscriptionId });
    if (d.subscription.purchaserId !== ctx.actorId) throw new DomainError(ErrorCodes.SUBSCRIPTION_NOT_FOUND, "We couldn't find that subscription.");
    return cancelConfirmCard({ subscription: d.subscription, product: d.product, assigned: d.assignedUsers.length });
  },

  bills: async (deps: Deps, ctx: ActorContext, banner?: Banner): Promise<AdaptiveCard> => billsCard({ bills: await listBills(deps, ctx), ...banner }),

  payForm: async (deps: Deps, ctx: ActorContext, invoiceId: unknown, banner?: Banner): Promise<AdaptiveCard> => {
    const id = parseId(invoiceId, 'bill');
    const bill = (await listBills(deps, ctx)).find((b) => b.id === id);
    if (!bill) throw new DomainError(ErrorCodes.BILL_NOT_FOUND, "We couldn't find that bill.");
    return payBillCard({ bill, savedCards: await savedCardsOf(deps, ctx), ...banner });
  },

  purchases: async (deps: Deps, ctx: ActorContext, page: unknown = 1, origin: unknown = '', banner?: Banner): Promise<AdaptiveCard> => {
    const o = origin === 'SelfService' || origin === 'Central' ? origin : '';
    const result = await listPurchases(deps, ctx, { origin: o || undefined, page: Number(page) || 1, pageSize: LIST_PAGE_SIZE });
    return purchasesCard({ page: result, origin: o, refreshUserIds: await adminMris(deps, ctx), ...banner });
  },

  purchase: async (deps: Deps, ctx: ActorContext, subscriptionId: unknown, opts: { isNew?: boolean } & Banner = {}): Promise<AdaptiveCard> => {
    const detail = await getPurchaseDetail(deps, ctx, { subscriptionId });
    const [policy, refreshUserIds] = await Promise.all([getPolicy(deps, ctx, detail.product.id), adminMris(deps, ctx)]);
    return purchaseCard({ detail, policy: policy.value as PolicyValue, isNew: opts.isNew ?? false, refreshUserIds, banner: opts.banner, bannerIsError: opts.bannerIsError });
  },

  takeOverConfirm: async (deps: Deps, ctx: ActorContext, subscriptionId: unknown, banner?: Banner): Promise<AdaptiveCard> => {
    const targets = await listCentralTargets(deps, ctx, { subscriptionId });
    return takeOverConfirmCard({ detail: await getPurchaseDetail(deps, ctx, { subscriptionId }), targets, ...banner });
  },

  centralizeConfirm: async (deps: Deps, ctx: ActorContext, subscriptionId: unknown, banner?: Banner): Promise<AdaptiveCard> => {
    const targets = await listCentralTargets(deps, ctx, { subscriptionId });
    return centralizeConfirmCard({ detail: await getPurchaseDetail(deps, ctx, { subscriptionId }), targets, ...banner });
  },

  policies: async (deps: Deps, ctx: ActorContext, banner?: Banner): Promise<AdaptiveCard> => {
    const rows = await listPolicies(deps, ctx);
    const actor = await deps.uow.read((r) => r.roles.listForUser(ctx.tenantId, ctx.actorId));
    return policiesCard({ rows, canWrite: canAdminWrite(actor), refreshUserIds: await adminMris(deps, ctx), ...banner });
  },

  approvals: async (deps: Deps, ctx: ActorContext, banner?: Banner): Promise<AdaptiveCard> => {
    const pending = await listPendingRequests(deps, ctx);
    const [products, people] = await Promise.all([
      deps.uow.read((r) => r.products.list()),
      deps.uow.read((r) => r.users.getMany(ctx.tenantId, [...new Set(pending.map((p) => p.requesterId))])),
    ]);
    const productName = new Map(products.map((p) => [p.id, p.name]));
    const name = new Map(people.map((u) => [u.id, u.displayName]));
    return approvalsCard({ items: pending.map((request) => ({ request, productName: productName.get(request.productId) ?? request.productId, requesterName: name.get(request.requesterId) ?? 'Someone' })), ...banner });
  },

  approval: async (deps: Deps, ctx: ActorContext, requestId: unknown, banner?: Banner): Promise<AdaptiveCard> =>
    approvalCard({ ...(await getPurchaseRequest(deps, ctx, { requestId })), refreshUserIds: await adminMris(deps, ctx), ...banner }),

  audit: async (deps: Deps, ctx: ActorContext, page: unknown = 1): Promise<AdaptiveCard> => {
    const log = await listAudit(deps, ctx, { page: Number(page) || 1, pageSize: 10 });
    const people = await deps.uow.read((r) => r.users.getMany(ctx.tenantId, [...new Set(log.items.map((e) => e.actorId))]));
    return auditCard({ page: log, names: new Map(people.map((u) => [u.id, u.displayName])) });
  },

  productLicenses: async (deps: Deps, ctx: ActorContext, productId: unknown, page: unknown = 1): Promise<AdaptiveCard> =>
    productLicensesCard({ view: await licensesForProduct(deps, ctx, { productId, page: Number(page) || 1, pageSize: 10 }) }),

  roles: async (deps: Deps, ctx: ActorContext, banner?: Banner): Promise<AdaptiveCard> => {
    const assignments = await listRoles(deps, ctx);
    const people = await deps.uow.read((r) => r.users.getMany(ctx.tenantId, [...new Set(assignments.map((a) => a.userId))]));
    const mine = assignments.filter((a) => a.userId === ctx.actorId).map((a) => a.role);
    return rolesCard({ assignments, names: new Map(people.map((u) => [u.id, u.displayName])), canGrant: mine.includes('GlobalAdmin'), ...banner });
  },
};

/** Re-renders a card that asked for a refresh, from current state, for whoever is looking. */
export const refreshView = (deps: Deps, ctx: ActorContext, view: View, data: Record<string, unknown>): Promise<AdaptiveCard> => {
  switch (view) {
    case 'subscription': return views.subscription(deps, ctx, data.subscriptionId);
    case 'purchase': return views.purchase(deps, ctx, data.subscriptionId, { isNew: data.isNew === true });
    case 'approval': return views.approval(deps, ctx, data.requestId);
    case 'policies': return views.policies(deps, ctx);
    case 'purchases': return views.purchases(deps, ctx, data.page, data.origin);
    case 'mine': return views.mine(deps, ctx);
    case 'bills': return views.bills(deps, ctx);
    case 'catalog': return views.catalog(deps, ctx, Number(data.page) || 1);
  }
};
