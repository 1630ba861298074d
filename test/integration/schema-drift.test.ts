import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { getDMMF } from '@prisma/internals';
import { applyMigrations } from '../../prisma/migrate';
import { SCHEMA_PATH, diffDatabaseToSchema, schemaFiles } from '../../prisma/schema-engine';

/**
 * schema.prisma and prisma/migrations must describe the same database. Two independent checks:
 * a structural comparison of the migrated SQLite file with the schema's data model (tables, columns,
 * types, nullability, defaults, keys, indexes, foreign keys, nothing extra), and Prisma's own schema
 * engine diffing the migrated file against the schema (what `prisma migrate dev` would generate).
 */

type Dmmf = Awaited<ReturnType<typeof getDMMF>>;
type Model = Dmmf['datamodel']['models'][number];
type Field = Model['fields'][number];

/** The column type Prisma's SQLite connector declares for each scalar. */
const SQLITE_TYPES: Record<string, string> = {
  String: 'TEXT',
  Int: 'INTEGER',
  BigInt: 'BIGINT',
  Float: 'REAL',
  Decimal: 'DECIMAL',
  Boolean: 'BOOLEAN',
  DateTime: 'DATETIME',
  Json: 'JSONB',
  Bytes: 'BLOB',
};

interface Column {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden: number;
}
interface IndexInfo {
  name: string;
  unique: number;
  origin: string;
}
interface ForeignKey {
  id: number;
  seq: number;
  table: string;
  from: string;
  to: string;
  on_update: string;
  on_delete: string;
}

const tableName = (m: Model): string => m.dbName ?? m.name;
const columnName = (f: Field): string => f.dbName ?? f.name;
const isColumn = (f: Field): boolean => f.kind === 'scalar' || f.kind === 'enum';

const literalDefault = (f: Field): string | undefined => {
  const d = f.default as unknown;
  if (d === undefined || d === null) return undefined;
  if (typeof d === 'number' || typeof d === 'bigint') return String(d);
  if (typeof d === 'boolean') return d ? 'true' : 'false';
  if (typeof d === 'string') return `'${d.replace(/'/g, "''")}'`;
  const fn = d as { name?: string };
  return fn.name === 'now' ? 'CURRENT_TIMESTAMP' : undefined; // cuid(), uuid()... are client-side
};

