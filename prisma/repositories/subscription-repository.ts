import { Prisma, type Subscription as SubscriptionRow } from '../generated/client';
import type { BillingFrequency, CardSummary, Page, Subscription, SubscriptionOrigin, SubscriptionStatus } from '../../domain/model';
import { LIVE_STATUSES } from '../../domain/model';
import type { SubscriptionFilter, SubscriptionRepository } from '../../domain/ports';
import { inGroups, as, columns, conflict, countOf, limitOffset, pageWindow, toMoney, toPage, viaPrisma, type Db, type SqlRunner } from './support';

const toCard = (r: SubscriptionRow): CardSummary | null => {
  if (r.cardToken === null) return null;
  if (r.cardBrand === null || r.cardLast4 === null || r.cardExpMonth === null || r.cardExpYear === null) {
    throw new Error(`Subscription ${r.id} has a card token without its details`);
  }
  return { token: r.cardToken, brand: r.cardBrand, last4: r.cardLast4, expMonth: r.cardExpMonth, expYear: r.cardExpYear };
};

export const toSubscription = (r: SubscriptionRow): Subscription => ({
  id: r.id,
  tenantId: r.tenantId,
  productId: r.productId,
  purchaserId: r.purchaserId,
  origin: as<SubscriptionOrigin>(r.origin),
  status: as<SubscriptionStatus>(r.status),
  quantity: r.quantity,
  billingFrequency: as<BillingFrequency>(r.billingFrequency),
  unitPrice: toMoney(r.unitPriceMinor, r.currency),
  recurring: r.recurring,
  isTrial: r.isTrial,
  card: toCard(r),
  startedAt: r.startedAt,
  expiresAt: r.expiresAt,
  cancelledAt: r.cancelledAt,
  cancelReason: r.cancelReason,
  centralizedInto: r.centralizedInto,
  remindedFor: r.remindedFor,
  createdAt: r.createdAt,
  version: r.version,
});

/** Every column a change may touch; keys (id, tenantId) and createdAt never change. */
const mutableColumns = (s: Subscription) => ({
  productId: s.productId,
  purchaserId: s.purchaserId,
  origin: s.origin,
  status: s.status,
  quantity: s.quantity,
  billingFrequency: s.billingFrequency,
  unitPriceMinor: s.unitPrice.amountMinor,
  currency: s.unitPrice.currency,
  recurring: s.recurring,
  isTrial: s.isTrial,
  cardToken: s.card?.token ?? null,
  cardBrand: s.card?.brand ?? null,
  cardLast4: s.card?.last4 ?? null,
  cardExpMonth: s.card?.expMonth ?? null,
  cardExpYear: s.card?.expYear ?? null,
  startedAt: s.startedAt,
  expiresAt: s.expiresAt,
  cancelledAt: s.cancelledAt,
  cancelReason: s.cancelReason,
  centralizedInto: s.centralizedInto,
  remindedFor: s.remindedFor,
});

const liveOfProduct = (tenantId: string, productId: string, origin?: SubscriptionOrigin): Prisma.SubscriptionWhereInput => ({
  tenantId,
  productId,
  status: { in: live },
  ...(origin !== undefined && { origin }),
});

/** Every column of the model, in a raw SELECT that reads a SubscriptionRow. */
const SUBSCRIPTION_COLUMNS: readonly (keyof SubscriptionRow)[] = [
  'id',
  'tenantId',
  'productId',
  'purchaserId',
  'origin',
  'status',
  'quantity',
  'billingFrequency',
  'unitPriceMinor',
  'currency',
  'recurring',
  'isTrial',
  'cardToken',
  'cardBrand',
  'cardLast4',
  'cardExpMonth',
  'cardExpYear',
  'startedAt',
  'expiresAt',
  'cancelledAt',
  'cancelReason',
  'centralizedInto',
  'remindedFor',
  'createdAt',
  'version',
];
const allColumns = columns(SUBSCRIPTION_COLUMNS);
const live = [...LIVE_STATUSES];

export class PrismaSubscriptionRepository implements SubscriptionRepository {
  constructor(
    private readonly db: Db,
    private readonly sql: SqlRunner = viaPrisma(db),
  ) {}

  async get(tenantId: string, id: string): Promise<Subscription | null> {
    const row = await this.db.subscription.findUnique({ where: { id, tenantId } });
    return row ? toSubscription(row) : null;
  }

  async getMany(tenantId: string, ids: readonly string[]): Promise<Subscription[]> {
    if (ids.length === 0) return [];
    const rows = await inGroups(ids, (group) => this.db.subscription.findMany({ where: { tenantId, id: { in: group } } }));
    return rows.map(toSubscription).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
  }

  async create(s: Subscription): Promise<void> {
    await this.db.subscription.create({ data: { id: s.id, tenantId: s.tenantId, createdAt: s.createdAt, version: s.version, ...mutableColumns(s) } });
  }

  /** Optimistic concurrency: the write happens only if nobody changed the row since `s` was read. */
  async update(s: Subscription): Promise<Subscription> {
    const next = s.version + 1;
    const { count } = await this.db.subscription.updateMany({
      where: { tenantId: s.tenantId, id: s.id, version: s.version },
      data: { ...mutableColumns(s), version: next },
    });
    if (count === 0) throw conflict('subscription', { subscriptionId: s.id, version: s.version });
    return { ...s, version: next };
  }

