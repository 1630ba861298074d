import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * Applies prisma/migrations to a SQLite file the way `prisma migrate deploy` does, without Prisma's
 * native schema engine (which can't be downloaded here). It keeps Prisma's bookkeeping: the same
 * `_prisma_migrations` table, one row per migration with the SHA-256 of its migration.sql, so a later
 * `prisma migrate deploy` (or `migrate status`) on a connected machine sees these as applied.
 */

export const MIGRATIONS_DIR = path.join(__dirname, 'migrations');

/** Byte for byte what Prisma's schema engine creates for SQLite. */
const MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  /** Migrations applied by this call, in order. */
  applied: string[];
  /** Recorded as applied but absent from the folder (the database is ahead of this code). */
  unknown: string[];
}

export interface MigrateOptions {
  migrationsDir?: string;
  /** How long to wait for another process holding the write lock. */
  busyTimeoutMs?: number;
}

export interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: string | null;
  rolled_back_at: string | null;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

/** `file:./data/app.db` (relative to the working directory) or `file:/abs/path.db`. */
export const sqlitePathFromUrl = (url: string): string => {
  if (!url.startsWith('file:')) throw new MigrationError(`Expected a SQLite URL like file:./data/app.db, got "${url}"`);
  const file = url.slice('file:'.length).split('?')[0];
  if (file === '' || file === ':memory:') throw new MigrationError('An in-memory SQLite database cannot be shared; use a file.');
  return path.resolve(file);
};

/** The migration folders in name (= timestamp) order, each with Prisma's checksum of its script. */
export const readMigrations = (dir: string = MIGRATIONS_DIR, provider: 'sqlite' | 'postgresql' = 'sqlite'): MigrationFile[] => {
  if (!existsSync(dir)) return [];
  const lock = path.join(dir, 'migration_lock.toml');
  if (existsSync(lock)) {
    const locked = /^\s*provider\s*=\s*"([^"]+)"/m.exec(readFileSync(lock, 'utf8'))?.[1];
    if (locked !== provider) throw new MigrationError(`${lock} is for provider "${locked}", not ${provider}.`);
  }
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(path.join(dir, name, 'migration.sql'));
      return { name, sql: bytes.toString('utf8'), checksum: sha256(bytes) };
    });
};

/** Prisma accepts a script whose line endings changed (a Windows checkout); so do we. */
const sameScript = (m: MigrationFile, recorded: string): boolean =>
  recorded === m.checksum || recorded === sha256(m.sql.replace(/\r\n/g, '\n')) || recorded === sha256(m.sql.replace(/\r?\n/g, '\r\n'));

/** Prisma's own timestamp format for SQLite (what its engine writes through the driver adapter). */
const now = (): string => new Date().toISOString().replace('Z', '+00:00');

/**
 * Refuses to start on a history Prisma would refuse too: a released migration edited after it was
 * applied, or one that failed half-way on another machine and was never resolved.
 */
export const checkHistory = (rows: AppliedRow[], files: MigrationFile[]): void => {
  const byName = new Map(files.map((f) => [f.name, f]));
  const edited = rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null && byName.has(r.migration_name) && !sameScript(byName.get(r.migration_name)!, r.checksum));
  if (edited.length > 0) {
    throw new MigrationError(
      `Refusing to start: migration(s) ${edited.map((r) => r.migration_name).join(', ')} were changed after they were applied. ` +
        'Released migrations are never edited: restore the original migration.sql and put the change in a new migration.',
    );
  }
  const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed.length > 0) {
    throw new MigrationError(
      `Refusing to start: migration(s) ${failed.map((r) => r.migration_name).join(', ')} failed earlier and were not resolved (see \`prisma migrate resolve\`).`,
    );
  }
};

