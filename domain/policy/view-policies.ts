import { DEFAULT_POLICY, type PolicyValue, type Product } from '../model';
import type { ActorContext, Deps } from '../ports';
import { requireAdminRead } from '../access';
import { getProduct } from '../shared/effects';
import { effectivePolicy } from './policy-rules';

export interface PolicyRow {
  product: Product;
  policyId: 'AllowSelfServicePurchase';
  value: PolicyValue;
  isDefault: boolean;
  updatedBy: string | null;
  updatedAt: Date | null;
}

/** R3: the default state a product has until an admin changes it. */
export const viewDefaultPolicy = (): { policyId: 'AllowSelfServicePurchase'; value: PolicyValue } => ({
  policyId: 'AllowSelfServicePurchase',
  value: DEFAULT_POLICY,
});

/** R3: every product with its AllowSelfServicePurchase state (admins and Global readers). */
export const listPolicies = async (deps: Deps, ctx: ActorContext): Promise<PolicyRow[]> =>
  deps.uow.read(async (repos) => {
    await requireAdminRead(repos, ctx);
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
      };
    });
  });

/** R3: one product's state, by current or legacy id. */
export const getPolicy = async (deps: Deps, ctx: ActorContext, productId: unknown): Promise<PolicyRow> =>
  deps.uow.read(async (repos) => {
    await requireAdminRead(repos, ctx);
    const product = await getProduct(repos, productId);
    const stored = await repos.policies.get(ctx.tenantId, product.id);
    return {
      product,
      policyId: 'AllowSelfServicePurchase',
      value: stored?.value ?? DEFAULT_POLICY,
      isDefault: !stored,
      updatedBy: stored?.updatedBy ?? null,
      updatedAt: stored?.updatedAt ?? null,
    };
  });
