import type { DirectoryUser as UserRow } from '../generated/client';
import type { DirectoryUser } from '../../domain/model';
import type { UserRepository } from '../../domain/ports';
import { inGroups, type Db } from './support';

const toUser = (r: UserRow): DirectoryUser => ({
  id: r.id,
  tenantId: r.tenantId,
  displayName: r.displayName,
  email: r.email,
  isGuest: r.isGuest,
  active: r.active,
});

export class PrismaUserRepository implements UserRepository {
  constructor(private readonly db: Db) {}

  async get(tenantId: string, id: string): Promise<DirectoryUser | null> {
    const row = await this.db.directoryUser.findUnique({ where: { tenantId_id: { tenantId, id } } });
    return row ? toUser(row) : null;
  }

  async getMany(tenantId: string, ids: readonly string[]): Promise<DirectoryUser[]> {
    if (ids.length === 0) return [];
    const rows = await inGroups(ids, (group) => this.db.directoryUser.findMany({ where: { tenantId, id: { in: group } }, orderBy: { id: 'asc' } }));
    return rows.map(toUser);
  }

  async upsert(user: DirectoryUser): Promise<void> {
    const { tenantId, id, ...data } = user;
    await this.db.directoryUser.upsert({ where: { tenantId_id: { tenantId, id } }, create: user, update: data });
  }

  /** SQLite's LIKE is case-insensitive for ASCII, which is what `contains` compiles to there. */
  async search(tenantId: string, query: string, limit: number): Promise<DirectoryUser[]> {
    const rows = await this.db.directoryUser.findMany({
      where: { tenantId, active: true, OR: [{ displayName: { contains: query } }, { email: { contains: query } }] },
      orderBy: [{ displayName: 'asc' }, { id: 'asc' }],
      take: limit,
    });
    return rows.map(toUser);
  }
}
