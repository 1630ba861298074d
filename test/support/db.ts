import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateDatabase, openDatabase, type Database, type EngineName, type OpenOptions } from '../../prisma/client';
import { seedCatalog } from '../../prisma/seed';
import { PrismaUnitOfWork, type UnitOfWorkOptions } from '../../prisma/unit-of-work';
import { startPostgres } from './postgres';

export interface TestDatabase {
  engine: EngineName;
  url: string;
  /** The SQLite file ('' on PostgreSQL). */
  file: string;
  db: Database;
  uow: PrismaUnitOfWork;
  close(): Promise<void>;
}

/** A migrated, catalog-seeded SQLite file of its own under the OS temp dir (one per test file). */
export const freshDatabase = async (name: string, options: OpenOptions & UnitOfWorkOptions = {}): Promise<TestDatabase> => {
  const dir = mkdtempSync(path.join(os.tmpdir(), `ssp-${name.replace(/[^a-z0-9-]/gi, '-')}-`));
  const file = path.join(dir, 'test.db');
  const url = `file:${file}`;
  await migrateDatabase(url);
  const db = await openDatabase(url, options);
  await seedCatalog(db);
  const uow = new PrismaUnitOfWork(db, options);
  return {
    engine: 'sqlite',
    url,
    file,
    db,
    uow,
    close: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/**
 * A migrated, catalog-seeded PostgreSQL database on a throwaway cluster of its own (test/support/postgres.ts:
 * installed when missing, started on a free loopback port as a non-root user, removed at close).
 */
export const freshPostgresDatabase = async (name: string, options: OpenOptions & UnitOfWorkOptions = {}): Promise<TestDatabase> => {
  const cluster = await startPostgres();
  try {
    const url = await cluster.createDatabase(name.toLowerCase().replace(/[^a-z0-9_]/g, '_'));
    await migrateDatabase(url);
    const db = await openDatabase(url, options);
    await seedCatalog(db);
    const uow = new PrismaUnitOfWork(db, options);
    return {
      engine: 'postgresql',
      url,
      file: '',
      db,
      uow,
      close: async () => {
        try {
          await db.close();
        } finally {
          await cluster.stop();
        }
      },
    };
  } catch (e) {
    await cluster.stop();
    throw e;
  }
};

/** `freshDatabase` on the engine asked for. */
export const freshDatabaseOn = (engine: EngineName, name: string, options: OpenOptions & UnitOfWorkOptions = {}): Promise<TestDatabase> =>
  engine === 'postgresql' ? freshPostgresDatabase(name, options) : freshDatabase(name, options);
