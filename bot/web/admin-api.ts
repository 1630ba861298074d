import { z } from 'zod';
import { acknowledgePurchase } from '../../domain/admin/acknowledge-purchase';
import { exportableSubscriptionIds, exportLicensedUsers } from '../../domain/admin/export-licensed-users';
import { getPurchaseDetail } from '../../domain/admin/get-purchase-detail';
import { licensesForProduct, licensesOverview, type ProductLicenses } from '../../domain/admin/licenses-view';
import { listPurchasers } from '../../domain/admin/list-purchasers';
import { listPurchases } from '../../domain/admin/list-purchases';
import { spendSummary, type SpendAmounts, type SpendLine } from '../../domain/admin/spend-summary';
import { approvePurchaseRequest, rejectPurchaseRequest } from '../../domain/approvals/decide-purchase-request';
import { listPendingRequests, setRequireApproval } from '../../domain/approvals/manage-approvals';
import { listAudit } from '../../domain/audit/list-audit';
import { whoAmI } from '../../domain/directory/who-am-i';
import type { Product, PurchaseRequest, Subscription } from '../../domain/model';
import type { ActorContext, Deps } from '../../domain/ports';
import { listPolicies, viewDefaultPolicy } from '../../domain/policy/view-policies';
import { setAllPolicies, setPolicy, type PolicyChange } from '../../domain/policy/set-policy';
import { DomainError, ErrorCodes } from '../../domain/shared/errors';
import type { Money } from '../../domain/shared/money';
import type {
  AcknowledgedDto, ApprovalsDto, AuditEntryDto, DecisionDto, LicensesOverviewDto, MoneyDto, PageDto, PoliciesDto, PolicyChangesDto,
  ProductLicenseGroupsDto, ProductLicensesDto, PurchaseDetailDto, PurchaseFiltersDto, PurchaseRowDto, SpendAmountsDto, SpendDto,
} from '../../web/contracts/admin';
import { MAX_EXPORT_SUBSCRIPTIONS, ORIGINS, POLICY_CHOICES, STATUSES } from '../../web/contracts/admin';
import { route, type WebDownload, type WebRoute } from './web-api';

/*
 * The Admin tab's JSON API. Every handler is one (or two) domain use cases run as the verified
 * caller; who may do what is decided there from stored roles and the caller's tenant, never from
 * what the page sends (ids only). Names shown next to ids are looked up here after the use case has
 * admitted the caller, as the chat's views do.
 */

// ------------------------------------------------------------------------------------------ input

const ID = /^[A-Za-z0-9._:@-]{1,128}$/;
const id = z.string().regex(ID, 'must be an id');

/** A query value is at most one short string; anything else means a hand-made request. */
const queryOf = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape);
const page = z.string().regex(/^\d{1,7}$/, 'must be a page number').optional();

const PurchasesQuery = queryOf({
  origin: z.enum(['', ...ORIGINS]).optional(),
  productId: z.union([z.literal(''), id]).optional(),
  purchaserId: z.union([z.literal(''), id]).optional(),
  status: z.enum(['', ...STATUSES]).optional(),
  page,
});
const PageQuery = queryOf({ page });
const SpendQuery = queryOf({ months: z.string().regex(/^\d{1,2}$/, 'must be a number of months').optional() });

const EmptyBody = z.strictObject({});
const PolicyBody = z.strictObject({ value: z.enum(POLICY_CHOICES) });
const ExportBody = z.strictObject({ subscriptionIds: z.array(id).min(1, 'choose at least one subscription').max(MAX_EXPORT_SUBSCRIPTIONS) });
const DecisionBody = z.strictObject({ decision: z.enum(['approve', 'reject']), reason: z.string().trim().max(500).optional() });
const RequireApprovalBody = z.strictObject({ enabled: z.boolean() });

/** Queries are checked like bodies, but a wrong one is the domain's INPUT.INVALID (a 4xx with the reason). */
const parseQuery = <T>(schema: z.ZodType<T>, query: Record<string, string>): T => {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  throw new DomainError(ErrorCodes.INPUT_INVALID, `${first.path.length ? `${first.path.join('.')}: ` : ''}${first.message}`);
};

