import type { MigrateResult } from './migrate';
import type { Database, OpenOptions } from './database';
import { openSqliteDatabase } from './sqlite-database';
import { Prisma } from './generated/client';
import { isPostgresUrl } from './database-url';

export type { Database, EngineName, OpenOptions, PostgresOpenOptions } from './database';

/** Opens the database `url` names (migrations are applied separately: migrateDatabase). */
export const openDatabase = async (url: string, options: OpenOptions = {}): Promise<Database> => {
  if (!isPostgresUrl(url)) return openSqliteDatabase(url, options);
  const { openPostgresDatabase } = await import('./postgres-database');
  return openPostgresDatabase(url, options);
};

/** Brings the database `url` names up to date with its engine's committed migrations. */
export const migrateDatabase = async (url: string): Promise<MigrateResult> => {
  if (!isPostgresUrl(url)) return (await import('./migrate')).applyMigrations(url);
  const { applyPostgresMigrations } = await import('./migrate-postgres');
  return applyPostgresMigrations(url);
};

/** A statement on the readers' connections, as the product's reads run: what the readiness check asks. */
export const pingDatabase = async (db: Pick<Database, 'readSql'>): Promise<void> => {
  await db.readSql.query(Prisma.sql`SELECT 1 AS "one"`);
};
