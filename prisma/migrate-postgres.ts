import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { checkHistory, isApplied, MigrationError, readMigrations, type AppliedRow, type MigrateResult } from './migrate';

/**
 * Applies prisma/postgresql/migrations to a PostgreSQL database the way `prisma migrate deploy
 * --schema prisma/postgresql/schema.prisma` does, without Prisma's native schema engine (which can't be
 * downloaded here): the same `_prisma_migrations` table and rows (SHA-256 of each migration.sql), so a
 * later `prisma migrate deploy` or `migrate status` on a connected machine sees them as applied.
 *
 * Several instances may start at once: each takes the advisory lock Prisma's own migrate takes
 * (72707369) for the whole run, so one applies and the others find nothing left to do. Each migration
 * runs in a transaction with its bookkeeping row (PostgreSQL's DDL is transactional): a crash leaves
 * it applied or not, never half.
 */
export const POSTGRES_MIGRATIONS_DIR = path.join(__dirname, 'postgresql', 'migrations');

/** Prisma's advisory lock key for migrate (schema engine, PostgreSQL flavour). */
const PRISMA_MIGRATE_LOCK = 72707369;

/** What Prisma's schema engine creates for PostgreSQL (test/integration/postgres-schema.test.ts compares them). */
const MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface PostgresMigrateOptions {
  migrationsDir?: string;
  /** How long to wait for another instance's migration run before giving up. Default 120 s. */
  lockTimeoutMs?: number;
}

export const applyPostgresMigrations = async (url: string, options: PostgresMigrateOptions = {}): Promise<MigrateResult> => {
  const files = readMigrations(options.migrationsDir ?? POSTGRES_MIGRATIONS_DIR, 'postgresql');
  const client = new Client({ connectionString: url, application_name: 'ssp-migrate' });
  await client.connect();
  try {
    await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(options.lockTimeoutMs ?? 120_000))}`);
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    try {
      await client.query(MIGRATIONS_TABLE_DDL);
      const readHistory = async (): Promise<AppliedRow[]> =>
        (
          await client.query<AppliedRow>(
            'SELECT migration_name, checksum, finished_at::text AS finished_at, rolled_back_at::text AS rolled_back_at FROM "_prisma_migrations" ORDER BY started_at, migration_name',
          )
        ).rows;
      const history = await readHistory();
      checkHistory(history, files);
      const applied: string[] = [];
      for (const migration of files) {
        if (isApplied(history, migration.name)) continue;
        const id = randomUUID();
        await client.query('BEGIN');
        try {
          await client.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)', [
            id,
            migration.checksum,
            migration.name,
          ]);
          try {
            await client.query(migration.sql);
          } catch (e) {
            throw new MigrationError(`Migration ${migration.name} failed: ${(e as Error).message}`);
          }
          await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw e;
        }
        applied.push(migration.name);
      }
      const known = new Set(files.map((f) => f.name));
      const unknown = [...new Set((await readHistory()).filter((r) => r.rolled_back_at === null && !known.has(r.migration_name)).map((r) => r.migration_name))];
      return { applied, unknown };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
};
