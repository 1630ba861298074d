/**
 * Expected failures carry a stable code. The edge (chat, cards, web) maps codes to friendly text;
 * the domain only states what went wrong and, where useful, the facts needed to say it well.
 */
export const ErrorCodes = {
  INPUT_INVALID: 'INPUT.INVALID',
  QUANTITY_MISSING: 'QUANTITY.MISSING',
  QUANTITY_NOT_INTEGER: 'QUANTITY.NOT_INTEGER',
  QUANTITY_NOT_POSITIVE: 'QUANTITY.NOT_POSITIVE',
  QUANTITY_TOO_LARGE: 'QUANTITY.TOO_LARGE',
  PRODUCT_UNKNOWN: 'PRODUCT.UNKNOWN',
  BILLING_FREQUENCY_INVALID: 'BILLING.FREQUENCY_INVALID',
  TENANT_UNKNOWN: 'TENANT.UNKNOWN',
  USER_NOT_FOUND: 'USER.NOT_FOUND',
  ELIGIBILITY_UNKNOWN_USER: 'ELIGIBILITY.UNKNOWN_USER',
  ELIGIBILITY_GUEST: 'ELIGIBILITY.GUEST',
  ELIGIBILITY_ACCOUNT_DISABLED: 'ELIGIBILITY.ACCOUNT_DISABLED',
  ELIGIBILITY_TENANT_TYPE: 'ELIGIBILITY.TENANT_TYPE',
  ELIGIBILITY_MARKET: 'ELIGIBILITY.MARKET',
  POLICY_DISABLED: 'POLICY.DISABLED',
  POLICY_TRIALS_ONLY: 'POLICY.TRIALS_ONLY',
  POLICY_VALUE_INVALID: 'POLICY.VALUE_INVALID',
  POLICY_ALREADY_SET: 'POLICY.ALREADY_SET',
  PAYMENT_METHOD_REQUIRED: 'PAYMENT.METHOD_REQUIRED',
  PAYMENT_TOKEN_INVALID: 'PAYMENT.TOKEN_INVALID',
  PAYMENT_CARD_EXPIRED: 'PAYMENT.CARD_EXPIRED',
  PAYMENT_DECLINED: 'PAYMENT.DECLINED',
  TRIAL_NOT_AVAILABLE: 'TRIAL.NOT_AVAILABLE',
  TRIAL_ALREADY_USED: 'TRIAL.ALREADY_USED',
  TRIAL_CANNOT_CHANGE: 'TRIAL.CANNOT_CHANGE',
  SUBSCRIPTION_NOT_FOUND: 'SUBSCRIPTION.NOT_FOUND',
  SUBSCRIPTION_NOT_ACTIVE: 'SUBSCRIPTION.NOT_ACTIVE',
  SUBSCRIPTION_NOT_OWNER: 'SUBSCRIPTION.NOT_OWNER',
  LICENSE_NOT_ENOUGH: 'LICENSE.NOT_ENOUGH',
  LICENSE_TOO_MANY_USERS: 'LICENSE.TOO_MANY_USERS',
  LICENSE_NO_USERS: 'LICENSE.NO_USERS',
  LICENSE_ALREADY_ASSIGNED: 'LICENSE.ALREADY_ASSIGNED',
  LICENSE_NOT_ASSIGNED: 'LICENSE.NOT_ASSIGNED',
  LICENSE_BELOW_ASSIGNED: 'LICENSE.BELOW_ASSIGNED',
  LICENSE_ADMIN_MUST_TAKE_OVER: 'LICENSE.ADMIN_MUST_TAKE_OVER',
  AUTH_NOT_ADMIN: 'AUTH.NOT_ADMIN',
  AUTH_READ_ONLY: 'AUTH.READ_ONLY',
  AUTH_NOT_GLOBAL_ADMIN: 'AUTH.NOT_GLOBAL_ADMIN',
  ROLE_UNKNOWN: 'ROLE.UNKNOWN',
  ROLE_LAST_GLOBAL_ADMIN: 'ROLE.LAST_GLOBAL_ADMIN',
  TAKEOVER_NOT_SELF_SERVICE: 'TAKEOVER.NOT_SELF_SERVICE',
  TAKEOVER_TARGET_INVALID: 'TAKEOVER.TARGET_INVALID',
  PURCHASE_ALREADY_ACKNOWLEDGED: 'PURCHASE.ALREADY_ACKNOWLEDGED',
  REASON_INVALID: 'REASON.INVALID',
  BILL_NOT_FOUND: 'BILL.NOT_FOUND',
  BILL_ALREADY_PAID: 'BILL.ALREADY_PAID',
  REQUEST_NOT_FOUND: 'REQUEST.NOT_FOUND',
  REQUEST_ALREADY_DECIDED: 'REQUEST.ALREADY_DECIDED',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY.KEY_REUSED',
  CONCURRENCY_CONFLICT: 'CONCURRENCY.CONFLICT',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/**
 * What kind of refusal a code is, so every edge maps categories, not codes: `invalid` (the request
 * can't be done as asked), `not_found`, `forbidden` (not this actor), `conflict` (the state already
 * is, or changed meanwhile), `payment` (the card or its charge).
 */
export type ErrorCategory = 'invalid' | 'not_found' | 'forbidden' | 'conflict' | 'payment';

/** Every code has exactly one category: a new code without one fails the typecheck. */
export const ERROR_CATEGORIES: Readonly<Record<ErrorCode, ErrorCategory>> = {
  'INPUT.INVALID': 'invalid',
  'QUANTITY.MISSING': 'invalid',
  'QUANTITY.NOT_INTEGER': 'invalid',
  'QUANTITY.NOT_POSITIVE': 'invalid',
  'QUANTITY.TOO_LARGE': 'invalid',
  'PRODUCT.UNKNOWN': 'not_found',
  'BILLING.FREQUENCY_INVALID': 'invalid',
  // Identity we can't place is a refusal of the caller, not a missing resource.
  'TENANT.UNKNOWN': 'forbidden',
  'USER.NOT_FOUND': 'forbidden',
  // Eligibility and policy refusals are answered as "can't be done here" (422), with a contact-your-admin text.
  'ELIGIBILITY.UNKNOWN_USER': 'invalid',
  'ELIGIBILITY.GUEST': 'invalid',
  'ELIGIBILITY.ACCOUNT_DISABLED': 'invalid',
  'ELIGIBILITY.TENANT_TYPE': 'invalid',
  'ELIGIBILITY.MARKET': 'invalid',
  'POLICY.DISABLED': 'invalid',
  'POLICY.TRIALS_ONLY': 'invalid',
  'POLICY.VALUE_INVALID': 'invalid',
  'POLICY.ALREADY_SET': 'conflict',
  'PAYMENT.METHOD_REQUIRED': 'payment',
  'PAYMENT.TOKEN_INVALID': 'payment',
  'PAYMENT.CARD_EXPIRED': 'payment',
  'PAYMENT.DECLINED': 'payment',
  'TRIAL.NOT_AVAILABLE': 'invalid',
  'TRIAL.ALREADY_USED': 'conflict',
  'TRIAL.CANNOT_CHANGE': 'invalid',
  'SUBSCRIPTION.NOT_FOUND': 'not_found',
  'SUBSCRIPTION.NOT_ACTIVE': 'invalid',
  'SUBSCRIPTION.NOT_OWNER': 'forbidden',
  'LICENSE.NOT_ENOUGH': 'invalid',
  'LICENSE.TOO_MANY_USERS': 'invalid',
  'LICENSE.NO_USERS': 'invalid',
  'LICENSE.ALREADY_ASSIGNED': 'conflict',
  'LICENSE.NOT_ASSIGNED': 'invalid',
  'LICENSE.BELOW_ASSIGNED': 'invalid',
  'LICENSE.ADMIN_MUST_TAKE_OVER': 'forbidden',
  'AUTH.NOT_ADMIN': 'forbidden',
  'AUTH.READ_ONLY': 'forbidden',
  'AUTH.NOT_GLOBAL_ADMIN': 'forbidden',
  'ROLE.UNKNOWN': 'invalid',
  'ROLE.LAST_GLOBAL_ADMIN': 'invalid',
  'TAKEOVER.NOT_SELF_SERVICE': 'forbidden',
  'TAKEOVER.TARGET_INVALID': 'invalid',
  'PURCHASE.ALREADY_ACKNOWLEDGED': 'conflict',
  'REASON.INVALID': 'invalid',
  'BILL.NOT_FOUND': 'not_found',
  'BILL.ALREADY_PAID': 'conflict',
  'REQUEST.NOT_FOUND': 'not_found',
  'REQUEST.ALREADY_DECIDED': 'conflict',
  'IDEMPOTENCY.KEY_REUSED': 'conflict',
  'CONCURRENCY.CONFLICT': 'conflict',
};

export const categoryOf = (code: ErrorCode): ErrorCategory => ERROR_CATEGORIES[code];

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get category(): ErrorCategory {
    return categoryOf(this.code);
  }
}

export const fail = (code: ErrorCode, message: string, details?: Record<string, unknown>): never => {
  throw new DomainError(code, message, details);
};

export const isDomainError = (e: unknown, code?: ErrorCode): e is DomainError => e instanceof DomainError && (code === undefined || e.code === code);

/** Ineligible users are asked to contact their IT admin, as Microsoft does (R1). */
export const CONTACT_IT_ADMIN = 'Please contact your IT admin.';
