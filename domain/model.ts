import type { Money } from './shared/money';

export type TenantKind = 'Commercial' | 'Government' | 'Nonprofit' | 'Education';

export interface Tenant {
  id: string;
  name: string;
  kind: TenantKind;
  /** ISO 3166-1 alpha-2 country of the tenant's billing account. */
  country: string;
  /** Optional: purchases wait for an admin's approval. */
  requireApproval: boolean;
  createdAt: Date;
}

export interface DirectoryUser {
  id: string; // Entra (AAD) object id
  tenantId: string;
  displayName: string;
  email: string | null; // UPN or mail
  isGuest: boolean;
  /** False once the user has left the organization (R11). */
  active: boolean;
}

export const ROLES = ['GlobalAdmin', 'BillingAdmin', 'GlobalReader', 'DelegatedAdmin'] as const;
export type Role = (typeof ROLES)[number];
/** Each role as people read it: in replies, on cards and in the audit log. */
export const ROLE_NAMES: Readonly<Record<Role, string>> = {
  GlobalAdmin: 'Global admin',
  BillingAdmin: 'Billing admin',
  GlobalReader: 'Global reader',
  DelegatedAdmin: 'Delegated admin',
};
export const roleName = (role: string): string => (ROLE_NAMES as Readonly<Record<string, string>>)[role] ?? role;

export interface RoleAssignment {
  tenantId: string;
  userId: string;
  role: Role;
  grantedBy: string | null; // null when it came from configuration
  grantedAt: Date;
}

export type BillingFrequency = 'Monthly' | 'Annual';
export const BILLING_FREQUENCIES: readonly BillingFrequency[] = ['Monthly', 'Annual'];

export interface TrialTerms {
  days: number;
  licenses: number;
  /** R14: true = trial needs a card and converts to paid; false = no card, and it simply ends. */
  requiresPaymentMethod: boolean;
}

export interface Product {
  id: string; // current product id, e.g. CFQ7TTC0H9MP
  legacyIds: string[];
  name: string;
  /** Price of one license for one billing period. */
  prices: Record<BillingFrequency, Money>;
  trial: TrialTerms | null;
}

export const POLICY_VALUES = ['Enabled', 'Disabled', 'OnlyTrialsWithoutPaymentMethod'] as const;
export type PolicyValue = (typeof POLICY_VALUES)[number];
/** New products default to Enabled (R3). */
export const DEFAULT_POLICY: PolicyValue = 'Enabled';

export interface PolicySetting {
  tenantId: string;
  productId: string;
  value: PolicyValue;
  updatedBy: string | null;
  updatedAt: Date;
}

export type SubscriptionOrigin = 'SelfService' | 'Central';
/** Deleted = cancelled by an admin's take-over (R9, R10); Cancelled = by the purchaser. */
export type SubscriptionStatus = 'PendingApproval' | 'Active' | 'Trial' | 'Expired' | 'Cancelled' | 'Deleted';
export const LIVE_STATUSES: readonly SubscriptionStatus[] = ['Active', 'Trial'];

