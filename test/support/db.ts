import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database, type OpenOptions } from '../../prisma/client';
import { applyMigrations } from '../../prisma/migrate';
import { seedCatalog } from '../../prisma/seed';
import { PrismaUnitOfWork, type UnitOfWorkOptions } from '../../prisma/unit-of-work';

export interface TestDatabase {
  url: string;
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
  applyMigrations(url);
  const db = openDatabase(url, options);
  await seedCatalog(db.writer);
  const uow = new PrismaUnitOfWork(db, options);
  return {
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
