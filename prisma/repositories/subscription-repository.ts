import { Prisma, type Subscription as SubscriptionRow } from '../generated/client';
import type { BillingFrequency, CardSummary, Page, Subscription, SubscriptionOrigin, SubscriptionStatus } from '../../domain/model';
import { LIVE_STATUSES } from '../../domain/model';
import { type CentralTargetRow, type LicenseGroup, type PurchaseListing, type SubscriptionFilter, type SubscriptionRepository } from '../../domain/ports';
import { inGroups, as, assignments, columns, conflict, countOf, insert, limitOffset, pageWindow, toMoney, toPage, type SqlSession } from './support';

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

/** A product's live subscriptions, for raw SELECTs (optionally over an alias). */
const liveWhere = (tenantId: string, productId: string, origin?: SubscriptionOrigin, alias?: string): Prisma.Sql => {
  const c = (name: string) => Prisma.raw(alias ? `${alias}."${name}"` : `"${name}"`);
  return Prisma.sql`${c('tenantId')} = ${tenantId} AND ${c('productId')} = ${productId} AND ${c('status')} IN (${Prisma.join(live)})${
    origin !== undefined ? Prisma.sql` AND ${c('origin')} = ${origin}` : Prisma.empty
  }`;
};

interface GroupUserRow {
  purchaserId: string;
  createdAt: Date | string;
  subscriptionId: string;
  id: string;
  userId: string;
  displayName: string | null;
  email: string | null;
}