/**
 * The query planner's statistics (sqlite_stat1), brought up to date where they are missing or stale:
 * `PRAGMA optimize` (SQLite ≥ 3.46) analyzes a table only when it has no statistics for one of its
 * indexes, or its size changed a lot since the last ANALYZE, with a bounded analysis_limit so even a
 * large table takes a fraction of a second; 0x10002 checks every table, not only those this
 * connection queried. Without statistics SQLite can't tell a selective index from a poor one (the
 * admin purchases page counted through the wrong index at ×10). Returns the tables it analyzed.
 *
 * Statistics are read when a connection opens: connections opened before a refresh plan as before
 * (prisma/client.ts reopens the SQL reader after one).
 */
export const refreshStatistics = (db: Database.Database): string[] => {
  const planned = (db.prepare('PRAGMA optimize = 0x10003').all() as Array<{ optimize: string }>).map((r) => r.optimize); // 0x1: only say what it would do
  if (planned.length > 0) db.exec('PRAGMA optimize = 0x10002');
  dropValueSamples(db);
  return planned;
};

/**
 * ANALYZE also writes sqlite_stat4 (samples of index values: better-sqlite3's SQLite is built with
 * SQLITE_ENABLE_STAT4). With them, SQLite plans a statement again each time it runs with a new value
 * bound to an indexed column (the value might change the plan), and every query here binds its
 * tenant and ids: the actor's read took 40 µs with the samples and 8 µs without, a role lookup 8.7 and 3.1
 * (bench DB, warm loop). The paged reads are planned alike without per-value samples
 * (test/integration/query-plans.test.ts); the per-index averages of sqlite_stat1, which tell a selective
 * index from a poor one, stay. Connections read statistics when they open, so this runs before the
 * server's connections open and in every refresh, right after the ANALYZE that wrote them.
 */
const dropValueSamples = (db: Database.Database): void => {
  if (db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat4'`).get() === undefined) return;
  if (db.prepare('SELECT 1 FROM sqlite_stat4 LIMIT 1').get() === undefined) return;
  db.exec('DELETE FROM sqlite_stat4');
};

/**
 * The triggers behind the derived counts (prisma/derived-counts.sql). A migration that rebuilds a
 * table, as Prisma writes them for SQLite (create new_X, copy, DROP TABLE X, rename), drops X's own
 * triggers with it and fails on another table's trigger that names X. So before pending migrations
 * run, these triggers are dropped; afterwards they are created again and the counts recomputed from
 * the rows (a migration may have changed data while they were off).
 */
export const DERIVED_COUNTS_FILE = path.join(__dirname, 'derived-counts.sql');
const derivedTriggers = (sql: string): string[] => [...sql.matchAll(/CREATE TRIGGER IF NOT EXISTS "([^"]+)"/g)].map((m) => m[1]);
const RECOUNT = `
DELETE FROM "SubscriptionTally";
INSERT INTO "SubscriptionTally" ("tenantId", "origin", "productId", "status", "count")
    SELECT "tenantId", "origin", "productId", "status", COUNT(*) FROM "Subscription" GROUP BY "tenantId", "origin", "productId", "status";
UPDATE "Subscription" SET "assignedCount" = (
    SELECT COUNT(*) FROM "LicenseAssignment" a WHERE a."tenantId" = "Subscription"."tenantId" AND a."subscriptionId" = "Subscription"."id");
DELETE FROM "PurchaserTally";
DELETE FROM "ProductTally";
INSERT INTO "PurchaserTally" ("tenantId", "productId", "purchaserId", "count")
    SELECT "tenantId", "productId", "purchaserId", COUNT(*) FROM "Subscription" WHERE "status" IN ('Active', 'Trial') GROUP BY "tenantId", "productId", "purchaserId";
INSERT INTO "ProductTally" ("tenantId", "productId", "subscriptions", "quantity", "assigned", "purchasers")
    SELECT "tenantId", "productId", COUNT(*), SUM("quantity"), SUM("assignedCount"), COUNT(DISTINCT "purchaserId") FROM "Subscription"
    WHERE "status" IN ('Active', 'Trial') GROUP BY "tenantId", "productId";`;
const hasDerivedCounts = (db: Database.Database): boolean =>
  db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'SubscriptionTally'`).get() !== undefined &&
  db.prepare(`SELECT 1 FROM pragma_table_info('Subscription') WHERE name = 'assignedCount'`).get() !== undefined &&
  db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ProductTally'`).get() !== undefined;

