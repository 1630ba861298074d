import { Prisma, type LicenseAssignment as AssignmentRow } from '../generated/client';
import type { LicenseAssignment } from '../../domain/model';
import type { AssignmentRepository, ExportCursor, ExportRow } from '../../domain/ports';
import { columns, countOf, inGroups, insert, limitOffset, uniqueAsConflict, type SqlSession } from './support';
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

/**
 * Rows an export statement returns at most. Each row joins its person by key; with a few hundred rows
 * PostgreSQL's planner does that by key, with thousands it reads the whole directory for a hash join
 * (measured at ×10: 2 ms for 250 rows by key, 56 ms for 2,000 through a scan of 100,000 people).
 */
const EXPORT_ROWS_PER_STATEMENT = 256;

export class PrismaAssignmentRepository implements AssignmentRepository {
  constructor(private readonly sql: SqlSession) {}

  async listBySubscription(tenantId: string, subscriptionId: string, limit?: number): Promise<LicenseAssignment[]> {
    const rows = await this.sql.query<AssignmentRow>(Prisma.sql`
      SELECT ${ASSIGNMENT_COLUMNS} FROM "LicenseAssignment" WHERE "tenantId" = ${tenantId} AND "subscriptionId" = ${subscriptionId} ORDER BY "assignedAt", "id" ${
        limit === undefined ? Prisma.empty : limitOffset(Math.max(0, Math.floor(limit)), 0)
      }`);
    return rows.map(toAssignment);
  }

  async heldBy(tenantId: string, userId: string, limit: number): Promise<LicenseAssignment[]> {
    const rows = await this.sql.query<AssignmentRow>(Prisma.sql`
      SELECT ${ASSIGNMENT_COLUMNS} FROM "LicenseAssignment" WHERE "tenantId" = ${tenantId} AND "userId" = ${userId} ORDER BY "assignedAt" DESC, "id" DESC ${limitOffset(
        Math.max(0, Math.floor(limit)),
        0,
      )}`);
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

  /** A user assigned twice to one subscription (two admins at once) is a conflict: the retry sees it. */
  async add(assignments: readonly LicenseAssignment[]): Promise<void> {
    if (assignments.length === 0) return;
    await uniqueAsConflict('license assignment', () =>
      insert(
        this.sql,
        'LicenseAssignment',
        assignments.map((a) => ({ id: a.id, tenantId: a.tenantId, subscriptionId: a.subscriptionId, userId: a.userId, assignedAt: a.assignedAt, assignedBy: a.assignedBy })),
      ),
    );
  }

  async remove(tenantId: string, subscriptionId: string, userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    await inGroups(userIds, async (group) => {
      await this.sql.execute(
        Prisma.sql`DELETE FROM "LicenseAssignment" WHERE "tenantId" = ${tenantId} AND "subscriptionId" = ${subscriptionId} AND "userId" IN (${Prisma.join(group)})`,
      );
      return [];
    });
  }

  /** Keyset paging (id > afterId ORDER BY id LIMIT n): constant cost per page however deep the export. */
  async pageBySubscriptions(tenantId: string, subscriptionIds: readonly string[], afterId: string | null, limit: number): Promise<LicenseAssignment[]> {
    if (subscriptionIds.length === 0 || limit <= 0) return [];
    if (subscriptionIds.length > MAX_IDS_PER_QUERY) throw new RangeError(`at most ${MAX_IDS_PER_QUERY} subscription ids per page`);
    const rows = await this.sql.query<AssignmentRow>(Prisma.sql`
      SELECT ${ASSIGNMENT_COLUMNS} FROM "LicenseAssignment"
      WHERE "tenantId" = ${tenantId} AND "subscriptionId" IN (${Prisma.join([...subscriptionIds])})${afterId !== null ? Prisma.sql` AND "id" > ${afterId}` : Prisma.empty}
      ORDER BY "id" ${limitOffset(Math.floor(limit), 0)}`);
    return rows.map(toAssignment);
  }

  /**
   * The next page of the walk, in the order of `subscriptionIds`, each subscription's rows by id, each
   * with the person (a primary-key lookup). Nothing is held between pages but the cursor. The
   * subscriptions' sizes (assignedCount) are read first, once per page: consecutive subscriptions whose
   * rows fit in what the page still wants are read by one statement (IN, in list order), so a walk
   * over many small subscriptions costs a statement per EXPORT_ROWS_PER_STATEMENT rows, not per
   * subscription (on PostgreSQL each is a round trip); a larger one is read alone, stopped by its LIMIT on its (tenantId,
   * subscriptionId, id) index, and resumed after the last id returned. LIMITs are written into the SQL
   * (see limitOffset) and id lists padded, both to powers of two, so the statement texts stay few.
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
    const end = Math.min(subscriptionIds.length, index + Math.max(1, maxSubscriptions));
    const sizes = await this.countBySubscriptions(tenantId, subscriptionIds.slice(index, end));
    const powerOfTwo = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));
    while (index < end && rows.length < limit) {
      const want = Math.min(limit - rows.length, EXPORT_ROWS_PER_STATEMENT);
      // This subscription, and the ones after it whose rows fit in the page too.
      let count = 1;
      for (let total = sizes.get(subscriptionIds[index]) ?? 0; index + count < end; count++) {
        total += sizes.get(subscriptionIds[index + count]) ?? 0;
        if (total > want) break;
      }
      const batch = subscriptionIds.slice(index, index + count);
      const resume = afterId !== null ? Prisma.sql` AND (a."subscriptionId" <> ${batch[0]} OR a."id" > ${afterId})` : Prisma.empty;
      const select = Prisma.sql`
        SELECT a."id", a."subscriptionId", a."userId", a."assignedAt", u."displayName", u."email"
        FROM "LicenseAssignment" a LEFT JOIN "DirectoryUser" u ON u."tenantId" = a."tenantId" AND u."id" = a."userId"`;
      const padded = [...batch, ...Array<string>(powerOfTwo(batch.length) - batch.length).fill(batch[batch.length - 1])];
      const part = await this.sql.query<ExportRow>(
        batch.length === 1
          ? Prisma.sql`${select} WHERE a."tenantId" = ${tenantId} AND a."subscriptionId" = ${batch[0]}${resume} ORDER BY a."id" ${limitOffset(Math.min(limit, powerOfTwo(want)), 0)}`
          : Prisma.sql`${select} WHERE a."tenantId" = ${tenantId} AND a."subscriptionId" IN (${Prisma.join(padded)})${resume}
            ORDER BY CASE a."subscriptionId" ${Prisma.join(
              batch.map((id, position) => Prisma.sql`WHEN ${id} THEN ${Prisma.raw(String(position))}`),
              ' ',
            )} END, a."id" ${limitOffset(Math.min(limit, powerOfTwo(want)), 0)}`,
      );
      // The rows as read (the columns ExportRow names, assignedAt a Date as the reader converts it): an
      // export makes half a million of them, each one allocated once.
      for (let i = 0; i < part.length && i < want; i++) rows.push(part[i]);
      if (part.length >= want) {
        // This statement is full: go on in the subscription of its last row (more may have been assigned since the sizes were read).
        const last = rows[rows.length - 1];
        index += batch.indexOf(last.subscriptionId);
        afterId = last.id;
        if (rows.length >= limit) return { rows, next: { index, afterId } };
        continue;
      }
      index += count;
      afterId = null;
    }
    return { rows, next: index < subscriptionIds.length ? { index, afterId } : null };
  }
}
