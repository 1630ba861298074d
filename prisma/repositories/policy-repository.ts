import { Prisma, type PolicySetting as PolicyRow } from '../generated/client';
import type { PolicySetting, PolicyValue } from '../../domain/model';
import type { PolicyRepository } from '../../domain/ports';
import { as, columns, upsert, type SqlSession } from './support';

const POLICY_COLUMNS = columns(['tenantId', 'productId', 'value', 'updatedBy', 'updatedAt'] satisfies (keyof PolicyRow)[]);

const toSetting = (r: PolicyRow): PolicySetting => ({
  tenantId: r.tenantId,
  productId: r.productId,
  value: as<PolicyValue>(r.value),
  updatedBy: r.updatedBy,
  updatedAt: r.updatedAt,
});

export class PrismaPolicyRepository implements PolicyRepository {
  constructor(private readonly sql: SqlSession) {}

  async list(tenantId: string): Promise<PolicySetting[]> {
    const rows = await this.sql.query<PolicyRow>(Prisma.sql`SELECT ${POLICY_COLUMNS} FROM "PolicySetting" WHERE "tenantId" = ${tenantId} ORDER BY "productId"`);
    return rows.map(toSetting);
  }

  async get(tenantId: string, productId: string): Promise<PolicySetting | null> {
    const [row] = await this.sql.query<PolicyRow>(Prisma.sql`SELECT ${POLICY_COLUMNS} FROM "PolicySetting" WHERE "tenantId" = ${tenantId} AND "productId" = ${productId}`);
    return row ? toSetting(row) : null;
  }

  async set(setting: PolicySetting): Promise<void> {
    const { tenantId, productId, value, updatedBy, updatedAt } = setting;
    await upsert(this.sql, 'PolicySetting', [{ tenantId, productId, value, updatedBy, updatedAt }], ['tenantId', 'productId']);
  }
}