export const isApplied = (rows: AppliedRow[], name: string): boolean => rows.some((r) => r.migration_name === name && r.finished_at !== null && r.rolled_back_at === null);

/**
 * Brings the database at `databaseUrl` up to date. Each migration runs in its own BEGIN IMMEDIATE
 * transaction that also records it, so a crash leaves it either fully applied or not at all, and two
 * processes starting together take turns: the second re-reads the history under the lock and skips
 * what the first applied.
 */
export const applyMigrations = (databaseUrl: string, options: MigrateOptions = {}): MigrateResult => {
  const file = sqlitePathFromUrl(databaseUrl);
  const files = readMigrations(options.migrationsDir ?? MIGRATIONS_DIR);
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { timeout: options.busyTimeoutMs ?? 30_000 });
  try {
    db.pragma('journal_mode = WAL');
    // SQLite's procedure for schema changes: foreign keys off outside the transaction (a table rebuild
    // drops and renames referenced tables), then foreign_key_check before commit. A pragma inside the
    // transaction would be ignored.
    db.pragma('foreign_keys = OFF');

    const readHistory = (): AppliedRow[] =>
      db.prepare('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at, migration_name').all() as AppliedRow[];
    const inWriteTransaction = <T>(work: () => T): T => {
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = work();
        db.exec('COMMIT');
        return result;
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw e;
      }
    };

    const history = inWriteTransaction(() => {
      db.exec(MIGRATIONS_TABLE_DDL);
      return readHistory();
    });
    checkHistory(history, files);

    const derived = existsSync(DERIVED_COUNTS_FILE) ? readFileSync(DERIVED_COUNTS_FILE, 'utf8') : '';
    if (files.some((f) => !isApplied(history, f.name))) {
      inWriteTransaction(() => {
        for (const name of derivedTriggers(derived)) db.exec(`DROP TRIGGER IF EXISTS "${name}"`);
      });
    }

    const applied: string[] = [];
    for (const migration of files) {
      if (isApplied(history, migration.name)) continue;
      const didApply = inWriteTransaction(() => {
        const current = readHistory();
        checkHistory(current, files);
        if (isApplied(current, migration.name)) return false; // another process got here first
        const id = randomUUID();
        db.prepare('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, 0)').run(
          id,
          migration.checksum,
          migration.name,
          now(),
        );
        try {
          db.exec(migration.sql);
        } catch (e) {
          throw new MigrationError(`Migration ${migration.name} failed: ${(e as Error).message}`);
        }
        const violations = db.prepare('PRAGMA foreign_key_check').all();
        if (violations.length > 0) {
          throw new MigrationError(`Migration ${migration.name} leaves ${violations.length} foreign key violation(s), e.g. ${JSON.stringify(violations[0])}`);
        }
        db.prepare('UPDATE "_prisma_migrations" SET finished_at = ?, applied_steps_count = 1 WHERE id = ?').run(now(), id);
        return true;
      });
      if (didApply) applied.push(migration.name);
    }

    inWriteTransaction(() => {
      if (!derived || !hasDerivedCounts(db)) return;
      const missing = derivedTriggers(derived).some((name) => db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?`).get(name) === undefined);
      if (!missing) return;
      db.exec(derived);
      db.exec(RECOUNT);
    });

    // At start, after the schema changed (new indexes have no statistics) or the data grew since.
    refreshStatistics(db);

    const known = new Set(files.map((f) => f.name));
    const unknown = [
      ...new Set(
        readHistory()
          .filter((r) => r.rolled_back_at === null && !known.has(r.migration_name))
          .map((r) => r.migration_name),
      ),
    ];
    return { applied, unknown };
  } finally {
    db.close();
  }
};
