import { Prisma, type LicenseAssignment as AssignmentRow } from '../generated/client';
import type { LicenseAssignment } from '../../domain/model';
import type { AssignmentRepository, ExportCursor, ExportRow } from '../../domain/ports';
import { columns, countOf, inGroups, limitOffset, uniqueAsConflict, viaPrisma, type Db, type SqlRunner } from './support';
import { MAX_IDS_PER_QUERY } from '../../domain/ports';

const ASSIGNMENT_COLUMNS = columns(['id', 'tenantId', 'subscriptionId', 'userId', 'assignedAt', 'assignedBy'] satisfies (keyof AssignmentRow)[]);

const toAssignment = (r: AssignmentRow): LicenseAssignment => ({
  id: r.id,
  tenantId: r.tenantId,
  subscriptionId: r.subscriptionId,
  userId: r.userId,
  assignedAt: r.assignedAt,
  assignedBy: r.assignedBy,
});

export class PrismaAssignmentRepository implements AssignmentRepository {
  constructor(
    private readonly db: Db,
    private readonly sql: SqlRunner = viaPrisma(db),
  ) {}

  async listBySubscription(tenantId: string, subscriptionId: string, limit?: number): Promise<LicenseAssignment[]> {
    const rows = await this.sql.query<AssignmentRow>(Prisma.sql`
      SELECT ${ASSIGNMENT_COLUMNS} FROM "LicenseAssignment" WHERE "tenantId" = ${tenantId} AND "subscriptionId" = ${subscriptionId} ORDER BY "assignedAt", "id" ${
        limit === undefined ? Prisma.empty : limitOffset(Math.max(0, Math.floor(limit)), 0)
      }`);
    return rows.map(toAssignment);
  }

  async listBySubscriptions(tenantId: string, subscriptionIds: readonly string[]): Promise<LicenseAssignment[]> {
    if (subscriptionIds.length === 0) return [];
    const rows = await inGroups(subscriptionIds, (group) =>
      this.sql.query<AssignmentRow>(Prisma.sql`
        SELECT ${ASSIGNMENT_COLUMNS} FROM "LicenseAssignment" WHERE "tenantId" = ${tenantId} AND "subscriptionId" IN (${Prisma.join(group)}) ORDER BY "assignedAt", "id"`),
    );
    if (subscriptionIds.length > MAX_IDS_PER_QUERY) rows.sort((a, b) => a.assignedAt.getTime() - b.assignedAt.getTime() || (a.id < b.id ? -1 : 1));
    return rows.map(toAssignment);
  }

  /**
   * Subscriptions without assignments are absent from the map (count 0). Read from Subscription.assignedCount,
   * which triggers keep with every assignment written (prisma/derived-counts.sql): one row per subscription
   * by its key, not a count over a 10,000-holder subscription's assignments.
   */
  async countBySubscriptions(tenantId: string, subscriptionIds: readonly string[]): Promise<Map<string, number>> {
    if (subscriptionIds.length === 0) return new Map();
    const groups = await inGroups(subscriptionIds, (group) =>
      this.sql.query<{ id: string; n: bigint | number }>(Prisma.sql`
        SELECT "id", "assignedCount" AS "n" FROM "Subscription"
        WHERE "tenantId" = ${tenantId} AND "id" IN (${Prisma.join(group)}) AND "assignedCount" > 0`),
    );
    return new Map(groups.map((g) => [g.id, countOf(g.n)]));
  }

  async holdersAmong(tenantId: string, subscriptionId: string, userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = await inGroups(userIds, (group) =>
      this.sql.query<{ userId: string }>(Prisma.sql`
        SELECT "userId" FROM "LicenseAssignment" WHERE "subscriptionId" = ${subscriptionId} AND "userId" IN (${Prisma.join(group)}) AND "tenantId" = ${tenantId}`),
    );
    return rows.map((r) => r.userId);
  }

