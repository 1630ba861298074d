import { adminWriteAbility } from '../access';
import { DEFAULT_POLICY, POLICY_VALUES, type PolicySetting, type PolicyValue, type Product, type Role } from '../model';
import { allowed, refusedBy, requireAbility, type Ability } from '../shared/abilities';
import { CONTACT_IT_ADMIN, ErrorCodes, fail } from '../shared/errors';

export const effectivePolicy = (settings: readonly PolicySetting[], productId: string): PolicyValue => settings.find((s) => s.productId === productId)?.value ?? DEFAULT_POLICY;

export const parsePolicyValue = (raw: unknown): PolicyValue => {
  const wanted =
    typeof raw === 'string'
      ? raw
          .trim()
          .toLowerCase()
          .replace(/[\s_-]/g, '')
      : '';
  const hit = POLICY_VALUES.find((v) => v.toLowerCase() === wanted);
  return hit ?? fail(ErrorCodes.POLICY_VALUE_INVALID, `Policy must be one of ${POLICY_VALUES.join(', ')}.`, { value: String(raw ?? '') });
};

/** R3: only Global and Billing admins (and delegated partners) change the policy; Global readers view it. */
export const policyChangeAbility = (roles: readonly Role[]): Ability => adminWriteAbility(roles);

/** R3: may this purchase or trial start under the tenant's current policy? */
export const policyAbility = (product: Product, policy: PolicyValue, what: 'purchase' | 'trial'): Ability => {
  const details = { productId: product.id, policy };
  if (policy === 'Disabled') {
    const thing = what === 'trial' ? `trials of ${product.name}` : `buying ${product.name}`;
    return refusedBy(ErrorCodes.POLICY_DISABLED, `Your organization has turned off ${thing}. ${CONTACT_IT_ADMIN}`, details);
  }
  if (policy === 'OnlyTrialsWithoutPaymentMethod') {
    if (what === 'purchase') {
      return refusedBy(ErrorCodes.POLICY_TRIALS_ONLY, `Your organization allows only trials without a card for ${product.name}, not buying it. ${CONTACT_IT_ADMIN}`, details);
    }
    const cardFreeTrial = product.trial !== null && !product.trial.requiresPaymentMethod;
    if (!cardFreeTrial) {
      return refusedBy(ErrorCodes.POLICY_TRIALS_ONLY, `Your organization allows only trials without a card, and the ${product.name} trial needs one. ${CONTACT_IT_ADMIN}`, details);
    }
  }
  return allowed();
};

export const assertPolicyAllows = (product: Product, policy: PolicyValue, what: 'purchase' | 'trial'): void => requireAbility(policyAbility(product, policy, what));
