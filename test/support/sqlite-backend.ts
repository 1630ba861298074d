import type { Backend } from './world';
import { freshDatabase } from './db';

export const TENANT_TABLES = [
  'DirectoryUser',
  'RoleAssignment',
  'PolicySetting',
  'Subscription',
  'LicenseAssignment',
  'OrderEntry',
  'Invoice',
  'PurchaseRequest',
  'AuditEntry',
  'IdempotencyRecord',
  'ChargeIntent',
  'OutboxNotification',
];

/** The scenarios' backend on a real, migrated SQLite file (one per test file). */
export const sqliteBackend = (name: string) => async (): Promise<Backend> => {
  const t = await freshDatabase(name);
  return {
    name: 'sqlite',
    uow: t.uow,
    snapshot: async (tenantId) => {
      const dump: Record<string, unknown> = {
        Tenant: await t.db.reader.$queryRawUnsafe('SELECT * FROM "Tenant" WHERE "id" = ?', tenantId),
      };
      for (const table of TENANT_TABLES) {
        dump[table] = await t.db.reader.$queryRawUnsafe(`SELECT * FROM "${table}" WHERE "tenantId" = ? ORDER BY rowid`, tenantId);
      }
      return JSON.stringify(dump, (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
    },
    close: () => t.close(),
  };
};