  async listByPurchaser(tenantId: string, purchaserId: string): Promise<Subscription[]> {
    const rows = await this.sql.query<SubscriptionRow>(Prisma.sql`
      SELECT ${allColumns} FROM "Subscription" WHERE "tenantId" = ${tenantId} AND "purchaserId" = ${purchaserId} ORDER BY "createdAt" DESC, "id" DESC`);
    return rows.map(toSubscription);
  }

  /**
   * One statement whatever the page size: the page, each row carrying the filtered total (a subquery
   * SQLite runs once, over the index, while the page itself stops after its rows). Only a page past
   * the end, which has no row to carry it, counts separately.
   */
  async search(tenantId: string, filter: SubscriptionFilter, page: number, pageSize: number): Promise<Page<Subscription>> {
    const where = Prisma.sql`"tenantId" = ${tenantId}${filter.origin !== undefined ? Prisma.sql` AND "origin" = ${filter.origin}` : Prisma.empty}${
      filter.productId !== undefined ? Prisma.sql` AND "productId" = ${filter.productId}` : Prisma.empty
    }${filter.purchaserId !== undefined ? Prisma.sql` AND "purchaserId" = ${filter.purchaserId}` : Prisma.empty}${
      filter.status !== undefined ? Prisma.sql` AND "status" = ${filter.status}` : Prisma.empty
    }`;
    const { skip, take } = pageWindow(page, pageSize);
    const rows = await this.sql.query<SubscriptionRow & { total: bigint | number }>(Prisma.sql`
      SELECT ${allColumns}, (SELECT COUNT(*) FROM "Subscription" WHERE ${where}) AS "total"
      FROM "Subscription" WHERE ${where} ORDER BY "createdAt" DESC, "id" DESC ${limitOffset(take, skip)}`);
    const total =
      rows.length > 0
        ? countOf(rows[0].total)
        : skip === 0
          ? 0
          : countOf((await this.sql.query<{ total: bigint | number }>(Prisma.sql`SELECT COUNT(*) AS "total" FROM "Subscription" WHERE ${where}`))[0]?.total);
    return toPage(rows.map(toSubscription), total, page, pageSize);
  }

  async listLiveByProduct(tenantId: string, productId: string, origin?: SubscriptionOrigin, purchaserIds?: readonly string[]): Promise<Subscription[]> {
    const where = liveOfProduct(tenantId, productId, origin);
    const rows = purchaserIds
      ? await inGroups(purchaserIds, (group) => this.db.subscription.findMany({ where: { ...where, purchaserId: { in: group } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }))
      : await this.db.subscription.findMany({ where, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return rows.map(toSubscription);
  }

  async productTotals(tenantId: string, productId: string, origin?: SubscriptionOrigin): Promise<{ subscriptions: number; totalQuantity: number; assigned: number }> {
    const where = liveOfProduct(tenantId, productId, origin);
    // Drive the count from the product's subscriptions into the (tenantId, subscriptionId) index.
    // Prisma's relation filter, or a plain JOIN without statistics, scans every assignment of the
    // tenant instead. CROSS JOIN fixes SQLite's loop order; on PostgreSQL it is an ordinary inner join.
    const [agg, [{ assigned }]] = await Promise.all([
      this.db.subscription.aggregate({ where, _count: { _all: true }, _sum: { quantity: true } }),
      this.sql.query<{ assigned: bigint | number }>(Prisma.sql`
        SELECT COUNT(*) AS "assigned" FROM "Subscription" s CROSS JOIN "LicenseAssignment" a
        WHERE a."tenantId" = s."tenantId" AND a."subscriptionId" = s."id"
          AND s."tenantId" = ${tenantId} AND s."productId" = ${productId} AND s."status" IN ('Active', 'Trial')
          ${origin !== undefined ? Prisma.sql`AND s."origin" = ${origin}` : Prisma.empty}`),
    ]);
    return { subscriptions: agg._count._all, totalQuantity: agg._sum.quantity ?? 0, assigned: countOf(assigned) };
  }

  /** One column of one row per purchaser: cheap to count in memory, then sliced to the page. */
  async purchasersOfProduct(tenantId: string, productId: string, origin: SubscriptionOrigin | undefined, page: number, pageSize: number): Promise<Page<string>> {
    const groups = await this.db.subscription.groupBy({ by: ['purchaserId'], where: liveOfProduct(tenantId, productId, origin), orderBy: { purchaserId: 'asc' } });
    const { skip, take } = pageWindow(page, pageSize);
    return toPage(
      groups.slice(skip, skip + take).map((g) => g.purchaserId),
      groups.length,
      page,
      pageSize,
    );
  }

  /** A trial counts once started, whether it is running, converted to paid (isTrial false) or ended. */
  async hasTrial(tenantId: string, purchaserId: string, productId: string): Promise<boolean> {
    const hit = await this.db.subscription.findFirst({
      where: { tenantId, purchaserId, productId, OR: [{ isTrial: true }, { orders: { some: { kind: 'TrialStarted' } } }] },
      select: { id: true },
    });
    return hit !== null;
  }

  /** For the billing job: across tenants unless one is named, oldest expiry first. */
  async listExpiringBefore(before: Date, limit: number, tenantId?: string): Promise<Subscription[]> {
    const rows = await this.db.subscription.findMany({
      where: { status: { in: live }, expiresAt: { lt: before }, ...(tenantId !== undefined && { tenantId }) },
      orderBy: [{ expiresAt: 'asc' }, { id: 'asc' }],
      take: limit,
    });
    return rows.map(toSubscription);
  }
}