export interface CardSummary {
  token: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

export interface Subscription {
  id: string;
  tenantId: string;
  productId: string;
  purchaserId: string;
  origin: SubscriptionOrigin;
  status: SubscriptionStatus;
  quantity: number;
  billingFrequency: BillingFrequency;
  unitPrice: Money;
  recurring: boolean;
  isTrial: boolean;
  /** The card on file; null for central subscriptions (agreement) and card-less trials. */
  card: CardSummary | null;
  startedAt: Date;
  expiresAt: Date;
  cancelledAt: Date | null;
  cancelReason: string | null;
  /** Set when an admin centralized these licenses and asked the purchaser to cancel (R8). */
  centralizedInto: string | null;
  /** The expiry date a reminder was last sent for, so each term is reminded once. */
  remindedFor: Date | null;
  createdAt: Date;
  /** Optimistic concurrency: every update must name the version it read. */
  version: number;
}

export interface LicenseAssignment {
  id: string;
  tenantId: string;
  subscriptionId: string;
  userId: string;
  assignedAt: Date;
  assignedBy: string;
}

export type OrderKind =
  | 'Purchase'
  | 'TrialStarted'
  | 'TrialConverted'
  | 'TrialEnded'
  | 'LicensesAdded'
  | 'LicensesRemoved'
  | 'Renewed'
  | 'RenewalFailed'
  | 'Expired'
  | 'RecurringOn'
  | 'RecurringOff'
  | 'PaymentMethodUpdated'
  | 'Cancelled'
  | 'UsersMoved'
  | 'TakenOver';

export interface OrderEntry {
  id: string;
  tenantId: string;
  subscriptionId: string;
  kind: OrderKind;
  quantityDelta: number;
  amount: Money | null;
  actorId: string;
  at: Date;
  note: string | null;
}

export type InvoiceStatus = 'Paid' | 'Unpaid';

export interface Invoice {
  id: string;
  tenantId: string;
  subscriptionId: string;
  purchaserId: string;
  amount: Money;
  status: InvoiceStatus;
  description: string;
  issuedAt: Date;
  paidAt: Date | null;
  chargeId: string | null;
  failureCode: string | null;
}

export type RequestKind = 'Purchase' | 'Trial';
export type RequestStatus = 'Pending' | 'Approved' | 'Rejected' | 'Failed';

export interface PurchaseRequest {
  id: string;
  tenantId: string;
  requesterId: string;
  productId: string;
  kind: RequestKind;
  quantity: number;
  billingFrequency: BillingFrequency;
  cardToken: string | null;
  status: RequestStatus;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
  subscriptionId: string | null;
  createdAt: Date;
}

export type Surface = 'chat' | 'card' | 'web' | 'system';

export interface AuditEntry {
  id: string;
  tenantId: string;
  actorId: string;
  action: string;
  targetType: string;
  targetId: string;
  summary: string;
  surface: Surface;
  at: Date;
}

/** Who a notification goes to: one user, or the tenant's admins (their channel, else their chats). */
export type Recipient = { kind: 'user'; userId: string } | { kind: 'admins' };

/** What a subscription notification always says: which subscription of which product. */
interface AboutSubscription {
  subscriptionId: string;
  productId: string;
  productName: string;
}
interface AboutRequest {
  requestId: string;
  productId: string;
  productName: string;
}
/** A term's price and date, for reminders and renewals (ISO date; amount in minor units). */
interface TermFacts extends AboutSubscription {
  expiresAt: string;
  amountMinor: number;
  currency: string;
}

/**
 * The data each kind of notification carries: producers (the use cases) and the cards that render
 * them agree by type. Stored as JSON in the outbox; only values the card needs, ids and names.
 */
export interface NotificationData {
  PurchaseCreated: AboutSubscription & { purchaserId: string; purchaserName: string; quantity: number; trial: boolean; amountMinor: number; currency: string };
  /** The amount is what approving would charge for the first term (0 for a trial); missing in rows written before it was added. */
  ApprovalRequested: AboutRequest & {
    requestKind: 'Purchase' | 'Trial';
    requesterId: string;
    requesterName: string;
    quantity: number;
    billingFrequency: BillingFrequency;
    amountMinor?: number;
    currency?: string;
  };
  RequestApproved: AboutRequest & { subscriptionId: string | null; note: string | null };
  RequestRejected: AboutRequest & { note: string | null };
  RequestFailed: AboutRequest & { subscriptionId: string | null; note: string | null };
  SubscriptionTakenOver: AboutSubscription & { adminName: string; usersMoved: number; reason: string | null };
  SubscriptionCancelledByAdmin: AboutSubscription & { adminName: string; reason: string; usersAffected: number };
  CancelRequested: AboutSubscription & { adminName: string; usersCovered: number };
  LicenseAssigned: AboutSubscription & { assignedBy: string };
  LicenseRemoved: AboutSubscription & { reason: string };
  TrialEnding: TermFacts & { recurring: boolean };
  TrialEnded: AboutSubscription;
  RenewalUpcoming: TermFacts & { recurring: boolean };
  Renewed: TermFacts & { converted: boolean };
  PaymentFailed: TermFacts & { converted: boolean };
  SubscriptionExpired: AboutSubscription;
}

export type NotificationKind = keyof NotificationData;
export const NOTIFICATION_KINDS = [
  'PurchaseCreated',
  'ApprovalRequested',
  'RequestApproved',
  'RequestRejected',
  'RequestFailed',
  'SubscriptionTakenOver',
  'SubscriptionCancelledByAdmin',
  'CancelRequested',
  'LicenseAssigned',
  'LicenseRemoved',
  'TrialEnding',
  'TrialEnded',
  'RenewalUpcoming',
  'Renewed',
  'PaymentFailed',
  'SubscriptionExpired',
] as const satisfies readonly NotificationKind[];

/** A notification to send, discriminated by kind: its data is that kind's shape. */
export type NotificationOf<K extends NotificationKind> = { recipient: Recipient; kind: K; data: NotificationData[K] };
export type Notification = { [K in NotificationKind]: NotificationOf<K> }[NotificationKind];
export type NotificationIntent = Notification & { id: string; tenantId: string; createdAt: Date };

export interface IdempotencyRecord {
  tenantId: string;
  key: string;
  operation: string;
  /** Fingerprint of the request, so a reused key with other input is refused. */
  fingerprint: string;
  resultId: string;
  createdAt: Date;
}

/**
 * A card charge made outside the write transaction (domain/purchasing/charges.ts). Written before the
 * charge with everything needed to finish the change it pays for; settled, in the transaction that
 * makes that change, with the outcome. One per charge idempotency key: a retry, a second instance or a
 * restart finds it and converges on the same charge.
 */
export interface ChargeIntent {
  tenantId: string;
  /** The payment provider's idempotency key: the same key never charges twice. */
  key: string;
  /** Which charged operation finishes it (charges.ts CHARGED_OPERATIONS). */
  operation: string;
  actorId: string;
  surface: Surface;
  /** What the operation's commit step needs, as JSON. */
  plan: string;
  amount: Money;
  cardToken: string;
  description: string;
  status: 'Pending' | 'Settled';
  /** Charged (and recorded), Declined (nothing changed, or the decline recorded), Refunded (charged, but the change could no longer be made). */
  outcome: 'Charged' | 'Declined' | 'Refunded' | null;
  chargeId: string | null;
  /** What the change made (a subscription's or invoice's id), for a replay. */
  resultId: string | null;
  note: string | null;
  createdAt: Date;
  settledAt: Date | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}
