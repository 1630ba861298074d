import type { PolicySetting as PolicyRow } from '../generated/client';
import type { PolicySetting, PolicyValue } from '../../domain/model';
import type { PolicyRepository } from '../../domain/ports';
import { as, type Db } from './support';

const toSetting = (r: PolicyRow): PolicySetting => ({
  tenantId: r.tenantId,
  productId: r.productId,
  value: as<PolicyValue>(r.value),
  updatedBy: r.updatedBy,
  updatedAt: r.updatedAt,
});

export class PrismaPolicyRepository implements PolicyRepository {
  constructor(private readonly db: Db) {}

  async list(tenantId: string): Promise<PolicySetting[]> {
    const rows = await this.db.policySetting.findMany({ where: { tenantId }, orderBy: { productId: 'asc' } });
    return rows.map(toSetting);
  }

  async get(tenantId: string, productId: string): Promise<PolicySetting | null> {
    const row = await this.db.policySetting.findUnique({ where: { tenantId_productId: { tenantId, productId } } });
    return row ? toSetting(row) : null;
  }

  async set(setting: PolicySetting): Promise<void> {
    const { tenantId, productId, ...data } = setting;
    await this.db.policySetting.upsert({ where: { tenantId_productId: { tenantId, productId } }, create: setting, update: data });
  }
}