// ----------------------------------------------------------------------------------------- output

const iso = (d: Date): string => d.toISOString();
const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);
const moneyDto = (m: Money): MoneyDto => ({ amountMinor: m.amountMinor, currency: m.currency });

/** A subscription as the page sees it: never the card token (nor anything else of the card). */
const purchaseRow = (s: Subscription, product: Product, purchaserName: string, assigned: number): PurchaseRowDto => ({
  id: s.id,
  productId: product.id,
  productName: product.name,
  purchaserId: s.purchaserId,
  purchaserName,
  origin: s.origin,
  status: s.status,
  quantity: s.quantity,
  assigned,
  billingFrequency: s.billingFrequency,
  unitPrice: moneyDto(s.unitPrice),
  isTrial: s.isTrial,
  recurring: s.recurring,
  startedAt: iso(s.startedAt),
  expiresAt: iso(s.expiresAt),
});

const productLicenses = (p: ProductLicenses): ProductLicensesDto => ({
  productId: p.product.id,
  productName: p.product.name,
  subscriptions: p.subscriptions,
  totalQuantity: p.totalQuantity,
  assigned: p.assigned,
  available: p.available,
});

const spendAmounts = (a: SpendAmounts): SpendAmountsDto => ({ billed: moneyDto(a.billed), paid: moneyDto(a.paid), invoices: a.invoices });

const changesDto = (changes: PolicyChange[]): PolicyChangesDto => ({ changes: changes.map((c) => ({ productId: c.productId, productName: c.productName, from: c.from, to: c.to })) });

/** Display names for ids the caller may already see (actors of the audit log, order history, policy changes). */
const namesOf = async (deps: Deps, ctx: ActorContext, ids: Iterable<string>): Promise<(id: string) => string> => {
  const unique = [...new Set(ids)].filter((x) => x !== 'system');
  const people = unique.length ? await deps.uow.read((r) => r.users.getMany(ctx.tenantId, unique)) : [];
  const names = new Map(people.map((u) => [u.id, u.displayName]));
  return (userId) => (userId === 'system' ? 'System' : (names.get(userId) ?? 'Former employee'));
};

/**
 * The purchase detail use case also serves purchasers their own subscriptions (R4); on the Admin tab
 * only admins may use it, whatever they bought themselves.
 */
const requireAdmin = async (deps: Deps, ctx: ActorContext): Promise<void> => {
  if (!(await whoAmI(deps, ctx)).isAdmin) throw new DomainError(ErrorCodes.AUTH_NOT_ADMIN, 'Only Global admins, Billing admins and Global readers can see this.');
};

const approvalCost = (r: PurchaseRequest, product: Product): MoneyDto | null => {
  if (r.kind === 'Trial') return null;
  const unit = product.prices[r.billingFrequency];
  return { amountMinor: unit.amountMinor * r.quantity, currency: unit.currency };
};

// ----------------------------------------------------------------------------------------- routes

