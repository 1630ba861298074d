import { Prisma, type Tenant as TenantRow } from '../generated/client';
import type { Tenant, TenantKind } from '../../domain/model';
import type { TenantRepository } from '../../domain/ports';
import { as, columns, upsert, type SqlSession } from './support';

const TENANT_COLUMNS = columns(['id', 'name', 'kind', 'country', 'requireApproval', 'createdAt'] satisfies (keyof TenantRow)[]);

const toTenant = (r: TenantRow): Tenant => ({
  id: r.id,
  name: r.name,
  kind: as<TenantKind>(r.kind),
  country: r.country,
  requireApproval: r.requireApproval,
  createdAt: r.createdAt,
});

export class PrismaTenantRepository implements TenantRepository {
  constructor(private readonly sql: SqlSession) {}

  async get(id: string): Promise<Tenant | null> {
    const [row] = await this.sql.query<TenantRow>(Prisma.sql`SELECT ${TENANT_COLUMNS} FROM "Tenant" WHERE "id" = ${id}`);
    return row ? toTenant(row) : null;
  }

  async save(tenant: Tenant): Promise<void> {
    const { id, name, kind, country, requireApproval, createdAt } = tenant;
    await upsert(this.sql, 'Tenant', [{ id, name, kind, country, requireApproval, createdAt }], ['id']);
  }
}