  async overlapCounts(tenantId: string, sourceSubscriptionId: string, targetSubscriptionIds: readonly string[]): Promise<Map<string, number>> {
    if (targetSubscriptionIds.length === 0) return new Map();
    // Counted in SQL on the (subscriptionId, userId) index: no holder is read into the process.
    const groups = await inGroups(targetSubscriptionIds, (group) =>
      this.sql.query<{ subscriptionId: string; n: bigint | number }>(Prisma.sql`
        SELECT t."subscriptionId" AS "subscriptionId", COUNT(*) AS "n"
        FROM "LicenseAssignment" s JOIN "LicenseAssignment" t ON t."userId" = s."userId" AND t."tenantId" = s."tenantId"
        WHERE s."tenantId" = ${tenantId} AND s."subscriptionId" = ${sourceSubscriptionId} AND t."subscriptionId" IN (${Prisma.join(group)})
        GROUP BY t."subscriptionId"`),
    );
    return new Map(groups.map((g) => [g.subscriptionId, countOf(g.n)]));
  }

  /** A user assigned twice to one subscription (two admins at once) is a conflict: the retry sees it. */
  async add(assignments: readonly LicenseAssignment[]): Promise<void> {
    if (assignments.length === 0) return;
    await uniqueAsConflict('license assignment', () => this.db.licenseAssignment.createMany({ data: assignments.map((a) => ({ ...a })) }));
  }

  async remove(tenantId: string, subscriptionId: string, userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    await inGroups(userIds, async (group) => {
      await this.db.licenseAssignment.deleteMany({ where: { tenantId, subscriptionId, userId: { in: group } } });
      return [];
    });
  }

  /** Keyset paging (id > afterId ORDER BY id LIMIT n): constant cost per page however deep the export. */
  async pageBySubscriptions(tenantId: string, subscriptionIds: readonly string[], afterId: string | null, limit: number): Promise<LicenseAssignment[]> {
    if (subscriptionIds.length === 0 || limit <= 0) return [];
    if (subscriptionIds.length > MAX_IDS_PER_QUERY) throw new RangeError(`at most ${MAX_IDS_PER_QUERY} subscription ids per page`);
    const rows = await this.db.licenseAssignment.findMany({
      where: { tenantId, subscriptionId: { in: [...subscriptionIds] }, ...(afterId !== null && { id: { gt: afterId } }) },
      orderBy: { id: 'asc' },
      take: limit,
    });
    return rows.map(toAssignment);
  }

  /**
   * One subscription at a time on its (tenantId, subscriptionId, id) index, each row with the person
   * (a primary-key lookup), until the page is full: every statement reads only rows it returns, and
   * nothing is held between pages but the cursor. The LIMIT is written into the SQL (see limitOffset),
   * rounded up to a power of two so the texts stay few; a subscription's rows beyond the page wait for
   * the next call, which resumes after the last id returned.
   */
  async exportPage(
    tenantId: string,
    subscriptionIds: readonly string[],
    from: ExportCursor,
    limit: number,
    maxSubscriptions: number,
  ): Promise<{ rows: ExportRow[]; next: ExportCursor | null }> {
    const rows: ExportRow[] = [];
    let { index, afterId } = from;
    for (let visited = 0; index < subscriptionIds.length && rows.length < limit && visited < maxSubscriptions; visited++) {
      const want = limit - rows.length;
      const part = await this.sql.query<AssignmentRow & { displayName: string | null; email: string | null }>(Prisma.sql`
        SELECT a."id", a."tenantId", a."subscriptionId", a."userId", a."assignedAt", a."assignedBy", u."displayName", u."email"
        FROM "LicenseAssignment" a LEFT JOIN "DirectoryUser" u ON u."tenantId" = a."tenantId" AND u."id" = a."userId"
        WHERE a."tenantId" = ${tenantId} AND a."subscriptionId" = ${subscriptionIds[index]}${afterId !== null ? Prisma.sql` AND a."id" > ${afterId}` : Prisma.empty}
        ORDER BY a."id" ${limitOffset(Math.min(limit, 2 ** Math.ceil(Math.log2(want))), 0)}`);
      for (const r of part.length > want ? part.slice(0, want) : part) rows.push({ assignment: toAssignment(r), displayName: r.displayName, email: r.email });
      if (part.length >= want) return { rows, next: { index, afterId: rows[rows.length - 1].assignment.id } };
      index++;
      afterId = null;
    }
    return { rows, next: index < subscriptionIds.length ? { index, afterId } : null };
  }
}
