import { DEFAULT_POLICY, POLICY_VALUES, type PolicySetting, type PolicyValue, type Product } from '../model';
import { ErrorCodes, fail } from '../shared/errors';

export const effectivePolicy = (settings: readonly PolicySetting[], productId: string): PolicyValue =>
  settings.find((s) => s.productId === productId)?.value ?? DEFAULT_POLICY;

export const parsePolicyValue = (raw: unknown): PolicyValue => {
  const wanted = typeof raw === 'string' ? raw.trim().toLowerCase().replace(/[\s_-]/g, '') : '';
  const hit = POLICY_VALUES.find((v) => v.toLowerCase() === wanted);
  return hit ?? fail(ErrorCodes.POLICY_VALUE_INVALID, `Policy must be one of ${POLICY_VALUES.join(', ')}.`, { value: String(raw ?? '') });
};

/** R3: may this purchase or trial start under the tenant's current policy? */
export const assertPolicyAllows = (product: Product, policy: PolicyValue, what: 'purchase' | 'trial'): void => {
  if (policy === 'Disabled') {
    fail(ErrorCodes.POLICY_DISABLED, `Your organization has turned off self-service purchase of ${product.name}. Please contact your IT admin.`, { productId: product.id });
  }
  if (policy === 'OnlyTrialsWithoutPaymentMethod') {
    const cardFreeTrial = what === 'trial' && product.trial !== null && !product.trial.requiresPaymentMethod;
    if (!cardFreeTrial) {
      fail(ErrorCodes.POLICY_TRIALS_ONLY, `Your organization allows only trials without a payment method for ${product.name}. Please contact your IT admin.`, { productId: product.id });
    }
  }
};
