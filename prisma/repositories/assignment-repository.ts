import { Prisma, type LicenseAssignment as AssignmentRow } from '../generated/client';
import type { LicenseAssignment } from '../../domain/model';
import type { AssignmentRepository } from '../../domain/ports';
import { countOf, inGroups, uniqueAsConflict, viaPrisma, type Db, type SqlRunner } from './support';
import { MAX_IDS_PER_QUERY } from '../../domain/ports';

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

  async listBySubscription(tenantId: string, subscriptionId: string): Promise<LicenseAssignment[]> {
    const rows = await this.db.licenseAssignment.findMany({ where: { tenantId, subscriptionId }, orderBy: [{ assignedAt: 'asc' }, { id: 'asc' }] });
    return rows.map(toAssignment);
  }

  async listBySubscriptions(tenantId: string, subscriptionIds: readonly string[]): Promise<LicenseAssignment[]> {
    if (subscriptionIds.length === 0) return [];
    const rows = await inGroups(subscriptionIds, (group) =>
      this.db.licenseAssignment.findMany({ where: { tenantId, subscriptionId: { in: group } }, orderBy: [{ assignedAt: 'asc' }, { id: 'asc' }] }),
    );
    if (subscriptionIds.length > MAX_IDS_PER_QUERY) rows.sort((a, b) => a.assignedAt.getTime() - b.assignedAt.getTime() || (a.id < b.id ? -1 : 1));
    return rows.map(toAssignment);
  }

  /** Subscriptions without assignments are absent from the map (count 0). */
  async countBySubscriptions(tenantId: string, subscriptionIds: readonly string[]): Promise<Map<string, number>> {
    if (subscriptionIds.length === 0) return new Map();
    const groups = await inGroups(subscriptionIds, (group) =>
      this.sql.query<{ subscriptionId: string; n: bigint | number }>(Prisma.sql`
        SELECT "subscriptionId", COUNT(*) AS "n" FROM "LicenseAssignment"
        WHERE "tenantId" = ${tenantId} AND "subscriptionId" IN (${Prisma.join(group)}) GROUP BY "subscriptionId"`),
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
}
