import type { Backend } from './world';
import { freshPostgresDatabase } from './db';
import { TENANT_TABLES } from './sqlite-backend';

/** The scenarios' backend on a real, migrated PostgreSQL database (a throwaway cluster per test file). */
export const postgresBackend = (name: string) => async (): Promise<Backend> => {
  const t = await freshPostgresDatabase(name);
  return {
    name: 'postgresql',
    uow: t.uow,
    snapshot: async (tenantId) => {
      // Rows in the order of their own text: PostgreSQL has no insertion order to read back.
      const rowsOf = (table: string, where: string) => t.db.reader.$queryRawUnsafe(`SELECT * FROM "${table}" r WHERE ${where} = $1 ORDER BY r::text`, tenantId);
      const dump: Record<string, unknown> = { Tenant: await rowsOf('Tenant', '"id"') };
      for (const table of TENANT_TABLES) dump[table] = await rowsOf(table, '"tenantId"');
      return JSON.stringify(dump, (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
    },
    close: () => t.close(),
  };
};
