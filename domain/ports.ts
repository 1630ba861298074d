import type {
  AuditEntry,
  ChargeIntent,
  DirectoryUser,
  IdempotencyRecord,
  Invoice,
  InvoiceStatus,
  LicenseAssignment,
  NotificationIntent,
  OrderEntry,
  Page,
  PolicySetting,
  Product,
  PurchaseRequest,
  RoleAssignment,
  Role,
  Subscription,
  SubscriptionOrigin,
  SubscriptionStatus,
  Tenant,
} from './model';
import type { Money } from './shared/money';
import type { Clock } from './shared/clock';

/** Every method is scoped by tenant; no port returns another tenant's rows. Methods taking id lists
 *  accept any number of ids unless they say otherwise. */
export const MAX_IDS_PER_QUERY = 500;

export interface TenantRepository {
  get(id: string): Promise<Tenant | null>;
  save(tenant: Tenant): Promise<void>;
}

export interface UserRepository {
  get(tenantId: string, id: string): Promise<DirectoryUser | null>;
  getMany(tenantId: string, ids: readonly string[]): Promise<DirectoryUser[]>;
  upsert(user: DirectoryUser): Promise<void>;
  /** Active people `query` is a prefix of: of their display name from one of its words on, or of their
   *  email, compared as `searchKey` (domain/directory/find-people.ts) writes them; by name. */
  search(tenantId: string, query: string, limit: number): Promise<DirectoryUser[]>;
  /** Ids of the tenant's active people after `after` (empty string: from the start), in id order, at most `limit`. */
  activeIdsAfter(tenantId: string, after: string, limit: number): Promise<string[]>;
}

/** The acting person as stored: their tenant, their directory entry and their roles, in one read
 *  (every use case starts with it, so it is worth one query instead of three). */
export interface ActorRecord {
  tenant: Tenant | null;
  user: DirectoryUser | null;
  roles: Role[];
}

export interface ActorRepository {
  load(tenantId: string, userId: string): Promise<ActorRecord>;
}

export interface RoleRepository {
  listForUser(tenantId: string, userId: string): Promise<Role[]>;
  list(tenantId: string): Promise<RoleAssignment[]>;
  add(assignment: RoleAssignment): Promise<void>;
  remove(tenantId: string, userId: string, role: Role): Promise<void>;
  count(tenantId: string, role: Role): Promise<number>;
}

export interface ProductRepository {
  list(): Promise<Product[]>;
  /** By current or legacy id. */
  get(id: string): Promise<Product | null>;
}

export interface PolicyRepository {
  list(tenantId: string): Promise<PolicySetting[]>;
  get(tenantId: string, productId: string): Promise<PolicySetting | null>;
  set(setting: PolicySetting): Promise<void>;
}

export interface SubscriptionFilter {
  origin?: SubscriptionOrigin;
  productId?: string;
  purchaserId?: string;
  status?: SubscriptionStatus;
}

/** One purchaser's group of the licenses view (R7), with its first rows only. */
export interface PurchaseListing {
  subscription: Subscription;
  assigned: number;
  purchaserName: string | null;
}

export interface LicenseGroup {
  purchaserId: string;
  /** The purchaser as the directory names them (null when the directory doesn't know them). */
  purchaserName: string | null;
  /** Every live subscription of the product the purchaser bought, and the licenses assigned on them. */
  subscriptionCount: number;
  userCount: number;
  /** What the view shows of a subscription, with its assigned licenses. */
  subscriptions: Array<Pick<Subscription, 'id' | 'quantity' | 'origin' | 'expiresAt'> & { assigned: number }>;
  /** The person as the directory has them (null when the directory doesn't know them). */
  users: Array<{ userId: string; subscriptionId: string; displayName: string | null; email: string | null }>;
}

/** One license of an export: what the CSV shows of it, and its id (where the walk resumes). */
export interface ExportRow {
  id: string;
  subscriptionId: string;
  userId: string;
  assignedAt: Date;
  displayName: string | null;
  email: string | null;
}

/** Where an export stopped: the position in its subscription list, and the last assignment id read there. */
export interface ExportCursor {
  index: number;
  afterId: string | null;
}

/** A central subscription as a move or centralize target: its assigned licenses and the source's holders it already licenses. */
export interface CentralTargetRow {
  subscription: Subscription;
  assigned: number;
  overlap: number;
}

