import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine, SchemaFilter, MigrationList, DiagnoseMigrationHistoryOutput } from '@prisma/schema-engine-wasm';
import { applyMigrations, MIGRATIONS_DIR } from './migrate';

/**
 * Development tooling, never loaded by the app: Prisma's own schema engine compiled to WebAssembly
 * (@prisma/schema-engine-wasm, a devDependency) driven through the better-sqlite3 adapter. The CLI's
 * migrate commands need a native engine these machines can't download; this gives the same diff
 * and the same migration-history checks offline.
 *
 *   npm run db:diff                 SQL that would bring prisma/migrations up to schema.prisma
 *   npm run db:diff -- --create NAME   ...written as prisma/migrations/<timestamp>_NAME/migration.sql
 */

export const SCHEMA_PATH = path.join(__dirname, 'schema.prisma');
/** PostgreSQL's schema (scripts/postgres-schema.js writes it from schema.prisma) and its migrations. */
export const POSTGRES_SCHEMA_PATH = path.join(__dirname, 'postgresql', 'schema.prisma');
export { POSTGRES_MIGRATIONS_DIR } from './migrate-postgres';
const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

export interface SchemaFile {
  path: string;
  content: string;
}

export const schemaFiles = (schemaPath: string = SCHEMA_PATH, content?: string): SchemaFile[] => [{ path: schemaPath, content: content ?? readFileSync(schemaPath, 'utf8') }];

type EngineClass = typeof SchemaEngine;
/** tsconfig has no DOM lib, and @types/node 20 doesn't declare the WebAssembly global. */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, object>) => { exports: Record<string, unknown> };
}
const { WebAssembly: Wasm } = globalThis as unknown as { WebAssembly: WasmApi };
let engineClass: Promise<EngineClass> | undefined;

/** wasm-bindgen glue + module, instantiated once per process (what @prisma/internals does). */
const loadEngineClass = (): Promise<EngineClass> =>
  (engineClass ??= (async () => {
    const runtime = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasmFile = path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm')), 'schema_engine_bg.wasm');
    const instance = new Wasm.Instance(new Wasm.Module(await readFile(wasmFile)), { './schema_engine_bg.js': runtime });
    runtime.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return runtime.SchemaEngine;
  })());

/**
 * adapter-pg's executeScript splits a migration script at every `;` and sends the pieces one by one,
 * which breaks any statement with a `;` inside it: a PL/pgSQL function body (our derived counts'
 * triggers). Prisma's native schema engine, which `prisma migrate deploy` runs on a connected machine,
 * sends the script whole; so does this wrapper (PostgreSQL's simple query protocol runs several
 * statements in one call), leaving every other method of the adapter as it is.
 */
const wholeScripts = <A extends { executeScript(script: string): Promise<void> }>(adapter: A, pool: pg.Pool): A =>
  new Proxy(adapter, {
    get: (target, key) => {
      if (key === 'executeScript') {
        return async (script: string) => {
          await pool.query(script);
        };
      }
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });

/**
 * Runs `fn` with an engine connected to the database at `url`: a SQLite file (`file:`) or PostgreSQL
 * (`postgresql://`). The engine takes SQLite's exclusive locking mode on its connection, so every
 * connection it opened is closed afterwards.
 */
export const withSchemaEngine = async <T>(url: string, files: SchemaFile[], fn: (engine: SchemaEngine) => Promise<T>): Promise<T> => {
  const Engine = await loadEngineClass();
  // PostgreSQL through a pool of our own, ended afterwards: no connection outlives the call.
  const pool = /^postgres(ql)?:\/\//.test(url) ? new pg.Pool({ connectionString: url, max: 2 }) : null;
  const inner = pool ? new PrismaPg(pool) : new PrismaBetterSqlite3({ url });
  const opened: Array<{ dispose(): Promise<void> }> = [];
  const track = <A extends { dispose(): Promise<void>; executeScript(script: string): Promise<void> }>(a: A): A => (opened.push(a), pool ? wholeScripts(a, pool) : a);
  const factory = bindMigrationAwareSqlAdapterFactory({
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => track(await inner.connect()),
    connectToShadowDb: async () => track(await inner.connectToShadowDb()),
  });
  const log = (line: string) => {
    if (process.env.DEBUG_SCHEMA_ENGINE) process.stderr.write(`${line}\n`);
  };
  const engine = await Engine.new({ datamodels: files.map((f): [string, string] => [f.path, f.content]) }, log, factory);
  try {
    return await fn(engine);
  } catch (e) {
    // The engine reports adapter failures as "External error id#N"; the registry holds the real one.
    const id = /External error id#(\d+)/.exec(String(e))?.[1];
    const cause = id === undefined ? undefined : factory.errorRegistry.consumeError(Number(id));
    if (cause) throw new Error(`${String(e)}\nCaused by: ${JSON.stringify(cause.error, Object.getOwnPropertyNames(cause.error ?? {}))}`);
    throw e;
  } finally {
    engine.free();
    await Promise.all(opened.map((a) => a.dispose()));
    await pool?.end();
  }
};

/** The folder as the engine reads it (what the CLI passes for `migrate deploy`). */
export const migrationList = (dir: string = MIGRATIONS_DIR): MigrationList => {
  const lock = path.join(dir, 'migration_lock.toml');
  const names = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort()
    : [];
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lock) ? readFileSync(lock, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: names.map((name) => ({
      path: name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok' as const, value: readFileSync(path.join(dir, name, 'migration.sql'), 'utf8') } },
    })),
  };
};