/** A compound SELECT's columns may come back without their declared type (then a date is text). */
interface GroupSubscriptionRow {
  purchaserId: string;
  id: string;
  createdAt: Date | string;
  quantity: number;
  origin: string;
  expiresAt: Date | string;
  assigned: bigint | number;
}
const toDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

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
    private readonly sql: SqlSession,
    /** Inside a PostgreSQL write transaction: lock what get and getMany return (support.ts FOR_UPDATE). */
    private readonly lock: Prisma.Sql | null = null,
  ) {}

  async get(tenantId: string, id: string): Promise<Subscription | null> {
    const [row] = await this.sql.query<SubscriptionRow>(
      Prisma.sql`SELECT ${allColumns} FROM "Subscription" WHERE "tenantId" = ${tenantId} AND "id" = ${id}${this.lock ?? Prisma.empty}`,
    );
    return row ? toSubscription(row) : null;
  }

  /** The row's own assignedCount (kept by triggers; under the row lock in a write transaction, current). */
  async getWithAssigned(tenantId: string, id: string): Promise<{ subscription: Subscription; assigned: number } | null> {
    const [row] = await this.sql.query<SubscriptionRow>(
      Prisma.sql`SELECT ${allColumns}, "assignedCount" FROM "Subscription" WHERE "tenantId" = ${tenantId} AND "id" = ${id}${this.lock ?? Prisma.empty}`,
    );
    return row ? { subscription: toSubscription(row), assigned: countOf(row.assignedCount) } : null;
  }

  async getMany(tenantId: string, ids: readonly string[]): Promise<Subscription[]> {
    if (ids.length === 0) return [];
    const rows = await inGroups(ids, (group) =>
      // In id order, so two writers locking overlapping sets take the locks in the same order.
      this.sql.query<SubscriptionRow>(
        this.lock
          ? Prisma.sql`SELECT ${allColumns} FROM "Subscription" WHERE "tenantId" = ${tenantId} AND "id" IN (${Prisma.join(group)}) ORDER BY "id"${this.lock}`
          : Prisma.sql`SELECT ${allColumns} FROM "Subscription" WHERE "tenantId" = ${tenantId} AND "id" IN (${Prisma.join(group)})`,
      ),
    );
    return rows.map(toSubscription).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
  }

  async create(s: Subscription): Promise<void> {
    await insert(this.sql, 'Subscription', [{ id: s.id, tenantId: s.tenantId, createdAt: s.createdAt, version: s.version, ...mutableColumns(s) }]);
  }

  /** Optimistic concurrency: the write happens only if nobody changed the row since `s` was read. */
  async update(s: Subscription): Promise<Subscription> {
    const next = s.version + 1;
    const count = await this.sql.execute(Prisma.sql`
      UPDATE "Subscription" SET ${assignments({ ...mutableColumns(s), version: next })}
      WHERE "tenantId" = ${s.tenantId} AND "id" = ${s.id} AND "version" = ${s.version}`);
    if (count === 0) throw conflict('subscription', { subscriptionId: s.id, version: s.version });
    return { ...s, version: next };
  }

  async listByPurchaser(tenantId: string, purchaserId: string): Promise<Subscription[]> {
    return (await this.purchasedBy(tenantId, purchaserId)).map((p) => p.subscription);
  }

  /**
   * The assigned licenses are the rows' own assignedCount (kept by triggers), the unpaid bills a count
   * on the subscription's own invoices (its Invoice (tenantId, subscriptionId, …) index): no second read.
   */
  async purchasedBy(tenantId: string, purchaserId: string): Promise<Array<{ subscription: Subscription; assigned: number; unpaid: number }>> {
    const rows = await this.sql.query<SubscriptionRow & { unpaid: bigint | number }>(Prisma.sql`
      SELECT ${allColumns}, "assignedCount",
        (SELECT COUNT(*) FROM "Invoice" i WHERE i."tenantId" = s."tenantId" AND i."subscriptionId" = s."id" AND i."status" = 'Unpaid') AS "unpaid"
      FROM "Subscription" s WHERE "tenantId" = ${tenantId} AND "purchaserId" = ${purchaserId} ORDER BY "createdAt" DESC, "id" DESC`);
    return rows.map((r) => ({ subscription: toSubscription(r), assigned: countOf(r.assignedCount), unpaid: countOf(r.unpaid) }));
  }

  async search(tenantId: string, filter: SubscriptionFilter, page: number, pageSize: number): Promise<Page<Subscription>> {
    const found = await this.searchPurchases(tenantId, filter, page, pageSize);
    return { ...found, items: found.items.map((p) => p.subscription) };
  }

  /**
   * The page stops after its rows on the index of its filter (tenantId, [origin,] [productId,]
   * createdAt, id). The total is a sum over SubscriptionTally (a few hundred rows at most, kept by
   * triggers) unless the filter names a purchaser, whose subscriptions are few and counted on their
   * own index. One statement either way, with each row's assignedCount and its purchaser's name (a
   * key lookup per row of the page): each row carries the total; only a page past the end, which
   * has no row to carry it, asks for the total separately.
   */
  async searchPurchases(tenantId: string, filter: SubscriptionFilter, page: number, pageSize: number): Promise<Page<PurchaseListing>> {
    const and = (column: string, value: string | undefined) => (value !== undefined ? Prisma.sql` AND ${Prisma.raw(`"${column}"`)} = ${value}` : Prisma.empty);
    const where = Prisma.sql`"tenantId" = ${tenantId}${and('origin', filter.origin)}${and('productId', filter.productId)}${and('purchaserId', filter.purchaserId)}${and('status', filter.status)}`;
    const totalSql =
      filter.purchaserId === undefined
        ? Prisma.sql`SELECT COALESCE(SUM("count"), 0) FROM "SubscriptionTally" WHERE "tenantId" = ${tenantId}${and('origin', filter.origin)}${and('productId', filter.productId)}${and('status', filter.status)}`
        : Prisma.sql`SELECT COUNT(*) FROM "Subscription" WHERE ${where}`;
    const { skip, take } = pageWindow(page, pageSize);
    const rows = await this.sql.query<SubscriptionRow & { total: bigint | number; purchaserName: string | null }>(Prisma.sql`
      SELECT "pageRows".*, u."displayName" AS "purchaserName" FROM (
        SELECT ${allColumns}, "assignedCount", (${totalSql}) AS "total"
        FROM "Subscription" WHERE ${where} ORDER BY "createdAt" DESC, "id" DESC ${limitOffset(take, skip)}) AS "pageRows"
      LEFT JOIN "DirectoryUser" u ON u."tenantId" = ${tenantId} AND u."id" = "pageRows"."purchaserId"
      ORDER BY "pageRows"."createdAt" DESC, "pageRows"."id" DESC`);
    const total =
      rows.length > 0
        ? countOf(rows[0].total)
        : skip === 0
          ? 0
          : countOf((await this.sql.query<{ total: bigint | number }>(Prisma.sql`SELECT (${totalSql}) AS "total"`))[0]?.total);
    return toPage(
      rows.map((r) => ({ subscription: toSubscription(r), assigned: countOf(r.assignedCount), purchaserName: r.purchaserName })),
      total,
      page,
      pageSize,
    );
  }

  /**
   * The source's holders are read from their side (CROSS JOIN: SQLite keeps that order even without
   * statistics, where it would otherwise walk the tenant's every license for the GROUP BY's order), by the (tenantId, userId) index: the
   * licenses they hold elsewhere, counted per subscription (a few rows per holder, however many central
   * subscriptions there are). The targets come from the product's index and are ordered in SQL as
   * byMoveFit orders them (spare after the move = free - holders + overlap, the holders being the same
   * for every target), so only `limit` rows are read back; COUNT(*) OVER () is how many there were.
   */
  async centralTargets(tenantId: string, productId: string, sourceId: string, limit: number): Promise<{ targets: CentralTargetRow[]; total: number }> {
    const rows = await this.sql.query<SubscriptionRow & { overlap: bigint | number; total: bigint | number }>(Prisma.sql`
      SELECT ${columns(SUBSCRIPTION_COLUMNS, 's')}, s."assignedCount", COALESCE(o."n", 0) AS "overlap", COUNT(*) OVER () AS "total"
      FROM "Subscription" s LEFT JOIN (
        SELECT t."subscriptionId", COUNT(*) AS "n" FROM "LicenseAssignment" h CROSS JOIN "LicenseAssignment" t
        WHERE h."tenantId" = ${tenantId} AND h."subscriptionId" = ${sourceId} AND t."tenantId" = h."tenantId" AND t."userId" = h."userId"
        GROUP BY t."subscriptionId"
      ) o ON o."subscriptionId" = s."id"
      WHERE ${liveWhere(tenantId, productId, 'Central', 's')} AND s."id" <> ${sourceId}
      ORDER BY s."quantity" - s."assignedCount" + COALESCE(o."n", 0) DESC, s."quantity" - s."assignedCount" DESC, s."createdAt", s."id"
      ${limitOffset(limit, 0)}`);
    return {
      targets: rows.map((r) => ({ subscription: toSubscription(r), assigned: countOf(r.assignedCount), overlap: countOf(r.overlap) })),
      total: rows.length ? countOf(rows[0].total) : 0,
    };
  }

  /**
   * All of a product's live subscriptions: its ProductTally row (kept by triggers), one row for a
   * tenant of any size. Of one origin: one statement over the product's (tenantId, productId,
   * purchaserId, status, origin, quantity, assignedCount) index, counts and sums from its entries alone.
   */
  async productTotals(tenantId: string, productId: string, origin?: SubscriptionOrigin): Promise<{ subscriptions: number; totalQuantity: number; assigned: number }> {
    const [row] = await this.sql.query<{ subscriptions: bigint | number; totalQuantity: bigint | number | null; assigned: bigint | number | null }>(
      origin === undefined
        ? Prisma.sql`SELECT t."subscriptions", t."quantity" AS "totalQuantity", t."assigned" FROM "ProductTally" t WHERE t."tenantId" = ${tenantId} AND t."productId" = ${productId}`
        : Prisma.sql`
      SELECT COUNT(*) AS "subscriptions", SUM(s."quantity") AS "totalQuantity", SUM(s."assignedCount") AS "assigned"
      FROM "Subscription" s WHERE ${liveWhere(tenantId, productId, origin, 's')}`,
    );
    return { subscriptions: countOf(row?.subscriptions), totalQuantity: countOf(row?.totalQuantity), assigned: countOf(row?.assigned) };
  }

  /**
   * The licenses view's groups in three statements whatever their size. The purchasers come in
   * purchaserId order from the product's index, so the page stops after its groups (the total is
   * the product's ProductTally row, or a distinct count over the same index for one origin), each with its counts summed from that index's entries
   * (assignedCount). A group beyond the caps has its subscriptions and users read with their own
   * LIMIT, in the order of the (tenantId, purchaserId, productId, createdAt, id) and (tenantId,
   * subscriptionId, id) indexes, so a purchaser with thousands of licensed users costs as much as one
   * with a few.
   */
  async licenseGroups(
    tenantId: string,
    productId: string,
    origin: SubscriptionOrigin | undefined,
    page: number,
    pageSize: number,
    perGroup: { subscriptions: number; users: number },
  ): Promise<Page<LicenseGroup>> {
    const { skip, take } = pageWindow(page, pageSize);
    const live = liveWhere(tenantId, productId, origin, 's');
    // How many groups: all origins, the product's ProductTally row (kept by triggers); one origin, a distinct count.
    const totalOf =
      origin === undefined
        ? Prisma.sql`SELECT t."purchasers" FROM "ProductTally" t WHERE t."tenantId" = ${tenantId} AND t."productId" = ${productId}`
        : Prisma.sql`SELECT COUNT(DISTINCT s."purchaserId") FROM "Subscription" s WHERE ${live}`;
    // The purchasers' names with them: one round trip fewer before the page is complete.
    const groups = await this.sql.query<{
      purchaserId: string;
      purchaserName: string | null;
      subscriptions: bigint | number;
      users: bigint | number | null;
      total: bigint | number | null;
    }>(Prisma.sql`
      SELECT "pageGroups".*, u."displayName" AS "purchaserName" FROM (
        SELECT s."purchaserId", COUNT(*) AS "subscriptions", SUM(s."assignedCount") AS "users", (${totalOf}) AS "total"
        FROM "Subscription" s WHERE ${live} GROUP BY s."purchaserId" ORDER BY s."purchaserId" ${limitOffset(take, skip)}) AS "pageGroups"
      LEFT JOIN "DirectoryUser" u ON u."tenantId" = ${tenantId} AND u."id" = "pageGroups"."purchaserId"
      ORDER BY "pageGroups"."purchaserId"`);
    const total =
      groups.length > 0
        ? countOf(groups[0].total)
        : skip === 0
          ? 0
          : countOf((await this.sql.query<{ total: bigint | number | null }>(Prisma.sql`SELECT (${totalOf}) AS "total"`))[0]?.total);
    if (groups.length === 0) return toPage([], total, page, pageSize);
    // Groups within the caps (most of them) are read whole by one IN over their purchasers; only a
    // group beyond them gets a part of its own, stopped by its LIMIT in index order. One statement
    // each for the subscriptions and the users, only the columns shown (the rows a page has most of).
    const fits = (g: (typeof groups)[number]) => countOf(g.subscriptions) <= perGroup.subscriptions && countOf(g.users) <= perGroup.users;
    const small = groups.filter(fits).map((g) => g.purchaserId);
    const large = groups.filter((g) => !fits(g)).map((g) => g.purchaserId);
    const compound = (whole: (ids: string[]) => Prisma.Sql, part: (purchaserId: string) => Prisma.Sql) =>
      Prisma.join(
        [...(small.length ? [whole(small)] : []), ...large.map((purchaserId, i) => Prisma.sql`SELECT * FROM (${part(purchaserId)}) AS ${Prisma.raw(`"part${i}"`)}`)],
        ' UNION ALL ',
      );
    const subsOf = Prisma.sql`SELECT s."purchaserId", s."id", s."createdAt", s."quantity", s."origin", s."expiresAt", s."assignedCount" AS "assigned" FROM "Subscription" s`;
    const usersOf = Prisma.sql`
      SELECT s."purchaserId", s."createdAt", a."subscriptionId", a."id", a."userId", u."displayName", u."email"
      FROM "Subscription" s CROSS JOIN "LicenseAssignment" a
      LEFT JOIN "DirectoryUser" u ON u."tenantId" = a."tenantId" AND u."id" = a."userId"`;
    // A group beyond the caps is where a generic plan goes wrong (see QueryOptions).
    const plan = { planForValues: large.length > 0 };
    const [subs, users] = await Promise.all([
      this.sql.query<GroupSubscriptionRow>(
        compound(
          (ids) => Prisma.sql`${subsOf} WHERE ${live} AND s."purchaserId" IN (${Prisma.join(ids)})`,
          (purchaserId) => Prisma.sql`${subsOf} WHERE ${live} AND s."purchaserId" = ${purchaserId} ORDER BY s."createdAt", s."id" ${limitOffset(perGroup.subscriptions, 0)}`,
        ),
        plan,
      ),
      this.sql.query<GroupUserRow>(
        compound(
          (ids) => Prisma.sql`${usersOf} WHERE ${live} AND s."purchaserId" IN (${Prisma.join(ids)}) AND a."tenantId" = s."tenantId" AND a."subscriptionId" = s."id"`,
          (purchaserId) => Prisma.sql`${usersOf}
            WHERE ${live} AND s."purchaserId" = ${purchaserId} AND a."tenantId" = s."tenantId" AND a."subscriptionId" = s."id"
            ORDER BY s."createdAt", s."id", a."id" ${limitOffset(perGroup.users, 0)}`,
        ),
        plan,
      ),
    ]);
    // Oldest subscription first, then by id (and a subscription's users by assignment id), as the parts read them.
    const order = (a: { createdAt: Date | string; key: string }, b: { createdAt: Date | string; key: string }) =>
      toDate(a.createdAt).getTime() - toDate(b.createdAt).getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    const items: LicenseGroup[] = groups.map((g) => ({
      purchaserId: g.purchaserId,
      purchaserName: g.purchaserName,
      subscriptionCount: countOf(g.subscriptions),
      userCount: countOf(g.users),
      subscriptions: subs
        .filter((r) => r.purchaserId === g.purchaserId)
        .sort((a, b) => order({ createdAt: a.createdAt, key: a.id }, { createdAt: b.createdAt, key: b.id }))
        .map((r) => ({ id: r.id, quantity: r.quantity, origin: as<SubscriptionOrigin>(r.origin), expiresAt: toDate(r.expiresAt), assigned: countOf(r.assigned) })),
      users: users
        .filter((r) => r.purchaserId === g.purchaserId)
        .sort((a, b) => order({ createdAt: a.createdAt, key: a.subscriptionId }, { createdAt: b.createdAt, key: b.subscriptionId }) || (a.id < b.id ? -1 : 1))
        .map((r) => ({ userId: r.userId, subscriptionId: r.subscriptionId, displayName: r.displayName, email: r.email })),
    }));
    return toPage(items, total, page, pageSize);
  }

  /** How many of `ids` are subscriptions of the tenant (an export checks every id before its first byte). */
  async countExisting(tenantId: string, ids: readonly string[]): Promise<number> {
    const counts = await inGroups(ids, (group) =>
      this.sql.query<{ n: bigint | number }>(Prisma.sql`SELECT COUNT(*) AS "n" FROM "Subscription" WHERE "tenantId" = ${tenantId} AND "id" IN (${Prisma.join(group)})`),
    );
    return counts.reduce((n, r) => n + countOf(r.n), 0);
  }

  /** Only ids, oldest first: what an export of every live subscription starts from (no rows read). */
  async listLiveIds(tenantId: string, productId: string): Promise<string[]> {
    const rows = await this.sql.query<{ id: string }>(Prisma.sql`
      SELECT s."id" FROM "Subscription" s WHERE ${liveWhere(tenantId, productId, undefined, 's')} ORDER BY s."createdAt", s."id"`);
    return rows.map((r) => r.id);
  }

  /** A trial counts once started, whether it is running, converted to paid (isTrial false) or ended. */
  async hasTrial(tenantId: string, purchaserId: string, productId: string): Promise<boolean> {
    const hits = await this.sql.query<{ id: string }>(Prisma.sql`
      SELECT s."id" FROM "Subscription" s
      WHERE s."tenantId" = ${tenantId} AND s."purchaserId" = ${purchaserId} AND s."productId" = ${productId}
        AND (s."isTrial" = ${true} OR EXISTS (
          SELECT 1 FROM "OrderEntry" o WHERE o."tenantId" = s."tenantId" AND o."subscriptionId" = s."id" AND o."kind" = 'TrialStarted'))
      ${limitOffset(1, 0)}`);
    return hits.length > 0;
  }

  /** For the billing job: across tenants unless one is named, oldest expiry first. */
  async listExpiringBefore(before: Date, limit: number, tenantId?: string): Promise<Subscription[]> {
    const rows = await this.sql.query<SubscriptionRow>(Prisma.sql`
      SELECT ${allColumns} FROM "Subscription"
      WHERE "status" IN (${Prisma.join(live)}) AND "expiresAt" < ${before}${tenantId !== undefined ? Prisma.sql` AND "tenantId" = ${tenantId}` : Prisma.empty}
      ORDER BY "expiresAt", "id" ${limitOffset(Math.max(0, Math.floor(limit)), 0)}`);
    return rows.map(toSubscription);
  }
}
