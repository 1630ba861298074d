import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { applyMigrations, MIGRATIONS_DIR, readMigrations, sha256 } from '../../prisma/migrate';
import { deployWithPrisma, diagnoseHistory, diffDatabaseToSchema, schemaFiles, SCHEMA_PATH } from '../../prisma/schema-engine';

const ROOT = path.join(__dirname, '..', '..');

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: string | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: string | null;
  started_at: string;
  applied_steps_count: number;
}

const rowsOf = (file: string): MigrationRow[] => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT * FROM "_prisma_migrations" ORDER BY migration_name').all() as MigrationRow[];
  } finally {
    db.close();
  }
};

const tablesOf = (file: string): string[] => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  } finally {
    db.close();
  }
};

/** A copy of prisma/migrations we may add to or edit. */
const copyMigrations = (dir: string): string => {
  const copy = path.join(dir, 'migrations');
  cpSync(MIGRATIONS_DIR, copy, { recursive: true });
  return copy;
};

describe('applyMigrations', () => {
  let dir: string;
  const released = readMigrations();
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ssp-migrate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('prisma/migrations holds the init migration and a sqlite lock file', () => {
    expect(released.map((m) => m.name)).toContain('20261121000000_init');
    expect(readFileSync(path.join(MIGRATIONS_DIR, 'migration_lock.toml'), 'utf8')).toMatch(/^provider = "sqlite"$/m);
  });

  test('a fresh file (in a folder that does not exist yet) gets every migration; a second run applies nothing', () => {
    const file = path.join(dir, 'nested', 'deeper', 'app.db');
    const first = applyMigrations(`file:${file}`);
    expect(first).toEqual({ applied: released.map((m) => m.name), unknown: [] });
    expect(tablesOf(file)).toEqual(expect.arrayContaining(['_prisma_migrations', 'Tenant', 'Subscription', 'OutboxNotification']));
    expect(applyMigrations(`file:${file}`)).toEqual({ applied: [], unknown: [] });
    expect(rowsOf(file)).toHaveLength(released.length);
  });

  test('a relative URL is resolved from the working directory', () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      applyMigrations('file:./data/relative.db');
    } finally {
      process.chdir(cwd);
    }
    expect(existsSync(path.join(dir, 'data', 'relative.db'))).toBe(true);
  });

  test('records each migration as Prisma does: SHA-256 of migration.sql, finished, one step', () => {
    const file = path.join(dir, 'app.db');
    applyMigrations(`file:${file}`);
    const rows = rowsOf(file);
    expect(rows.map((r) => r.migration_name)).toEqual(released.map((m) => m.name));
    for (const row of rows) {
      const bytes = readFileSync(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(sha256(bytes));
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.finished_at).not.toBeNull();
      expect(Date.parse(row.finished_at!)).toBeGreaterThanOrEqual(Date.parse(row.started_at));
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    const db = new Database(file, { readonly: true });
    try {
      const ddl = (db.prepare("SELECT sql FROM sqlite_master WHERE name = '_prisma_migrations'").get() as { sql: string }).sql;
      expect(ddl).toContain('"started_at"            DATETIME NOT NULL DEFAULT current_timestamp');
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  test("Prisma's own engine (migrate deploy / status) sees our history as applied, and we see its", async () => {
    const ours = `file:${path.join(dir, 'ours.db')}`;
    applyMigrations(ours);
    expect(await diagnoseHistory(ours)).toEqual({ editedMigrationNames: [], failedMigrationNames: [], hasMigrationsTable: true, history: null });
    expect(await deployWithPrisma(ours)).toEqual([]);

    const theirs = `file:${path.join(dir, 'theirs.db')}`;
    expect(await deployWithPrisma(theirs)).toEqual(released.map((m) => m.name));
    expect(applyMigrations(theirs)).toEqual({ applied: [], unknown: [] });
  });

  test('refuses to start when an applied migration was edited, naming it; Prisma agrees it was edited', async () => {
    const migrations = copyMigrations(dir);
    const url = `file:${path.join(dir, 'app.db')}`;
    applyMigrations(url, { migrationsDir: migrations });
    appendFileSync(path.join(migrations, '20261121000000_init', 'migration.sql'), '\nCREATE INDEX "Tenant_name_idx" ON "Tenant"("name");\n');
    expect(() => applyMigrations(url, { migrationsDir: migrations })).toThrow(/20261121000000_init were changed after they were applied/);
    expect((await diagnoseHistory(url, migrations)).editedMigrationNames).toEqual(['20261121000000_init']);
  });

  test('accepts a migration whose only change is CRLF line endings (a Windows checkout), as Prisma does', async () => {
    const migrations = copyMigrations(dir);
    const url = `file:${path.join(dir, 'app.db')}`;
    applyMigrations(url, { migrationsDir: migrations });
    const sqlFile = path.join(migrations, '20261121000000_init', 'migration.sql');
    writeFileSync(sqlFile, readFileSync(sqlFile, 'utf8').replace(/\n/g, '\r\n'));
    expect(applyMigrations(url, { migrationsDir: migrations }).applied).toEqual([]);
    expect((await diagnoseHistory(url, migrations)).editedMigrationNames).toEqual([]);
  });

  test('applies a later migration on top, and reports applied ones this code does not know', () => {
    const migrations = copyMigrations(dir);
    const url = `file:${path.join(dir, 'app.db')}`;
    applyMigrations(url, { migrationsDir: migrations });
    mkdirSync(path.join(migrations, '20261201000000_coupons'));
    writeFileSync(path.join(migrations, '20261201000000_coupons', 'migration.sql'), '-- CreateTable\nCREATE TABLE "Coupon" (\n    "id" TEXT NOT NULL PRIMARY KEY\n);\n');
    expect(applyMigrations(url, { migrationsDir: migrations }).applied).toEqual(['20261201000000_coupons']);
    // Older code (the released folder only) starting against the newer database.
    expect(applyMigrations(url)).toEqual({ applied: [], unknown: ['20261201000000_coupons'] });
  });

  test('a failing migration leaves no trace: its statements and its history row roll back together', () => {
    const migrations = copyMigrations(dir);
    const url = `file:${path.join(dir, 'app.db')}`;
    applyMigrations(url, { migrationsDir: migrations });
    mkdirSync(path.join(migrations, '20261201000000_broken'));
    writeFileSync(
      path.join(migrations, '20261201000000_broken', 'migration.sql'),
      'CREATE TABLE "Coupon" ("id" TEXT NOT NULL PRIMARY KEY);\nALTER TABLE "Nope" ADD COLUMN "x" TEXT;\n',
    );
    expect(() => applyMigrations(url, { migrationsDir: migrations })).toThrow(/Migration 20261201000000_broken failed: no such table: Nope/);
    expect(tablesOf(path.join(dir, 'app.db'))).not.toContain('Coupon');
    expect(rowsOf(path.join(dir, 'app.db')).map((r) => r.migration_name)).toEqual(released.map((m) => m.name));
  });

  test('applies a table rebuild (how Prisma alters SQLite tables) under existing rows and foreign keys', async () => {
    const migrations = copyMigrations(dir);
    const file = path.join(dir, 'app.db');
    const url = `file:${file}`;
    applyMigrations(url, { migrationsDir: migrations });
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    const at = new Date('2026-11-21T10:00:00.000Z').toISOString();
    db.prepare(
      `INSERT INTO "Subscription" (id, tenantId, productId, purchaserId, origin, status, quantity, billingFrequency, unitPriceMinor, currency, recurring, isTrial, startedAt, expiresAt, createdAt, version)
       VALUES ('s1', 't1', 'CFQ7TTC0H9MP', 'u1', 'SelfService', 'Active', 3, 'Monthly', 1680, 'USD', 1, 0, ?, ?, ?, 0)`,
    ).run(at, at, at);
    db.prepare(`INSERT INTO "LicenseAssignment" (id, tenantId, subscriptionId, userId, assignedAt, assignedBy) VALUES ('a1', 't1', 's1', 'u2', ?, 'u1')`).run(at);
    db.close();

    // Prisma rebuilds a referenced table to change a column's default: generate exactly that SQL.
    const edited = readFileSync(SCHEMA_PATH, 'utf8').replace(/(\n  quantity +Int)\n/, '$1 @default(1)\n');
    const { script } = await diffDatabaseToSchema(url, schemaFiles(SCHEMA_PATH, edited));
    expect(script).toContain('DROP TABLE "Subscription"');
    mkdirSync(path.join(migrations, '20261201000000_quantity_default'));
    writeFileSync(path.join(migrations, '20261201000000_quantity_default', 'migration.sql'), script);

    expect(applyMigrations(url, { migrationsDir: migrations }).applied).toEqual(['20261201000000_quantity_default']);
    const after = new Database(file, { readonly: true });
    try {
      expect(after.prepare('SELECT id, quantity FROM "Subscription"').all()).toEqual([{ id: 's1', quantity: 3 }]);
      expect(after.prepare('SELECT id FROM "LicenseAssignment"').all()).toEqual([{ id: 'a1' }]);
      expect(after.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
      expect((after.prepare(`SELECT dflt_value FROM pragma_table_info('Subscription') WHERE name = 'quantity'`).get() as { dflt_value: string }).dflt_value).toBe('1');
    } finally {
      after.close();
    }
  });

  test('processes starting together (npm run db:migrate) apply each migration exactly once', async () => {
    const file = path.join(dir, 'shared.db');
    const run = () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'prisma/migrate-cli.ts'], {
          cwd: ROOT,
          env: { ...process.env, DATABASE_URL: `file:${file}` },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.on('exit', (code) => resolve({ code, out }));
      });
    const results = await Promise.all([run(), run(), run(), run()]);
    for (const r of results) expect(r).toEqual({ code: 0, out: expect.stringMatching(new RegExp(`Applied ${released.length} migration|is up to date`)) });
    expect(results.filter((r) => r.out.includes('Applied')).length).toBe(1);
    const rows = rowsOf(file);
    expect(rows.map((r) => r.migration_name)).toEqual(released.map((m) => m.name));
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
  }, 60_000);

  test('rejects URLs that are not SQLite files', () => {
    expect(() => applyMigrations('postgres://localhost/app')).toThrow(/Expected a SQLite URL/);
    expect(() => applyMigrations('file::memory:')).toThrow(/in-memory/);
  });
});
