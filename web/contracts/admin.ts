/**
 * The Admin tab's API as it travels (JSON): the server's routes (declared in bot/features/*, shaped by
 * bot/web/admin-views.ts) and the Admin tab's pages (web/src/admin) both compile against these types,
 * so the two can't drift apart. What a caller may do with an item travels with it (ActionsDto).
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

/** A refusal in the domain's words: a stable code (what tests and pages branch on) and a sentence for people. */
export interface RefusalDto {
  code: string;
  message: string;
}

/**
 * What the domain allows this caller to do with one item now, per action, and for each refused action
 * why (as the purchaser pages' `can`/`reasons`). The pages show exactly this; the server checks again
 * on every action.
 */
export interface ActionsDto<K extends string> {
  can: Record<K, boolean>;
  /** One entry for each action in `can` that is false. */
  reasons: Partial<Record<K, RefusalDto>>;
}

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

/** An admin's actions on someone's self-service purchase (R3, R8–R10 and the new-purchase acknowledgement). */
export const ADMIN_PURCHASE_ACTIONS = ['takeOverCancel', 'moveUsers', 'centralize', 'acknowledge', 'disableProduct'] as const;
export type AdminPurchaseAction = (typeof ADMIN_PURCHASE_ACTIONS)[number];

export interface PurchaseDetailDto extends ActionsDto<AdminPurchaseAction> {
  purchase: PurchaseRowDto & { cancelledAt: Iso | null; cancelReason: string | null };
  purchaser: { id: string; displayName: string; email: string | null; active: boolean } | null;
  assignedUsers: Array<{ id: string; displayName: string; email: string | null; assignedAt: Iso }>;
  orders: Array<{ id: string; kind: string; quantityDelta: number; amount: MoneyDto | null; at: Iso; note: string | null; actorName: string }>;
  invoices: Array<{ id: string; description: string; amount: MoneyDto; status: 'Paid' | 'Unpaid'; issuedAt: Iso; paidAt: Iso | null }>;
  acknowledged: { byName: string; at: Iso } | null;
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

export interface PolicyRowDto extends ActionsDto<'change'> {
  productId: string;
  productName: string;
  value: PolicyValueDto;
  isDefault: boolean;
  updatedAt: Iso | null;
  updatedByName: string | null;
}

/** `changeAll`: setting every product at once. */
export interface PoliciesDto extends ActionsDto<'changeAll'> {
  defaultValue: PolicyValueDto;
  rows: PolicyRowDto[];
}

export interface PolicyChangesDto {
  changes: Array<{ productId: string; productName: string; from: PolicyValueDto; to: PolicyValueDto }>;
}

export interface ApprovalDto extends ActionsDto<'approve' | 'reject'> {
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
  /** Whether this caller may turn "require admin approval" on or off. */
  setting: ActionsDto<'change'>;
  items: ApprovalDto[];
}

/** One request, pending or decided (a decided one can no longer be approved or rejected, and says why). */
export interface ApprovalDetailDto extends ApprovalDto {
  status: 'Pending' | 'Approved' | 'Rejected' | 'Failed';
  decidedByName: string | null;
  decidedAt: Iso | null;
  note: string | null;
}

export interface DecisionDto {
  id: string;
  status: 'Pending' | 'Approved' | 'Rejected' | 'Failed';
  note: string | null;
}

export const ROLE_CHOICES = ['GlobalAdmin', 'BillingAdmin', 'GlobalReader', 'DelegatedAdmin'] as const;
export type RoleDto = (typeof ROLE_CHOICES)[number];

/** One role one person holds; `revoke` is refused for readers and for the last Global admin. */
export interface RoleRowDto extends ActionsDto<'revoke'> {
  userId: string;
  displayName: string;
  role: RoleDto;
  grantedAt: Iso;
  grantedByName: string | null;
}

/** `grant`: giving someone a role (Global admins only). */
export interface RolesDto extends ActionsDto<'grant'> {
  items: RoleRowDto[];
}

/** A grant or revoke: `changed` is false when the person already had (or no longer had) the role. */
export interface RoleChangeDto {
  userId: string;
  displayName: string;
  role: RoleDto;
  changed: boolean;
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
