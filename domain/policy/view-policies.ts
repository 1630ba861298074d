import { DEFAULT_POLICY, type PolicyValue, type Product } from '../model';
import type { ActorContext, Deps, Repositories } from '../ports';
import { requireAdminRead } from '../access';
import type { Ability } from '../shared/abilities';
import { getProduct } from '../shared/effects';
import { effectivePolicy, policyChangeAbility } from './policy-rules';

export interface PolicyRow {
  product: Product;
  policyId: 'AllowSelfServicePurchase';
  value: PolicyValue;
  isDefault: boolean;
  updatedBy: string | null;
  updatedAt: Date | null;
}

/** A row with whether this caller may change it (Global readers view, never change). */
export type PolicyRowWithActions = PolicyRow & { actions: { change: Ability } };

/** R3: the default state a product has until an admin changes it. */
export const viewDefaultPolicy = (): { policyId: 'AllowSelfServicePurchase'; value: PolicyValue } => ({
  policyId: 'AllowSelfServicePurchase',
  value: DEFAULT_POLICY,
});

const rowsFor = async (repos: Repositories, ctx: ActorContext, change: Ability): Promise<PolicyRowWithActions[]> => {
  const [products, settings] = await Promise.all([repos.products.list(), repos.policies.list(ctx.tenantId)]);
  return products.map((product) => {
    const stored = settings.find((s) => s.productId === product.id);
    return {
      product,
      policyId: 'AllowSelfServicePurchase' as const,
      value: effectivePolicy(settings, product.id),
      isDefault: !stored,
      updatedBy: stored?.updatedBy ?? null,
      updatedAt: stored?.updatedAt ?? null,
      actions: { change },
    };
  });
};

/** R3: every product with its AllowSelfServicePurchase state (admins and Global readers). */
export const listPolicies = async (deps: Deps, ctx: ActorContext): Promise<PolicyRowWithActions[]> =>
  deps.uow.read(async (repos) => {
    const actor = await requireAdminRead(repos, ctx);
    return rowsFor(repos, ctx, policyChangeAbility(actor.roles));
  });

/** The policies page: the default, every product's row with whether this caller may change it, and whether they may change all at once. */
export interface PoliciesView {
  defaultValue: PolicyValue;
  rows: PolicyRowWithActions[];
  actions: { changeAll: Ability };
}

/** R3: the default state, every product's state, and what this caller may change (one read). */
export const viewPolicies = async (deps: Deps, ctx: ActorContext): Promise<PoliciesView> =>
  deps.uow.read(async (repos) => {
    const actor = await requireAdminRead(repos, ctx);
    const change = policyChangeAbility(actor.roles);
    return { defaultValue: DEFAULT_POLICY, rows: await rowsFor(repos, ctx, change), actions: { changeAll: change } };
  });

/** R3: whether the caller may change policies (one product or all at once). */
export const getPolicyActions = async (deps: Deps, ctx: ActorContext): Promise<{ change: Ability }> =>
  deps.uow.read(async (repos) => ({ change: policyChangeAbility((await requireAdminRead(repos, ctx)).roles) }));

/** R3: one product's state, by current or legacy id. */
export const getPolicy = async (deps: Deps, ctx: ActorContext, productId: unknown): Promise<PolicyRowWithActions> =>
  deps.uow.read(async (repos) => {
    const actor = await requireAdminRead(repos, ctx);
    const product = await getProduct(repos, productId);
    const stored = await repos.policies.get(ctx.tenantId, product.id);
    return {
      product,
      policyId: 'AllowSelfServicePurchase',
      value: stored?.value ?? DEFAULT_POLICY,
      isDefault: !stored,
      updatedBy: stored?.updatedBy ?? null,
      updatedAt: stored?.updatedAt ?? null,
      actions: { change: policyChangeAbility(actor.roles) },
    };
  });
