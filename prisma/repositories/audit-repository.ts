import type { AuditEntry as AuditRow } from '../generated/client';
import type { AuditEntry, Page, Surface } from '../../domain/model';
import type { AuditRepository } from '../../domain/ports';
import { as, pageWindow, toPage, type Db } from './support';

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
  constructor(private readonly db: Db) {}

  async add(entry: AuditEntry): Promise<void> {
    await this.db.auditEntry.create({ data: entry });
  }

  /** Newest first; two queries whatever the page size. */
  async list(tenantId: string, page: number, pageSize: number): Promise<Page<AuditEntry>> {
    const where = { tenantId };
    const [total, rows] = await Promise.all([
      this.db.auditEntry.count({ where }),
      this.db.auditEntry.findMany({ where, orderBy: [{ at: 'desc' }, { id: 'desc' }], ...pageWindow(page, pageSize) }),
    ]);
    return toPage(rows.map(toEntry), total, page, pageSize);
  }

  async latestFor(tenantId: string, target: { type: string; id: string }, actions: readonly string[]): Promise<AuditEntry | null> {
    const row = await this.db.auditEntry.findFirst({
      where: { tenantId, targetType: target.type, targetId: target.id, action: { in: [...actions] } },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
    });
    return row ? toEntry(row) : null;
  }
}