/** The Admin tab. */
export const adminRoutes: readonly WebRoute[] = [
  // Purchases (R5)
  route({
    method: 'get',
    path: '/admin/purchases',
    run: async ({ deps, ctx, query }): Promise<PageDto<PurchaseRowDto>> => {
      const q = parseQuery(PurchasesQuery, query);
      const result = await listPurchases(deps, ctx, { origin: q.origin, productId: q.productId, purchaserId: q.purchaserId, status: q.status, page: q.page ?? 1, pageSize: 25 });
      return { ...result, items: result.items.map((r) => purchaseRow(r.subscription, r.product, r.purchaserName, r.assigned)) };
    },
  }),
  route({
    method: 'get',
    path: '/admin/purchase-filters',
    run: async ({ deps, ctx }): Promise<PurchaseFiltersDto> => {
      const purchasers = await listPurchasers(deps, ctx);
      const products = await deps.uow.read((r) => r.products.list());
      return { products: products.map((p) => ({ id: p.id, name: p.name })), purchasers: purchasers.map((p) => ({ id: p.id, name: p.displayName })) };
    },
  }),
  route({
    method: 'get',
    path: '/admin/purchases/:id',
    run: async ({ deps, ctx, params }): Promise<PurchaseDetailDto> => {
      await requireAdmin(deps, ctx);
      const d = await getPurchaseDetail(deps, ctx, { subscriptionId: params.id });
      const name = await namesOf(deps, ctx, d.orders.map((o) => o.actorId));
      return {
        purchase: { ...purchaseRow(d.subscription, d.product, d.purchaser?.displayName ?? 'Former employee', d.assignedUsers.length), cancelledAt: isoOrNull(d.subscription.cancelledAt), cancelReason: d.subscription.cancelReason },
        purchaser: d.purchaser,
        assignedUsers: d.assignedUsers.map((u) => ({ id: u.id, displayName: u.displayName, email: u.email, assignedAt: iso(u.assignedAt) })),
        orders: [...d.orders]
          .sort((a, b) => a.at.getTime() - b.at.getTime())
          .map((o) => ({ id: o.id, kind: o.kind, quantityDelta: o.quantityDelta, amount: o.amount && moneyDto(o.amount), at: iso(o.at), note: o.note, actorName: name(o.actorId) })),
        invoices: d.invoices.map((i) => ({ id: i.id, description: i.description, amount: moneyDto(i.amount), status: i.status, issuedAt: iso(i.issuedAt), paidAt: isoOrNull(i.paidAt) })),
        acknowledged: d.acknowledged && { byName: d.acknowledged.byName, at: iso(d.acknowledged.at) },
        acknowledgeable: d.subscription.origin === 'SelfService' && !d.acknowledged,
      };
    },
  }),
  route({
    method: 'post',
    path: '/admin/purchases/:id/acknowledge',
    body: EmptyBody,
    run: async ({ deps, ctx, params }): Promise<AcknowledgedDto> => {
      const ack = await acknowledgePurchase(deps, ctx, { subscriptionId: params.id });
      return { byName: (await namesOf(deps, ctx, [ack.by]))(ack.by), at: iso(ack.at) };
    },
  }),

  // Licenses (R7)
  route({
    method: 'get',
    path: '/admin/licenses',
    run: async ({ deps, ctx }): Promise<LicensesOverviewDto> => ({ products: (await licensesOverview(deps, ctx)).map(productLicenses) }),
  }),
  route({
    method: 'get',
    path: '/admin/licenses/:productId',
    run: async ({ deps, ctx, params, query }): Promise<ProductLicenseGroupsDto> => {
      const q = parseQuery(PageQuery, query);
      const v = await licensesForProduct(deps, ctx, { productId: params.productId, page: q.page ?? 1, pageSize: 20 });
      return {
        ...productLicenses(v),
        groups: v.groups.map((g) => ({ ...g, subscriptions: g.subscriptions.map((s) => ({ ...s, expiresAt: iso(s.expiresAt) })) })),
        page: v.page,
        pageSize: v.pageSize,
        totalGroups: v.totalGroups,
      };
    },
  }),
  route({
    method: 'post',
    path: '/admin/export',
    body: ExportBody,
    run: async ({ deps, ctx, body }): Promise<WebDownload> => {
      // Only live subscriptions of the caller's tenant can be exported: anything else refuses the
      // whole request before a byte is written, so a forged id can't even learn a file name.
      const exportable = new Set(await exportableSubscriptionIds(deps, ctx, {}));
      if (body.subscriptionIds.some((s) => !exportable.has(s))) {
        throw new DomainError(ErrorCodes.SUBSCRIPTION_NOT_FOUND, "Some of those subscriptions aren't live subscriptions of your organization. Reload the page and choose again.");
      }
      const chunks = await exportLicensedUsers(deps, ctx, { subscriptionIds: body.subscriptionIds });
      return { download: { filename: `licensed-users-${iso(deps.clock.now()).slice(0, 10)}.csv`, contentType: 'text/csv; charset=utf-8', chunks } };
    },
  }),

  // Policies (R3)
  route({
    method: 'get',
    path: '/admin/policies',
    run: async ({ deps, ctx }): Promise<PoliciesDto> => {
      const rows = await listPolicies(deps, ctx);
      const name = await namesOf(deps, ctx, rows.flatMap((r) => (r.updatedBy ? [r.updatedBy] : [])));
      return {
        defaultValue: viewDefaultPolicy().value,
        rows: rows.map((r) => ({ productId: r.product.id, productName: r.product.name, value: r.value, isDefault: r.isDefault, updatedAt: isoOrNull(r.updatedAt), updatedByName: r.updatedBy ? name(r.updatedBy) : null })),
      };
    },
  }),
  route({
    method: 'post',
    path: '/admin/policies',
    body: PolicyBody,
    run: async ({ deps, ctx, body }): Promise<PolicyChangesDto> => changesDto(await setAllPolicies(deps, ctx, { value: body.value })),
  }),
  route({
    method: 'post',
    path: '/admin/policies/:productId',
    body: PolicyBody,
    run: async ({ deps, ctx, params, body }): Promise<PolicyChangesDto> => changesDto([await setPolicy(deps, ctx, { productId: params.productId, value: body.value })]),
  }),

  // Approvals (DESIGN §3)
  route({
    method: 'get',
    path: '/admin/approvals',
    run: async ({ deps, ctx }): Promise<ApprovalsDto> => {
      const pending = await listPendingRequests(deps, ctx);
      const [products, tenant, name] = await Promise.all([
        deps.uow.read((r) => r.products.list()),
        deps.uow.read((r) => r.tenants.get(ctx.tenantId)),
        namesOf(deps, ctx, pending.map((p) => p.requesterId)),
      ]);
      const productOf = new Map(products.map((p) => [p.id, p]));
      return {
        requireApproval: tenant?.requireApproval ?? false,
        items: pending
          .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
          .map((r) => {
            const product = productOf.get(r.productId);
            return {
              id: r.id, kind: r.kind, productId: r.productId, productName: product?.name ?? r.productId, requesterId: r.requesterId, requesterName: name(r.requesterId),
              quantity: r.quantity, billingFrequency: r.billingFrequency, cost: product ? approvalCost(r, product) : null, createdAt: iso(r.createdAt),
            };
          }),
      };
    },
  }),
  route({
    method: 'post',
    path: '/admin/approvals/:id',
    body: DecisionBody,
    run: async ({ deps, ctx, params, body }): Promise<DecisionDto> => {
      const decided = body.decision === 'approve'
        ? await approvePurchaseRequest(deps, ctx, { requestId: params.id })
        : await rejectPurchaseRequest(deps, ctx, { requestId: params.id, note: body.reason });
      return { id: decided.id, status: decided.status, note: decided.decisionNote };
    },
  }),
  route({
    method: 'post',
    path: '/admin/settings/require-approval',
    body: RequireApprovalBody,
    run: async ({ deps, ctx, body }): Promise<{ requireApproval: boolean }> => ({ requireApproval: (await setRequireApproval(deps, ctx, { enabled: body.enabled })).requireApproval }),
  }),

  // Audit log (DESIGN §3)
  route({
    method: 'get',
    path: '/admin/audit',
    run: async ({ deps, ctx, query }): Promise<PageDto<AuditEntryDto>> => {
      const q = parseQuery(PageQuery, query);
      const log = await listAudit(deps, ctx, { page: q.page ?? 1, pageSize: 25 });
      const name = await namesOf(deps, ctx, log.items.map((e) => e.actorId));
      return {
        ...log,
        items: log.items.map((e) => ({ id: e.id, at: iso(e.at), actorId: e.actorId, actorName: name(e.actorId), action: e.action, summary: e.summary, surface: e.surface, targetType: e.targetType, targetId: e.targetId })),
      };
    },
  }),

  // Spend at a glance (DESIGN §3)
  route({
    method: 'get',
    path: '/admin/spend',
    run: async ({ deps, ctx, query }): Promise<SpendDto> => {
      const q = parseQuery(SpendQuery, query);
      const s = await spendSummary(deps, ctx, { months: q.months });
      const line = (l: SpendLine) => ({ id: l.id, name: l.name, ...spendAmounts(l) });
      return { from: iso(s.from), to: iso(s.to), months: s.months, totals: s.totals.map(spendAmounts), byProduct: s.byProduct.map(line), byPurchaser: s.byPurchaser.map(line) };
    },
  }),
];
