import { Prisma, type RoleAssignment as RoleRow } from '../generated/client';
import type { Role, RoleAssignment } from '../../domain/model';
import type { RoleRepository } from '../../domain/ports';
import { as, columns, countOf, insert, uniqueAsConflict, type SqlSession } from './support';

const ROLE_COLUMNS = columns(['tenantId', 'userId', 'role', 'grantedBy', 'grantedAt'] satisfies (keyof RoleRow)[]);

const toAssignment = (r: RoleRow): RoleAssignment => ({
  tenantId: r.tenantId,
  userId: r.userId,
  role: as<Role>(r.role),
  grantedBy: r.grantedBy,
  grantedAt: r.grantedAt,
});

export class PrismaRoleRepository implements RoleRepository {
  constructor(private readonly sql: SqlSession) {}

  async listForUser(tenantId: string, userId: string): Promise<Role[]> {
    const rows = await this.sql.query<{ role: string }>(Prisma.sql`SELECT "role" FROM "RoleAssignment" WHERE "tenantId" = ${tenantId} AND "userId" = ${userId} ORDER BY "role"`);
    return rows.map((r) => as<Role>(r.role));
  }

  async list(tenantId: string): Promise<RoleAssignment[]> {
    const rows = await this.sql.query<RoleRow>(Prisma.sql`SELECT ${ROLE_COLUMNS} FROM "RoleAssignment" WHERE "tenantId" = ${tenantId} ORDER BY "grantedAt", "userId", "role"`);
    return rows.map(toAssignment);
  }

  /** Granting a role someone already holds concurrently is a conflict: the retry sees it granted. */
  async add(assignment: RoleAssignment): Promise<void> {
    await uniqueAsConflict('role assignment', () => insert(this.sql, 'RoleAssignment', [{ ...assignment }]));
  }

  async remove(tenantId: string, userId: string, role: Role): Promise<void> {
    await this.sql.execute(Prisma.sql`DELETE FROM "RoleAssignment" WHERE "tenantId" = ${tenantId} AND "userId" = ${userId} AND "role" = ${role}`);
  }

  async count(tenantId: string, role: Role): Promise<number> {
    const [row] = await this.sql.query<{ n: bigint | number }>(Prisma.sql`SELECT COUNT(*) AS "n" FROM "RoleAssignment" WHERE "tenantId" = ${tenantId} AND "role" = ${role}`);
    return countOf(row?.n);
  }
}
