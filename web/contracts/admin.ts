/**
 * The Admin tab's API as it travels (JSON): the server's route handlers (bot/web/admin-api.ts) and
 * the Admin tab's pages (web/src/admin) both compile against these types, so the two can't drift apart.
 * Plain types and constants only: the server imports this file too (web/contracts is the one module the
 * pages and the server share; .dependency-cruiser.cjs holds that). Dates are ISO 8601 strings; money is
 * integer minor units.
 */

export type Iso = string;

export interface MoneyDto {
  amountMinor: number;
  currency: string;
}

export interface PageDto<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export const ORIGINS = ['SelfService', 'Central'] as const;
export type OriginDto = (typeof ORIGINS)[number];
export const STATUSES = ['PendingApproval', 'Active', 'Trial', 'Expired', 'Cancelled', 'Deleted'] as const;
export type StatusDto = (typeof STATUSES)[number];
export const POLICY_CHOICES = ['Enabled', 'Disabled', 'OnlyTrialsWithoutPaymentMethod'] as const;
export type PolicyValueDto = (typeof POLICY_CHOICES)[number];

/** The most subscriptions one CSV export may name (the API refuses more with a 400). */
export const MAX_EXPORT_SUBSCRIPTIONS = 500;

export interface Choice {
  id: string;
  name: string;
}

export interface PurchaseFiltersDto {
  products: Choice[];
  purchasers: Choice[];
}

export interface PurchaseRowDto {
  id: string;
  productId: string;
  productName: string;
  purchaserId: string;
  purchaserName: string;
  origin: OriginDto;
  status: StatusDto;
  quantity: number;
  assigned: number;
  billingFrequency: 'Monthly' | 'Annual';
  unitPrice: MoneyDto;
  isTrial: boolean;
  recurring: boolean;
  startedAt: Iso;
  expiresAt: Iso;
}

export interface PurchaseDetailDto {
  purchase: PurchaseRowDto & { cancelledAt: Iso | null; cancelReason: string | null };
  purchaser: { id: string; displayName: string; email: string | null; active: boolean } | null;
  assignedUsers: Array<{ id: string; displayName: string; email: string | null; assignedAt: Iso }>;
  orders: Array<{ id: string; kind: string; quantityDelta: number; amount: MoneyDto | null; at: Iso; note: string | null; actorName: string }>;
  invoices: Array<{ id: string; description: string; amount: MoneyDto; status: 'Paid' | 'Unpaid'; issuedAt: Iso; paidAt: Iso | null }>;
  acknowledged: { byName: string; at: Iso } | null;
  /** Self-service purchases can be acknowledged once (by an admin who may change things). */
  acknowledgeable: boolean;
}

export interface AcknowledgedDto {
  byName: string;
  at: Iso;
}

export interface ProductLicensesDto {
  productId: string;
  productName: string;
  subscriptions: number;
  totalQuantity: number;
  assigned: number;
  available: number;
}

export interface LicensesOverviewDto {
  products: ProductLicensesDto[];
}

export interface PurchaserGroupDto {
  purchaserId: string;
  purchaserName: string;
  subscriptions: Array<{ id: string; quantity: number; assigned: number; origin: OriginDto; expiresAt: Iso }>;
  users: Array<{ id: string; displayName: string; email: string | null; subscriptionId: string }>;
}

export interface ProductLicenseGroupsDto extends ProductLicensesDto {
  groups: PurchaserGroupDto[];
  page: number;
  pageSize: number;
  totalGroups: number;
}

export interface PolicyRowDto {
  productId: string;
  productName: string;
  value: PolicyValueDto;
  isDefault: boolean;
  updatedAt: Iso | null;
  updatedByName: string | null;
}

export interface PoliciesDto {
  defaultValue: PolicyValueDto;
  rows: PolicyRowDto[];
}

export interface PolicyChangesDto {
  changes: Array<{ productId: string; productName: string; from: PolicyValueDto; to: PolicyValueDto }>;
}

export interface ApprovalDto {
  id: string;
  kind: 'Purchase' | 'Trial';
  productId: string;
  productName: string;
  requesterId: string;
  requesterName: string;
  quantity: number;
  billingFrequency: 'Monthly' | 'Annual';
  /** What the purchase will charge the requester's card; null for a trial. */
  cost: MoneyDto | null;
  createdAt: Iso;
}

export interface ApprovalsDto {
  requireApproval: boolean;
  items: ApprovalDto[];
}

export interface DecisionDto {
  id: string;
  status: 'Pending' | 'Approved' | 'Rejected' | 'Failed';
  note: string | null;
}

export interface AuditEntryDto {
  id: string;
  at: Iso;
  actorId: string;
  actorName: string;
  action: string;
  summary: string;
  surface: 'chat' | 'card' | 'web' | 'system';
  targetType: string;
  targetId: string;
}

export interface SpendAmountsDto {
  billed: MoneyDto;
  paid: MoneyDto;
  invoices: number;
}

export interface SpendLineDto extends SpendAmountsDto {
  id: string;
  name: string;
}

export interface SpendDto {
  from: Iso;
  to: Iso;
  months: number;
  totals: SpendAmountsDto[];
  byProduct: SpendLineDto[];
  byPurchaser: SpendLineDto[];
}
