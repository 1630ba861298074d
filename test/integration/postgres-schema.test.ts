import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient, Prisma } from '../../prisma/generated-pg/client';
import { deployWithPrisma, diffFromEmpty, migrationList, POSTGRES_MIGRATIONS_DIR, POSTGRES_SCHEMA_PATH, schemaFiles } from '../../prisma/schema-engine';
import { startPostgres, type PostgresCluster } from '../support/postgres';
import { readMigrations } from '../../prisma/migrate';
import { applyPostgresMigrations } from '../../prisma/migrate-postgres';

const { postgresSchema } = require('../../scripts/postgres-schema.js') as { postgresSchema: () => string };

/**
 * PostgreSQL's schema is SQLite's with another provider (scripts/postgres-schema.js), and its
 * migrations (prisma/postgresql/migrations) build exactly that schema: applied by Prisma's own schema
 * engine, as `prisma migrate deploy --schema prisma/postgresql/schema.prisma` applies them, on a
 * throwaway cluster, then diffed against the schema.
 */
const ROOT = path.join(__dirname, '..', '..');

describe('the PostgreSQL schema and its migrations', () => {
  let pg: PostgresCluster;
  const files = schemaFiles(POSTGRES_SCHEMA_PATH);
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
  });

  it('is prisma/schema.prisma with the postgresql provider (run scripts/postgres-schema.js after changing that file)', () => {
    expect(readFileSync(POSTGRES_SCHEMA_PATH, 'utf8')).toBe(postgresSchema());
  });

  it('migrations deploy on an empty database and leave no drift from the schema', async () => {
    const url = await pg.createDatabase('migrated');
    const names = migrationList(POSTGRES_MIGRATIONS_DIR).migrationDirectories.map((d) => d.path);
    expect(names.length).toBeGreaterThan(0);
    expect(await deployWithPrisma(url, POSTGRES_MIGRATIONS_DIR, files)).toEqual(names);
    expect(await deployWithPrisma(url, POSTGRES_MIGRATIONS_DIR, files)).toEqual([]); // a second deploy has nothing to do
    // No drift: the migrated database has exactly the tables, columns, keys and indexes of a database
    // made straight from the schema. (The engine's own database-to-schema diff cannot read PostgreSQL
    // through the wasm engine here: adapter-pg does not decode the catalogs' "char" columns.)
    const fromSchema = await pg.createDatabase('from_schema');
    pg.psql('from_schema', await diffFromEmpty(files, fromSchema));
    // What the Prisma schema cannot say (triggers, a column's collation) is in migrations of its own, marked as such.
    const beyond = readMigrations(POSTGRES_MIGRATIONS_DIR, 'postgresql').filter((m) => m.sql.startsWith('-- Beyond the Prisma schema'));
    expect(beyond.map((m) => m.name)).toEqual([
      expect.stringContaining('derived_counts'),
      expect.stringContaining('search_term_collation'),
      expect.stringContaining('product_tally_triggers'),
    ]);
    for (const m of beyond) pg.psql('from_schema', m.sql);
    expect(pg.schemaDump('migrated')).toBe(pg.schemaDump('from_schema'));
    expect(pg.schemaDump('migrated')).toContain('CREATE TABLE public."Subscription"');
  });

  it('our start-up migrator applies them as Prisma does: the same bookkeeping, accepted by `prisma migrate deploy`', async () => {
    const ours = await pg.createDatabase('ours');
    const prismas = await pg.createDatabase('prismas');
    const names = readMigrations(POSTGRES_MIGRATIONS_DIR, 'postgresql').map((m) => m.name);
    expect(await applyPostgresMigrations(ours)).toEqual({ applied: names, unknown: [] });
    expect(await applyPostgresMigrations(ours)).toEqual({ applied: [], unknown: [] });
    expect(await deployWithPrisma(ours, POSTGRES_MIGRATIONS_DIR, files)).toEqual([]); // Prisma sees every one as applied
    await deployWithPrisma(prismas, POSTGRES_MIGRATIONS_DIR, files);
    expect(pg.schemaDump('ours')).toBe(pg.schemaDump('prismas'));
    const history = `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`;
    expect(pg.psql('ours', history)).toBe(pg.psql('prismas', history));
    const rows = `SELECT migration_name, checksum, applied_steps_count, finished_at IS NOT NULL, rolled_back_at IS NULL FROM "_prisma_migrations" ORDER BY migration_name`;
    expect(pg.psql('ours', rows)).toBe(pg.psql('prismas', rows));
  });

  it('several instances starting at once: one applies the migrations, the others find nothing to do', async () => {
    const url = await pg.createDatabase('racing');
    const results = await Promise.all([1, 2, 3].map(() => applyPostgresMigrations(url)));
    expect(results.flatMap((r) => r.applied).sort()).toEqual(readMigrations(POSTGRES_MIGRATIONS_DIR, 'postgresql').map((m) => m.name));
    expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
  });

  it('`npm run db:migrate` migrates a PostgreSQL URL as a release step, without printing its password', async () => {
    const url = new URL(await pg.createDatabase('released'));
    url.password = 's3cret-not-printed'; // the throwaway cluster trusts loopback: the password is ignored
    const run = () =>
      spawnSync(process.execPath, [require.resolve('tsx/cli'), 'prisma/migrate-cli.ts'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url.toString() }, encoding: 'utf8' });
    const first = run();
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`Applied ${readMigrations(POSTGRES_MIGRATIONS_DIR, 'postgresql').length} migration(s) to postgresql://postgres:***@`);
    const second = run();
    expect(second.stdout).toMatch(/\/released is up to date\./);
    expect(first.stdout + first.stderr + second.stdout + second.stderr).not.toContain('s3cret');
  }, 60_000);

  it('refuses to start on an edited migration', async () => {
    const url = await pg.createDatabase('edited');
    await applyPostgresMigrations(url);
    pg.psql('edited', `UPDATE "_prisma_migrations" SET checksum = 'x' WHERE migration_name = (SELECT min(migration_name) FROM "_prisma_migrations")`);
    await expect(applyPostgresMigrations(url)).rejects.toThrow(/changed after they were applied/);
  });

  it('the generated PostgreSQL client reads and writes it through @prisma/adapter-pg, raw SQL written for both engines included', async () => {
    const url = await pg.createDatabase('client');
    await deployWithPrisma(url, POSTGRES_MIGRATIONS_DIR, files);
    const pool = new Pool({ connectionString: url, max: 2 });
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    try {
      const createdAt = new Date(Date.UTC(2026, 11, 1, 12, 0, 0, 250));
      await prisma.tenant.create({ data: { id: 't1', name: 'Contoso', kind: 'Commercial', country: 'US', requireApproval: true, createdAt } });
      expect(await prisma.tenant.findUnique({ where: { id: 't1' } })).toEqual({ id: 't1', name: 'Contoso', kind: 'Commercial', country: 'US', requireApproval: true, createdAt });
      // The repositories' raw SELECTs quote identifiers as PostgreSQL needs them (Prisma's tables keep their case).
      const rows = await prisma.$queryRaw<Array<{ tenantId: string; requireApproval: boolean; createdAt: Date }>>(
        Prisma.sql`SELECT t."id" AS "tenantId", t."requireApproval", t."createdAt" FROM "Tenant" t WHERE t."id" = ${'t1'}`,
      );
      expect(rows).toEqual([{ tenantId: 't1', requireApproval: true, createdAt }]);
    } finally {
      await prisma.$disconnect();
      await pool.end();
    }
  });
});
