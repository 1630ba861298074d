/**
 * The purchaser pages' JSON, as the server sends it (bot/web/purchaser-api.ts builds these shapes and
 * is type-checked against this file, so the pages and the API can't drift apart). Ids only travel
 * back; every action is re-checked on the server. Dates are ISO strings; money is integer cents.
 */

export interface MoneyView {
  amountMinor: number;
  currency: string;
}

/** What is kept of a card: never its number or CVC, and never the provider's token either. */
export interface CardView {
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

export interface PersonView {
  id: string;
  displayName: string;
  email: string | null;
}

export type SubscriptionStatus = 'PendingApproval' | 'Active' | 'Trial' | 'Expired' | 'Cancelled' | 'Deleted';
export type BillingFrequency = 'Monthly' | 'Annual';

export interface SubscriptionView {
  id: string;
  productId: string;
  productName: string;
  status: SubscriptionStatus;
  /** In words, e.g. "cancelled by an admin". */
  statusWord: string;
  isTrial: boolean;
  live: boolean;
  quantity: number;
  assigned: number;
  available: number;
  billingFrequency: BillingFrequency;
  unitPrice: MoneyView;
  recurring: boolean;
  startedAt: string;
  expiresAt: string;
  cancelledAt: string | null;
  cancelReason: string | null;
  card: CardView | null;
  /** An admin now provides these licenses centrally and asked the purchaser to cancel (R8). */
  centralized: boolean;
  /** What makes sense to offer now; the server checks again on every action. */
  can: {
    addLicenses: boolean;
    removeLicenses: boolean;
    assign: boolean;
    unassign: boolean;
    setRecurring: boolean;
    updateCard: boolean;
    cancel: boolean;
  };
  /** For each action in `can` that is false: why, in the domain's words. */
  reasons: Partial<Record<keyof SubscriptionView['can'], string>>;
  assignees: PersonView[];
}

export interface MySubscriptionsResponse {
  items: SubscriptionView[];
  cancelReasons: string[];
  /** At most this many people per assign or unassign (R4). */
  maxPeoplePerOperation: number;
  /** At most this many characters of the words beside the reason "Other". */
  maxReasonDetails: number;
}

export interface SavedCardView {
  /** The subscription whose card on file would be charged (re-checked on the server). */
  subscriptionId: string;
  label: string;
  /** A bill of that subscription is unpaid after this card was declined: offered, never preselected. */
  declined?: boolean;
}

export interface BillView {
  id: string;
  subscriptionId: string;
  description: string;
  amount: MoneyView;
  status: 'Paid' | 'Unpaid';
  issuedAt: string;
  paidAt: string | null;
  /** The last attempt to charge it was declined. */
  declined: boolean;
}

export interface BillsResponse {
  items: BillView[];
  savedCards: SavedCardView[];
}

export interface PeopleResponse {
  people: PersonView[];
}

export interface CatalogItemView {
  productId: string;
  name: string;
  prices: Record<BillingFrequency, MoneyView>;
  trial: { days: number; licenses: number; requiresPaymentMethod: boolean } | null;
  canBuy: boolean;
  canTrial: boolean;
  /** The caller's live subscriptions of it: buying or trying it again may not be what they need. */
  owned: Array<{ subscriptionId: string; quantity: number; assigned: number; canAssign: boolean }>;
}

export interface CatalogResponse {
  items: CatalogItemView[];
}

/** Every action answers with a sentence for the page's live region. */
export interface ActionResponse {
  message: string;
}

export type CheckoutResponse = { status: 'created'; subscriptionId: string; message: string } | { status: 'pending'; requestId: string; message: string };

/** The payment provider's tokenization endpoint (POST /payments/sandbox/tokens). */
export interface TokenResponse {
  token: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}