/** Every difference between the schema's data model and the SQLite database, as readable lines. */
export const compareSchemaWithDatabase = (dmmf: Dmmf, db: Database.Database): string[] => {
  const problems: string[] = [];
  const models = dmmf.datamodel.models;
  const modelByTable = new Map(models.map((m) => [tableName(m), m]));
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'").all() as { name: string }[]).map(
    (t) => t.name,
  );

  for (const t of tables) if (!modelByTable.has(t)) problems.push(`table ${t} exists in the database but no model maps to it`);

  const indexes = (dmmf.datamodel as unknown as { indexes: Array<{ model: string; type: string; dbName?: string | null; name?: string | null; fields: { name: string }[] }> })
    .indexes;

  for (const model of models) {
    const table = tableName(model);
    if (!tables.includes(table)) {
      problems.push(`model ${model.name}: table ${table} is missing`);
      continue;
    }
    const fieldsByName = new Map(model.fields.map((f) => [f.name, f]));
    const colOf = (fieldName: string): string => columnName(fieldsByName.get(fieldName)!);
    const columns = (db.prepare(`PRAGMA table_xinfo("${table}")`).all() as Column[]).filter((c) => c.hidden === 0);
    const columnByName = new Map(columns.map((c) => [c.name, c]));
    const fields = model.fields.filter(isColumn);

    for (const f of fields) {
      const col = columnByName.get(columnName(f));
      if (!col) {
        problems.push(`${model.name}.${f.name}: column ${table}.${columnName(f)} is missing`);
        continue;
      }
      const want = SQLITE_TYPES[f.type];
      if (want === undefined) problems.push(`${model.name}.${f.name}: no SQLite type known for Prisma type ${f.type}; extend SQLITE_TYPES`);
      else if (col.type.toUpperCase() !== want) problems.push(`${model.name}.${f.name}: column type ${col.type}, schema says ${f.type} (${want})`);
      if (f.isList) problems.push(`${model.name}.${f.name}: scalar lists are not portable to SQLite`);
      if ((col.notnull === 1) !== f.isRequired)
        problems.push(`${model.name}.${f.name}: column is ${col.notnull ? 'NOT NULL' : 'nullable'}, schema says ${f.isRequired ? 'required' : 'optional'}`);
      const dflt = literalDefault(f);
      if ((dflt ?? null) !== (col.dflt_value === null ? null : col.dflt_value)) {
        problems.push(`${model.name}.${f.name}: column default ${col.dflt_value ?? 'none'}, schema says ${dflt ?? 'none'}`);
      }
    }
    const fieldColumns = new Set(fields.map(columnName));
    for (const c of columns) if (!fieldColumns.has(c.name)) problems.push(`${model.name}: column ${table}.${c.name} exists in the database but not in the schema`);

    // Primary key, in order.
    const pkWant = (model.primaryKey?.fields ?? model.fields.filter((f) => f.isId).map((f) => f.name)).map(colOf);
    const pkHave = columns
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    if (pkWant.join(',') !== pkHave.join(',')) problems.push(`${model.name}: primary key (${pkHave.join(', ')}), schema says (${pkWant.join(', ')})`);

    // Unique and plain indexes, by Prisma's names, with their columns in order; nothing extra.
    const dbIndexes = (db.prepare(`PRAGMA index_list("${table}")`).all() as IndexInfo[]).filter((i) => i.origin !== 'pk');
    const dbIndexByName = new Map(dbIndexes.map((i) => [i.name, i]));
    const expected = new Set<string>();
    for (const idx of indexes.filter((i) => i.model === model.name && (i.type === 'unique' || i.type === 'normal'))) {
      const cols = idx.fields.map((f) => colOf(f.name));
      const name = idx.dbName ?? `${table}_${cols.join('_')}_${idx.type === 'unique' ? 'key' : 'idx'}`;
      expected.add(name);
      const have = dbIndexByName.get(name);
      if (!have) {
        problems.push(`${model.name}: ${idx.type} index ${name} on (${cols.join(', ')}) is missing`);
        continue;
      }
      if ((have.unique === 1) !== (idx.type === 'unique')) problems.push(`${model.name}: index ${name} is ${have.unique ? 'unique' : 'not unique'}, schema says ${idx.type}`);
      const haveCols = (db.prepare(`PRAGMA index_info("${name}")`).all() as { name: string }[]).map((c) => c.name);
      if (haveCols.join(',') !== cols.join(',')) problems.push(`${model.name}: index ${name} is on (${haveCols.join(', ')}), schema says (${cols.join(', ')})`);
    }
    for (const i of dbIndexes) if (!expected.has(i.name)) problems.push(`${model.name}: index ${i.name} exists in the database but not in the schema`);

    // Foreign keys of the relations this model holds.
    const fks = db.prepare(`PRAGMA foreign_key_list("${table}")`).all() as ForeignKey[];
    const fkById = new Map<number, ForeignKey[]>();
    for (const fk of fks) fkById.set(fk.id, [...(fkById.get(fk.id) ?? []), fk]);
    const describe = (target: string, from: string[], to: string[]) => `${from.join(',')} -> ${target}(${to.join(',')})`;
    const haveFks = [...fkById.values()].map((parts) => {
      const sorted = parts.sort((a, b) => a.seq - b.seq);
      return {
        key: describe(
          sorted[0].table,
          sorted.map((p) => p.from),
          sorted.map((p) => p.to),
        ),
        onDelete: sorted[0].on_delete,
        onUpdate: sorted[0].on_update,
      };
    });
    const wantFks = model.fields
      .filter((f) => f.kind === 'object' && (f.relationFromFields?.length ?? 0) > 0)
      .map((f) => {
        const target = models.find((m) => m.name === f.type)!;
        const targetCol = (n: string) => columnName(target.fields.find((x) => x.name === n)!);
        const onDelete = (f.relationOnDelete ?? (f.isRequired ? 'Restrict' : 'SetNull')).replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
        return { key: describe(tableName(target), f.relationFromFields!.map(colOf), f.relationToFields!.map(targetCol)), onDelete, field: f.name };
      });
    for (const want of wantFks) {
      const have = haveFks.find((h) => h.key === want.key);
      if (!have) problems.push(`${model.name}.${want.field}: foreign key ${want.key} is missing`);
      else if (have.onDelete !== want.onDelete) problems.push(`${model.name}.${want.field}: foreign key ${want.key} is ON DELETE ${have.onDelete}, schema says ${want.onDelete}`);
    }
    for (const have of haveFks) if (!wantFks.some((w) => w.key === have.key)) problems.push(`${model.name}: foreign key ${have.key} exists in the database but not in the schema`);
  }
  return problems;
};

