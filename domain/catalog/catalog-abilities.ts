import type { Actor } from '../access';
import type { PolicyValue, Product } from '../model';
import type { DomainSettings } from '../ports';
import { eligibilityAbility } from '../eligibility/check-eligibility';
import { policyAbility } from '../policy/policy-rules';
import { firstRefusal, refusedBy, allowed, type Abilities, type Ability } from '../shared/abilities';
import { ErrorCodes } from '../shared/errors';

export type CatalogAction = 'buy' | 'trial';

/** R1 then R3: may this person buy the product now. */
export const buyAbility = (actor: Actor, settings: DomainSettings, product: Product, policy: PolicyValue): Ability =>
  firstRefusal(eligibilityAbility(actor, settings), () => policyAbility(product, policy, 'purchase'));

/** R1, a trial to start, R3 (card-free only under trials-only), and one trial per person and product (R14). */
export const trialAbility = (actor: Actor, settings: DomainSettings, product: Product, policy: PolicyValue, trialUsed: boolean): Ability =>
  firstRefusal(
    eligibilityAbility(actor, settings),
    () => (product.trial ? allowed() : refusedBy(ErrorCodes.TRIAL_NOT_AVAILABLE, `${product.name} has no trial. You can buy it instead.`, { productId: product.id })),
    () => policyAbility(product, policy, 'trial'),
    () =>
      trialUsed
        ? refusedBy(ErrorCodes.TRIAL_ALREADY_USED, `You've had your ${product.name} trial (one per person, running or ended: see **my purchases**). You can buy it instead.`, {
            productId: product.id,
          })
        : allowed(),
  );

export const catalogAbilities = (actor: Actor, settings: DomainSettings, product: Product, policy: PolicyValue, trialUsed: boolean): Abilities<CatalogAction> => ({
  buy: buyAbility(actor, settings, product, policy),
  trial: trialAbility(actor, settings, product, policy, trialUsed),
});
