import type { Role, TenantKind } from '../../domain/model';
import type { ActorRecord, ActorRepository } from '../../domain/ports';
import { Prisma } from '../generated/client';
import { as, type SqlRunner } from './support';

interface ActorRow {
  tenantId: string | null;
  tenantName: string | null;
  kind: string | null;
  country: string | null;
  requireApproval: boolean | null;
  tenantCreatedAt: Date | null;
  userId: string | null;
  displayName: string | null;
  email: string | null;
  isGuest: boolean | null;
  active: boolean | null;
  role: string | null;
}

/**
 * One statement for tenant, user and roles: LEFT JOINs from a one-row anchor, so a missing tenant or
 * user still yields a row. Prisma's tagged template writes the placeholders each database expects;
 * column types come back as the schema declares them.
 */
export class PrismaActorRepository implements ActorRepository {
  constructor(private readonly sql: SqlRunner) {}

  async load(tenantId: string, userId: string): Promise<ActorRecord> {
    const rows = await this.sql.query<ActorRow>(Prisma.sql`
      SELECT t."id" AS "tenantId", t."name" AS "tenantName", t."kind", t."country", t."requireApproval", t."createdAt" AS "tenantCreatedAt",
             u."id" AS "userId", u."displayName", u."email", u."isGuest", u."active", r."role"
      FROM (SELECT 1 AS "one") AS anchor
      LEFT JOIN "Tenant" t ON t."id" = ${tenantId}
      LEFT JOIN "DirectoryUser" u ON u."tenantId" = ${tenantId} AND u."id" = ${userId}
      LEFT JOIN "RoleAssignment" r ON r."tenantId" = ${tenantId} AND r."userId" = ${userId}`);
    const first = rows[0];
    return {
      tenant: first?.tenantId
        ? {
            id: first.tenantId,
            name: first.tenantName!,
            kind: as<TenantKind>(first.kind!),
            country: first.country!,
            requireApproval: Boolean(first.requireApproval),
            createdAt: new Date(first.tenantCreatedAt!),
          }
        : null,
      user: first?.userId
        ? { id: first.userId, tenantId, displayName: first.displayName!, email: first.email, isGuest: Boolean(first.isGuest), active: Boolean(first.active) }
        : null,
      roles: rows.filter((r) => r.role !== null).map((r) => as<Role>(r.role!)),
    };
  }
}
