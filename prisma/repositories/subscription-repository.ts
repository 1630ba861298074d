import { Prisma, type Subscription as SubscriptionRow } from '../generated/client';
import type { BillingFrequency, CardSummary, Page, Subscription, SubscriptionOrigin, SubscriptionStatus } from '../../domain/model';
import { LIVE_STATUSES } from '../../domain/model';
import type { SubscriptionFilter, SubscriptionRepository } from '../../domain/ports';
import { inGroups, as, conflict, pageWindow, toMoney, toPage, type Db } from './support';

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

const newestFirst: Prisma.SubscriptionOrderByWithRelationInput[] = [{ createdAt: 'desc' }, { id: 'desc' }];
const live = [...LIVE_STATUSES];

export class PrismaSubscriptionRepository implements SubscriptionRepository {
  constructor(private readonly db: Db) {}

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
    const rows = await this.db.subscription.findMany({ where: { tenantId, purchaserId }, orderBy: newestFirst });
    return rows.map(toSubscription);
  }

  /** Two queries whatever the page size: the total and the page. */
  async search(tenantId: string, filter: SubscriptionFilter, page: number, pageSize: number): Promise<Page<Subscription>> {
    const where: Prisma.SubscriptionWhereInput = {
      tenantId,
      ...(filter.origin !== undefined && { origin: filter.origin }),
      ...(filter.productId !== undefined && { productId: filter.productId }),
      ...(filter.purchaserId !== undefined && { purchaserId: filter.purchaserId }),
      ...(filter.status !== undefined && { status: filter.status }),
    };
    const [total, rows] = await Promise.all([
      this.db.subscription.count({ where }),
      this.db.subscription.findMany({ where, orderBy: newestFirst, ...pageWindow(page, pageSize) }),
    ]);
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
      this.db.$queryRaw<Array<{ assigned: bigint | number }>>`
        SELECT COUNT(*) AS "assigned" FROM "Subscription" s CROSS JOIN "LicenseAssignment" a
        WHERE a."tenantId" = s."tenantId" AND a."subscriptionId" = s."id"
          AND s."tenantId" = ${tenantId} AND s."productId" = ${productId} AND s."status" IN ('Active', 'Trial')
          ${origin !== undefined ? Prisma.sql`AND s."origin" = ${origin}` : Prisma.empty}`,
    ]);
    return { subscriptions: agg._count._all, totalQuantity: agg._sum.quantity ?? 0, assigned: Number(assigned) };
  }

  /** One column of one row per purchaser: cheap to count in memory, then sliced to the page. */
  async purchasersOfProduct(tenantId: string, productId: string, origin: SubscriptionOrigin | undefined, page: number, pageSize: number): Promise<Page<string>> {
    const groups = await this.db.subscription.groupBy({ by: ['purchaserId'], where: liveOfProduct(tenantId, productId, origin), orderBy: { purchaserId: 'asc' } });
    const { skip, take } = pageWindow(page, pageSize);
    return toPage(groups.slice(skip, skip + take).map((g) => g.purchaserId), groups.length, page, pageSize);
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
