import { Prisma, type RoleAssignment as RoleRow } from '../generated/client';
import type { Role, RoleAssignment } from '../../domain/model';
import type { RoleRepository } from '../../domain/ports';
import { as, columns, uniqueAsConflict, viaPrisma, type Db, type SqlRunner } from './support';

const ROLE_COLUMNS = columns(['tenantId', 'userId', 'role', 'grantedBy', 'grantedAt'] satisfies (keyof RoleRow)[]);

const toAssignment = (r: RoleRow): RoleAssignment => ({
  tenantId: r.tenantId,
  userId: r.userId,
  role: as<Role>(r.role),
  grantedBy: r.grantedBy,
  grantedAt: r.grantedAt,
});

export class PrismaRoleRepository implements RoleRepository {
  constructor(
    private readonly db: Db,
    private readonly sql: SqlRunner = viaPrisma(db),
  ) {}

  async listForUser(tenantId: string, userId: string): Promise<Role[]> {
    const rows = await this.db.roleAssignment.findMany({ where: { tenantId, userId }, select: { role: true }, orderBy: { role: 'asc' } });
    return rows.map((r) => as<Role>(r.role));
  }

  async list(tenantId: string): Promise<RoleAssignment[]> {
    const rows = await this.sql.query<RoleRow>(Prisma.sql`SELECT ${ROLE_COLUMNS} FROM "RoleAssignment" WHERE "tenantId" = ${tenantId} ORDER BY "grantedAt", "userId", "role"`);
    return rows.map(toAssignment);
  }

  /** Granting a role someone already holds concurrently is a conflict: the retry sees it granted. */
  async add(assignment: RoleAssignment): Promise<void> {
    await uniqueAsConflict('role assignment', () => this.db.roleAssignment.create({ data: assignment }));
  }

  async remove(tenantId: string, userId: string, role: Role): Promise<void> {
    await this.db.roleAssignment.deleteMany({ where: { tenantId, userId, role } });
  }

  count(tenantId: string, role: Role): Promise<number> {
    return this.db.roleAssignment.count({ where: { tenantId, role } });
  }
}