/** `prisma migrate diff --from-empty --to-schema <schema> --script` (for PostgreSQL, `url` is a database to connect to). */
export const diffFromEmpty = (files: SchemaFile[] = schemaFiles(), url = 'file::memory:'): Promise<string> =>
  withSchemaEngine(url, files, async (engine) => {
    const r = await engine.diff({ from: { tag: 'empty' }, to: { tag: 'schemaDatamodel', files }, script: true, exitCode: null, filters: NO_FILTER });
    return r.stdout ?? '';
  });

/**
 * What the engine would change to make the database at `url` match the schema: `empty` when
 * nothing (the engine's own drift check, as `prisma migrate dev` runs it).
 */
export const diffDatabaseToSchema = (url: string, files: SchemaFile[] = schemaFiles()): Promise<{ empty: boolean; script: string }> =>
  withSchemaEngine(url, files, async (engine) => {
    const r = await engine.diff({
      from: { tag: 'schemaDatasource', files, configDir: process.cwd() },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: true,
      filters: NO_FILTER,
    });
    return { empty: r.exitCode === 0, script: r.stdout ?? '' };
  });

/** What `prisma migrate status` / `migrate deploy` would conclude about the database's history. */
export const diagnoseHistory = (url: string, dir: string = MIGRATIONS_DIR, files: SchemaFile[] = schemaFiles()): Promise<DiagnoseMigrationHistoryOutput> =>
  withSchemaEngine(url, files, (engine) => engine.diagnoseMigrationHistory({ migrationsList: migrationList(dir), optInToShadowDatabase: false, filters: NO_FILTER }));

/** `prisma migrate deploy` itself: the names it applied. */
export const deployWithPrisma = async (url: string, dir: string = MIGRATIONS_DIR, files: SchemaFile[] = schemaFiles()): Promise<string[]> =>
  (await withSchemaEngine(url, files, (engine) => engine.applyMigrations({ migrationsList: migrationList(dir), filters: NO_FILTER }))).appliedMigrationNames;

/** The next migration's SQL: migrations applied to a scratch database, then diffed against the schema. */
export const pendingMigrationSql = async (files: SchemaFile[] = schemaFiles()): Promise<{ empty: boolean; script: string }> => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'schema-diff-'));
  try {
    const url = `file:${path.join(dir, 'scratch.db')}`;
    applyMigrations(url);
    return await diffDatabaseToSchema(url, files);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const timestamp = (d = new Date()): string => d.toISOString().replace(/[-:T]/g, '').slice(0, 14);

if (require.main === module) {
  (async () => {
    const at = process.argv.indexOf('--create');
    const name = at >= 0 ? process.argv[at + 1] : undefined;
    if (at >= 0 && !(name && /^[a-z0-9_]+$/.test(name))) throw new Error('Usage: db:diff [--create snake_case_name]');
    const { empty, script } = await pendingMigrationSql();
    if (empty) {
      process.stdout.write('prisma/migrations already matches schema.prisma.\n');
      return;
    }
    if (!name) {
      process.stdout.write(script);
      return;
    }
    const folder = path.join(MIGRATIONS_DIR, `${timestamp()}_${name}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'migration.sql'), script);
    process.stdout.write(`Wrote ${path.relative(process.cwd(), folder)}/migration.sql\n`);
  })().catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
