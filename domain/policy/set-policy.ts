import type { PolicyValue, Product } from '../model';
import type { ActorContext, Deps, Repositories } from '../ports';
import { loadActor } from '../access';
import { requireAbility } from '../shared/abilities';
import { policyChangeAbility } from './policy-rules';
import { audit, getProduct } from '../shared/effects';
import { effectivePolicy, parsePolicyValue } from './policy-rules';

export interface PolicyChange {
  productId: string;
  productName: string;
  from: PolicyValue;
  to: PolicyValue;
}

const apply = async (repos: Repositories, deps: Deps, ctx: ActorContext, product: Product, from: PolicyValue, to: PolicyValue): Promise<PolicyChange> => {
  if (from !== to) {
    await repos.policies.set({ tenantId: ctx.tenantId, productId: product.id, value: to, updatedBy: ctx.actorId, updatedAt: deps.clock.now() });
    await audit(repos, deps, ctx, 'policy.set', { type: 'product', id: product.id }, `AllowSelfServicePurchase for ${product.name}: ${from} → ${to}`);
  }
  return { productId: product.id, productName: product.name, from, to };
};

/**
 * R3: only Global/Billing admins change the policy. Legacy ids resolve to the current product, so a
 * product blocked under its old id is blocked under the new one. Existing subscriptions are untouched:
 * policy is only consulted when a purchase or trial starts.
 */
export const setPolicy = async (deps: Deps, ctx: ActorContext, input: { productId: unknown; value: unknown }): Promise<PolicyChange> =>
  deps.uow.run(async (repos) => {
    // Setting the value it already has (e.g. "Disable product" twice) is a no-op, not a refusal.
    requireAbility(policyChangeAbility((await loadActor(repos, ctx)).roles));
    const value = parsePolicyValue(input.value);
    const product = await getProduct(repos, input.productId);
    const settings = await repos.policies.list(ctx.tenantId);
    return apply(repos, deps, ctx, product, effectivePolicy(settings, product.id), value);
  });

/** R3: change every product at once. */
export const setAllPolicies = async (deps: Deps, ctx: ActorContext, input: { value: unknown }): Promise<PolicyChange[]> =>
  deps.uow.run(async (repos) => {
    requireAbility(policyChangeAbility((await loadActor(repos, ctx)).roles));
    const value = parsePolicyValue(input.value);
    const [products, settings] = await Promise.all([repos.products.list(), repos.policies.list(ctx.tenantId)]);
    const changes: PolicyChange[] = [];
    for (const product of products) changes.push(await apply(repos, deps, ctx, product, effectivePolicy(settings, product.id), value));
    return changes;
  });
