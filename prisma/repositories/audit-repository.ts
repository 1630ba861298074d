import { Prisma, type AuditEntry as AuditRow } from '../generated/client';
import type { AuditEntry, Page, Surface } from '../../domain/model';
import type { AuditRepository } from '../../domain/ports';
import { as, columns, countOf, insert, limitOffset, pageWindow, toPage, type SqlSession } from './support';

const AUDIT_COLUMNS = columns(['id', 'tenantId', 'actorId', 'action', 'targetType', 'targetId', 'summary', 'surface', 'at'] satisfies (keyof AuditRow)[]);

const toEntry = (r: AuditRow): AuditEntry => ({
  id: r.id,
  tenantId: r.tenantId,
  actorId: r.actorId,
  action: r.action,
  targetType: r.targetType,
  targetId: r.targetId,
  summary: r.summary,
  surface: as<Surface>(r.surface),
  at: r.at,
});

export class PrismaAuditRepository implements AuditRepository {
  constructor(private readonly sql: SqlSession) {}

  async add(entry: AuditEntry): Promise<void> {
    await insert(this.sql, 'AuditEntry', [{ ...entry }]);
  }

  /** Newest first; two queries whatever the page size. */
  async list(tenantId: string, page: number, pageSize: number): Promise<Page<AuditEntry>> {
    const { skip, take } = pageWindow(page, pageSize);
    const [[count], rows] = await Promise.all([
      this.sql.query<{ n: bigint | number }>(Prisma.sql`SELECT COUNT(*) AS "n" FROM "AuditEntry" WHERE "tenantId" = ${tenantId}`),
      this.sql.query<AuditRow>(Prisma.sql`SELECT ${AUDIT_COLUMNS} FROM "AuditEntry" WHERE "tenantId" = ${tenantId} ORDER BY "at" DESC, "id" DESC ${limitOffset(take, skip)}`),
    ]);
    return toPage(rows.map(toEntry), countOf(count?.n), page, pageSize);
  }

  async latestFor(tenantId: string, target: { type: string; id: string }, actions: readonly string[]): Promise<AuditEntry | null> {
    if (actions.length === 0) return null;
    const [row] = await this.sql.query<AuditRow>(Prisma.sql`
      SELECT ${AUDIT_COLUMNS} FROM "AuditEntry"
      WHERE "tenantId" = ${tenantId} AND "targetType" = ${target.type} AND "targetId" = ${target.id} AND "action" IN (${Prisma.join([...actions])})
      ORDER BY "at" DESC, "id" DESC ${limitOffset(1, 0)}`);
    return row ? toEntry(row) : null;
  }
}
