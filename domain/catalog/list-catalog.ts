import type { PolicyValue, Product } from '../model';
import type { ActorContext, Deps } from '../ports';
import { loadActor } from '../access';
import { effectivePolicy } from '../policy/policy-rules';

export interface CatalogItem {
  product: Product;
  policy: PolicyValue;
  canBuy: boolean;
  canTrial: boolean;
}

/** The catalog as this user may act on it: what they can buy and what they can try. */
export const listCatalog = async (deps: Deps, ctx: ActorContext): Promise<CatalogItem[]> =>
  deps.uow.read(async (repos) => {
    await loadActor(repos, ctx);
    const [products, settings] = await Promise.all([repos.products.list(), repos.policies.list(ctx.tenantId)]);
    return products.map((product) => {
      const policy = effectivePolicy(settings, product.id);
      return {
        product,
        policy,
        canBuy: policy === 'Enabled',
        canTrial: product.trial !== null && (policy === 'Enabled' || (policy === 'OnlyTrialsWithoutPaymentMethod' && !product.trial.requiresPaymentMethod)),
      };
    });
  });