export interface SubscriptionRepository {
  /** Inside `uow.run`, the subscription is the transaction's until it ends: another transaction that reads it to change it waits, or is retried. */
  get(tenantId: string, id: string): Promise<Subscription | null>;
  /** get, with the licenses assigned on it (one read). */
  getWithAssigned(tenantId: string, id: string): Promise<{ subscription: Subscription; assigned: number } | null>;
  getMany(tenantId: string, ids: readonly string[]): Promise<Subscription[]>;
  create(subscription: Subscription): Promise<void>;
  /** Writes the subscription with version+1 if the stored version is still `subscription.version`;
   *  otherwise throws DomainError CONCURRENCY.CONFLICT. Returns the new version. */
  update(subscription: Subscription): Promise<Subscription>;
  listByPurchaser(tenantId: string, purchaserId: string): Promise<Subscription[]>;
  /** listByPurchaser, each with the licenses assigned on it and its bills not paid yet (a declined renewal): what a purchaser's list shows, in one read. */
  purchasedBy(tenantId: string, purchaserId: string): Promise<Array<{ subscription: Subscription; assigned: number; unpaid: number }>>;
  search(tenantId: string, filter: SubscriptionFilter, page: number, pageSize: number): Promise<Page<Subscription>>;
  /**
   * search, each with the licenses assigned on it and its purchaser as the directory names them (null
   * when the directory doesn't know them): what the admin's purchases page shows, in one read.
   */
  searchPurchases(tenantId: string, filter: SubscriptionFilter, page: number, pageSize: number): Promise<Page<PurchaseListing>>;
  /**
   * R8/R9: where the people licensed on `sourceId` could get a central license. The live central
   * subscriptions of the product (never the source), each with its assigned licenses and how many of
   * the source's holders it already licenses (`overlap`); only the first `limit` in the order of
   * domain/takeover/purchase-abilities.ts's `byMoveFit` (most licenses to spare after the move, then
   * most free, then oldest), with `total` the number there are. Counted in the database: no holder
   * list is read, and a product with thousands of central subscriptions costs `limit` rows.
   */
  centralTargets(tenantId: string, productId: string, sourceId: string, limit: number): Promise<{ targets: CentralTargetRow[]; total: number }>;
  /** R7 totals over a product's live subscriptions, computed in the database. */
  productTotals(tenantId: string, productId: string, origin?: SubscriptionOrigin): Promise<{ subscriptions: number; totalQuantity: number; assigned: number }>;
  /** R7's groups: the purchasers of a product's live subscriptions, by id, paged; each with its counts
   *  and only the first `perGroup` subscriptions (oldest first) and licensed users (by subscription,
   *  then assignment id), so a page costs the same however large a group is. */
  licenseGroups(
    tenantId: string,
    productId: string,
    origin: SubscriptionOrigin | undefined,
    page: number,
    pageSize: number,
    perGroup: { subscriptions: number; users: number },
  ): Promise<Page<LicenseGroup>>;
  /** How many of `ids` (distinct) are subscriptions of the tenant. */
  countExisting(tenantId: string, ids: readonly string[]): Promise<number>;
  /** The ids of a product's live subscriptions, oldest first. */
  listLiveIds(tenantId: string, productId: string): Promise<string[]>;
  /** Whether the purchaser ever started a trial of the product (running, converted or ended). */
  hasTrial(tenantId: string, purchaserId: string, productId: string): Promise<boolean>;
  /** Live subscriptions expiring before `before`, oldest first: of every tenant (the billing job),
   *  or of one when `tenantId` is given. */
  listExpiringBefore(before: Date, limit: number, tenantId?: string): Promise<Subscription[]>;
}

