import type { Tenant as TenantRow } from '../generated/client';
import type { Tenant, TenantKind } from '../../domain/model';
import type { TenantRepository } from '../../domain/ports';
import { as, type Db } from './support';

const toTenant = (r: TenantRow): Tenant => ({
  id: r.id,
  name: r.name,
  kind: as<TenantKind>(r.kind),
  country: r.country,
  requireApproval: r.requireApproval,
  createdAt: r.createdAt,
});

export class PrismaTenantRepository implements TenantRepository {
  constructor(private readonly db: Db) {}

  async get(id: string): Promise<Tenant | null> {
    const row = await this.db.tenant.findUnique({ where: { id } });
    return row ? toTenant(row) : null;
  }

  async save(tenant: Tenant): Promise<void> {
    const { id, ...data } = tenant;
    await this.db.tenant.upsert({ where: { id }, create: tenant, update: data });
  }
}
