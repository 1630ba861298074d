import type { PolicyValue, Product } from '../model';
import type { ActorContext, Deps } from '../ports';
import { loadActor } from '../access';
import { effectivePolicy } from '../policy/policy-rules';
import type { Abilities } from '../shared/abilities';
import { catalogAbilities, type CatalogAction } from './catalog-abilities';

export interface CatalogItem {
  product: Product;
  policy: PolicyValue;
  canBuy: boolean;
  canTrial: boolean;
}

export interface CatalogItemWithActions extends CatalogItem {
  /** Buy and start a trial, each with its reason when not possible (R1, R3, R14, one trial per person). */
  actions: Abilities<CatalogAction>;
}

/** The catalog as this user may act on it: what they can buy and what they can try, and why not. */
export const listCatalog = async (deps: Deps, ctx: ActorContext): Promise<CatalogItemWithActions[]> =>
  deps.uow.read(async (repos) => {
    const actor = await loadActor(repos, ctx);
    const [products, settings] = await Promise.all([repos.products.list(), repos.policies.list(ctx.tenantId)]);
    // Which trials were used is read only for products that have one.
    const used = new Set(
      (await Promise.all(products.filter((p) => p.trial).map(async (p) => ((await repos.subscriptions.hasTrial(ctx.tenantId, actor.user.id, p.id)) ? p.id : null)))).filter(
        (id): id is string => id !== null,
      ),
    );
    return products.map((product) => {
      const policy = effectivePolicy(settings, product.id);
      const actions = catalogAbilities(actor, deps.settings, product, policy, used.has(product.id));
      return { product, policy, canBuy: actions.buy.ok, canTrial: actions.trial.ok, actions };
    });
  });