export interface AssignmentRepository {
  /** In the order they were assigned; with `limit`, only the first that many. */
  listBySubscription(tenantId: string, subscriptionId: string, limit?: number): Promise<LicenseAssignment[]>;
  listBySubscriptions(tenantId: string, subscriptionIds: readonly string[]): Promise<LicenseAssignment[]>;
  countBySubscriptions(tenantId: string, subscriptionIds: readonly string[]): Promise<Map<string, number>>;
  /** The licenses one person holds, newest first, at most `limit` (on LicenseAssignment (tenantId, userId)). */
  heldBy(tenantId: string, userId: string, limit: number): Promise<LicenseAssignment[]>;
  /** Which of `userIds` hold a license on the subscription: a lookup per person, whatever the subscription's size. */
  holdersAmong(tenantId: string, subscriptionId: string, userIds: readonly string[]): Promise<string[]>;
  add(assignments: readonly LicenseAssignment[]): Promise<void>;
  remove(tenantId: string, subscriptionId: string, userIds: readonly string[]): Promise<void>;
  /** Keyset page for streaming exports: assignments with id > afterId, ordered by id.
   *  At most MAX_IDS_PER_QUERY subscription ids per call (the caller walks larger sets in groups). */
  pageBySubscriptions(tenantId: string, subscriptionIds: readonly string[], afterId: string | null, limit: number): Promise<LicenseAssignment[]>;
  /** The export's keyset walk: from `from`, the assignments of `subscriptionIds[index]` (id order), then
   *  of the next ones, at most `limit` rows and at most `maxSubscriptions` subscriptions per call;
   *  `next` is where to go on, null once the list is done. Any number of subscription ids. */
  exportPage(
    tenantId: string,
    subscriptionIds: readonly string[],
    from: ExportCursor,
    limit: number,
    maxSubscriptions: number,
  ): Promise<{ rows: ExportRow[]; next: ExportCursor | null }>;
}

export interface OrderRepository {
  add(order: OrderEntry): Promise<void>;
  listBySubscription(tenantId: string, subscriptionId: string): Promise<OrderEntry[]>;
}

export interface InvoiceRepository {
  add(invoice: Invoice): Promise<void>;
  get(tenantId: string, id: string): Promise<Invoice | null>;
  update(invoice: Invoice): Promise<void>;
  listByPurchaser(tenantId: string, purchaserId: string): Promise<Invoice[]>;
  /** One subscription's invoices, newest first. */
  listBySubscription(tenantId: string, subscriptionId: string): Promise<Invoice[]>;
}

export interface PurchaseRequestRepository {
  add(request: PurchaseRequest): Promise<void>;
  get(tenantId: string, id: string): Promise<PurchaseRequest | null>;
  /** Conditional on the stored status being Pending; throws CONCURRENCY.CONFLICT otherwise. */
  decide(request: PurchaseRequest): Promise<void>;
  listPending(tenantId: string): Promise<PurchaseRequest[]>;
}

export interface OutboxRepository {
  add(intents: readonly NotificationIntent[]): Promise<void>;
}

export interface AuditRepository {
  add(entry: AuditEntry): Promise<void>;
  list(tenantId: string, page: number, pageSize: number): Promise<Page<AuditEntry>>;
  /** The newest entry with one of `actions` about one target, or null. */
  latestFor(tenantId: string, target: { type: string; id: string }, actions: readonly string[]): Promise<AuditEntry | null>;
}

export interface ChargeIntentRepository {
  /** Inside a write transaction on PostgreSQL, locked for the rest of it (the settling transaction). */
  get(tenantId: string, key: string): Promise<ChargeIntent | null>;
  /** Writes the intent unless one with its key exists (a double click, a retried request): returns the stored one, whichever it is. */
  addOrGet(intent: ChargeIntent): Promise<ChargeIntent>;
  /** Writes the settled intent if it is still Pending; false when it isn't (another finisher settled or forgot it first). */
  settle(intent: ChargeIntent): Promise<boolean>;
  /** Forgets a Pending intent whose charge was declined: nothing was charged, so nothing stays (a refusal changes nothing). */
  removePending(tenantId: string, key: string): Promise<void>;
  /** Intents still Pending that were written before `before`, oldest first, across tenants (the recovery sweep). */
  listPending(before: Date, limit: number): Promise<ChargeIntent[]>;
}

export interface IdempotencyRepository {
  get(tenantId: string, key: string): Promise<IdempotencyRecord | null>;
  add(record: IdempotencyRecord): Promise<void>;
  /** Stores the record unless its key is taken (no conflict raised): true when this call stored it. */
  claim(record: IdempotencyRecord): Promise<boolean>;
}

/** One group of invoice totals: what one purchaser was billed for one product in one currency and status. */
export interface SpendTotalRow {
  productId: string;
  purchaserId: string;
  currency: string;
  status: InvoiceStatus;
  amountMinor: number;
  invoices: number;
}

