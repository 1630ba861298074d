import { Prisma, type DirectoryUser as UserRow } from '../generated/client';
import type { DirectoryUser } from '../../domain/model';
import type { UserRepository } from '../../domain/ports';
import { columns, inGroups, viaPrisma, type Db, type SqlRunner } from './support';

const USER_COLUMNS = columns(['tenantId', 'id', 'displayName', 'email', 'isGuest', 'active'] satisfies (keyof UserRow)[]);

const toUser = (r: UserRow): DirectoryUser => ({
  id: r.id,
  tenantId: r.tenantId,
  displayName: r.displayName,
  email: r.email,
  isGuest: r.isGuest,
  active: r.active,
});

export class PrismaUserRepository implements UserRepository {
  constructor(
    private readonly db: Db,
    private readonly sql: SqlRunner = viaPrisma(db),
  ) {}

  async get(tenantId: string, id: string): Promise<DirectoryUser | null> {
    const row = await this.db.directoryUser.findUnique({ where: { tenantId_id: { tenantId, id } } });
    return row ? toUser(row) : null;
  }

  async getMany(tenantId: string, ids: readonly string[]): Promise<DirectoryUser[]> {
    if (ids.length === 0) return [];
    const rows = await inGroups(ids, (group) =>
      this.sql.query<UserRow>(Prisma.sql`SELECT ${USER_COLUMNS} FROM "DirectoryUser" WHERE "tenantId" = ${tenantId} AND "id" IN (${Prisma.join(group)}) ORDER BY "id"`),
    );
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
