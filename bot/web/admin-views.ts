import { z } from 'zod';
import { type ProductLicenses } from '../../domain/admin/licenses-view';
import { type SpendAmounts } from '../../domain/admin/spend-summary';
import { whoAmI } from '../../domain/directory/who-am-i';
import { adminReadAbility } from '../../domain/access';
import { requireAbility } from '../../domain/shared/abilities';
import type { Product, PurchaseRequest, Subscription } from '../../domain/model';
import type { ActorContext, Deps } from '../../domain/ports';
import { type PolicyChange } from '../../domain/policy/set-policy';
import { displayNames } from '../../domain/directory/display-names';
import { DomainError, ErrorCodes } from '../../domain/shared/errors';
import type { Money } from '../../domain/shared/money';
import type { Abilities } from '../../domain/shared/abilities';
import type { RequestAction } from '../../domain/approvals/request-abilities';
import type { ActionsDto, ApprovalDto, MoneyDto, PolicyChangesDto, ProductLicensesDto, PurchaseRowDto, SpendAmountsDto } from '../../web/contracts/admin';
import { MAX_EXPORT_SUBSCRIPTIONS, ORIGINS, POLICY_CHOICES, ROLE_CHOICES, STATUSES } from '../../web/contracts/admin';

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
const page = z
  .string()
  .regex(/^\d{1,7}$/, 'must be a page number')
  .optional();

export const PurchasesQuery = queryOf({
  origin: z.enum(['', ...ORIGINS]).optional(),
  productId: z.union([z.literal(''), id]).optional(),
  purchaserId: z.union([z.literal(''), id]).optional(),
  status: z.enum(['', ...STATUSES]).optional(),
  page,
});
export const PageQuery = queryOf({ page });
export const SpendQuery = queryOf({
  months: z
    .string()
    .regex(/^\d{1,2}$/, 'must be a number of months')
    .optional(),
});

export const EmptyBody = z.strictObject({});
export const PolicyBody = z.strictObject({ value: z.enum(POLICY_CHOICES) });
export const ExportBody = z.strictObject({ subscriptionIds: z.array(id).min(1, 'choose at least one subscription').max(MAX_EXPORT_SUBSCRIPTIONS) });
export const DecisionBody = z.strictObject({ decision: z.enum(['approve', 'reject']), reason: z.string().trim().max(500).optional() });
export const RequireApprovalBody = z.strictObject({ enabled: z.boolean() });
export const RoleBody = z.strictObject({ userId: id, role: z.enum(ROLE_CHOICES) });

/** Queries are checked like bodies, but a wrong one is the domain's INPUT.INVALID (a 4xx with the reason). */
export const parseQuery = <T>(schema: z.ZodType<T>, query: Record<string, string>): T => {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  throw new DomainError(ErrorCodes.INPUT_INVALID, `${first.path.length ? `${first.path.join('.')}: ` : ''}${first.message}`);
};

// ----------------------------------------------------------------------------------------- output

export const iso = (d: Date): string => d.toISOString();
export const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);
export const moneyDto = (m: Money): MoneyDto => ({ amountMinor: m.amountMinor, currency: m.currency });

/** A subscription as the page sees it: never the card token (nor anything else of the card). */
export const purchaseRow = (s: Subscription, product: Product, purchaserName: string, assigned: number): PurchaseRowDto => ({
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

/** The domain's abilities as they travel: `can` per action, and the code and words of each refusal. Nothing is decided here. */
export const actionsDto = <K extends string>(actions: Abilities<K>): ActionsDto<K> => {
  const keys = Object.keys(actions) as K[];
  return {
    can: Object.fromEntries(keys.map((k) => [k, actions[k].ok])) as Record<K, boolean>,
    reasons: Object.fromEntries(
      keys.flatMap((k) => {
        const a = actions[k];
        return a.ok ? [] : [[k, { code: a.code, message: a.reason }]];
      }),
    ) as ActionsDto<K>['reasons'],
  };
};

export const productLicenses = (p: ProductLicenses): ProductLicensesDto => ({
  productId: p.product.id,
  productName: p.product.name,
  subscriptions: p.subscriptions,
  totalQuantity: p.totalQuantity,
  assigned: p.assigned,
  available: p.available,
});

export const spendAmounts = (a: SpendAmounts): SpendAmountsDto => ({ billed: moneyDto(a.billed), paid: moneyDto(a.paid), invoices: a.invoices });

export const changesDto = (changes: PolicyChange[]): PolicyChangesDto => ({
  changes: changes.map((c) => ({ productId: c.productId, productName: c.productName, from: c.from, to: c.to })),
});

/** Display names for ids the caller may already see (actors of the audit log, order history, policy changes). */
export const namesOf = async (deps: Deps, ctx: ActorContext, ids: Iterable<string>): Promise<(id: string) => string> => {
  const names = await displayNames(
    deps,
    ctx,
    [...new Set(ids)].filter((x) => x !== 'system'),
  );
  return (userId) => (userId === 'system' ? 'System' : (names.get(userId) ?? 'Former employee'));
};

/**
 * The purchase detail use case also serves purchasers their own subscriptions (R4); on the Admin tab
 * only admins may use it, whatever they bought themselves.
 */
export const requireAdmin = async (deps: Deps, ctx: ActorContext): Promise<void> => {
  if (!(await whoAmI(deps, ctx)).isAdmin) requireAbility(adminReadAbility([]));
};

export const approvalCost = (r: PurchaseRequest, product: Product): MoneyDto | null => {
  if (r.kind === 'Trial') return null;
  const unit = product.prices[r.billingFrequency];
  return { amountMinor: unit.amountMinor * r.quantity, currency: unit.currency };
};

/** A request as the Approvals section lists it, with what the domain lets this admin do about it. */
export const approvalDto = (r: PurchaseRequest, product: Product | undefined, requesterName: string, actions: Abilities<RequestAction>): ApprovalDto => ({
  id: r.id,
  kind: r.kind,
  productId: r.productId,
  productName: product?.name ?? r.productId,
  requesterId: r.requesterId,
  requesterName,
  quantity: r.quantity,
  billingFrequency: r.billingFrequency,
  cost: product ? approvalCost(r, product) : null,
  createdAt: iso(r.createdAt),
  ...actionsDto(actions),
});