/** The admin tab's summaries, aggregated in the database so their cost doesn't grow with the rows read. */
export interface ReportRepository {
  /** Invoices issued from `from` up to and including `to`, summed per product, purchaser, currency and status. */
  spendTotals(tenantId: string, from: Date, to: Date): Promise<SpendTotalRow[]>;
  /** Everyone who ever bought a subscription in the tenant (any origin, any status), by id. */
  purchaserIds(tenantId: string): Promise<string[]>;
}

export interface Repositories {
  actors: ActorRepository;
  tenants: TenantRepository;
  users: UserRepository;
  roles: RoleRepository;
  products: ProductRepository;
  policies: PolicyRepository;
  subscriptions: SubscriptionRepository;
  assignments: AssignmentRepository;
  orders: OrderRepository;
  invoices: InvoiceRepository;
  requests: PurchaseRequestRepository;
  outbox: OutboxRepository;
  audit: AuditRepository;
  idempotency: IdempotencyRepository;
  charges: ChargeIntentRepository;
  reports: ReportRepository;
}

/**
 * Runs `work` atomically: everything it writes (the change, its order history, audit and
 * notification intents) commits together or not at all. Implementations retry `work` a few times
 * on CONCURRENCY.CONFLICT, so `work` must be safe to re-run (it re-reads state each time).
 */
export interface UnitOfWork {
  run<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
  /** Read-only work on committed data; never sees a transaction in flight. */
  read<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
}

export interface CardDetails {
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

export type ChargeResult = { status: 'succeeded'; chargeId: string } | { status: 'declined'; code: 'card_declined' | 'insufficient_funds' | 'expired_card'; message: string };

/** A card payment provider. Only tokens cross this port; card numbers never reach the domain (R2). */
export interface PaymentProvider {
  /** The card behind a token, or null when the token is unknown or forged. */
  describe(token: string): Promise<CardDetails | null>;
  /** Charges are idempotent by key: the same key returns the first result and never charges twice. */
  charge(request: { token: string; amount: Money; idempotencyKey: string; description: string }): Promise<ChargeResult>;
  /** Gives a charge's money back; idempotent by key like a charge. */
  refund(request: { chargeId: string; amount: Money; idempotencyKey: string; reason: string }): Promise<{ refundId: string }>;
}

export interface IdGenerator {
  next(): string;
}

export interface DomainSettings {
  /** ISO 3166-1 alpha-2 countries where self-service purchase is offered (R1). */
  enabledMarkets: readonly string[];
  /** Days before expiry to remind about a renewal or a trial's end. */
  reminderDays: number;
}

export interface Deps {
  uow: UnitOfWork;
  payments: PaymentProvider;
  clock: Clock;
  ids: IdGenerator;
  settings: DomainSettings;
  /** The organizations' own directory (Microsoft Graph), when the app may read it; without it, the
   *  people Teams showed the bot are all there is. */
  directory?: DirectorySource;
}

/**
 * People as the organization's directory has them now (Microsoft Graph's /users): names, emails,
 * guest status (userType) and whether the account is still there and enabled. Every call is scoped to
 * one tenant. An answer of null means the directory can't be asked now (not configured for that
 * organization, no consent, throttled, down): the caller goes on with what is stored.
 */
export interface DirectorySource {
  /** People of the tenant whose name (any word of it) or email starts with `query`, at most `limit`. */
  search(tenantId: string, query: string, limit: number): Promise<DirectoryUser[] | null>;
  /** One person now: 'gone' when the directory no longer has them (deleted from the organization). */
  person(tenantId: string, userId: string): Promise<DirectoryUser | 'gone' | null>;
  /**
   * Everyone in the tenant, a page at a time, then who was deleted; null when it can't be read now.
   * Read to the end, the pages list everyone: someone stored as active whom no page names was deleted
   * for good (past the directory's recycle bin). A page that can't be read throws.
   */
  everyone(tenantId: string): AsyncIterable<{ present: DirectoryUser[]; gone: string[] }> | null;
}

/** Who is acting, where, and through which surface. The identity comes from the edge's verified
 *  channel data (never from card payloads). */
export interface ActorContext {
  tenantId: string;
  actorId: string;
  surface: AuditEntry['surface'];
}