describe('schema.prisma and prisma/migrations agree', () => {
  let dir: string;
  let url: string;
  let file: string;
  let db: Database.Database;
  let dmmf: Dmmf;
  const schema = readFileSync(SCHEMA_PATH, 'utf8');

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ssp-schema-drift-'));
    file = path.join(dir, 'migrated.db');
    url = `file:${file}`;
    applyMigrations(url);
    db = new Database(file, { readonly: true });
    dmmf = await getDMMF({ datamodel: schema });
  });
  afterAll(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the migrated database has exactly the tables, columns, keys and indexes of the schema', () => {
    expect(dmmf.datamodel.models.length).toBeGreaterThanOrEqual(13);
    expect(compareSchemaWithDatabase(dmmf, db)).toEqual([]);
  });

  test("Prisma's schema engine finds nothing to migrate between the migrated database and the schema", async () => {
    const { empty, script } = await diffDatabaseToSchema(url);
    expect(script).toContain('empty migration');
    expect(empty).toBe(true);
  });

  test('uses only portable types: String, Int, Boolean, DateTime, no lists, no native types', () => {
    for (const m of dmmf.datamodel.models) {
      for (const f of m.fields.filter(isColumn)) {
        expect({ field: `${m.name}.${f.name}`, type: ['String', 'Int', 'Boolean', 'DateTime'].includes(f.type), list: f.isList, native: f.nativeType ?? null }).toEqual({
          field: `${m.name}.${f.name}`,
          type: true,
          list: false,
          native: null,
        });
      }
    }
  });

  test('every tenant-owned table has a tenantId column that leads its secondary indexes', () => {
    // OutboxSender is the instances' own bookkeeping (which senders run), owned by no tenant.
    for (const m of dmmf.datamodel.models.filter((x) => !['Tenant', 'Product', 'OutboxSender'].includes(x.name))) {
      expect(m.fields.some((f) => f.name === 'tenantId' && f.isRequired)).toBe(true);
    }
  });

  describe('the checks catch drift', () => {
    test('a field added to schema.prisma without a migration', async () => {
      const edited = schema.replace(/model Tenant \{\n/, 'model Tenant {\n  timezone String\n');
      expect(edited).not.toBe(schema);
      expect(compareSchemaWithDatabase(await getDMMF({ datamodel: edited }), db)).toEqual(['Tenant.timezone: column Tenant.timezone is missing']);
      const engine = await diffDatabaseToSchema(url, schemaFiles(SCHEMA_PATH, edited));
      expect(engine.empty).toBe(false);
      expect(engine.script).toMatch(/"timezone" TEXT NOT NULL/);
    });

    test('an index, a nullability or a type changed in schema.prisma only', async () => {
      const edited = schema
        .replace('@@index([tenantId, at])', '@@index([tenantId, actorId])')
        .replace(/(\n  email +)String\?/, '$1String')
        .replace(/(\n  quantity +)Int/, '$1String');
      expect(compareSchemaWithDatabase(await getDMMF({ datamodel: edited }), db)).toEqual(
        expect.arrayContaining([
          'AuditEntry: normal index AuditEntry_tenantId_actorId_idx on (tenantId, actorId) is missing',
          'AuditEntry: index AuditEntry_tenantId_at_idx exists in the database but not in the schema',
          'DirectoryUser.email: column is nullable, schema says required',
          'Subscription.quantity: column type INTEGER, schema says String (TEXT)',
        ]),
      );
    });

    test('a column or a table added by a migration but not to schema.prisma', async () => {
      const copy = path.join(dir, 'ahead.db');
      copyFileSync(file, copy);
      const ahead = new Database(copy);
      try {
        ahead.exec('ALTER TABLE "Invoice" ADD COLUMN "taxMinor" INTEGER; CREATE TABLE "Coupon" ("id" TEXT NOT NULL PRIMARY KEY)');
        expect(compareSchemaWithDatabase(dmmf, ahead)).toEqual([
          'table Coupon exists in the database but no model maps to it',
          'Invoice: column Invoice.taxMinor exists in the database but not in the schema',
        ]);
      } finally {
        ahead.close();
      }
      expect((await diffDatabaseToSchema(`file:${copy}`)).empty).toBe(false);
    });
  });
});
